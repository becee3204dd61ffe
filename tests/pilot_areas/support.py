"""Helpers for the pilot-area, fund and dashboard tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.extensions import db
from tests.factories import PASSWORD


def login(client: Any, user: Any) -> None:
    """Sign the test client in through the login form."""
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def scalar(sql: str, **params: Any) -> Any:
    """One value straight from the database (inside the test's transaction)."""
    return db.session.execute(text(sql), params).scalar()


def add_case(lon: float, lat: float, *, households: int = 10, status: str = "reported",
             deleted: bool = False, code: str | None = None) -> int:
    """A land case placed at lon/lat with derived admin areas, written directly (not through the cases API)."""
    from gis.spatial import derive_admin_areas

    case_id = db.session.execute(text("""
        INSERT INTO land_cases (code, community_name, households, status, geom, is_sample, version, deleted_at)
        VALUES (:code, 'ชุมชนทดสอบ', :hh, :status, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), false, 1,
                CASE WHEN :deleted THEN now() END)
        RETURNING id"""), {"code": code or f"T-{lon:.5f}-{lat:.5f}-{households}", "hh": households,
                           "status": status, "lon": lon, "lat": lat, "deleted": deleted}).scalar()
    derive_admin_areas(db.session.connection(), "land_cases", [case_id])
    return case_id


def point_in(subdistrict_code: str) -> tuple[float, float]:
    """A lon/lat surely inside the subdistrict (PostGIS ST_PointOnSurface)."""
    row = db.session.execute(text("""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p
                                     FROM subdistricts WHERE code = :c) q"""), {"c": subdistrict_code}).one()
    return float(row[0]), float(row[1])
