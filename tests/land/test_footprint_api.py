"""Footprints through the case API: create, patch, remove, checks, history, area in rai."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.models import HistoryEntry, LandCase
from tests.land.conftest import LAT, LON, square
from tests.land_cases.conftest import etag_of


def _patch(client, auth, case_id: int, body: dict, role: str = "land_team"):
    headers = {**auth(role), "If-Match": etag_of(client, case_id, auth(role))}
    return client.patch(f"/api/v1/cases/{case_id}", json=body, headers=headers)


def test_create_with_footprint_gives_area_in_rai(make_case):
    feature = make_case(footprint=square())
    props = feature["properties"]
    assert props["footprint"]["type"] == "MultiPolygon"
    # about 216 m x 222 m: PostGIS on the ellipsoid, 1 rai = 1,600 m2
    assert 28 < props["area_rai"] < 32
    assert props["overlay_owner_type"] is None and props["owner_conflict"] is False
    assert feature["geometry"]["coordinates"] == [LON, LAT]


def test_footprint_without_point_gets_point_on_surface(client, auth):
    body = {"community_name": "ชุมชนไม่มีหมุด", "households": 10, "footprint": square(100.6, 13.8)}
    response = client.post("/api/v1/cases", json=body, headers=auth("land_team"))
    assert response.status_code == 201, response.get_json()
    lon, lat = response.get_json()["geometry"]["coordinates"]
    assert abs(lon - 100.6) < 0.001 and abs(lat - 13.8) < 0.001
    assert response.get_json()["properties"]["province_code"] is not None


def test_feature_with_null_geometry_and_footprint(client, auth):
    body = {"type": "Feature", "geometry": None,
            "properties": {"community_name": "ชุมชน", "households": 5, "footprint": square()}}
    response = client.post("/api/v1/cases", json=body, headers=auth("land_team"))
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("footprint, reason", [
    ({"type": "Point", "coordinates": [LON, LAT]}, "not_polygon"),
    ({"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.001, LAT], [LON, LAT]]]}, "broken_ring"),
    (square(lon=LON + 0.1), "far_from_point"),
    (square(lon=2.35, lat=48.85), "outside_thailand"),
    (square(half=0.2), "too_large"),
    ({"type": "Polygon", "coordinates": [[[LON - 0.001, LAT - 0.001], [LON + 0.001, LAT + 0.001],
                                          [LON + 0.001, LAT - 0.001], [LON - 0.001, LAT + 0.001],
                                          [LON - 0.001, LAT - 0.001]]]}, "invalid_ring"),
    ({"type": "Polygon", "coordinates": [[[LON, LAT], ["a", LAT], [LON, LAT + 1], [LON, LAT]]]}, "bad_coordinates"),
    ("POLYGON((0 0, 1 1))", "not_polygon"),
])
def test_bad_footprints_are_422_and_write_nothing(client, auth, counts, footprint, reason):
    before = counts()
    body = {"community_name": "ชุมชน", "households": 5, "lon": LON, "lat": LAT, "footprint": footprint}
    response = client.post("/api/v1/cases", json=body, headers=auth("land_team"))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["details"][0]["field"] == "footprint" and error["details"][0]["reason"] == reason
    assert error["message"]  # Thai by default
    assert counts() == before


def test_million_vertices_refused(client, auth):
    import math

    ring = [[LON + 0.001 * math.cos(2 * math.pi * i / 1_000_000), LAT + 0.001 * math.sin(2 * math.pi * i / 1_000_000)]
            for i in range(1_000_000)]
    ring.append(ring[0])
    body = {"community_name": "ชุมชน", "households": 5, "lon": LON, "lat": LAT,
            "footprint": {"type": "Polygon", "coordinates": [ring]}}
    response = client.post("/api/v1/cases", json=body, headers=auth("land_team"))
    assert response.status_code in (413, 422)


def test_unambiguous_repair_is_said(client, auth, make_case):
    spike = {"type": "Polygon", "coordinates": [[[LON - 0.001, LAT - 0.001], [LON + 0.001, LAT - 0.001],
                                                 [LON + 0.001, LAT + 0.001], [LON, LAT + 0.001],
                                                 [LON, LAT + 0.002], [LON, LAT + 0.001],
                                                 [LON - 0.001, LAT + 0.001]]]}  # a spike, and not closed
    feature = make_case(footprint=spike)
    history = client.get(f"/api/v1/cases/{feature['id']}/history", headers=auth("land_team")).get_json()["history"]
    notes = [e["note"] for e in history if e["field"] == "footprint"]
    assert notes and "unclosed ring" in notes[0] and "Self-intersection" in notes[0]


def test_patch_changes_and_removes_footprint_with_history(client, auth, make_case, session):
    feature = make_case()
    case_id = feature["id"]
    assert feature["properties"]["footprint"] is None and feature["properties"]["area_rai"] is None
    first = _patch(client, auth, case_id, {"footprint": square(half=0.0005)})
    assert first.status_code == 200, first.get_json()
    small = first.get_json()["properties"]["area_rai"]
    second = _patch(client, auth, case_id, {"footprint": square(half=0.001)})
    big = second.get_json()["properties"]["area_rai"]
    assert big == pytest.approx(small * 4, rel=0.01)
    assert second.get_json()["properties"]["version"] == 3
    removed = _patch(client, auth, case_id, {"footprint": None})
    assert removed.get_json()["properties"]["footprint"] is None
    assert removed.get_json()["properties"]["area_rai"] is None
    rows = session.execute(select(HistoryEntry.field, HistoryEntry.old_value, HistoryEntry.new_value)
                           .where(HistoryEntry.entity_id == case_id, HistoryEntry.field.in_(["footprint", "area_rai"]))
                           .order_by(HistoryEntry.id)).all()
    areas = [(old, new) for field, old, new in rows if field == "area_rai"]
    assert areas[0][0] is None and float(areas[0][1]) == pytest.approx(small, abs=1e-3)
    assert float(areas[1][0]) == pytest.approx(small, abs=1e-3) and float(areas[1][1]) == pytest.approx(big, abs=1e-3)
    assert areas[2][1] is None
    # the geometry itself is kept: the second footprint can be rebuilt from the history
    outlines = [new for field, _old, new in rows if field == "footprint"]
    rebuilt = session.scalar(select(func.ST_Area(func.ST_GeomFromGeoJSON(outlines[1]).cast(
        __import__("geoalchemy2").Geography)) / 1600))
    assert rebuilt == pytest.approx(big, rel=1e-4)


def test_same_footprint_again_is_no_change(client, auth, make_case):
    feature = make_case(footprint=square())
    again = _patch(client, auth, feature["id"], {"footprint": feature["properties"]["footprint"]})
    assert again.status_code == 200
    assert again.get_json()["properties"]["version"] == 1


def test_read_only_land_properties(client, auth, make_case):
    feature = make_case(footprint=square())
    props = feature["properties"]
    # sent back as a GET gave them: accepted
    ok = _patch(client, auth, feature["id"], {"area_rai": props["area_rai"], "owner_conflict": False,
                                              "households": 99})
    assert ok.status_code == 200, ok.get_json()
    wrong = _patch(client, auth, feature["id"], {"area_rai": 1.0})
    assert wrong.status_code == 422 and wrong.get_json()["error"]["details"][0]["field"] == "area_rai"
    created = client.post("/api/v1/cases", json={"community_name": "x", "households": 1, "lon": LON, "lat": LAT,
                                                 "overlay_owner_type": "treasury"}, headers=auth("land_team"))
    assert created.status_code == 422


def test_moving_point_far_from_footprint_is_422(client, auth, make_case):
    feature = make_case(footprint=square())
    moved = _patch(client, auth, feature["id"], {"lon": LON + 0.2, "lat": LAT})
    assert moved.status_code == 422
    assert moved.get_json()["error"]["details"][0]["reason"] == "far_from_point"


def test_list_carries_land_properties(client, auth, make_case):
    make_case(footprint=square())
    body = client.get("/api/v1/cases?limit=5&sort=-updated_at", headers=auth("viewer")).get_json()
    props = body["features"][0]["properties"]
    assert {"footprint", "area_rai", "overlay_owner_type", "owner_conflict"} <= set(props)
    assert json.dumps(props["footprint"])
    assert "contact_name" not in props


def test_area_column_is_postgis_on_the_ellipsoid(session, make_case):
    feature = make_case(footprint=square())
    stored = session.get(LandCase, feature["id"])
    expected = session.scalar(select(func.ST_Area(func.Geography(LandCase.footprint)) / 1600.0)
                              .where(LandCase.id == feature["id"]))
    assert stored.area_rai == pytest.approx(expected)


def test_as_of_and_changes_survive_footprint_history(client, auth, make_case):
    from app.timeline.dates import today as thai_today

    feature = make_case(footprint=square())
    _patch(client, auth, feature["id"], {"footprint": square(half=0.0005)})
    today = thai_today().isoformat()  # (as_of after today's Thai date is a 400)
    response = client.get(f"/api/v1/cases?as_of={today}&limit=5", headers=auth("viewer"))
    assert response.status_code == 200, response.get_json()
    history = client.get(f"/api/v1/cases/{feature['id']}/history", headers=auth("viewer"))
    assert history.status_code == 200
