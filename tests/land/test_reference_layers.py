"""Reference land layers: upload (dry run, formats, CRS), parcels, replace, delete, permissions, bad files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.land.conftest import LAT, LON, feature_collection, square, upload, zipped

MP = "multipart/form-data"


def _post(client, auth, data: bytes, name: str = "layer.geojson", role: str = "land_team", **fields):
    return client.post("/api/v1/reference-layers", data=upload(data, name, **fields), headers=auth(role),
                       content_type=MP)


def _shapefile_zip(tmp_path: Path, *, epsg: int = 4326, prj: bool = True, thai: bool = True) -> bytes:
    import geopandas as gpd
    from shapely.geometry import shape

    frame = gpd.GeoDataFrame({"parcel_no": ["ร.ฟ.ท. 1", "ร.ฟ.ท. 2"] if thai else ["1", "2"], "deed": [11, 12]},
                             geometry=[shape(square(half=0.01)), shape(square(lon=LON + 0.03, half=0.01))],
                             crs="EPSG:4326").to_crs(epsg=epsg)
    target = tmp_path / "shp"
    target.mkdir()
    frame.to_file(target / "rail.shp", engine="pyogrio", encoding="UTF-8")
    members = {p.name: p.read_bytes() for p in target.iterdir() if prj or p.suffix != ".prj"}
    return zipped(members)


def test_upload_geojson_keeps_attributes(client, auth, counts):
    response = _post(client, auth, feature_collection(square(half=0.01), square(lon=LON + 0.03, half=0.01)),
                     owner="การรถไฟแห่งประเทศไทย", source="สำรวจ 2567", date="2024-05-01")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["parcels"] == 2 and body["owner_type"] == "state_railway" and body["name"] == "ที่ดินทดสอบ"
    layer = client.get(f"/api/v1/reference-layers/{body['id']}", headers=auth("viewer")).get_json()
    assert layer["owner"] == "การรถไฟแห่งประเทศไทย" and layer["date"] == "2024-05-01"
    assert layer["attributes"] == ["parcel_no", "deed"] and len(layer["bbox"]) == 4
    parcels = client.get(f"/api/v1/reference-layers/{body['id']}/parcels", headers=auth("viewer")).get_json()
    assert parcels["numberMatched"] == 2
    first = parcels["features"][0]
    assert first["geometry"]["type"] == "MultiPolygon"
    assert first["properties"]["attributes"] == {"parcel_no": "P-1", "deed": 1000}
    listed = client.get("/api/v1/reference-layers", headers=auth("policy")).get_json()["layers"]
    assert body["id"] in [x["id"] for x in listed]


def test_parcels_bbox_limit_offset(client, auth, make_layer):
    layer = make_layer(square(half=0.01), square(lon=LON + 0.5, half=0.01), square(lon=LON + 1, half=0.01))
    url = f"/api/v1/reference-layers/{layer['id']}/parcels"
    boxed = client.get(f"{url}?bbox={LON - 0.1},{LAT - 0.1},{LON + 0.1},{LAT + 0.1}", headers=auth("viewer"))
    assert boxed.get_json()["numberMatched"] == 1
    paged = client.get(f"{url}?limit=1&offset=1", headers=auth("viewer")).get_json()
    assert paged["numberMatched"] == 3 and paged["numberReturned"] == 1
    assert paged["features"][0]["properties"]["attributes"]["parcel_no"] == "P-2"
    assert client.get(f"{url}?limit=0", headers=auth("viewer")).status_code == 400
    assert client.get(f"{url}?bbox=1,2", headers=auth("viewer")).status_code == 400


def test_dry_run_writes_nothing(client, auth, counts):
    before = counts()
    response = _post(client, auth, feature_collection(square()), dry_run="true")
    assert response.status_code == 200
    assert response.get_json()["dry_run"] is True and response.get_json()["parcels"] == 1
    assert counts() == before


def test_shapefile_in_utm_with_prj(client, auth, tmp_path):
    response = _post(client, auth, _shapefile_zip(tmp_path, epsg=32647), "rail.zip")
    assert response.status_code == 201, response.get_json()
    layer_id = response.get_json()["id"]
    parcels = client.get(f"/api/v1/reference-layers/{layer_id}/parcels", headers=auth("viewer")).get_json()
    assert parcels["features"][0]["properties"]["attributes"]["parcel_no"] == "ร.ฟ.ท. 1"
    x, y = parcels["features"][0]["geometry"]["coordinates"][0][0][0]
    assert abs(x - LON) < 0.02 and abs(y - LAT) < 0.02  # back in lon/lat


def test_projected_shapefile_without_prj_asks_for_crs(client, auth, tmp_path, counts):
    data = _shapefile_zip(tmp_path, epsg=32647, prj=False)
    before = counts()
    response = _post(client, auth, data, "rail.zip")
    assert response.status_code == 400
    assert "crs" in response.get_json()["error"]["message"]
    assert counts() == before
    named = client.post("/api/v1/reference-layers?crs=EPSG:32647", data=upload(data, "rail.zip"),
                        headers=auth("land_team"), content_type=MP)
    assert named.status_code == 201, named.get_json()


def test_kml_upload(client, auth):
    kml = f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>แปลง 1</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
{LON - 0.01},{LAT - 0.01} {LON + 0.01},{LAT - 0.01} {LON + 0.01},{LAT + 0.01} {LON - 0.01},{LAT - 0.01}
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>""".encode()
    response = _post(client, auth, kml, "parcels.kml")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["parcels"] == 1


