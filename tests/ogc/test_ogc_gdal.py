"""GDAL's own OGC API - Features client (the OAPIF driver, through pyogrio), as QGIS uses it,
against the app served by gunicorn on the test database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pyogrio
import pytest
from sqlalchemy import text

from app.extensions import db
from tests.ogc.conftest import http

pytestmark = pytest.mark.skipif("OAPIF" not in pyogrio.list_drivers(), reason="GDAL without the OAPIF driver")
COLLECTIONS = {"cases", "pilot-areas", "funds", "provinces", "districts", "subdistricts"}
KHLONG_TOEI_BOX = (100.54, 13.70, 100.58, 13.73)


@contextmanager
def bearer(token: str | None) -> Iterator[None]:
    """Send `Authorization: Bearer <token>` with every GDAL HTTP request (none for None).

    GDAL_HTTP_AUTH=BEARER + GDAL_HTTP_BEARER, not GDAL_HTTP_HEADERS: the OAPIF driver passes
    its own HEADERS option (the Accept header) to every request, and GDAL 3.12 then ignores
    GDAL_HTTP_HEADERS, so the token would never be sent.
    """
    options = {"GDAL_HTTP_AUTH": "BEARER" if token else None, "GDAL_HTTP_BEARER": token}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(dict.fromkeys(options))


def _db_cases(app, where: str = "TRUE", **params) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(text(f"SELECT id, community_name FROM land_cases WHERE deleted_at IS NULL "
                                       f"AND {where}"), params).all()
        db.session.remove()
    return dict(rows)


def test_gdal_lists_the_six_collections(live_data):
    with bearer(live_data["token"]):
        layers = pyogrio.list_layers(f"OAPIF:{live_data['base']}/ogc")
    assert COLLECTIONS <= {name for name, _geometry in layers}


def test_gdal_reads_every_case_with_thai_names_and_contacts_for_the_land_team(app, live_data):
    with bearer(live_data["token"]):
        frame = pyogrio.read_dataframe(f"OAPIF:{live_data['base']}/ogc", layer="cases")
    got = dict(zip(frame["id"].astype(int), frame["community_name"]))
    assert got == _db_cases(app)  # every visible case, names byte for byte, nothing else
    for case_id, name in live_data["cases"].items():
        assert got[case_id] == name
    assert live_data["deleted_id"] not in got
    row = frame[frame["id"].astype(int) == next(iter(live_data["cases"]))].iloc[0]
    assert row["contact_name"] == "นางสาวสมศรี ใจดี"
    assert frame.crs.to_epsg() == 4326 and set(frame.geometry.geom_type) == {"Point"}


def test_gdal_as_a_viewer_gets_no_contacts(live_data):
    with bearer(live_data["viewer_token"]):
        frame = pyogrio.read_dataframe(f"OAPIF:{live_data['base']}/ogc", layer="cases")
    assert len(frame) >= len(live_data["cases"])
    assert "contact_name" not in frame.columns and "contact_phone" not in frame.columns


def test_gdal_pages_through_next_links(app, live_data):
    expected = _db_cases(app)
    assert len(expected) > 2
    page_size = max(2, len(expected) // 4)  # at least four pages
    with bearer(live_data["token"]):
        frame = pyogrio.read_dataframe(f"OAPIF:{live_data['base']}/ogc", layer="cases", PAGE_SIZE=str(page_size))
    assert sorted(frame["id"].astype(int)) == sorted(expected)
    # the server really pages: `limit` per page, and a next link while more remain
    status, _h, raw = http("GET", f"{live_data['base']}/ogc/collections/cases/items?limit={page_size}",
                           live_data["token"])
    page = json.loads(raw)
    assert status == 200 and page["numberReturned"] == page_size and page["numberMatched"] == len(expected)
    assert any(link["rel"] == "next" for link in page["links"])


def test_gdal_bbox_reads_only_what_lies_inside(app, live_data):
    with bearer(live_data["token"]):
        frame = pyogrio.read_dataframe(f"OAPIF:{live_data['base']}/ogc", layer="cases", bbox=KHLONG_TOEI_BOX)
    expected = _db_cases(app, "ST_Intersects(geom, ST_MakeEnvelope(:a, :b, :c, :d, 4326))",
                         **dict(zip("abcd", KHLONG_TOEI_BOX)))
    assert dict(zip(frame["id"].astype(int), frame["community_name"])) == expected
    assert "ชุมชนริมคลองเตย ล็อก ๑-๒-๓" in expected.values()
    assert "ชุมชนริมน้ำปิง เชียงใหม่" not in expected.values()
    # and the server itself filtered (GDAL sent bbox=...)
    box = ",".join(map(str, KHLONG_TOEI_BOX))
    status, headers, raw = http("GET", f"{live_data['base']}/ogc/collections/cases/items?bbox={box}&limit=10000",
                                live_data["token"])
    assert status == 200 and headers["Content-Type"].startswith("application/geo+json")
    assert {f["id"] for f in json.loads(raw)["features"]} == set(expected)


def test_gdal_reads_pilot_areas_funds_and_boundaries_with_thai_names(app, live_data):
    base = f"OAPIF:{live_data['base']}/ogc"
    with bearer(live_data["token"]):
        funds = pyogrio.read_dataframe(base, layer="funds")
        pilots = pyogrio.read_dataframe(base, layer="pilot-areas")
        districts = pyogrio.read_dataframe(base, layer="districts", bbox=KHLONG_TOEI_BOX)
    assert "กองทุนสวัสดิการชุมชนคลองเตย" in set(funds["name"])
    assert "103301" in set(pilots["subdistrict_code"])
    assert set(pilots.geometry.geom_type) <= {"MultiPolygon", "Polygon"}
    with app.app_context():
        names = dict(db.session.execute(text(
            "SELECT code, name_th FROM districts WHERE ST_Intersects(geom, ST_MakeEnvelope(:a, :b, :c, :d, 4326))"),
            dict(zip("abcd", KHLONG_TOEI_BOX))).all())
        db.session.remove()
    assert dict(zip(districts["code"], districts["name_th"])) == names
    assert names.get("1033") == "คลองเตย"


def test_unknown_collection_is_404_and_bad_bbox_is_400(live_data):
    base, token = live_data["base"], live_data["token"]
    status, _h, raw = http("GET", f"{base}/ogc/collections/nope", token)
    assert status == 404 and json.loads(raw)["error"]["code"] == "not_found"
    status, _h, raw = http("GET", f"{base}/ogc/collections/nope/items", token)
    assert status == 404
    for bad in ("1,2,3", "a,b,c,d", "101,14,100,13", "0,0,0,91"):
        status, _h, raw = http("GET", f"{base}/ogc/collections/cases/items?bbox={bad}", token)
        assert status == 400, bad
        assert set(json.loads(raw)["error"]) == {"code", "message", "details"}
    with bearer(token), pytest.raises(pyogrio.errors.DataSourceError, match="404"):
        pyogrio.read_dataframe(f"OAPIF_COLLECTION:{base}/ogc/collections/nope")


def test_anonymous_access_to_cases_is_refused(live_data):
    base = live_data["base"]
    status, headers, raw = http("GET", f"{base}/ogc/collections/cases/items")
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    assert json.loads(raw)["error"]["code"] == "unauthorized"
    status, _h, raw = http("GET", f"{base}/ogc/collections/cases/items", "lc_not-a-real-token")
    assert status == 401
    with bearer(None), pytest.raises((pyogrio.errors.DataSourceError, pyogrio.errors.FeatureError), match="401"):
        pyogrio.read_dataframe(f"OAPIF:{base}/ogc", layer="cases")
    # boundaries stay public
    with bearer(None):
        provinces = pyogrio.read_dataframe(f"OAPIF:{base}/ogc", layer="provinces", bbox=KHLONG_TOEI_BOX)
    assert "กรุงเทพมหานคร" in set(provinces["name_th"])
