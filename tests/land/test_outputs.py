"""The land layers outside the API: export `case-footprints`, OGC collections, vector tiles."""

from __future__ import annotations

import io
import json
import math
import zipfile

from tests.land.conftest import LAT, LON, square


def _tile(z: int) -> tuple[int, int, int]:
    n = 2 ** z
    x = int((LON + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(LAT))) / math.pi) / 2 * n)
    return z, x, y


def test_export_case_footprints_geojson(client, auth, make_case):
    case = make_case(footprint=square(), contact_name="คุณสมชาย")
    make_case()  # no footprint: not in the layer
    response = client.get("/api/v1/export/case-footprints?format=geojson", headers=auth("viewer"))
    assert response.status_code == 200
    body = json.loads(response.get_data())
    ids = [f["properties"]["id"] for f in body["features"]]
    assert case["id"] in ids
    mine = next(f for f in body["features"] if f["properties"]["id"] == case["id"])
    assert mine["geometry"]["type"] == "MultiPolygon"
    assert mine["properties"]["area_rai"] > 25 and "owner_conflict" in mine["properties"]
    assert "contact_name" not in mine["properties"]


def test_export_case_footprints_shapefile(client, auth, make_case):
    make_case(footprint=square())
    response = client.get("/api/v1/export/case-footprints?format=shp", headers=auth("land_team"))
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    assert any(n.endswith(".shp") for n in names)


def test_ogc_collections(client, auth, make_case, make_layer):
    case = make_case(footprint=square())
    layer = make_layer(square(half=0.01), owner_type="treasury")
    listed = client.get("/ogc/collections?f=json", headers=auth("viewer")).get_json()
    ids = [c["id"] for c in listed["collections"]]
    assert "case-footprints" in ids and "reference-parcels" in ids
    items = client.get("/ogc/collections/case-footprints/items?f=json&limit=1000", headers=auth("viewer")).get_json()
    assert case["id"] in [f["id"] for f in items["features"]]
    one = client.get(f"/ogc/collections/case-footprints/items/{case['id']}?f=json", headers=auth("viewer"))
    assert one.status_code == 200 and one.get_json()["geometry"]["type"] == "MultiPolygon"
    parcels = client.get(f"/ogc/collections/reference-parcels/items?f=json&layer={layer['id']}",
                         headers=auth("viewer")).get_json()
    assert parcels["numberMatched"] == 1
    assert parcels["features"][0]["properties"]["owner_type"] == "treasury"
    assert parcels["features"][0]["properties"]["attributes"]["parcel_no"] == "P-1"
    assert client.get("/ogc/collections/reference-parcels/items?f=json&owner_type=x",
                      headers=auth("viewer")).status_code == 400
    assert client.get("/ogc/collections/reference-parcels/items?f=json").status_code == 401


def test_vector_tiles(client, auth, make_case, make_layer):
    make_case(footprint=square())
    make_layer(square(half=0.01), owner_type="treasury")
    z, x, y = _tile(15)
    footprints = client.get(f"/tiles/case-footprints/{z}/{x}/{y}.mvt", headers=auth("viewer"))
    assert footprints.status_code == 200 and footprints.data
    parcels = client.get(f"/tiles/reference-parcels/{z}/{x}/{y}.mvt", headers=auth("viewer"))
    assert parcels.status_code == 200 and parcels.data
    assert client.get(f"/tiles/case-footprints/{z}/{x}/{y}.mvt").status_code == 401
    z, x, y = _tile(8)
    assert client.get(f"/tiles/case-footprints/{z}/{x}/{y}.mvt", headers=auth("viewer")).status_code == 204