@pytest.mark.parametrize("role", ["viewer", "policy", "architect"])
def test_only_admin_and_land_team_upload(client, auth, role, counts):
    before = counts()
    assert _post(client, auth, feature_collection(square()), role=role).status_code == 403
    assert counts() == before


def test_anonymous_cannot_read(client):
    assert client.get("/api/v1/reference-layers").status_code == 401


def _bad_files(tmp_path: Path) -> dict[str, tuple[bytes, str]]:
    point = {"type": "Point", "coordinates": [LON, LAT]}
    bowtie = {"type": "Polygon", "coordinates": [[[LON - 0.01, LAT - 0.01], [LON + 0.01, LAT + 0.01],
                                                  [LON + 0.01, LAT - 0.01], [LON - 0.01, LAT + 0.01],
                                                  [LON - 0.01, LAT - 0.01]]]}
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("rail.shp", b"\0" * (300 * 1024 * 1024))
        archive.writestr("rail.shx", b"\0" * 100)
        archive.writestr("rail.dbf", b"\0" * 100)
    return {
        "no polygon": (feature_collection(point, point), "x.geojson"),
        "mixed points": (feature_collection(square(), point), "x.geojson"),
        "broken ring": (feature_collection(bowtie), "x.geojson"),
        "outside": (feature_collection(square(lon=2.35, lat=48.85)), "x.geojson"),
        "zip bomb": (bomb.getvalue(), "rail.zip"),
        "not json": (b"{not json", "x.geojson"),
        "csv": (b"a,b\n1,2\n", "x.csv"),
        "empty collection": (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "x.geojson"),
        "kml entity": (b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x "y">]><kml></kml>', "x.kml"),
    }


@pytest.mark.parametrize("case", ["no polygon", "mixed points", "broken ring", "outside", "zip bomb", "not json",
                                  "csv", "empty collection", "kml entity"])
def test_bad_files_are_4xx_and_write_nothing(client, auth, tmp_path, counts, case):
    data, name = _bad_files(tmp_path)[case]
    before = counts()
    response = _post(client, auth, data, name)
    assert 400 <= response.status_code < 500, response.get_data()[:300]
    assert response.get_json()["error"]["message"]
    assert counts() == before


def test_million_vertex_parcel_refused(client, auth, counts):
    import math

    n = 1_000_000
    ring = [[LON + 0.01 * math.cos(2 * math.pi * i / n), LAT + 0.01 * math.sin(2 * math.pi * i / n)] for i in range(n)]
    ring.append(ring[0])
    before = counts()
    response = _post(client, auth, feature_collection({"type": "Polygon", "coordinates": [ring]}))
    assert response.status_code in (400, 413, 422)
    assert counts() == before


@pytest.mark.parametrize("fields, field", [({"owner_type": "railway"}, "owner_type"), ({"name": ""}, "name"),
                                           ({"date": "2567-01-01"}, "date")])
