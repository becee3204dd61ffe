"""Vector tiles: GET /tiles/<layer>/<z>/<x>/<y>.mvt, decoded with mapbox-vector-tile."""

from __future__ import annotations

import math
import uuid

import mapbox_vector_tile
import pytest

from tests.factories import case_payload

KHLONG_TOEI = (100.564, 13.708)
MVT = "application/vnd.mapbox-vector-tile"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The standard slippy-map tile numbers of a point."""
    n = 2 ** z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def pixel_of(lon: float, lat: float, z: int, extent: int = 4096) -> tuple[float, float]:
    """Where the point lies inside its tile, in tile units with y pointing up (as decoded)."""
    n = 2 ** z
    fx = (lon + 180.0) / 360.0 * n
    fy = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return (fx - int(fx)) * extent, (1 - (fy - int(fy))) * extent


@pytest.fixture()
def bangkok_cases(client, auth):
    """Two cases at Khlong Toei with Thai names (one with contacts), one deleted, one far away."""
    marker = uuid.uuid4().hex[:6]
    names = [f"ชุมชนริมคลองเตย {marker}", f"ชุมชนล็อก ๔-๕-๖ {marker}", f"ชุมชนที่ลบแล้ว {marker}",
             f"ชุมชนเชียงใหม่ {marker}"]
    where = [KHLONG_TOEI, (100.5660, 13.7095), (100.5650, 13.7085), (98.9853, 18.7883)]
    ids = []
    for name, (lon, lat) in zip(names, where):
        body = case_payload(community_name=name, lon=lon, lat=lat, contact_name="นายติดต่อ ลับมาก",
                            contact_phone="081-111-1111")
        response = client.post("/api/v1/cases", json=body, headers=auth("land_team"))
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    assert client.delete(f"/api/v1/cases/{ids[2]}", headers=auth("land_team")).status_code == 204
    return dict(zip(names, ids))


def _features(data: bytes, layer: str) -> list[dict]:
    return mapbox_vector_tile.decode(data).get(layer, {}).get("features", [])


def test_a_tile_over_khlong_toei_holds_the_cases_with_thai_names(client, auth, bangkok_cases):
    x, y = tile_of(*KHLONG_TOEI, 12)
    response = client.get(f"/tiles/cases/12/{x}/{y}.mvt", headers=auth("viewer"))
    assert response.status_code == 200 and response.mimetype == MVT
    features = _features(response.data, "cases")
    by_id = {f["id"]: f for f in features}
    names = list(bangkok_cases)
    for name in names[:2]:
        feature = by_id[bangkok_cases[name]]
        assert feature["properties"]["community_name"] == name
        assert feature["properties"]["status"] == "reported" and feature["geometry"]["type"] == "Point"
    assert bangkok_cases[names[2]] not in by_id  # deleted
    assert bangkok_cases[names[3]] not in by_id  # Chiang Mai is another tile
    px, py = pixel_of(*KHLONG_TOEI, 12)
    gx, gy = by_id[bangkok_cases[names[0]]]["geometry"]["coordinates"]
    assert abs(gx - px) <= 1 and abs(gy - py) <= 1
    for feature in features:  # never contacts, whoever asks
        assert not {"contact_name", "contact_phone"} & set(feature["properties"])
    assert response.headers["Cache-Control"] == "private, max-age=60"
    assert response.headers["ETag"]


def test_status_filter_and_empty_tiles(client, auth, bangkok_cases):
    x, y = tile_of(*KHLONG_TOEI, 12)
    headers = auth("viewer")
    reported = _features(client.get(f"/tiles/cases/12/{x}/{y}.mvt?status=reported,surveying",
                                    headers=headers).data, "cases")
    assert set(bangkok_cases.values()) & {f["id"] for f in reported}
    secured = client.get(f"/tiles/cases/12/{x}/{y}.mvt?status=secured", headers=headers)
    assert not set(bangkok_cases.values()) & {f["id"] for f in _features(secured.data, "cases")}
    sea = client.get("/tiles/cases/12/0/0.mvt", headers=headers)  # the Arctic: nothing there
    assert sea.status_code == 204 and sea.data == b""
    assert client.get(f"/tiles/cases/12/{x}/{y}.mvt?status=asleep", headers=headers).status_code == 400
    assert client.get(f"/tiles/cases/12/{x}/{y}.mvt?colour=red", headers=headers).status_code == 400


def test_low_zoom_case_tiles_are_clusters_with_counts(client, auth, bangkok_cases):
    x, y = tile_of(*KHLONG_TOEI, 5)
    response = client.get(f"/tiles/cases/5/{x}/{y}.mvt", headers=auth("viewer"))
    features = _features(response.data, "cases")
    assert features and all({"count", "households", "status"} <= set(f["properties"]) for f in features)
    assert sum(f["properties"]["count"] for f in features) >= 3  # Khlong Toei's two and Chiang Mai's one
    for feature in features:  # a cell of one case keeps its name and id; a cluster does not
        single = feature["properties"]["count"] == 1
        assert ("community_name" in feature["properties"]) is single and bool(feature.get("id")) is single
    khlong_toei = [f for f in features if f["properties"]["count"] >= 2]
    assert khlong_toei


def test_cases_need_sign_in_but_boundaries_are_public(client, bangkok_cases):
    x, y = tile_of(*KHLONG_TOEI, 12)
    for layer in ("cases", "pilot-areas"):
        response = client.get(f"/tiles/{layer}/12/{x}/{y}.mvt")
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        assert set(response.get_json()["error"]) == {"code", "message", "details"}
    response = client.get(f"/tiles/subdistricts/12/{x}/{y}.mvt")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=3600"
    names = {f["properties"]["code"]: f["properties"]["name_th"] for f in _features(response.data, "subdistricts")}
    assert names["103301"] == "คลองเตย"
    districts = _features(client.get(f"/tiles/districts/12/{x}/{y}.mvt").data, "districts")
    assert "คลองเตย" in {f["properties"]["name_th"] for f in districts}
    provinces = _features(client.get("/tiles/provinces/0/0/0.mvt").data, "provinces")
    assert len(provinces) >= 77 and "กรุงเทพมหานคร" in {f["properties"]["name_th"] for f in provinces}


def test_zoom_limits_grid_bounds_and_unknown_layers(client):
    x, y = tile_of(*KHLONG_TOEI, 8)
    assert client.get(f"/tiles/subdistricts/8/{x}/{y}.mvt").status_code == 204  # subdistricts from z9
    assert client.get("/tiles/districts/5/24/14.mvt").status_code == 204  # districts from z6
    for path in ("/tiles/provinces/23/0/0.mvt", "/tiles/provinces/3/8/0.mvt", "/tiles/provinces/3/0/8.mvt",
                 "/tiles/provinces/3/-1/0.mvt", "/tiles/rivers/3/0/0.mvt", "/tiles/provinces/a/0/0.mvt"):
        assert client.get(path).status_code == 404, path


def test_etag_gives_304(client, auth, bangkok_cases):
    x, y = tile_of(*KHLONG_TOEI, 12)
    first = client.get(f"/tiles/provinces/12/{x}/{y}.mvt")
    again = client.get(f"/tiles/provinces/12/{x}/{y}.mvt", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    cases = client.get(f"/tiles/cases/12/{x}/{y}.mvt", headers=auth("viewer"))
    assert "Authorization" in cases.headers["Vary"]


def test_pilot_area_tiles_for_signed_in_readers(client, auth):
    created = client.post("/api/v1/pilot-areas", json={"subdistrict_code": "103301"}, headers=auth("land_team"))
    assert created.status_code in (201, 409)  # 409: already a pilot (sample data)
    x, y = tile_of(*KHLONG_TOEI, 12)
    response = client.get(f"/tiles/pilot-areas/12/{x}/{y}.mvt", headers=auth("viewer"))
    assert response.status_code == 200
    features = _features(response.data, "pilot-areas")
    pilot = next(f for f in features if f["properties"]["subdistrict_code"] == "103301")
    assert pilot["geometry"]["type"] in ("Polygon", "MultiPolygon") and "case_count" in pilot["properties"]


def test_a_lone_case_at_low_zoom_keeps_its_id_name_and_place(client, auth):
    where = (99.4321, 17.0123)  # in the country, far from the sample data's towns
    body = case_payload(community_name="ชุมชนโดดเดี่ยว ทดสอบไทล์", lon=where[0], lat=where[1])
    created = client.post("/api/v1/cases", json=body, headers=auth("land_team"))
    assert created.status_code == 201, created.get_json()
    case_id = created.get_json()["id"]
    for z in (6, 11):
        x, y = tile_of(*where, z)
        features = _features(client.get(f"/tiles/cases/{z}/{x}/{y}.mvt", headers=auth("viewer")).data, "cases")
        lone = next(f for f in features if f.get("id") == case_id)
        assert lone["properties"]["community_name"] == "ชุมชนโดดเดี่ยว ทดสอบไทล์"
        assert lone["properties"]["count"] == 1
        px, py = pixel_of(*where, z)
        gx, gy = lone["geometry"]["coordinates"]
        assert abs(gx - px) <= 1 and abs(gy - py) <= 1, (z, gx, gy, px, py)
