"""Community funds through the API: points, validation, derived admin areas, filters, edits."""

from __future__ import annotations

import pytest

from tests.pilot_areas.support import scalar

KO_TAO = {"name": "กองทุนออมทรัพย์ชุมชนแม่หาด", "level": "community", "members": 85, "capital_baht": 420000.5,
          "established_on": "2012-06-01", "network": "เครือข่ายสวัสดิการชุมชนเกาะเต่า", "lon": 99.84, "lat": 10.095}


def post(client, auth, body, role="land_team"):
    return client.post("/api/v1/funds", headers=auth(role), json=body)


def test_a_fund_at_ko_tao_derives_subdistrict_840503(client, auth):
    response = post(client, auth, KO_TAO)
    assert response.status_code == 201, response.get_json()
    feature = response.get_json()
    props = feature["properties"]
    assert (props["subdistrict_code"], props["district_code"], props["province_code"]) == ("840503", "8405", "84")
    assert props["region_code"] == "south" and props["zone_code"] == "south-z8"
    assert feature["geometry"] == {"type": "Point", "coordinates": [99.84, 10.095]}
    assert props["capital_baht"] == 420000.5 and props["members"] == 85
    assert props["established_on"] == "2012-06-01" and props["is_sample"] is False
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(f"/api/v1/funds/{feature['id']}")


def test_geojson_feature_body(client, auth):
    body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [100.5641, 13.7082]},
            "properties": {"name": "กองทุนเมืองคลองเตย 2", "level": "city", "capital_baht": 0}}
    response = post(client, auth, body, role="admin")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["properties"]["province_code"] == "10"


@pytest.mark.parametrize("change, field", [
    ({"capital_baht": -1}, "capital_baht"),
    ({"capital_baht": "abc"}, "capital_baht"),
    ({"capital_baht": 1e20}, "capital_baht"),
    ({"capital_baht": True}, "capital_baht"),
    ({"level": "galactic"}, "level"),
    ({"level": None}, "level"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "a\x00b"}, "name"),
    ({"members": -3}, "members"),
    ({"members": 2.5}, "members"),
    ({"members": 2**40}, "members"),
    ({"established_on": "2010-13-01"}, "established_on"),
    ({"established_on": "01/06/2012"}, "established_on"),
    ({"established_on": "2555-06-01"}, "established_on"),
    ({"colour": "green"}, "colour"),
    ({"subdistrict_code": "840503"}, "subdistrict_code"),
    ({"lon": 10.095, "lat": 99.84}, "lon/lat"),
    ({"lon": 2.35, "lat": 48.85}, "lon/lat"),
    ({"lon": None}, "lon"),
    ({"lon": "nan"}, "lon"),
    ({"lon": 98.0, "lat": 7.0}, "geometry"),  # open sea inside the bounding box: no subdistrict
])
def test_bad_funds_are_422(client, auth, change, field):
    response = post(client, auth, {**KO_TAO, **change})
    assert response.status_code == 422, (change, response.get_json())
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in {d["field"] for d in error["details"]}, error


def test_missing_fields_and_non_finite_json_are_refused(client, auth):
    body = {k: v for k, v in KO_TAO.items() if k not in ("name", "level")}
    fields = {d["field"] for d in post(client, auth, body).get_json()["error"]["details"]}
    assert {"name", "level"} <= fields
    no_place = {k: v for k, v in KO_TAO.items() if k not in ("lon", "lat")}
    assert post(client, auth, no_place).status_code == 422
    for raw in ('{"name": "x", "level": "city", "lon": 99.84, "lat": 10.095, "capital_baht": NaN}',
                '{"name": "x", "level": "city", "lon": 99.84, "lat": 10.095, "capital_baht": Infinity}'):
        response = client.post("/api/v1/funds", headers=auth("land_team"), data=raw,
                               content_type="application/json")
        assert response.status_code in (400, 422), raw
    assert post(client, auth, ["not", "an", "object"]).status_code == 422
    assert scalar("SELECT count(*) FROM funds WHERE name = 'x'") == 0


