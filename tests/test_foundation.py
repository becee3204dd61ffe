"""The base: health, boundaries, regions, errors, language, OpenAPI."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.extensions import db


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_provinces_are_77(client):
    body = client.get("/api/v1/boundaries/provinces").get_json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 77


def test_ko_tao_subdistrict_by_code(client):
    body = client.get("/api/v1/boundaries/subdistricts?code=840503").get_json()
    (feature,) = body["features"]
    assert feature["properties"]["name_th"] == "เกาะเต่า"
    assert feature["properties"]["parent_code"] == "8405"
    assert feature["geometry"]["type"] == "MultiPolygon"


def test_boundaries_by_parent_code_bbox_and_simplify(client):
    districts = client.get("/api/v1/boundaries/districts?code=84").get_json()["features"]
    assert districts and all(f["id"].startswith("84") for f in districts)
    in_box = client.get("/api/v1/boundaries/provinces?bbox=100.4,13.6,100.7,13.9&simplify=0.01").get_json()
    assert "10" in {f["id"] for f in in_box["features"]}


@pytest.mark.parametrize("query", ["bbox=1,2,3", "bbox=a,b,c,d", "bbox=10,10,5,5", "bbox=nan,1,2,3",
                                   "simplify=-1", "simplify=abc", "simplify=inf"])
def test_bad_boundary_parameters_are_400(client, query):
    response = client.get(f"/api/v1/boundaries/provinces?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_unknown_level_is_json_404(client):
    response = client.get("/api/v1/boundaries/villages")
    assert response.status_code == 404
    assert set(response.get_json()["error"]) == {"code", "message", "details"}


def test_every_province_is_in_a_region(client):
    body = client.get("/api/v1/regions").get_json()
    listed = [p["code"] for r in body["regions"] for p in r["provinces"]]
    assert len(listed) == 77 and len(set(listed)) == 77
    assert "conflicts" not in body


def test_tak_conflict_visible_to_admin_only(client, auth):
    body = client.get("/api/v1/regions", headers=auth("admin")).get_json()
    (conflict,) = body["conflicts"]
    assert conflict["province_code"] == "63"
    assert {conflict["kept_in"], conflict["listed_in"]} == {"north-upper", "north-lower"}
    viewer = client.get("/api/v1/regions", headers=auth("viewer")).get_json()
    assert "conflicts" not in viewer


def test_south_zones_roll_up_to_the_south(client):
    regions = {r["code"]: r for r in client.get("/api/v1/regions").get_json()["regions"]}
    assert regions["south-z8"]["parent_code"] == "south"
    assert "84" in {p["code"] for p in regions["south-z8"]["provinces"]}
    assert "94" in {p["code"] for p in regions["south-z9"]["provinces"]}


def test_openapi_lists_the_api(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/boundaries/{level}" in spec["paths"]
    assert "/api/v1/regions" in spec["paths"]


def test_method_not_allowed_is_json(client):
    response = client.delete("/api/v1/regions")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"]


def test_connections_plan_every_statement_for_its_values(session):
    """psycopg prepares no statement (a prepared one may get a generic plan after ten runs: the map's
    1000-case page 2x slower), the foreign-key checks keep their cached plans, and JIT stays off."""
    assert db.session.connection().connection.driver_connection.prepare_threshold is None
    assert db.session.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
    assert db.session.execute(text("SHOW jit")).scalar() == "off"
