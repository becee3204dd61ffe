"""Hostile locations: swapped or out-of-range coordinates, NaN and Infinity (as JSON tokens and as
strings), numbers too large for a float, polygons (self-intersecting ones too) where a point is
wanted, and GDAL virtual file paths in text fields (stored as text, never opened)."""

from __future__ import annotations

import io
import json
import socket
import zipfile

import pytest
from sqlalchemy import func, select

from app.models import Province
from tests.adversarial.conftest import refused, unchanged, upload
from tests.factories import case_payload

BOWTIE = {"type": "Polygon", "coordinates": [[[100.5, 13.7], [100.6, 13.8], [100.6, 13.7], [100.5, 13.8],
                                               [100.5, 13.7]]]}
BIG_RING = {"type": "Polygon", "coordinates": [[[100 + i / 1e5, 13.7 + (i % 2) / 1e3] for i in range(50_000)]
                                               + [[100, 13.7]]]}
# raw JSON text for lon and lat (so that NaN/Infinity tokens and huge numbers reach the server as sent)
LONLAT = {
    "swapped": ("13.708", "100.564"),
    "lon-out-of-range": ("200", "13.7"),
    "lat-out-of-range": ("100.5", "95"),
    "negative-lon": ("-181", "0"),
    "paris": ("2.35", "48.85"),
    "in-the-sea": ("101.0", "10.0"),
    "nan-token": ("NaN", "13.7"),
    "infinity-token": ("100.5", "Infinity"),
    "minus-infinity-token": ("-Infinity", "13.7"),
    "nan-string": ('"NaN"', "13.7"),
    "infinity-string": ("100.5", '"Infinity"'),
    "1e400": ("1e400", "13.7"),
    "huge-int": ("1" + "0" * 400, "13.7"),
    "null": ("null", "null"),
    "bool": ("true", "false"),
    "list": ("[100.5]", "[13.7]"),
    "object": ('{"x": 1}', "13.7"),
    "empty-string": ('""', '""'),
}
GEOMETRIES = {
    "bowtie-polygon": BOWTIE,
    "big-polygon": BIG_RING,
    "multipoint": {"type": "MultiPoint", "coordinates": [[100.5, 13.7]]},
    "point-one-coordinate": {"type": "Point", "coordinates": [100.5]},
    "point-nested": {"type": "Point", "coordinates": [[100.5, 13.7]]},
    "point-nan-strings": {"type": "Point", "coordinates": ["NaN", "NaN"]},
    "point-swapped": {"type": "Point", "coordinates": [13.708, 100.564]},
    "collection": {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [100.5, 13.7]}]},
    "not-an-object": "POINT(100.5 13.7)",
    "vsi-path": "/vsicurl/http://127.0.0.1:1/x.geojson",
}
ENDPOINTS = {
    "cases": ("/api/v1/cases", "land_team", {k: v for k, v in case_payload().items() if k not in ("lon", "lat")}),
    "funds": ("/api/v1/funds", "land_team", {"name": "กองทุนพิกัดผิด", "level": "city"}),
}


def _raw_body(fields: dict, lon: str, lat: str) -> str:
    return json.dumps(fields, ensure_ascii=False)[:-1] + f', "lon": {lon}, "lat": {lat}}}'


@pytest.mark.parametrize("kind", LONLAT)
@pytest.mark.parametrize("layer", ENDPOINTS)
def test_bad_lon_lat_is_refused(client, auth, layer, kind):
    path, role, fields = ENDPOINTS[layer]
    with unchanged(client):
        response = client.post(path, data=_raw_body(fields, *LONLAT[kind]), content_type="application/json",
                               headers=auth(role))
        body = refused(response, (400, 422))
        if response.status_code == 422:
            assert body["error"]["code"] == "validation_error"
            assert {d.get("field") for d in body["error"]["details"]} & {"lon", "lat", "location", "geometry",
                                                                         "lon/lat"}, body


