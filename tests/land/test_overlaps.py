"""What each case stands on: overlaps per layer, the suggestion, conflicts and neighbours, kept fresh."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from app.land import overlaps
from tests.land.conftest import LAT, LON, feature_collection, square
from tests.land_cases.conftest import etag_of


def _land(client, auth, case_id: int) -> dict:
    response = client.get(f"/api/v1/cases/{case_id}/land", headers=auth("viewer"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _half_covering_layer() -> dict:
    # a parcel covering the east 60 % of the default footprint (lon from LON - 0.0002 to LON + 0.01)
    west = LON - 0.0002
    return {"type": "Polygon", "coordinates": [[[west, LAT - 0.01], [LON + 0.01, LAT - 0.01], [LON + 0.01, LAT + 0.01],
                                                [west, LAT + 0.01], [west, LAT - 0.01]]]}


def test_footprint_half_on_a_layer(client, auth, make_case, make_layer):
    layer = make_layer(_half_covering_layer(), owner_type="state_railway", owner="รฟท.")
    case = make_case(footprint=square(), land_owner_type="state_railway")
    land = _land(client, auth, case["id"])
    [overlap] = land["overlaps"]
    assert overlap["layer_id"] == layer["id"] and overlap["owner_type"] == "state_railway"
    assert overlap["owner"] == "รฟท." and overlap["share"] == pytest.approx(0.6, abs=0.01)
    assert overlap["area_rai"] == pytest.approx(case["properties"]["area_rai"] * 0.6, rel=0.02)
    assert land["suggested_owner_type"] == "state_railway" and land["owner_conflict"] is False


def test_conflict_when_record_differs(client, auth, make_case, make_layer):
    make_layer(square(half=0.01), owner_type="treasury")
    case = make_case(footprint=square(), land_owner_type="state_railway")
    land = _land(client, auth, case["id"])
    assert land["overlaps"][0]["share"] == pytest.approx(1.0)
    assert land["suggested_owner_type"] == "treasury" and land["owner_conflict"] is True
    props = client.get(f"/api/v1/cases/{case['id']}", headers=auth("viewer")).get_json()["properties"]
    assert props["overlay_owner_type"] == "treasury" and props["owner_conflict"] is True


def test_point_only_case_gets_the_layer_under_its_point(client, auth, make_case, make_layer):
    make_layer(square(half=0.01), owner_type="crown_property")
    case = make_case(land_owner_type="crown_property")
    land = _land(client, auth, case["id"])
    assert land["overlaps"][0]["share"] == 1 and land["overlaps"][0]["area_rai"] is None
    assert land["suggested_owner_type"] == "crown_property" and land["owner_conflict"] is False


def test_layer_uploaded_after_the_cases_refreshes_them(client, auth, make_case, make_layer):
    case = make_case(footprint=square(), land_owner_type="private")
    assert _land(client, auth, case["id"])["overlaps"] == []
    layer = make_layer(square(half=0.01), owner_type="forest")
    land = _land(client, auth, case["id"])
    assert land["overlaps"][0]["layer_id"] == layer["id"] and land["owner_conflict"] is True
    # replacing the parcels with a survey elsewhere: the case no longer stands on it
    data = feature_collection(square(lon=LON + 1, half=0.01))
    client.put(f"/api/v1/reference-layers/{layer['id']}/parcels", data={"file": (io.BytesIO(data), "x.geojson")},
               headers=auth("land_team"), content_type="multipart/form-data")
    assert _land(client, auth, case["id"])["overlaps"] == []
    assert _land(client, auth, case["id"])["owner_conflict"] is False


def test_deleting_the_layer_clears_the_suggestion(client, auth, make_case, make_layer):
    layer = make_layer(square(half=0.01), owner_type="forest")
    case = make_case(land_owner_type="private")
    assert _land(client, auth, case["id"])["owner_conflict"] is True
    client.delete(f"/api/v1/reference-layers/{layer['id']}", headers=auth("admin"))
    land = _land(client, auth, case["id"])
    assert land["overlaps"] == [] and land["suggested_owner_type"] is None and land["owner_conflict"] is False


def test_moving_and_editing_refresh(client, auth, make_case, make_layer):
    make_layer(square(lon=LON + 0.05, half=0.01), owner_type="marine")
    case = make_case()
    assert _land(client, auth, case["id"])["overlaps"] == []
    headers = {**auth("land_team"), "If-Match": etag_of(client, case["id"], auth("land_team"))}
    moved = client.patch(f"/api/v1/cases/{case['id']}", json={"lon": LON + 0.05, "lat": LAT}, headers=headers)
    assert moved.status_code == 200
    assert _land(client, auth, case["id"])["suggested_owner_type"] == "marine"


def test_neighbours_overlap_and_deleted_ones_hide(client, auth, make_case):
    first = make_case(footprint=square())
    second = make_case(footprint=square(lon=LON + 0.001), lon=LON + 0.001)
    make_case(footprint=square(lon=LON + 0.01), lon=LON + 0.01)  # apart
    land = _land(client, auth, first["id"])
    [neighbour] = land["neighbours"]
    assert neighbour["id"] == second["id"] and neighbour["code"] == second["properties"]["code"]
    assert neighbour["area_rai"] == pytest.approx(first["properties"]["area_rai"] / 2, rel=0.02)
    assert _land(client, auth, second["id"])["neighbours"][0]["id"] == first["id"]
    client.delete(f"/api/v1/cases/{second['id']}", headers=auth("land_team"))
    assert _land(client, auth, first["id"])["neighbours"] == []


def test_full_refresh_matches_the_scoped_ones(session, client, auth, make_case, make_layer):
    make_layer(_half_covering_layer(), owner_type="treasury")
    make_case(footprint=square())
    make_case(footprint=square(lon=LON + 0.001), lon=LON + 0.001)
    query = text("SELECT case_id, layer_id, round(area_rai::numeric, 6), round(share::numeric, 6) "
                 "FROM land_overlaps ORDER BY 1, 2")
    pairs = text("SELECT case_id, other_id, round(area_rai::numeric, 6) FROM footprint_overlaps ORDER BY 1, 2")
    summary = text("SELECT * FROM case_land ORDER BY 1")
    before = [session.execute(q).all() for q in (query, pairs, summary)]
    overlaps.refresh()
    assert [session.execute(q).all() for q in (query, pairs, summary)] == before


def test_case_land_404_and_auth(client, auth):
    assert client.get("/api/v1/cases/99999999/land", headers=auth("viewer")).status_code == 404
    assert client.get("/api/v1/cases/1/land").status_code == 401


def test_summary_by_overlay_owner(client, auth, make_case, make_layer):
    make_layer(square(half=0.01), owner_type="temple")
    make_case(households=40, land_owner_type="private")
    rows = client.get("/api/v1/land/summary", headers=auth("viewer")).get_json()["summary"]
    temple = [r for r in rows if r["owner_type"] == "temple"]
    assert temple and sum(r["households"] for r in temple) >= 40 and sum(r["conflicts"] for r in temple) >= 1
