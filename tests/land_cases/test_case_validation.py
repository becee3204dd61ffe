"""Refused inputs: each gets a 4xx JSON error naming the field, and nothing is written."""

from __future__ import annotations

import json

import pytest

from tests.factories import case_payload

NAN = float("nan")

BAD_LOCATIONS = [
    # (overrides, field, reason)
    ({"lon": 13.708, "lat": 100.564}, "location", "swapped"),
    ({"lon": NAN, "lat": 13.7}, "lon", "not finite"),
    ({"lon": "NaN", "lat": 13.7}, "lon", "wrong type"),
    ({"lon": 200.0, "lat": 13.7}, "location", "out of range"),
    ({"lon": 100.5, "lat": -95.0}, "location", "out of range"),
    ({"lon": 2.35, "lat": 48.85}, "location", "outside Thailand"),
    ({"lon": 101.5, "lat": 11.5}, "location", "unlocated"),  # the Gulf of Thailand
    ({"lon": None, "lat": None}, "lon", "required"),
    ({"lon": True, "lat": 13.7}, "lon", "required"),
]


def _post(client, auth, body, role="land_team"):
    return client.post("/api/v1/cases", json=body, headers=auth(role))


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"} and error["message"]
    return error


@pytest.mark.parametrize(("overrides", "field", "reason"), BAD_LOCATIONS)
def test_bad_locations_are_refused_with_their_own_message(client, auth, counts, overrides, field, reason):
    before = counts()
    error = _error(_post(client, auth, case_payload(**overrides)), 422)
    (detail,) = error["details"]
    assert (detail["field"], detail["reason"]) == (field, reason)
    assert counts() == before


def test_each_location_problem_has_its_own_message(client, auth):
    messages = {}
    for overrides, _field, reason in BAD_LOCATIONS:
        detail = _post(client, auth, case_payload(**overrides)).get_json()["error"]["details"][0]
        messages.setdefault(reason, set()).add(detail["message"])
    assert all(len(m) == 1 for m in messages.values())
    assert len({m for ms in messages.values() for m in ms}) == len(messages)


def test_missing_location_is_refused(client, auth, counts):
    body = case_payload()
    del body["lon"], body["lat"]
    before = counts()
    error = _error(_post(client, auth, body), 422)
    assert error["details"][0]["field"] == "location"
    assert counts() == before


@pytest.mark.parametrize("geometry", [
    {"type": "Point", "coordinates": [13.708, 100.564]},
    {"type": "Polygon", "coordinates": [[[100, 13], [101, 13], [101, 14], [100, 13]]]},
    {"type": "Point", "coordinates": [100.5]},
    {"type": "Point", "coordinates": "100.5,13.7"},
    None,
    "POINT(100.5 13.7)",
])
def test_bad_feature_geometries(client, auth, counts, geometry):
    body = {"type": "Feature", "geometry": geometry, "properties": {"community_name": "ก", "households": 1}}
    before = counts()
    error = _error(_post(client, auth, body), 422)
    assert error["details"][0]["field"] == "geometry"
    assert counts() == before


BAD_FIELDS = [
    ({"households": -1}, "households", "negative"),
    ({"population": -5}, "population", "negative"),
    ({"households": "many"}, "households", "wrong type"),
    ({"households": "120"}, "households", "wrong type"),
    ({"households": 12.5}, "households", "wrong type"),
    ({"households": True}, "households", "wrong type"),
    ({"households": 10**12}, "households", "too large"),
    ({"households": None}, "households", "required"),
    ({"community_name": ""}, "community_name", "required"),
    ({"community_name": "   "}, "community_name", "required"),
    ({"community_name": 42}, "community_name", "wrong type"),
    ({"community_name": "ก" * 201}, "community_name", "too long"),
    ({"community_name": "ชุมชน\x00"}, "community_name", "invalid character"),
    ({"contact_phone": "0" * 51}, "contact_phone", "too long"),
    ({"land_owner_type": "martian"}, "land_owner_type", "unknown value"),
    ({"problem": "noise"}, "problem", "unknown value"),
    ({"area_type": "suburban"}, "area_type", "unknown value"),
    ({"status": "finished"}, "status", "unknown value"),
    ({"opened_on": "2010-02-30"}, "opened_on", "bad date"),
    ({"opened_on": "01/03/2010"}, "opened_on", "bad date"),
    ({"opened_on": 20100301}, "opened_on", "wrong type"),
    ({"opened_on": "2553-03-01"}, "opened_on", "buddhist era year"),
    ({"is_sample": "yes"}, "is_sample", "wrong type"),
    ({"colour": "red"}, "colour", "unknown field"),
    ({"subdistrict_code": "840503"}, "subdistrict_code", "read-only"),
    ({"region_code": "south"}, "region_code", "read-only"),
    ({"version": 7}, "version", "read-only"),
    ({"id": 5}, "id", "read-only"),
    ({"updated_at": "2024-01-01T00:00:00+00:00"}, "updated_at", "read-only"),
]


