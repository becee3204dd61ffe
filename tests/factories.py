"""Factory helpers for tests."""

from __future__ import annotations

import itertools
from typing import Any

from app.auth.security import hash_password, issue_api_token
from app.extensions import db
from app.models import User

_counter = itertools.count(1)
PASSWORD = "correct horse battery"
_HASH: dict[str, str] = {}


def make_user(role: str, email: str | None = None, regions: list[str] | None = None) -> User:
    """An active account of `role` (limited to `regions` when given), with `.token` set to a fresh API token."""
    if "hash" not in _HASH:
        _HASH["hash"] = hash_password(PASSWORD)
    user = User(email=email or f"{role}{next(_counter)}@example.org", role=role,
                password_hash=_HASH["hash"], name=f"Test {role}", regions=regions)
    db.session.add(user)
    db.session.flush()
    user.token = issue_api_token(user, "test")  # type: ignore[attr-defined]
    db.session.commit()
    return user


def case_payload(**overrides: Any) -> dict[str, Any]:
    """A valid land-case body for POST /api/v1/cases (at Khlong Toei, Bangkok)."""
    body: dict[str, Any] = {
        "community_name": "ชุมชนทดสอบ", "households": 120, "population": 480,
        "land_owner_type": "treasury", "problem": "eviction_threat", "area_type": "urban",
        "lon": 100.564, "lat": 13.708,
    }
    body.update(overrides)
    return body