def test_bad_metadata_is_422(client, auth, counts, fields, field):
    before = counts()
    body = upload(feature_collection(square()))
    body.update(fields)
    response = client.post("/api/v1/reference-layers", data=body, headers=auth("land_team"), content_type=MP)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == field
    assert counts() == before


def test_replace_parcels_keeps_id(client, auth, make_layer):
    layer = make_layer(square(half=0.01))
    data = feature_collection(square(lon=LON + 0.5, half=0.01), square(lon=LON + 0.6, half=0.01))
    response = client.put(f"/api/v1/reference-layers/{layer['id']}/parcels",
                          data={"file": (io.BytesIO(data), "new.geojson")}, headers=auth("land_team"),
                          content_type=MP)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["id"] == layer["id"] and response.get_json()["parcels"] == 2
    again = client.get(f"/api/v1/reference-layers/{layer['id']}", headers=auth("viewer")).get_json()
    assert again["parcels"] == 2 and again["version"] == 2
    denied = client.put(f"/api/v1/reference-layers/{layer['id']}/parcels",
                        data={"file": (io.BytesIO(data), "new.geojson")}, headers=auth("viewer"), content_type=MP)
    assert denied.status_code == 403


def test_delete_layer(client, auth, make_layer, counts):
    layer = make_layer()
    assert client.delete(f"/api/v1/reference-layers/{layer['id']}", headers=auth("viewer")).status_code == 403
    assert client.delete(f"/api/v1/reference-layers/{layer['id']}", headers=auth("admin")).status_code == 204
    assert client.get(f"/api/v1/reference-layers/{layer['id']}", headers=auth("viewer")).status_code == 404
    assert client.delete("/api/v1/reference-layers/99999999", headers=auth("admin")).status_code == 404


def test_import_case_footprints_by_code(client, auth, make_case, counts):
    first = make_case()
    second = make_case(lon=LON + 0.01)
    props = [{"code": first["properties"]["code"]}, {"code": second["properties"]["code"]}]
    data = feature_collection(square(), square(lon=LON + 0.01), props=props)
    url = "/api/v1/imports/case-footprints"
    dry = client.post(url, data={"file": (io.BytesIO(data), "f.geojson"), "dry_run": "true"},
                      headers=auth("land_team"), content_type=MP)
    assert dry.status_code == 200 and dry.get_json()["would_update"] == 2
    done = client.post(url, data={"file": (io.BytesIO(data), "f.geojson")}, headers=auth("land_team"),
                       content_type=MP)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["updated"] == 2
    feature = client.get(f"/api/v1/cases/{first['id']}", headers=auth("viewer")).get_json()
    assert feature["properties"]["area_rai"] > 25 and feature["properties"]["version"] == 2
    history = client.get(f"/api/v1/cases/{first['id']}/history", headers=auth("viewer")).get_json()["history"]
    assert {"area_rai", "footprint"} <= {e["field"] for e in history}


def test_import_case_footprints_all_or_nothing(client, auth, make_case, counts):
    first = make_case()
    props = [{"code": first["properties"]["code"]}, {"code": "LC-NOPE"}]
    data = feature_collection(square(), square(lon=LON + 0.01), props=props)
    before = counts()
    response = client.post("/api/v1/imports/case-footprints", data={"file": (io.BytesIO(data), "f.geojson")},
                           headers=auth("land_team"), content_type=MP)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["row"] == 3
    assert counts() == before
    far = feature_collection(square(lon=LON + 0.5), props=[{"code": first["properties"]["code"]}])
    response = client.post("/api/v1/imports/case-footprints", data={"file": (io.BytesIO(far), "f.geojson")},
                           headers=auth("land_team"), content_type=MP)
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "footprint"
    no_code = feature_collection(square())
    response = client.post("/api/v1/imports/case-footprints", data={"file": (io.BytesIO(no_code), "f.geojson")},
                           headers=auth("land_team"), content_type=MP)
    assert response.status_code == 422
    assert client.post("/api/v1/imports/case-footprints", data={"file": (io.BytesIO(data), "f.geojson")},
                       headers=auth("viewer"), content_type=MP).status_code == 403