@pytest.mark.parametrize("kind", GEOMETRIES)
@pytest.mark.parametrize("layer", ENDPOINTS)
def test_bad_geometry_is_refused(client, auth, layer, kind):
    path, role, fields = ENDPOINTS[layer]
    feature = {"type": "Feature", "geometry": GEOMETRIES[kind], "properties": fields}
    with unchanged(client):
        body = refused(client.post(path, json=feature, headers=auth(role)), 422, "validation_error")
        fields = {d.get("field") for d in body["error"]["details"]}
        assert fields & {"geometry", "lon", "lat", "lon/lat"}, body


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_pilot_area_takes_no_polygon_from_the_caller(client, auth, records, method):
    url = "/api/v1/pilot-areas" + (f"/{records['pilot_id']}" if method == "PATCH" else "")
    feature = {"type": "Feature", "geometry": BOWTIE, "properties": {"subdistrict_code": "500102"}
               if method == "POST" else {"team": "x"}}
    with unchanged(client):
        body = refused(client.open(url, method=method, json=feature, headers={**auth("land_team"), "If-Match": '"1"'}),
                       422, "validation_error")
        assert body["error"]["details"][0]["field"] == "geometry"


def test_bowtie_in_an_import_is_a_row_error(app, client, auth):
    if "exchange_api.import_layer" not in app.view_functions:
        pytest.skip("imports are not there yet")
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": BOWTIE, "properties": {"community_name": "ชุมชนโบว์ไท", "households": 5}}]}
    with unchanged(client):
        response = upload(client, "/api/v1/imports/cases", auth("land_team"), json.dumps(collection).encode(),
                          "bowtie.geojson")
        body = refused(response, 422, "validation_error")
        assert body["errors"][0]["field"] == "geometry"


def test_bowtie_boundary_is_repaired_with_a_report(session, tmp_path):
    """The one place that takes polygons from outside: the boundary loader repairs and reports."""
    from app.reference import load_boundaries
    from tests.test_boundary_loader import _provinces

    path = tmp_path / "adm1.geojson"
    _provinces(tmp_path, None, bowtie=True).to_file(path, driver="GeoJSON", engine="pyogrio")
    (report,) = load_boundaries([path])
    assert report["repaired"] == ["10"]
    assert session.scalar(select(func.bool_and(func.ST_IsValid(Province.geom))))


BBOXES = ["NaN,0,1,1", "0,0,Infinity,1", "1e400,0,1,1", "101,14,100,13", "-200,0,0,1", "0,-91,1,1", "1,2,3",
          "1,2,3,4,5", "a,b,c,d", ",,,"]


@pytest.mark.parametrize("bbox", BBOXES)
@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/funds", "/api/v1/pilot-areas", "/map/data",
                                  "/api/v1/boundaries/provinces"])
def test_bad_bbox_is_400(client, auth, path, bbox):
    with unchanged(client):
        body = refused(client.get(path, query_string={"bbox": bbox}, headers=auth("viewer")), 400, "bad_request")
        assert body["error"]["details"][0]["field"] == "bbox"


@pytest.mark.parametrize("centre", ["NaN,100", "13.7", "95,100", "13.7,Infinity", "1e400,1"])
def test_bad_map_centre_is_400(client, auth, centre):
    with unchanged(client):
        refused(client.get("/map", query_string={"c": centre, "z": "12"}, headers=auth("viewer")), 400, page=True)


# ---------------------------------------------------------------- GDAL virtual file paths