def test_who_may_write_funds(client, auth):
    for role in ("viewer", "policy", "architect"):
        assert post(client, auth, KO_TAO, role=role).status_code == 403
    assert client.post("/api/v1/funds", json=KO_TAO).status_code == 401


def test_list_filters_and_paging(client, auth):
    fund_id = post(client, auth, KO_TAO).get_json()["id"]
    h = auth("viewer")

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/funds?limit=10000&{query}", headers=h)
        assert response.status_code == 200, query
        return {f["id"] for f in response.get_json()["features"]}

    everything = ids("")
    assert len(everything) == scalar("SELECT count(*) FROM funds")
    assert fund_id in ids("region=south") and fund_id in ids("region=south-z8")
    assert fund_id not in ids("region=south-z9") and fund_id not in ids("region=bangkok")
    assert ids("region=south-z8") | ids("region=south-z9") == ids("region=south")
    assert fund_id in ids("province=84") and fund_id in ids("province=TH84")
    assert ids("level=community") == set(scalar("SELECT array_agg(id) FROM funds WHERE level = 'community'"))
    assert ids("level=city,national") == set(scalar(
        "SELECT array_agg(id) FROM funds WHERE level IN ('city', 'national')"))
    assert fund_id in ids("bbox=99.8,10.0,99.9,10.2") and fund_id not in ids("bbox=100.4,13.6,100.7,13.9")
    assert fund_id in ids("q=แม่หาด")
    page = client.get("/api/v1/funds?limit=7&offset=0", headers=h).get_json()
    assert page["numberMatched"] == len(everything) and page["numberReturned"] == len(page["features"]) == 7
    assert any(link["rel"] == "next" and "offset=7" in link["href"] for link in page["links"])
    last = client.get(f"/api/v1/funds?limit=7&offset={len(everything) - 2}", headers=h).get_json()
    assert last["numberReturned"] == len(last["features"]) == 2
    assert not any(link["rel"] == "next" for link in last["links"])
    for query in ("level=galactic", "region=mars", "province=abc", "bbox=1,2", "limit=abc"):
        assert client.get(f"/api/v1/funds?{query}", headers=h).status_code == 400, query


def test_patch_with_if_match_moves_the_point_and_writes_history(client, auth):
    fund_id = post(client, auth, KO_TAO).get_json()["id"]
    url = f"/api/v1/funds/{fund_id}"
    h = auth("land_team")
    assert client.patch(url, headers=h, json={"members": 90}).status_code == 428
    assert client.patch(url, headers={**h, "If-Match": '"9"'}, json={"members": 90}).status_code == 412
    moved = client.patch(url, headers={**h, "If-Match": '"1"'},
                         json={"members": 90, "capital_baht": 420000.50, "lon": 100.5641, "lat": 13.7082})
    assert moved.status_code == 200, moved.get_json()
    props = moved.get_json()["properties"]
    assert props["members"] == 90 and props["province_code"] == "10" and props["subdistrict_code"] == "103301"
    assert moved.headers["ETag"] == '"2"'
    assert client.patch(url, headers={**h, "If-Match": '"2"'}, json={"capital_baht": -5}).status_code == 422
    assert client.patch(url, headers={**h, "If-Match": '"2"'}, json={"name": None}).status_code == 422
    assert client.patch(url, headers={**h, "If-Match": '"2"'}, json={"lon": 2, "lat": 48}).status_code == 422
    unchanged = client.patch(url, headers={**h, "If-Match": '"2"'}, json={"capital_baht": "420000.5"})
    assert unchanged.status_code == 200 and unchanged.headers["ETag"] == '"2"'
    history = client.get(f"{url}/history", headers=auth("viewer")).get_json()["history"]
    changed = {e["field"] for e in history if e["action"] == "update"}
    assert changed == {"members", "location", "subdistrict_code"}
    assert client.get("/api/v1/funds/999999", headers=auth("viewer")).status_code == 404
