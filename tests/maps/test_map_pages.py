"""The map pages /map and /map/<region_code>: state from the address, validation, no inlined cases."""

from __future__ import annotations

import json
import re

import pytest

from gis.fields import CASE_STATUSES
from tests.maps.data import CASES, SECRET_CONTACT, SECRET_PHONE

EXTERNAL = re.compile(r"""<(?:script|link)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def _config(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="map-config">(.*?)</script>', html, re.S)
    assert match, "no map-config"
    return json.loads(match.group(1))


def _script_adds(html: str, name: str, config: dict) -> bool:
    return f"{name}.addTo({config['names']['map']})" in html


def test_map_needs_sign_in(client, map_data):
    response = client.get("/map/south")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_national_map_page(client, auth, map_data):
    response = client.get("/map", headers=auth("viewer"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    config = _config(html)
    assert set(config["names"]["statuses"]) == set(CASE_STATUSES)
    assert set(config["names"]["overlays"]) == {"provinces", "districts", "pilot-areas", "funds", "choropleth"}
    assert config["urls"]["data"] == "/map/data"
    assert config["urls"]["case"] == "/cases/{id}"
    assert config["regional"] is False
    # the cases are loaded by the page script, never inlined
    for _code, name, *_ in CASES:
        assert name not in html
    assert SECRET_CONTACT not in html and SECRET_PHONE not in html
    assert "/static/maps/map.js" in html and "/static/vendor/leaflet/leaflet.js" in html
    assert len(response.data) < 100_000


def test_map_slash_and_nav_endpoint(client, auth, map_data):
    assert client.get("/map/", headers=auth("viewer")).status_code == 200
    home = client.get("/", headers=auth("viewer")).get_data(as_text=True)
    assert 'href="/map"' in home


@pytest.mark.parametrize("code", ["south", "south-z8", "south-z9", "north-upper", "bangkok"])
def test_region_and_zone_maps_fit_their_provinces(client, auth, map_data, code):
    response = client.get(f"/map/{code}", headers=auth("land_team"))
    assert response.status_code == 200
    config = _config(response.get_data(as_text=True))
    minx, miny, maxx, maxy = config["scopeBbox"]
    assert config["regional"] is True
    if code.startswith("south"):
        assert maxy < 12 and miny > 5 and minx > 97
    if code == "bangkok":
        assert 13 < miny < maxy < 15
    assert "fitBounds" in response.get_data(as_text=True)


def test_zone_is_smaller_than_its_region(client, auth, map_data):
    south = _config(client.get("/map/south", headers=auth("viewer")).get_data(as_text=True))["scopeBbox"]
    zone = _config(client.get("/map/south-z9", headers=auth("viewer")).get_data(as_text=True))["scopeBbox"]
    assert south[1] <= zone[1] and zone[3] <= south[3] and (zone[3] - zone[1]) < (south[3] - south[1])


def test_unknown_region_is_a_thai_404_page(client, auth, map_data):
    response = client.get("/map/atlantis", headers=auth("viewer"))
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "ไม่พบภาคหรือเขต" in response.get_data(as_text=True)


@pytest.mark.parametrize("query, field", [
    ("status=bogus", "status"), ("status=reported,nope", "status"), ("layers=heatmap", "layers"),
    ("c=abc", "c"), ("c=7.1", "c"), ("c=95,100", "c"), ("z=99", "z"), ("z=-1", "z"), ("z=abc", "z"),
    ("base=google", "base"), ("province=99", "province"), ("province=abc", "province"),
])
def test_bad_view_parameters_are_a_thai_400_page(client, auth, map_data, query, field):
    response = client.get(f"/map/south?{query}", headers=auth("viewer"))
    assert response.status_code == 400, query
    assert "text/html" in response.content_type
    html = response.get_data(as_text=True)
    assert field in html and "<h1>400</h1>" in html


def test_province_outside_the_region_is_400(client, auth, map_data):
    assert client.get("/map/south?province=10", headers=auth("viewer")).status_code == 400
    assert client.get("/map/south?province=90", headers=auth("viewer")).status_code == 200


def test_status_and_layers_from_the_address(client, auth, map_data):
    html = client.get("/map/south?status=reported,stalled&layers=funds,choropleth",
                      headers=auth("viewer")).get_data(as_text=True)
    config = _config(html)
    for status, name in config["names"]["statuses"].items():
        assert _script_adds(html, name, config) == (status in ("reported", "stalled")), status
    for layer, name in config["names"]["overlays"].items():
        assert _script_adds(html, name, config) == (layer in ("funds", "choropleth")), layer


def test_empty_status_shows_no_case_layer(client, auth, map_data):
    html = client.get("/map?status=", headers=auth("viewer")).get_data(as_text=True)
    config = _config(html)
    assert not any(_script_adds(html, n, config) for n in config["names"]["statuses"].values())


def test_view_from_the_address(client, auth, map_data):
    html = client.get("/map/south?c=7.00860,100.47470&z=13&base=satellite", headers=auth("viewer")).get_data(
        as_text=True)
    assert "[7.0086, 100.4747]" in html and '"zoom": 13' in html
    assert "fitBounds" not in html
    assert _config(html)["base"] == "satellite"


def test_province_filter_fits_and_narrows(client, auth, map_data):
    html = client.get("/map/south?province=84", headers=auth("viewer")).get_data(as_text=True)
    config = _config(html)
    assert config["province"] == "84"
    fit = re.search(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", html)
    assert fit and 8 < float(fit.group(1)) < float(fit.group(3)) < 10.5
    assert '<option value="84" selected>' in html


def test_share_button_only_for_share_managers(client, auth, map_data):
    assert "share-dialog" not in client.get("/map", headers=auth("land_team")).get_data(as_text=True)
    assert "share-dialog" in client.get("/map", headers=auth("policy")).get_data(as_text=True)


def test_english_labels(client, auth, map_data):
    html = client.get("/map/south?lang=en", headers=auth("viewer")).get_data(as_text=True)
    config = _config(html)
    assert any(s["label"] == "Negotiating" for s in config["statuses"])
