"""Helpers for the land-case tests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.auth.security import session_fields
from app.models import HistoryEntry, LandCase
from tests import factories
from tests.factories import case_payload


@pytest.fixture()
def counts(session):
    """`counts()` gives (cases, history rows) as the database holds them now."""
    def get() -> tuple[int, int]:
        return (session.scalar(select(func.count()).select_from(LandCase)),
                session.scalar(select(func.count()).select_from(HistoryEntry)))

    return get


@pytest.fixture()
def make_case(client, users):
    """`make_case(role, **overrides)`: a valid case made by that role (the land team by default)
    through the one case factory (tests/factories.py); the Feature as the API returns it."""
    def make(role: str = "land_team", **overrides: Any) -> dict:
        return factories.make_case(users[role], **case_payload(**overrides))

    return make


def etag_of(client, case_id: int, headers: dict) -> str:
    response = client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert response.status_code == 200
    return response.headers["ETag"]


@pytest.fixture()
def login(app, session, users):
    """`login(role)` gives a test client signed in with a session cookie."""
    def signed_in(role: str):
        client = app.test_client()
        with client.session_transaction() as cookie:
            cookie["_user_id"] = str(users[role].id)
            cookie.update(session_fields(users[role]))
            cookie["_fresh"] = True
        return client

    return signed_in