@pytest.fixture()
def listener():
    """A local port that records any connection: a /vsicurl/ path that GDAL opened would knock here."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    yield server
    server.close()


def _knocked(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
        return True
    except BlockingIOError:
        return False


def test_gdal_paths_in_text_fields_are_plain_text_and_never_opened(app, client, auth, records, listener):
    curl = f"/vsicurl/http://127.0.0.1:{listener.getsockname()[1]}/x.vrt"
    paths = {"notes": curl, "land_owner": "/vsizip//etc/passwd", "team": "/vsistdin/",
             "community_name": f"ชุมชน {curl}", "community_name_en": "/vsizip/vsicurl/http://127.0.0.1:1/a.zip/b.shp"}
    land_team = auth("land_team")
    case = client.post("/api/v1/cases", json=case_payload(**paths), headers=land_team)
    assert case.status_code == 201, case.get_json()
    stored = case.get_json()["properties"]
    assert {k: stored[k] for k in paths} == paths
    fund = client.post("/api/v1/funds", headers=land_team, json={"name": curl, "level": "city", "network": curl,
                                                                 "notes": "/vsizip//etc/passwd", "lon": 100.5,
                                                                 "lat": 13.7})
    assert fund.status_code == 201 and fund.get_json()["properties"]["name"] == curl
    pilot = client.patch(f"/api/v1/pilot-areas/{records['pilot_id']}", json={"targets": curl, "notes": curl},
                         headers={**auth("architect"), "If-Match": '"1"'})
    assert pilot.status_code == 200 and pilot.get_json()["properties"]["targets"] == curl
    doc = upload(client, f"/api/v1/cases/{case.get_json()['id']}/documents", land_team,
                 b"%PDF-1.4\n%%EOF\n", "vsicurl.pdf", description=curl)
    assert doc.status_code == 201 and doc.get_json()["description"] == curl
    if "exchange_api.export_layer" in app.view_functions:
        code = stored["code"]
        for fmt in ("shp", "gpkg", "kml", "geojson", "csv", "xlsx"):
            response = client.get(f"/api/v1/export/cases?format={fmt}&q={code}", headers=land_team)
            assert response.status_code == 200, (fmt, response.get_data(as_text=True)[:300])
            data = response.get_data()
            assert b"root:x:0:0" not in data
            if fmt in ("shp", "xlsx"):
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    assert not any(b"root:x:0:0" in archive.read(n) for n in archive.namelist())
            if fmt in ("gpkg", "geojson"):
                again = upload(client, "/api/v1/imports/cases", land_team, data, f"back.{fmt}", dry_run="true")
                assert again.status_code == 200, again.get_json()
        for fmt in ("gpkg", "kml"):
            assert client.get(f"/api/v1/export/funds?format={fmt}", headers=land_team).status_code == 200
    assert not _knocked(listener), "something opened the /vsicurl/ path"


def _gpkg(tmp_path) -> bytes:
    import geopandas as gpd
    from shapely.geometry import Point

    path = tmp_path / "cases.gpkg"
    gpd.GeoDataFrame({"community_name": ["ชุมชน"], "households": [1]}, geometry=[Point(100.564, 13.708)],
                     crs="EPSG:4326").to_file(path, driver="GPKG", engine="pyogrio")
    return path.read_bytes()


@pytest.mark.parametrize("name", ["layer", "encoding", "crs", "format"])
def test_gdal_paths_in_import_options_are_refused(app, client, auth, listener, tmp_path, name):
    if "exchange_api.import_layer" not in app.view_functions:
        pytest.skip("imports are not there yet")
    value = f"/vsicurl/http://127.0.0.1:{listener.getsockname()[1]}/x"
    data, filename = ((_gpkg(tmp_path), "cases.gpkg") if name == "layer" else
                      ("community_name,households,lon,lat\nชุมชน,1,100.564,13.708\n".encode(), "x.csv"))
    with unchanged(client):
        response = upload(client, "/api/v1/imports/cases", auth("land_team"), data, filename, dry_run="true",
                          **{name: value})
        if name == "layer":  # one layer: read by index, so the name never reaches GDAL (dry run: nothing written)
            assert response.status_code == 200 and response.get_json()["dry_run"] is True
        else:
            refused(response, (400, 415, 422))
    assert not _knocked(listener)
