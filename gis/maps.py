"""Folium maps of land cases: base layers, overlays and controls, served without any CDN.

Pure map building: no Flask here. The web layer passes in what the map offers and shows
(`MapSpec`), the URLs of the data and a function that turns a vendored file into a URL.
The overlays are empty Leaflet groups; the page's own script (static/maps/map.js) loads
cases by view from a GeoJSON endpoint and clusters them, so the page never inlines cases.
"""

from __future__ import annotations

import copy
import html
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import folium
from branca.element import CssLink, JavascriptLink
from folium import plugins
from folium.elements import JSCSSMixin

from gis.fields import CASE_STATUSES, STATUS_COLOURS

# A case is "open" while the community still needs the land team: every status except
# the three that end a case (secure tenure, eviction carried out, file closed).
CLOSED_STATUSES = ("secured", "evicted", "closed")
OPEN_STATUSES = tuple(s for s in CASE_STATUSES if s not in CLOSED_STATUSES)

# The overlays other than the per-status case layers: name in `layers=` -> (Thai, English)
OVERLAYS: dict[str, tuple[str, str]] = {
    "provinces": ("ขอบเขตจังหวัด", "Province outlines"),
    "districts": ("ขอบเขตอำเภอ", "District outlines"),
    "pilot-areas": ("พื้นที่รูปธรรม (ตำบล)", "Pilot subdistricts"),
    "funds": ("กองทุนชุมชน", "Community funds"),
    "choropleth": ("จำนวนกรณีที่ยังไม่ยุติ", "Open cases (choropleth)"),
}
# A reference land layer in `layers=` (and in a share link's layers): "reference:<its id>"
REFERENCE_PREFIX = "reference:"
_REFERENCE_KEY = re.compile(r"^reference:([1-9][0-9]{0,9})$")


def reference_key(layer_id: int) -> str:
    return f"{REFERENCE_PREFIX}{int(layer_id)}"


def reference_id(key: object) -> int | None:
    """The layer id a `reference:<id>` key names (None for anything else, or an id out of range)."""
    match = _REFERENCE_KEY.match(key) if isinstance(key, str) else None
    value = int(match.group(1)) if match else 0
    return value if 0 < value < 2**31 else None


DEFAULT_LAYERS_NATIONAL = ("provinces", "pilot-areas", "funds")
DEFAULT_LAYERS_REGION = ("provinces", "districts", "pilot-areas", "funds")

BOUNDARY_CREDIT = "Boundaries: Royal Thai Survey Department / OCHA (CC BY-IGO)"


@dataclass(frozen=True)
class BaseLayer:
    key: str
    label_th: str
    label_en: str
    url: str
    attribution: str
    max_zoom: int
    subdomains: str | None = None


BASE_LAYERS: tuple[BaseLayer, ...] = (
    BaseLayer("light", "แผนที่พื้นสีอ่อน", "Light basemap",
              "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
              '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
              '&copy; <a href="https://carto.com/attributions">CARTO</a>', 20, "abcd"),
    BaseLayer("osm", "OpenStreetMap", "OpenStreetMap",
              "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
              '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors', 19),
    BaseLayer("satellite", "ภาพถ่ายดาวเทียม", "Satellite imagery",
              "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
              "Imagery &copy; Esri, Maxar, Earthstar Geographics and the GIS User Community", 19),
)
BASE_KEYS = tuple(b.key for b in BASE_LAYERS)

# Folium/branca resources the maps never use; left out to keep the page small.
UNUSED_ASSETS = frozenset({"jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
                           "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css"})
_EXTERNAL_LINK = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


class CdnAssetError(RuntimeError):
    """A map resource has no local copy under static/vendor/."""


