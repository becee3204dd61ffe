"""Helpers for the land-case tests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.models import HistoryEntry, LandCase
from tests.factories import case_payload


@pytest.fixture()
def counts(session):
    """`counts()` gives (cases, history rows) as the database holds them now."""
    def get() -> tuple[int, int]:
        return (session.scalar(select(func.count()).select_from(LandCase)),
                session.scalar(select(func.count()).select_from(HistoryEntry)))

    return get


@pytest.fixture()
def make_case(client, auth):
    """`make_case(**overrides)` posts a valid case as the land team and returns the Feature."""
    def post(role: str = "land_team", **overrides: Any) -> dict:
        response = client.post("/api/v1/cases", json=case_payload(**overrides), headers=auth(role))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return post


def etag_of(client, case_id: int, headers: dict) -> str:
    response = client.get(f"/api/v1/cases/{case_id}", headers=headers)
    assert response.status_code == 200
    return response.headers["ETag"]
