"""OGC API - Features under /ogc through the test client: documents, paging, filters, errors,
permissions, HTML. (GDAL itself reads the service in test_ogc_gdal.py.)"""

from __future__ import annotations

import uuid

import pytest

from app.ogc.collections import COLLECTIONS, ITEM_PARAMS
from tests.factories import case_payload

SIX = ["cases", "pilot-areas", "funds", "provinces", "districts", "subdistricts"]
LAND = ["case-footprints", "reference-parcels"]  # app.land.ogc
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture()
def marked(client, auth):
    """Three fresh cases whose names share a unique marker (for `q=`), one with contacts."""
    marker = uuid.uuid4().hex[:8]
    ids = []
    for i, (lon, lat) in enumerate([(100.564, 13.708), (100.5485, 13.7233), (98.9853, 18.7883)]):
        body = case_payload(community_name=f"ชุมชนทดสอบ {marker} หลังที่ {i + 1}", lon=lon, lat=lat)
        if i == 0:
            body.update(contact_name="นายสมชาย ใจดี", contact_phone="089-000-0000")
        response = client.post("/api/v1/cases", json=body, headers=auth("land_team"))
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return marker, ids


def _rels(links):
    return {link["rel"]: link for link in links}


def test_landing_conformance_and_api_document(client):
    landing = client.get("/ogc")
    assert landing.status_code == 200 and landing.mimetype == "application/json"
    rels = _rels(landing.get_json()["links"])
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= set(rels)
    assert rels["service-desc"]["type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert rels["data"]["href"].endswith("/ogc/collections")
    conformance = client.get(rels["conformance"]["href"]).get_json()["conformsTo"]
    for cls in ("core", "geojson", "oas30", "html"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{cls}" in conformance
    api = client.get("/ogc/api")
    assert api.status_code == 200
    assert api.headers["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    doc = api.get_json(force=True)
    assert doc["openapi"].startswith("3.0")
    declared = set(doc["components"]["parameters"])
    for c in COLLECTIONS.values():  # every parameter the service accepts is declared
        params = doc["paths"][f"/collections/{c.id}/items"]["get"]["parameters"]
        names = {p["$ref"].rsplit("/", 1)[-1] for p in params}
        assert set(ITEM_PARAMS) | set(c.filters) <= names <= declared
        assert f"/collections/{c.id}/items/{{featureId}}" in doc["paths"]


def test_collections_list_six_with_titles_extents_and_links(client, auth, marked):
    body = client.get("/ogc/collections", headers=auth("viewer")).get_json()
    collections = {c["id"]: c for c in body["collections"]}
    assert list(collections) == SIX + LAND
    for c in collections.values():
        assert c["itemType"] == "feature" and c["crs"] == [CRS84]
        assert c["title_th"] and c["title_en"] and c["title_th"] in c["title"] and c["title_en"] in c["title"]
        rels = {(link["rel"], link["type"]) for link in c["links"]}
        assert ("items", "application/geo+json") in rels and ("self", "application/json") in rels
    minx, miny, maxx, maxy = collections["cases"]["extent"]["spatial"]["bbox"][0]
    assert minx <= 98.9853 <= maxx and miny <= 13.708 <= maxy and maxy >= 18.7883
    assert collections["provinces"]["extent"]["spatial"]["crs"] == CRS84
    assert "interval" in collections["cases"]["extent"]["temporal"]
    one = client.get("/ogc/collections/cases", headers=auth("viewer")).get_json()
    assert one["id"] == "cases" and one["extent"] == collections["cases"]["extent"]


def test_anonymous_sees_the_list_but_not_the_extent_or_items_of_protected_collections(client):
    collections = {c["id"]: c for c in client.get("/ogc/collections").get_json()["collections"]}
    assert "extent" not in collections["cases"] and "extent" in collections["provinces"]
    for cid in ("cases", "pilot-areas", "funds"):
        for path in (f"/ogc/collections/{cid}/items", f"/ogc/collections/{cid}/items/1"):
            response = client.get(path)
            assert response.status_code == 401, path
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert response.get_json()["error"]["code"] == "unauthorized"
    provinces = client.get("/ogc/collections/provinces/items?limit=5")
    assert provinces.status_code == 200 and provinces.mimetype == "application/geo+json"


def test_paging_with_next_and_prev_links(client, auth, marked):
    marker, ids = marked
    headers = auth("viewer")
    first = client.get(f"/ogc/collections/cases/items?q={marker}&limit=2", headers=headers)
    assert first.status_code == 200 and first.mimetype == "application/geo+json"
    page = first.get_json()
    assert page["type"] == "FeatureCollection" and page["numberMatched"] == 3 and page["numberReturned"] == 2
    assert page["timeStamp"].endswith("Z")
    rels = _rels(page["links"])
    assert "prev" not in rels and rels["next"]["type"] == "application/geo+json"
    assert f"q={marker}" in rels["next"]["href"]
    second = client.get(rels["next"]["href"], headers=headers).get_json()
    assert second["numberReturned"] == 1 and "next" not in _rels(second["links"]) and "prev" in _rels(second["links"])
    got = [f["id"] for f in page["features"] + second["features"]]
    assert got == sorted(ids)
    default = client.get("/ogc/collections/provinces/items").get_json()
    assert default["numberReturned"] == min(100, default["numberMatched"])


@pytest.mark.parametrize("query", ["limit=0", "limit=10001", "limit=abc", "offset=-1", "bbox=1,2,3",
                                   "bbox=a,b,c,d", "bbox=101,13,100,14", "bbox=0,0,0,91", "datetime=yesterday",
                                   "datetime=2024-02-30", "datetime=../..", "datetime=2025-01-01/2024-01-01",
                                   "status=asleep", "province=99", "region=atlantis", "foo=1", "f=xml"])
def test_bad_parameters_are_400_in_the_error_shape(client, auth, query):
    response = client.get(f"/ogc/collections/cases/items?{query}", headers=auth("viewer"))
    assert response.status_code == 400, query
    assert set(response.get_json()["error"]) == {"code", "message", "details"}


def test_unknown_collection_and_feature_are_404(client, auth):
    headers = auth("viewer")
    for path in ("/ogc/collections/nope", "/ogc/collections/nope/items", "/ogc/collections/nope/items/1",
                 "/ogc/collections/cases/items/999999999", "/ogc/collections/cases/items/abc",
                 "/ogc/collections/provinces/items/99"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"


def test_filters_bbox_status_datetime(client, auth, marked):
    marker, ids = marked
    headers = auth("land_team")
    client.post(f"/api/v1/cases/{ids[1]}/status", json={"status": "surveying"}, headers=headers)

    def found(query: str) -> list[int]:
        response = client.get(f"/ogc/collections/cases/items?q={marker}&{query}", headers=headers)
        assert response.status_code == 200, response.get_json()
        return [f["id"] for f in response.get_json()["features"]]

    assert found("bbox=100.5,13.6,100.7,13.8") == ids[:2]
    assert found("status=surveying") == [ids[1]]
    assert found("status=reported,surveying&province=10") == ids[:2]
    assert found("datetime=2000-01-01T00:00:00Z/..") == ids
    assert found("datetime=../2000-01-01") == []
    assert found("_=123") == ids  # cache busters pass


def test_contacts_only_for_case_contacts_and_deleted_cases_never(client, auth, marked):
    marker, ids = marked
    for role, sees in (("land_team", True), ("admin", True), ("viewer", False), ("policy", False)):
        page = client.get(f"/ogc/collections/cases/items?q={marker}", headers=auth(role)).get_json()
        props = {f["id"]: f["properties"] for f in page["features"]}
        assert ("contact_name" in props[ids[0]]) is sees, role
        one = client.get(f"/ogc/collections/cases/items/{ids[0]}", headers=auth(role)).get_json()
        assert (one["properties"].get("contact_phone") == "089-000-0000") is sees
    assert client.delete(f"/api/v1/cases/{ids[2]}", headers=auth("land_team")).status_code == 204
    page = client.get(f"/ogc/collections/cases/items?q={marker}", headers=auth("admin")).get_json()
    assert [f["id"] for f in page["features"]] == ids[:2] and page["numberMatched"] == 2
    assert client.get(f"/ogc/collections/cases/items/{ids[2]}", headers=auth("admin")).status_code == 404


def test_single_feature_with_links_and_thai_names(client, auth, marked):
    marker, ids = marked
    response = client.get(f"/ogc/collections/cases/items/{ids[0]}", headers=auth("viewer"))
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    feature = response.get_json()
    assert feature["type"] == "Feature" and feature["id"] == ids[0]
    assert feature["properties"]["community_name"] == f"ชุมชนทดสอบ {marker} หลังที่ 1"
    assert feature["geometry"] == {"type": "Point", "coordinates": [100.564, 13.708]}
    assert {"self", "alternate", "collection"} <= set(_rels(feature["links"]))
    bangkok = client.get("/ogc/collections/provinces/items/10").get_json()
    assert bangkok["id"] == "10" and bangkok["properties"]["name_th"] == "กรุงเทพมหานคร"
    khlong_toei = client.get("/ogc/collections/subdistricts/items/103301").get_json()
    assert khlong_toei["properties"]["name_th"] == "คลองเตย" and khlong_toei["properties"]["province_code"] == "10"


def test_boundaries_filter_by_province(client):
    page = client.get("/ogc/collections/districts/items?province=10&limit=100").get_json()
    assert page["numberMatched"] == 50 and all(f["properties"]["province_code"] == "10" for f in page["features"])


def test_html_by_f_or_accept_and_login_redirect_for_browsers(client, auth, marked):
    marker, _ids = marked
    for path in ("/ogc?f=html", "/ogc/conformance?f=html", "/ogc/api?f=html", "/ogc/collections?f=html",
                 "/ogc/collections/provinces?f=html", "/ogc/collections/provinces/items/10?f=html"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "text/html", path
    page = client.get(f"/ogc/collections/cases/items?q={marker}", headers={
        **auth("viewer"), "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert page.mimetype == "text/html" and f"ชุมชนทดสอบ {marker} หลังที่ 1" in page.get_data(as_text=True)
    assert client.get("/ogc/collections", headers={"Accept": "*/*"}).mimetype == "application/json"
    anonymous = client.get("/ogc/collections/cases/items?f=html")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    missing = client.get("/ogc/collections/nope?f=html")
    assert missing.status_code == 404 and missing.mimetype == "text/html"


def test_pilot_areas_and_funds(client, auth, session):
    from sqlalchemy import text

    headers = auth("viewer")
    created = client.post("/api/v1/pilot-areas", json={"subdistrict_code": "103301"}, headers=auth("land_team"))
    assert created.status_code in (201, 409)
    pilots = client.get("/ogc/collections/pilot-areas/items?limit=1000", headers=headers).get_json()
    assert pilots["numberMatched"] == session.execute(text("SELECT count(*) FROM pilot_areas")).scalar()
    khlong_toei = next(f for f in pilots["features"] if f["properties"]["subdistrict_code"] == "103301")
    assert khlong_toei["geometry"]["type"] == "MultiPolygon" and "case_count" in khlong_toei["properties"]
    inside = client.get("/ogc/collections/pilot-areas/items?bbox=100.56,13.70,100.57,13.71", headers=headers)
    assert "103301" in {f["properties"]["subdistrict_code"] for f in inside.get_json()["features"]}
    stage = khlong_toei["properties"]["stage"]
    staged = client.get(f"/ogc/collections/pilot-areas/items?stage={stage}", headers=headers).get_json()
    assert staged["features"] and {f["properties"]["stage"] for f in staged["features"]} == {stage}
    assert client.get("/ogc/collections/pilot-areas/items?stage=dreaming", headers=headers).status_code == 400
    one = client.get(f"/ogc/collections/pilot-areas/items/{khlong_toei['id']}", headers=headers)
    assert one.status_code == 200 and one.get_json()["properties"]["subdistrict_code"] == "103301"

    from app.funds.service import create_fund

    fund = create_fund({"name": "กองทุนทดสอบ OGC", "level": "city", "lon": 100.5652, "lat": 13.7091}, None)
    session.flush()
    funds = client.get("/ogc/collections/funds/items?level=city&q=ทดสอบ OGC", headers=headers).get_json()
    assert [f["id"] for f in funds["features"]] == [fund.id]
    assert funds["features"][0]["properties"]["province_code"] == "10"
    assert client.get(f"/ogc/collections/funds/items/{fund.id}", headers=headers).get_json()["properties"][
        "name"] == "กองทุนทดสอบ OGC"
    assert client.get("/ogc/collections/funds/items/999999", headers=headers).status_code == 404
    assert client.get("/ogc/collections/funds/items?datetime=../2000-01-01", headers=headers).get_json()[
        "numberMatched"] == 0
