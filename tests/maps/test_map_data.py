"""GET /map/data: GeoJSON of cases by view (or grid cells), pilots, funds and the choropleth."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.maps.data import DELETED_CODE, SECRET_CONTACT, SECRET_NOTE, SECRET_PHONE, SOUTH_CODES

SOUTH_BBOX = "97,5,102,11.5"


def _get(client, headers, query: str, status: int = 200) -> dict:
    response = client.get(f"/map/data?{query}", headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json(force=True)


def _codes(body: dict) -> set[str]:
    return {f["properties"]["code"] for f in body["features"] if "code" in f["properties"]}


def test_data_needs_sign_in_as_json(client, map_data):
    response = client.get("/map/data")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_cases_in_view_without_deleted_or_contacts(client, auth, map_data):
    body = _get(client, auth("admin"), f"bbox={SOUTH_BBOX}")
    assert body["type"] == "FeatureCollection" and body["aggregated"] is False
    codes = _codes(body)
    assert SOUTH_CODES <= codes
    assert DELETED_CODE not in codes
    assert "LC-T9010" not in codes  # Bangkok lies outside the view
    assert body["numberReturned"] == len(body["features"]) == body["numberMatched"]
    text = json.dumps(body, ensure_ascii=False)
    for secret in (SECRET_CONTACT, SECRET_PHONE, SECRET_NOTE, "contact_name", "contact_phone", "notes"):
        assert secret not in text
    feature = next(f for f in body["features"] if f["properties"]["code"] == "LC-T9001")
    assert feature["geometry"] == {"type": "Point", "coordinates": [100.4747, 7.0086]}
    assert feature["id"] == map_data["LC-T9001"]["id"]
    assert feature["properties"]["province"] == "สงขลา" and feature["properties"]["status"] == "reported"


def test_status_filter(client, auth, map_data):
    body = _get(client, auth("viewer"), f"bbox={SOUTH_BBOX}&status=reported,stalled")
    assert {f["properties"]["status"] for f in body["features"]} <= {"reported", "stalled"}
    assert {"LC-T9001", "LC-T9006", "LC-T9009"} <= _codes(body)
    assert _get(client, auth("viewer"), "status=")["features"] == []


@pytest.mark.parametrize("query, expected, absent", [
    ("province=84", {"LC-T9003", "LC-T9004"}, {"LC-T9001", "LC-T9010"}),
    ("region=south-z9", {"LC-T9001", "LC-T9002"}, {"LC-T9003", "LC-T9010"}),
    ("region=south", SOUTH_CODES, {"LC-T9010", "LC-T9011"}),
    ("region=bangkok", {"LC-T9010"}, {"LC-T9001"}),
])
def test_province_and_region_filters(client, auth, map_data, query, expected, absent):
    codes = _codes(_get(client, auth("viewer"), query))
    assert expected <= codes and not (absent & codes)


def test_search_by_community_name(client, auth, map_data):
    body = _get(client, auth("viewer"), "q=แหลมสนอ่อน&limit=10&zoom=5")
    assert _codes(body) == {"LC-T9002"}
    assert _codes(_get(client, auth("viewer"), "q=lc-t9003")) == {"LC-T9003"}
    assert _get(client, auth("viewer"), "q=%25")["features"] == []  # a literal % matches no name


def test_limit_and_number_matched(client, auth, map_data):
    body = _get(client, auth("viewer"), f"bbox={SOUTH_BBOX}&limit=2")
    assert body["numberReturned"] == 2 and body["numberMatched"] >= len(SOUTH_CODES)


def test_too_many_for_the_view_become_grid_cells(client, auth, map_data):
    body = _get(client, auth("viewer"), f"bbox={SOUTH_BBOX}&limit=2&zoom=5")
    assert body["aggregated"] is True
    assert sum(f["properties"]["count"] for f in body["features"]) == body["numberMatched"] >= len(SOUTH_CODES)
    assert all(set(f["properties"]) == {"status", "count"} for f in body["features"])


def test_gzip_when_accepted(client, auth, map_data):
    response = client.get("/map/data?layer=choropleth", headers={**auth("viewer"), "Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(response.data))
    assert body["type"] == "FeatureCollection"


def test_pilot_areas_layer(client, auth, map_data):
    body = _get(client, auth("architect"), "layer=pilot-areas&region=south")
    subdistricts = {f["properties"]["subdistrict_code"] for f in body["features"]}
    assert "840503" in subdistricts  # Ko Tao
    # the pilot that holds case LC-T9001 (made by the fixture unless the sample data has one there)
    hat_yai = next(f for f in body["features"] if f["properties"]["subdistrict"] == "คอหงส์")
    assert hat_yai["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert hat_yai["properties"]["case_count"] >= 1  # live cases only
    assert SECRET_NOTE not in json.dumps(body, ensure_ascii=False)


def test_funds_layer(client, auth, map_data):
    body = _get(client, auth("viewer"), "layer=funds&province=90")
    assert {f["properties"]["name"] for f in body["features"]} >= {"กองทุนเมืองหาดใหญ่ (ทดสอบ)"}
    assert all(f["geometry"]["type"] == "Point" for f in body["features"])
    assert SECRET_NOTE not in json.dumps(body, ensure_ascii=False)


def test_choropleth_counts_open_cases_in_postgis(client, auth, map_data):
    national = _get(client, auth("viewer"), "layer=choropleth")
    assert national["level"] == "provinces" and len(national["features"]) == 77
    songkhla = next(f for f in national["features"] if f["id"] == "90")
    # Songkhla: reported x2, surveying; the evicted and closed ones and the deleted one do not count
    assert songkhla["properties"]["open_cases"] >= 3
    regional = _get(client, auth("viewer"), "layer=choropleth&region=south-z9")
    assert regional["level"] == "districts"
    assert all(f["id"][:2] in {"90", "91", "92", "93", "94", "95", "96"} for f in regional["features"])
    hat_yai = [f for f in regional["features"] if f["properties"]["name"] == "หาดใหญ่"]
    assert hat_yai and hat_yai[0]["properties"]["open_cases"] >= 2


@pytest.mark.parametrize("query", [
    "layer=bogus", "status=nope", "bbox=1,2,3", "bbox=a,b,c,d", "limit=0", "limit=100000", "limit=x",
    "zoom=99", "province=99", "region=atlantis", "layer=choropleth&level=subdistricts",
])
def test_bad_data_parameters_are_json_400(client, auth, map_data, query):
    response = client.get(f"/map/data?{query}", headers=auth("viewer"))
    assert response.status_code == 400, query
    assert set(response.get_json()["error"]) == {"code", "message", "details"}
