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


class MadeCase(dict):
    """A case made for a test: the Feature as the API returns it (`case["id"]`, `case["properties"]`),
    and the stored record's columns as attributes (`case.code`, `case.id`, `case.households`)."""

    def __init__(self, record: Any, feature: dict[str, Any]) -> None:
        super().__init__(feature)
        self.__dict__["record"] = record

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["record"], name)

    def __setattr__(self, name: str, value: Any) -> None:  # `case.households = 99` edits the record
        setattr(self.__dict__["record"], name, value)


def make_case(user: User | None = None, *, history: bool = True, **values: Any) -> MadeCase:
    """The one factory of land cases, in the test's transaction; `lon`/`lat` default to Khlong Toei.

    With `history` (the default) the case service validates, stores, locates and records it, as
    the API does; `history=False` stores the row as it stands (a case that was there before, with
    no history of its own), still located in PostGIS.
    """
    from app.auth.permissions import allowed
    from app.land_cases import serialise, service
    from app.land_cases.validation import RawCase

    body = {"community_name": "ชุมชนทดสอบ", "households": 120, "lon": 100.564, "lat": 13.708, **values}
    if history:
        may_set_sensitive = user is None or allowed(user.role, "case.contacts")
        case = service.create_case(RawCase(fields=body), user, may_set_sensitive=may_set_sensitive)
    else:
        from shapely.geometry import Point

        from app.models import LandCase
        from gis.geometry import to_db
        from gis.spatial import derive_admin_areas

        lon, lat = body.pop("lon"), body.pop("lat")
        case = LandCase(**{"status": "reported", "is_sample": False, "version": 1, **body},
                        geom=to_db(Point(lon, lat)))
        db.session.add(case)
        db.session.flush()
        assert derive_admin_areas(db.session.connection(), "land_cases", [case.id]) == []
        db.session.refresh(case)
    return MadeCase(case, serialise.feature(case.id, with_sensitive=True) or {})
