"""Pilot areas through the API: create by subdistrict code, counts inside, edit with If-Match."""

from __future__ import annotations

import json

import pytest

from tests.pilot_areas.support import add_case, point_in, scalar


def create(client, auth, role="land_team", **body):
    return client.post("/api/v1/pilot-areas", headers=auth(role), json={"subdistrict_code": "500102", **body})


def test_pilot_500102_has_its_polygon_and_province_50_and_a_duplicate_is_409(client, auth):
    response = create(client, auth, subdistrict_code="TH500102", team="ทีมบ้านมั่นคงภาคเหนือบน")
    assert response.status_code == 201, response.get_json()
    assert response.mimetype == "application/geo+json"
    feature = response.get_json()
    props = feature["properties"]
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert (props["subdistrict_code"], props["district_code"], props["province_code"]) == ("500102", "5001", "50")
    assert props["region_code"] == "north-upper"
    assert props["name_th"] == "พระสิงห์" and props["stage"] == "analysis"
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(f"/api/v1/pilot-areas/{feature['id']}")
    # the polygon is the subdistrict boundary itself, joined, not a copy
    assert scalar("""SELECT ST_HausdorffDistance(s.geom, ST_SetSRID(ST_GeomFromGeoJSON(:g), 4326))
                     FROM subdistricts s WHERE code = '500102'""", g=json.dumps(feature["geometry"])) < 1e-5
    assert scalar("SELECT count(*) FROM pilot_areas WHERE subdistrict_code = '500102'") == 1

    again = create(client, auth, subdistrict_code="500102")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "conflict"


@pytest.mark.parametrize("body, field", [
    ({"subdistrict_code": "999999"}, "subdistrict_code"),
    ({"subdistrict_code": "50010"}, "subdistrict_code"),
    ({"subdistrict_code": "abcdef"}, "subdistrict_code"),
    ({"subdistrict_code": None}, "subdistrict_code"),
    ({}, "subdistrict_code"),
    ({"subdistrict_code": "500102", "stage": "dreaming"}, "stage"),
    ({"subdistrict_code": "500102", "colour": "red"}, "colour"),
    ({"subdistrict_code": "500102", "case_count": 5}, "case_count"),
    ({"subdistrict_code": "500102", "team": "x" * 201}, "team"),
    ({"subdistrict_code": "500102", "notes": "bad\x00byte"}, "notes"),
    ({"subdistrict_code": "500102", "team": 12}, "team"),
])
def test_bad_pilot_bodies_are_422(client, auth, body, field):
    response = client.post("/api/v1/pilot-areas", headers=auth("land_team"), json=body)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in {d["field"] for d in error["details"]}


def test_a_polygon_cannot_be_sent_and_non_json_is_400(client, auth):
    feature = {"type": "Feature", "properties": {"subdistrict_code": "500102"},
               "geometry": {"type": "Point", "coordinates": [98.98, 18.79]}}
    assert client.post("/api/v1/pilot-areas", headers=auth("admin"), json=feature).status_code == 422
    feature["geometry"] = None
    assert client.post("/api/v1/pilot-areas", headers=auth("admin"), json=feature).status_code == 201
    bad = client.post("/api/v1/pilot-areas", headers=auth("admin"), data="nope", content_type="text/plain")
    assert bad.status_code == 400


def test_who_may_create(client, auth):
    assert client.post("/api/v1/pilot-areas", json={"subdistrict_code": "500102"}).status_code == 401
    for role in ("viewer", "policy", "architect"):  # architects plan and review; admin and land team add
        assert create(client, auth, role).status_code == 403
    assert client.get("/api/v1/pilot-areas").status_code == 401


def test_list_carries_counts_of_the_cases_inside(client, auth):
    pilot_id = create(client, auth).get_json()["id"]
    lon, lat = point_in("500102")
    add_case(lon, lat, households=41, status="secured")
    add_case(lon, lat, households=500, deleted=True, code="T-deleted")  # soft-deleted: not counted
    body = client.get("/api/v1/pilot-areas?limit=10000", headers=auth("viewer")).get_json()
    assert body["numberMatched"] == scalar("SELECT count(*) FROM pilot_areas") == body["numberReturned"]
    props = next(f["properties"] for f in body["features"] if f["id"] == pilot_id)
    expected = scalar("""SELECT count(*) FROM land_cases c JOIN subdistricts s ON s.code = '500102'
                         WHERE c.deleted_at IS NULL AND ST_Intersects(s.geom, c.geom)""")
    assert expected >= 1
    assert props["case_count"] == expected
    assert props["households"] == scalar("""SELECT sum(households) FROM land_cases
                                           WHERE subdistrict_code = '500102' AND deleted_at IS NULL""")
    assert sum(props["cases_by_status"].values()) == expected
    assert props["cases_by_status"]["secured"] >= 1
    assert props["fund_count"] == scalar("SELECT count(*) FROM funds WHERE subdistrict_code = '500102'")
    # every pilot's count agrees with a point-in-polygon count
    for feature in body["features"]:
        code = feature["properties"]["subdistrict_code"]
        assert feature["properties"]["case_count"] == scalar(
            """SELECT count(*) FROM land_cases c JOIN subdistricts s ON s.code = :code
               WHERE c.deleted_at IS NULL AND ST_Intersects(s.geom, c.geom)""", code=code), code


