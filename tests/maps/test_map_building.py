"""gis/maps.py: the Folium map, with every asset local and the overlays the issue asks for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from folium.elements import JSCSSMixin

from gis.fields import CASE_STATUSES
from gis.maps import (
    BOUNDARY_CREDIT,
    OPEN_STATUSES,
    OVERLAYS,
    CdnAssetError,
    MapSpec,
    build_map,
    load_manifest,
    localise_assets,
)

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = load_manifest(ROOT / "static" / "vendor" / "MANIFEST.json")
EXTERNAL = re.compile(r"""<(?:script|link)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def _spec(**overrides) -> MapSpec:
    values = dict(lang="th", statuses=list(CASE_STATUSES), statuses_shown=["reported", "stalled"],
                  layers=list(OVERLAYS), layers_shown=["provinces", "funds"], urls={"data": "/map/data"},
                  bounds=(97.3, 5.6, 105.7, 20.5))
    values.update(overrides)
    return MapSpec(**values)


def _build(spec: MapSpec | None = None):
    return build_map(spec or _spec(), manifest=MANIFEST, asset_url=lambda p: f"/static/vendor/{p}")


def test_no_script_or_stylesheet_from_a_cdn():
    parts = _build()
    page = parts.header + parts.html
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert "cdn" not in page.lower() and "bootstrapcdn" not in page
    assert "/static/vendor/leaflet/leaflet.js" in parts.header
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in parts.header
    for tool in ("leaflet.fullscreen", "leaflet-minimap", "leaflet-search"):
        assert f"/static/vendor/{tool}/" in parts.header


def test_every_linked_asset_exists_on_disk():
    parts = _build()
    links = re.findall(r'(?:src|href)="/static/vendor/([^"]+)"', parts.header)
    assert links
    for path in links:
        assert (ROOT / "static" / "vendor" / path).is_file(), path


def test_folium_classes_are_left_untouched():
    import folium
    from folium import plugins

    before = (list(folium.Map.default_js), list(plugins.MarkerCluster.default_js))
    _build()
    assert (list(folium.Map.default_js), list(plugins.MarkerCluster.default_js)) == before
    assert folium.Map.default_js[0][1].startswith("https://")


def test_an_unknown_cdn_url_is_refused():
    class Stray(JSCSSMixin):
        default_js = [("stray", "https://cdn.example.org/stray.js")]

    with pytest.raises(CdnAssetError):
        localise_assets(Stray(), MANIFEST, lambda p: p)


def test_one_layer_per_status_with_thai_label_and_colour():
    parts = _build()
    assert set(parts.config["names"]["statuses"]) == set(CASE_STATUSES)
    for status, (thai, _english) in CASE_STATUSES.items():
        assert thai.encode("unicode_escape").decode() in parts.script  # the layer-control name
        assert any(s["key"] == status and s["label"] == thai for s in parts.config["statuses"])
    assert "L.markerClusterGroup" in parts.script
    assert parts.script.count("L.markerClusterGroup") == 1  # one cluster layer; statuses filter it


def test_shown_layers_follow_the_spec():
    parts = _build()
    names, map_name = parts.config["names"], parts.config["names"]["map"]
    for status, name in names["statuses"].items():
        added = f"{name}.addTo({map_name})" in parts.script
        assert added == (status in ("reported", "stalled")), status
    for layer, name in names["overlays"].items():
        assert (f"{name}.addTo({map_name})" in parts.script) == (layer in ("provinces", "funds")), layer


def test_base_layers_attributions_and_controls():
    parts = _build()
    for url in ("tile.openstreetmap.org", "basemaps.cartocdn.com/light_all", "World_Imagery"):
        assert url in parts.script
    assert BOUNDARY_CREDIT in parts.script.replace("\\u0026", "&")
    for control in ("L.control.fullscreen", "L.Control.MiniMap", "L.control.layers", "L.control.scale"):
        assert control in parts.script
    assert "leaflet-measure" not in parts.header  # needs 'unsafe-eval'; the page script measures instead


def test_centre_and_zoom_win_over_bounds():
    parts = _build(_spec(center=(7.0, 100.47), zoom=12))
    assert "fitBounds" not in parts.script
    assert "[7.0, 100.47]" in parts.script and '"zoom": 12' in parts.script
    fitted = _build()
    assert "fitBounds" in fitted.script


def test_a_share_scope_offers_only_its_layers():
    parts = _build(_spec(statuses=["reported"], statuses_shown=["reported"], layers=["funds"], layers_shown=[]))
    assert list(parts.config["names"]["statuses"]) == ["reported"]
    assert list(parts.config["names"]["overlays"]) == ["funds"]


def test_open_statuses_leave_out_the_ended_ones():
    assert set(OPEN_STATUSES) == set(CASE_STATUSES) - {"secured", "evicted", "closed"}