def load_manifest(path: str | Path) -> dict[str, str]:
    """Map every CDN URL listed in static/vendor/MANIFEST.json to its local file (relative path)."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    return {url: entry["files"][0] for entry in entries for url in entry.get("replaces", [])}


def localise_assets(root: Any, manifest: dict[str, str], asset_url: Callable[[str], str]) -> None:
    """Point every JS/CSS link of `root` and its children at the vendored copies.

    Set on each element (instance attributes), never on Folium's classes, so nothing
    global changes. A CDN URL without a local copy raises `CdnAssetError`.
    """

    def local(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out = []
        for name, url in pairs:
            if name in UNUSED_ASSETS:
                continue
            if url not in manifest:
                raise CdnAssetError(f"no vendored copy of {url} ({name}); add it to static/vendor/")
            out.append((name, asset_url(manifest[url])))
        return out

    seen: set[int] = set()
    stack = [root]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        if isinstance(element, JSCSSMixin):
            element.default_js = local(list(element.default_js))
            element.default_css = local(list(element.default_css))
        stack.extend(getattr(element, "_children", {}).values())
        for attribute in ("tile_layer",):  # MiniMap keeps its layer outside the tree
            if getattr(element, attribute, None) is not None:
                stack.append(getattr(element, attribute))


@dataclass
class MapSpec:
    """What one map offers and shows; built by the web layer from the scope and the URL."""

    lang: str
    statuses: list[str]                 # status layers offered (layer control)
    statuses_shown: list[str]
    layers: list[str]                   # other overlays offered
    layers_shown: list[str]
    urls: dict[str, str]                # cases, pilots, funds, choropleth, boundaries, case (with {id})
    bounds: tuple[float, float, float, float] | None = None   # minlon, minlat, maxlon, maxlat
    center: tuple[float, float] | None = None                 # lat, lon (wins over bounds)
    zoom: int | None = None
    base: str = "light"
    outside_basemaps: bool = True     # False: an office without internet; boundaries are the base
    texts: dict[str, str] = field(default_factory=dict)       # UI strings for the script
    extra: dict[str, Any] = field(default_factory=dict)       # anything else the script needs


@dataclass
class MapParts:
    """The rendered map, to be placed in a page: header links, the map div, the script."""

    header: str
    html: str
    script: str
    config: dict[str, Any]


def _label(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "th" else pair[1]


def status_label(status: str, lang: str) -> str:
    return _label(CASE_STATUSES[status], lang)


def swatch(colour: str, text: str, shape: str = "dot") -> str:
    """A layer-control label: a coloured mark and the (escaped) name."""
    return (f'<span class="codi-swatch codi-swatch-{shape}" style="background:{colour}"></span>'
            f'<span class="codi-layer-name">{html.escape(text)}</span>')


OVERLAY_COLOURS = {"provinces": "#37474f", "districts": "#78909c", "pilot-areas": "#0b6e4f",
                   "funds": "#00838f", "choropleth": "#e31a1c"}


_RENDERED: OrderedDict[str, MapParts] = OrderedDict()  # the last maps built, by their inputs
_RENDERED_MAX = 64
_RENDERED_LOCK = threading.Lock()


def build_map(spec: MapSpec, *, manifest: dict[str, str], asset_url: Callable[[str], str]) -> MapParts:
    """Build the Folium map for `spec` and render it into parts with local assets only.

    The same inputs give the same map (only Folium's random element ids differ), and building it
    costs tens of milliseconds of Python (Folium compiles templates per element, looks tile URLs up
    among every xyzservices provider): the last maps built are kept, per process.
    """
    key = json.dumps([asdict(spec), asset_url(""), manifest], sort_keys=True, default=str)
    with _RENDERED_LOCK:
        parts = _RENDERED.get(key)
        if parts is not None:
            _RENDERED.move_to_end(key)
    if parts is None:
        parts = _build_map(spec, manifest=manifest, asset_url=asset_url)
        with _RENDERED_LOCK:
            _RENDERED[key] = parts
            while len(_RENDERED) > _RENDERED_MAX:
                _RENDERED.popitem(last=False)
    return replace(parts, config=copy.deepcopy(parts.config))  # callers may change their copy


def _build_map(spec: MapSpec, *, manifest: dict[str, str], asset_url: Callable[[str], str]) -> MapParts:
    lat, lon = spec.center or _centre(spec.bounds)
    m = folium.Map(location=[lat, lon], zoom_start=spec.zoom if spec.zoom is not None else 6,
                   tiles=None, control_scale=True, min_zoom=4, max_zoom=19,
                   maxZoom=19, minZoom=4)  # on the map itself: without tile layers the clusters need it
    bases = BASE_LAYERS if spec.outside_basemaps else ()
    for base in bases:
        folium.TileLayer(tiles=base.url, attr=f"{base.attribution} | {BOUNDARY_CREDIT}",
                         name=_label((base.label_th, base.label_en), spec.lang), overlay=False,
                         control=True, show=base.key == spec.base, max_zoom=base.max_zoom,
                         max_native_zoom=min(base.max_zoom, 19),
                         **({"subdomains": base.subdomains} if base.subdomains else {})).add_to(m)
    names: dict[str, Any] = {"statuses": {}, "overlays": {}}
    # One cluster layer for every case (its icons show the total and each status's share); the
    # status check boxes are empty groups whose presence on the map filters that layer.
    cases = plugins.MarkerCluster(control=False, options={
        "maxClusterRadius": 50, "showCoverageOnHover": False, "chunkedLoading": True}).add_to(m)
    names["cases"] = cases.get_name()
    for status in spec.statuses:
        toggle = folium.FeatureGroup(name=swatch(STATUS_COLOURS[status], status_label(status, spec.lang)),
                                     show=status in spec.statuses_shown).add_to(m)
        names["statuses"][status] = toggle.get_name()
    for overlay in ("pilot-areas", "funds", "provinces", "districts", "choropleth"):
        if overlay in spec.layers:
            shape = "line" if overlay in ("provinces", "districts") else "box"
            group = folium.FeatureGroup(name=swatch(OVERLAY_COLOURS[overlay], _label(OVERLAYS[overlay], spec.lang),
                                                    shape),
                                        show=overlay in spec.layers_shown).add_to(m)
            names["overlays"][overlay] = group.get_name()
    th = spec.lang == "th"
    plugins.Fullscreen(position="topleft", title="เต็มจอ" if th else "Full screen",
                       title_cancel="ออกจากเต็มจอ" if th else "Exit full screen").add_to(m)
    # The measuring tool is the page script's own (static/maps/map.js): leaflet-measure, which
    # folium.plugins.MeasureControl loads, compiles templates with `new Function` and so
    # would need 'unsafe-eval' in the Content-Security-Policy.
    if spec.outside_basemaps:
        light = BASE_LAYERS[0]
        plugins.MiniMap(tile_layer=folium.TileLayer(tiles=light.url, attr=light.attribution,
                                                    subdomains=light.subdomains),
                        position="bottomright", toggle_display=True, zoom_level_offset=-5).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    if spec.center is None and spec.bounds is not None:
        minx, miny, maxx, maxy = spec.bounds
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    names["map"] = m.get_name()

    figure = m.get_root()
    localise_assets(m, manifest, asset_url)
    figure.render()
    # the search box is created by the page script (it searches the server, not loaded markers)
    figure.header.add_child(CssLink(asset_url("leaflet-search/dist/leaflet-search.min.css")), name="search_css")
    figure.header.add_child(JavascriptLink(asset_url("leaflet-search/dist/leaflet-search.min.js")), name="search_js")
    header, body, script = figure.header.render(), figure.html.render(), figure.script.render()
    if _EXTERNAL_LINK.search(header) or _EXTERNAL_LINK.search(body):
        raise CdnAssetError("the rendered map still links a script or stylesheet from another host")
    config = {
        "names": names, "urls": spec.urls, "lang": spec.lang, "texts": spec.texts,
        "statuses": [{"key": s, "label": status_label(s, spec.lang), "colour": STATUS_COLOURS[s]}
                     for s in spec.statuses],
        "defaultStatuses": spec.extra.get("default_statuses", spec.statuses),
        "layers": spec.layers, "defaultLayers": spec.extra.get("default_layers", list(spec.layers)),
        "bases": [{"key": b.key, "label": _label((b.label_th, b.label_en), spec.lang)} for b in bases],
        "outsideBasemaps": spec.outside_basemaps, "credit": BOUNDARY_CREDIT,
        "base": spec.base, "openStatuses": list(OPEN_STATUSES), **spec.extra,
    }
    return MapParts(header=header, html=body, script=script, config=config)


def _centre(bounds: tuple[float, float, float, float] | None) -> tuple[float, float]:
    if bounds is None:
        return 13.0, 101.0
    minx, miny, maxx, maxy = bounds
    return (miny + maxy) / 2, (minx + maxx) / 2