def test_list_filters_and_paging(client, auth):
    h = auth("viewer")
    south = client.get("/api/v1/pilot-areas?region=south", headers=h).get_json()["features"]
    assert south and {f["properties"]["region_code"] for f in south} == {"south"}
    zone8 = client.get("/api/v1/pilot-areas?region=south-z8", headers=h).get_json()["features"]
    assert zone8 and {f["properties"]["zone_code"] for f in zone8} == {"south-z8"}
    assert len(zone8) < len(south)
    surat = client.get("/api/v1/pilot-areas?province=TH84", headers=h).get_json()["features"]
    assert surat and {f["properties"]["province_code"] for f in surat} == {"84"}
    stage = client.get("/api/v1/pilot-areas?stage=planning,scaling", headers=h).get_json()["features"]
    assert {f["properties"]["stage"] for f in stage} <= {"planning", "scaling"}
    box = client.get("/api/v1/pilot-areas?bbox=100.4,13.6,100.7,13.9", headers=h).get_json()["features"]
    assert "103301" in {f["properties"]["subdistrict_code"] for f in box}
    page = client.get("/api/v1/pilot-areas?limit=5&offset=5", headers=h).get_json()
    assert page["numberReturned"] == 5 and len(page["features"]) == 5
    rels = {link["rel"]: link["href"] for link in page["links"]}
    assert "offset=10" in rels["next"] and "offset=0" in rels["prev"]
    for query in ("region=atlantis", "province=8", "stage=dreaming", "bbox=1,2,3", "limit=0", "limit=10001",
                  "offset=-1"):
        response = client.get(f"/api/v1/pilot-areas?{query}", headers=h)
        assert response.status_code == 400, query


def test_get_one_with_etag_and_404(client, auth):
    feature = create(client, auth).get_json()
    response = client.get(f"/api/v1/pilot-areas/{feature['id']}", headers=auth("viewer"))
    assert response.status_code == 200 and response.headers["ETag"] == '"1"'
    assert response.get_json()["properties"]["reviews"] == []
    missing = client.get("/api/v1/pilot-areas/999999", headers=auth("viewer"))
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_patch_needs_if_match_and_writes_history(client, auth):
    pilot_id = create(client, auth).get_json()["id"]
    url = f"/api/v1/pilot-areas/{pilot_id}"
    h = auth("architect")
    assert client.patch(url, headers=h, json={"stage": "planning"}).status_code == 428
    assert client.patch(url, headers={**h, "If-Match": '"7"'}, json={"stage": "planning"}).status_code == 412
    ok = client.patch(url, headers={**h, "If-Match": '"1"'},
                      json={"stage": "planning", "targets": "วางระบบชุมชนทั้งตำบล 12 ชุมชน"})
    assert ok.status_code == 200, ok.get_json()
    assert ok.headers["ETag"] == '"2"'
    assert ok.get_json()["properties"]["stage"] == "planning"
    # the old ETag is now stale
    assert client.patch(url, headers={**h, "If-Match": '"1"'}, json={"notes": "x"}).status_code == 412
    assert client.patch(url, headers={**h, "If-Match": 'W/"2"'}, json={"subdistrict_code": "500103"}).status_code == 422
    assert client.patch(url, headers={**h, "If-Match": '"2"'}, json={"stage": None}).status_code == 422
    assert client.patch(url, headers={**auth("viewer"), "If-Match": '"2"'}, json={"notes": "x"}).status_code == 403
    entries = client.get(f"{url}/history", headers=auth("viewer")).get_json()["history"]
    assert [e["action"] for e in entries] == ["create", "update", "update"]
    stage = next(e for e in entries if e["field"] == "stage")
    assert (stage["old"], stage["new"]) == ("analysis", "planning")
    assert stage["user"]["email"]



def test_huge_ids_are_404_not_500(client, auth):
    for url in ("/api/v1/pilot-areas/99999999999", "/api/v1/pilot-areas/123456789012345678901234",
                "/api/v1/funds/99999999999", "/api/v1/pilot-areas/99999999999/reviews",
                "/api/v1/pilot-areas/1/documents/99999999999"):
        assert client.get(url, headers=auth("admin")).status_code == 404, url
    response = client.patch("/api/v1/funds/99999999999", headers={**auth("admin"), "If-Match": '"1"'}, json={})
    assert response.status_code == 404


def test_removing_is_a_soft_delete_with_history_and_adding_again_restores(client, auth):
    pilot_id = create(client, auth).get_json()["id"]
    assert client.delete(f"/api/v1/pilot-areas/{pilot_id}", headers=auth("architect")).status_code == 403
    assert client.delete(f"/api/v1/pilot-areas/{pilot_id}", headers=auth("land_team")).status_code == 204
    assert client.get(f"/api/v1/pilot-areas/{pilot_id}", headers=auth("viewer")).status_code == 404
    listed = client.get("/api/v1/pilot-areas?limit=1000", headers=auth("viewer")).get_json()["features"]
    assert pilot_id not in [f["id"] for f in listed]
    assert client.delete(f"/api/v1/pilot-areas/{pilot_id}", headers=auth("admin")).status_code == 404
    again = create(client, auth, "admin")
    assert again.status_code == 201 and again.get_json()["id"] == pilot_id  # the same record, back
    actions = [e["action"] for e in client.get(f"/api/v1/pilot-areas/{pilot_id}/history",
                                               headers=auth("viewer")).get_json()["history"]]
    assert actions[:1] == ["create"] and "delete" in actions and actions[-1] == "restore"
