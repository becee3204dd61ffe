"""Reference land layers on share links (issue 13): only the layers a link names, geometry only."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

SECRET_PARCEL = "P-1"        # the attribute table of the test layer (parcel numbers, deeds)
SECRET_DEED = 1000


def _link(client, auth, **body) -> tuple[str, dict]:
    payload = {"label": "test: land link", "expires_in_days": 7, **body}
    response = client.post("/api/v1/share-links", json=payload, headers=auth("policy"))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    return urlsplit(created["url"]).path.removeprefix("/s/"), created


def _land_config(html: str) -> dict | None:
    found = re.search(r'id="land-config">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


def test_a_link_names_reference_layers_by_id_or_key(client, auth, users, named_layer):
    one, two = named_layer("ทางรถไฟในลิงก์"), named_layer("ที่ราชพัสดุในลิงก์", owner_type="treasury")
    _token, created = _link(client, auth, layers=["provinces", two["id"], f"reference:{one['id']}"])
    keys = sorted([f"reference:{one['id']}", f"reference:{two['id']}"], key=lambda k: int(k.split(":")[1]))
    assert created["layers"] == ["provinces", *keys]
    listed = client.get("/api/v1/share-links", headers=auth("policy")).get_json()["share_links"]
    assert next(x for x in listed if x["id"] == created["id"])["layers"] == ["provinces", *keys]
    from tests.factories import PASSWORD

    assert client.post("/login", data={"email": users["policy"].email, "password": PASSWORD}).status_code in (302, 303)
    page = client.get("/share-links").get_data(as_text=True)   # the links page names them
    assert "ทางรถไฟในลิงก์" in page and "ที่ราชพัสดุในลิงก์" in page


@pytest.mark.parametrize("value", [99999999, "reference:99999999", "reference:abc", "reference:0", True, 1.5,
                                   "reference:" + "9" * 30, 10**40, "reference:1\x00"])
def test_an_unknown_or_malformed_layer_is_a_422(client, auth, named_layer, value):
    named_layer()
    response = client.post("/api/v1/share-links", headers=auth("policy"),
                           json={"label": "test: bad layer", "layers": ["provinces", value]})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["details"][0]["field"] == "layers"


def test_the_shared_map_lists_only_the_links_layers_without_attributes(client, auth, named_layer):
    named, other = named_layer("ทางรถไฟที่แชร์"), named_layer("ชั้นที่ไม่ได้แชร์", owner_type="treasury")
    token, _created = _link(client, auth, layers=["provinces", named["id"]])
    html = client.get(f"/s/{token}").get_data(as_text=True)
    land = _land_config(html)
    assert land and land["public"] is True
    assert [x["name"] for x in land["layers"]] == ["ทางรถไฟที่แชร์"]
    assert land["layers"][0]["owner_type"] == "state_railway" and land["layers"][0]["bbox"]
    assert "footprintsUrl" not in land and "casePage" not in land and "layersUrl" not in land
    assert land["parcelsUrl"] == f"/s/{token}/data?layer=reference:{{id}}"
    assert "ชั้นที่ไม่ได้แชร์" not in html and "/api/v1/" not in land["parcelsUrl"]
    config = json.loads(re.search(r'id="map-config">(.*?)</script>', html, re.S).group(1))
    assert config["shownReference"] == [named["id"]] and config["defaultReference"] == [named["id"]]
    # a link without reference layers has no land layers at all (nor footprints)
    plain, _ = _link(client, auth, layers=["provinces"])
    assert _land_config(client.get(f"/s/{plain}").get_data(as_text=True)) is None
    assert other["id"] != named["id"]


def test_shared_parcels_are_geometry_only_and_stay_inside_the_link(client, auth, named_layer):
    named, other = named_layer("ทางรถไฟที่แชร์"), named_layer("ชั้นที่ไม่ได้แชร์")
    token, _ = _link(client, auth, layers=[named["id"]])
    response = client.get(f"/s/{token}/data?layer=reference:{named['id']}&bbox=100,13,101,14")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.get_json(force=True)
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 1
    assert set(body["features"][0]["properties"]) <= {"id", "layer_id"}
    assert body["layer"]["name"] == "ทางรถไฟที่แชร์"
    text = response.get_data(as_text=True)
    assert SECRET_PARCEL not in text and "attributes" not in text and "deed" not in text
    for layer in (f"reference:{other['id']}", "reference:abc", "reference:99999999"):
        refused = client.get(f"/s/{token}/data?layer={layer}")
        assert refused.status_code == 400, layer
        assert refused.get_json(force=True)["error"]["details"][0]["field"] == "layer"
    # the page may narrow the link's layers, never widen them
    assert client.get(f"/s/{token}?layers=reference:{named['id']}").status_code == 200
    assert client.get(f"/s/{token}?layers=reference:{other['id']}").status_code == 400
    assert client.get(f"/s/{token}?layers=reference:x").status_code == 400


def test_a_deleted_layer_leaves_the_link_working(client, auth, named_layer):
    layer = named_layer("ชั้นที่จะลบ")
    token, _ = _link(client, auth, layers=["provinces", layer["id"]])
    assert client.delete(f"/api/v1/reference-layers/{layer['id']}", headers=auth("land_team")).status_code == 204
    page = client.get(f"/s/{token}")
    assert page.status_code == 200 and _land_config(page.get_data(as_text=True)) is None
    assert client.get(f"/s/{token}/data?layer=reference:{layer['id']}").status_code == 404


def test_signed_in_maps_switch_layers_on_by_address(client, users, named_layer):
    from tests.factories import PASSWORD

    layer = named_layer()
    assert client.post("/login", data={"email": users["viewer"].email, "password": PASSWORD}).status_code in (302, 303)
    html = client.get(f"/map?layers=provinces,reference:{layer['id']}").get_data(as_text=True)
    config = json.loads(re.search(r'id="map-config">(.*?)</script>', html, re.S).group(1))
    assert config["shownReference"] == [layer["id"]] and config["defaultReference"] == []
    assert client.get("/map?layers=reference:99999999").status_code == 400
    assert client.get("/map?layers=reference:nope").status_code == 400


def test_named_layer_has_the_attributes_the_link_hides(client, auth, named_layer):
    layer = named_layer()
    parcels = client.get(f"/api/v1/reference-layers/{layer['id']}/parcels", headers=auth("viewer")).get_json()
    assert parcels["features"][0]["properties"]["attributes"] == {"parcel_no": SECRET_PARCEL, "deed": SECRET_DEED}