@pytest.mark.parametrize(("overrides", "field", "reason"), BAD_FIELDS)
def test_bad_fields_are_422_and_nothing_is_written(client, auth, counts, overrides, field, reason):
    before = counts()
    error = _error(_post(client, auth, case_payload(**overrides)), 422)
    assert error["code"] == "validation_error"
    assert (field, reason) in [(d["field"], d["reason"]) for d in error["details"]]
    assert counts() == before


def test_required_fields_missing(client, auth, counts):
    before = counts()
    error = _error(_post(client, auth, {"lon": 100.564, "lat": 13.708}), 422)
    assert {d["field"] for d in error["details"]} == {"community_name", "households"}
    assert counts() == before


def test_all_unknown_fields_are_listed(client, auth):
    error = _error(_post(client, auth, case_payload(colour="red", owner="x", geom="POINT(1 1)")), 422)
    unknown = sorted(d["field"] for d in error["details"] if d["reason"] == "unknown field")
    assert unknown == ["colour", "geom", "owner"]
    assert "colour" in error["message"]


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ('{"community_name": "ก", "households": 1,', "application/json", 400),
    ("not json at all", "application/json", 400),
    ("[" * 100000 + "]" * 100000, "application/json", 400),
    (b"\xff\xfe{}", "application/json", 400),
    ("", "application/json", 400),
    ('[1, 2, 3]', "application/json", 422),
    ('"a string"', "application/json", 422),
    ('{"type": "FeatureCollection", "features": []}', "application/json", 422),
    ('{"type": "Feature", "properties": [], "geometry": null}', "application/json", 422),
    ('{"community_name": "ก"}', "text/plain", 415),
    ("community_name=x&households=1", "application/x-www-form-urlencoded", 415),
])
def test_malformed_bodies(client, auth, counts, body, content_type, status):
    before = counts()
    response = client.post("/api/v1/cases", data=body, content_type=content_type, headers=auth("land_team"))
    _error(response, status)
    assert counts() == before


def test_error_messages_are_thai_by_default_and_english_on_request(client, auth):
    thai = _post(client, auth, case_payload(households=-1)).get_json()["error"]["details"][0]["message"]
    assert thai == "ต้องไม่ติดลบ"
    from flask import g

    g.pop("_flask_babel", None)  # the test shares one app context: forget the cached locale
    response = client.post("/api/v1/cases?lang=en", data=json.dumps(case_payload(households=-1)),
                           content_type="application/json", headers=auth("land_team"))
    assert response.get_json()["error"]["details"][0]["message"] == "must not be negative"


def test_patch_refuses_status_and_derived_fields(client, auth, make_case, counts):
    case = make_case()
    headers = {**auth("land_team"), "If-Match": '"1"'}
    path = f"/api/v1/cases/{case['id']}"
    before = counts()
    for body, field in [({"status": "agreed"}, "status"), ({"province_code": "50"}, "province_code"),
                        ({"version": 9}, "version"), ({"households": -3}, "households"),
                        ({"lon": 100.5}, "lat"), ({"shoe_size": 42}, "shoe_size"),
                        ({"code": None}, "code"), ({"community_name": None}, "community_name")]:
        error = _error(client.patch(path, json=body, headers=headers), 422)
        assert field in {d["field"] for d in error["details"]}, body
    assert counts() == before
    assert client.get(path, headers=auth("viewer")).headers["ETag"] == '"1"'


def test_patch_accepts_a_feature_sent_back_unchanged_except_one_field(client, auth, make_case):
    case = make_case()
    path = f"/api/v1/cases/{case['id']}"
    feature = client.get(path, headers=auth("land_team")).get_json()
    feature["properties"]["households"] = 150
    response = client.patch(path, json=feature, headers={**auth("land_team"), "If-Match": '"1"'})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["properties"]["households"] == 150
    assert response.headers["ETag"] == '"2"'


def test_patch_that_changes_nothing_keeps_the_version(client, auth, make_case, counts):
    case = make_case()
    before = counts()
    response = client.patch(f"/api/v1/cases/{case['id']}", json={"households": 120},
                            headers={**auth("land_team"), "If-Match": '"1"'})
    assert response.status_code == 200 and response.headers["ETag"] == '"1"'
    assert counts() == before


def test_patch_moving_into_the_sea_writes_nothing(client, auth, make_case, counts):
    case = make_case()
    before = counts()
    response = client.patch(f"/api/v1/cases/{case['id']}", json={"lon": 101.5, "lat": 11.5},
                            headers={**auth("land_team"), "If-Match": '"1"'})
    assert _error(response, 422)["details"][0]["reason"] == "unlocated"
    assert counts() == before
    props = client.get(f"/api/v1/cases/{case['id']}", headers=auth("viewer")).get_json()["properties"]
    assert props["subdistrict_code"] == "103301" and props["version"] == 1


def test_patch_code_to_one_already_used_is_409(client, auth, make_case):
    first = make_case(code="DUP-1")
    second = make_case()
    response = client.patch(f"/api/v1/cases/{second['id']}", json={"code": first["properties"]["code"]},
                            headers={**auth("land_team"), "If-Match": '"1"'})
    _error(response, 409)
