"""Maps for paper: one SVG drawing of boundaries, cases, pilot areas and funds, with legend,
scale bar and north arrow. Pure: no Flask, no database; the web layer passes in features.

Projection: longitude scaled by the cosine of the map's middle latitude (an equirectangular
projection centred on the map), so that distances east-west and north-south agree at the
centre; Thailand spans 5.6°-20.5° N, and one map rarely more than a region, so the scale bar is
right to within a few per cent over the frame. Units of the drawing are millimetres on paper.
Words are HTML laid over the SVG (absolutely positioned), never SVG <text>: WeasyPrint lays SVG
text out letter by letter, which breaks Thai (vowel and tone marks lose their consonant); HTML
text is shaped whole and written as real, extractable text in an embedded font. Only the
numbers inside clusters (ASCII digits) are SVG text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from gis.print_furniture import (
    CHOROPLETH_RAMP,
    emptiest_corner,
    fmt_number,
    label_html,
    legend_html,
    legend_size,
    marker,
    north_arrow,
    scale_bar,
    text_width,
)

METRES_PER_DEGREE = 111_320.0   # one degree of latitude (and of longitude at the equator)
MAX_MAP_POINTS = 1500           # more cases than this in a view are drawn as clusters
CLUSTER_CELL_MM = 12.0          # grid cell of a cluster, on paper (clusters are at most 8 mm wide)

Bounds = tuple[float, float, float, float]  # minlon, minlat, maxlon, maxlat

STYLE = {   # kind of area -> (fill, fill-opacity, stroke, stroke width mm, dash)
    "context": ("#f1f1f1", 1.0, "#c4c4c4", 0.15, ""),
    "province": ("#fbfbf8", 1.0, "#37474f", 0.3, ""),
    "district": ("none", 0.0, "#78909c", 0.12, "0.8 0.5"),
    "subdistrict": ("none", 0.0, "#b0bec5", 0.1, ""),
    "focus": ("#fff8e1", 1.0, "#37474f", 0.35, ""),
    "pilot": ("#0b6e4f", 0.28, "#0b6e4f", 0.3, ""),
    "choropleth": ("#ffffff", 0.85, "#9e9e9e", 0.1, ""),
    "outline": ("none", 0.0, "#37474f", 0.3, ""),
    "parcel": ("#999999", 0.3, "#999999", 0.12, ""),          # fill and stroke: the layer's owner colour
    "footprint": ("#d84315", 0.3, "#bf360c", 0.35, ""),
}
FUND_COLOUR = "#00838f"
PILOT_COLOUR = "#0b6e4f"


@dataclass
class Area:
    """A polygon to draw: GeoJSON geometry (Polygon or MultiPolygon) in lon/lat."""

    geometry: dict[str, Any]
    kind: str = "province"
    label: str | None = None
    label_at: tuple[float, float] | None = None    # lon, lat
    fill: str | None = None                        # overrides the kind's fill (choropleth, parcels)
    stroke: str | None = None                      # overrides the kind's outline (parcels: their fill)


@dataclass
class CasePoint:
    lon: float
    lat: float
    status: str
    label: str | None = None
    large: bool = False


@dataclass
class Cluster:
    """Many cases drawn as one pie: counts per status at their mean position."""

    lon: float
    lat: float
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class LegendEntry:
    label: str
    colour: str
    count: int | None = None
    shape: str = "dot"   # dot, square (area), diamond (fund), pie (cluster), line


@dataclass
class MapTexts:
    """Words drawn on the map (the web layer translates them)."""

    km: str = "km"
    m: str = "m"
    north: str = "N"
    legend: str = "Legend"
    cases: str = "cases"


@dataclass
class MapContent:
    bounds: Bounds
    areas: list[Area] = field(default_factory=list)
    cases: list[CasePoint] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    funds: list[tuple[float, float]] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    colours: dict[str, str] = field(default_factory=dict)    # status -> colour
    texts: MapTexts = field(default_factory=MapTexts)


class Projection:
    """lon/lat -> millimetres inside a frame of `width` x `height`, the bounds fitted and centred."""

    def __init__(self, bounds: Bounds, width: float, height: float, margin: float = 4.0) -> None:
        minlon, minlat, maxlon, maxlat = padded(bounds)
        self.k = math.cos(math.radians((minlat + maxlat) / 2))
        span_x = max((maxlon - minlon) * self.k, 1e-6)
        span_y = max(maxlat - minlat, 1e-6)
        self.scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)  # mm per degree
        self.x0 = minlon * self.k - ((width - span_x * self.scale) / 2) / self.scale
        self.y0 = maxlat + ((height - span_y * self.scale) / 2) / self.scale

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon * self.k - self.x0) * self.scale, (self.y0 - lat) * self.scale

    @property
    def metres_per_mm(self) -> float:
        return METRES_PER_DEGREE / self.scale


def padded(bounds: Bounds, share: float = 0.04, minimum: float = 0.005) -> Bounds:
    """Bounds grown by `share` of their size on every side (at least `minimum` degrees)."""
    minlon, minlat, maxlon, maxlat = bounds
    dx = max((maxlon - minlon) * share, minimum)
    dy = max((maxlat - minlat) * share, minimum)
    return minlon - dx, minlat - dy, maxlon + dx, maxlat + dy


def degrees_per_mm(bounds: Bounds, width: float, height: float) -> float:
    """How many degrees one millimetre of paper holds for these bounds (for simplifying and gridding)."""
    return 1.0 / Projection(bounds, width, height).scale


def _ring_path(ring: Sequence[Sequence[float]], project: Projection) -> str:
    out: list[str] = []
    last: tuple[float, float] | None = None
    for lon, lat, *_ in ring:
        x, y = project(lon, lat)
        point = (round(x, 2), round(y, 2))
        if point != last:
            out.append(f"{fmt_number(point[0])} {fmt_number(point[1])}")
            last = point
    if len(out) > 1 and out[-1] == out[0]:
        out.pop()  # Z closes the ring
    return ("M" + " L".join(out) + "Z") if len(out) > 2 else ""


def geometry_path(geometry: dict[str, Any], project: Projection) -> str:
    """SVG path data of a GeoJSON Polygon or MultiPolygon (rings closed, holes by even-odd)."""
    kind = geometry.get("type")
    polygons = [geometry["coordinates"]] if kind == "Polygon" else geometry.get("coordinates", []) \
        if kind == "MultiPolygon" else []
    return "".join(_ring_path(ring, project) for polygon in polygons for ring in polygon)


def _digits(x: float, y: float, text: str, size: float) -> str:
    """SVG text for ASCII only (cluster counts): WeasyPrint draws SVG text letter by letter."""
    return (f'<text x="{x:.2f}" y="{y:.2f}" font-size="{size:.2f}" text-anchor="middle" fill="#222" '
            f'font-weight="bold">{escape(text)}</text>')


def _areas(areas: Iterable[Area], project: Projection, style: str | None = None) -> list[str]:
    out = []
    for area in areas:
        path = geometry_path(area.geometry, project)
        if not path:
            continue
        fill, opacity, stroke, width, dash = STYLE.get(style or area.kind, STYLE["province"])
        fill = area.fill or fill
        stroke = area.stroke or (area.fill if area.kind == "parcel" and area.fill else stroke)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="{path}" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" '
                   f'stroke-width="{width}" fill-rule="evenodd" stroke-linejoin="round"{extra}/>')
    return out


def _merged_areas(areas: Iterable[Area], project: Projection) -> list[str]:
    """Areas of one colour as one SVG path each colour (reference parcels: thousands of them; every
    element costs WeasyPrint layout and drawing time, one path of many rings costs little)."""
    paths: dict[tuple[str, str], list[str]] = {}
    for area in areas:
        fill, _opacity, stroke, _width, _dash = STYLE.get(area.kind, STYLE["province"])
        fill = area.fill or fill
        key = (fill, area.stroke or (fill if area.kind == "parcel" else stroke))
        path = geometry_path(area.geometry, project)
        if path:
            paths.setdefault(key, []).append(path)
    kind = STYLE["parcel"]
    return [f'<path d="{"".join(parts)}" fill="{fill}" fill-opacity="{kind[1]}" stroke="{stroke}" '
            f'stroke-width="{kind[3]}" fill-rule="evenodd" stroke-linejoin="round"/>'
            for (fill, stroke), parts in paths.items()]


def _small_area_markers(areas: Iterable[Area], project: Projection) -> list[str]:
    """Pilot subdistricts too small to see at this scale get a square outline at their label point."""
    out = []
    for area in areas:
        if area.kind != "pilot" or area.label_at is None:
            continue
        x, y = project(*area.label_at)
        out.append(marker("square", x, y, 1.3, "none", stroke=PILOT_COLOUR, stroke_width=0.35))
    return out


def _labels(areas: Iterable[Area], project: Projection, size: float) -> list[str]:
    out = []
    for area in areas:
        if area.label and area.label_at is not None:
            x, y = project(*area.label_at)
            colour = PILOT_COLOUR if area.kind == "pilot" else "#546e7a"
            out.append(label_html(x, y + (2.6 if area.kind == "pilot" else 0), area.label, size, colour=colour))
    return out


def _case_points(points: Iterable[CasePoint], project: Projection, colours: dict[str, str]) -> list[str]:
    out = []
    for point in points:
        x, y = project(point.lon, point.lat)
        out.append(marker("dot", x, y, 2.2 if point.large else 1.05, colours.get(point.status, "#777"),
                          stroke="#ffffff", stroke_width=0.5 if point.large else 0.25))
    return out


def _point_labels(points: Iterable[CasePoint], project: Projection, width: float) -> list[str]:
    """Labels beside their points: to the right, or to the left near the frame's right edge."""
    out = []
    for point in points:
        if point.label:
            x, y = project(point.lon, point.lat)
            gap = 3.2 if point.large else 1.8
            left = x + gap + text_width(point.label, 3.2) > width - 2
            out.append(label_html(x - gap if left else x + gap, y, point.label, 3.2, anchor="end" if left else "start",
                                  weight="bold"))
    return out


def cluster_radius(total: int) -> float:
    """Radius in mm of a cluster of `total` cases: grows with the logarithm, 2 mm to 4 mm."""
    return min(2.0 + 0.6 * math.log10(max(total, 1)), 4.0)


def _pie(x: float, y: float, r: float, counts: dict[str, int], colours: dict[str, str]) -> list[str]:
    total = sum(counts.values())
    parts = [(s, n) for s, n in counts.items() if n > 0]
    if len(parts) == 1:
        return [f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r:.2f}" fill="{colours.get(parts[0][0], "#777")}"/>']
    out, angle = [], -math.pi / 2
    for status, n in parts:
        sweep = 2 * math.pi * n / total
        x1, y1 = x + r * math.cos(angle), y + r * math.sin(angle)
        x2, y2 = x + r * math.cos(angle + sweep), y + r * math.sin(angle + sweep)
        large = 1 if sweep > math.pi else 0
        out.append(f'<path d="M{x:.2f} {y:.2f} L{x1:.2f} {y1:.2f} A{r:.2f} {r:.2f} 0 {large} 1 {x2:.2f} {y2:.2f}Z" '
                   f'fill="{colours.get(status, "#777")}"/>')
        angle += sweep
    return out


def compact_count(n: int) -> str:
    """`987`, `1.2k`, `15k`: fits inside a cluster."""
    if n < 1000:
        return str(n)
    if n < 10000:
        return f"{n / 1000:.1f}k".replace(".0k", "k")
    return f"{round(n / 1000)}k"


def _clusters(clusters: Iterable[Cluster], project: Projection, colours: dict[str, str]) -> list[str]:
    out = []
    for cluster in sorted(clusters, key=lambda c: c.total):
        x, y = project(cluster.lon, cluster.lat)
        r = cluster_radius(cluster.total)
        out += _pie(x, y, r, cluster.counts, colours)
        out.append(f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{r:.2f}" fill="none" stroke="#ffffff" stroke-width="0.3"/>')
        inner = r * 0.58
        label = compact_count(cluster.total)
        out.append(f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{inner:.2f}" fill="#ffffff"/>')
        size = min(inner * 1.1, 2 * inner * 0.95 / max(text_width(label, 1.0), 0.5))
        out.append(_digits(x, y + size * 0.36, label, size))
    return out


def _funds(funds: Iterable[tuple[float, float]], project: Projection) -> list[str]:
    out = []
    for lon, lat in funds:
        x, y = project(lon, lat)
        out.append(marker("diamond", x, y, 1.3, FUND_COLOUR, stroke="#ffffff", stroke_width=0.2))
    return out


def render_map(content: MapContent, width: float, height: float, *, legend_inside: bool = True) -> str:
    """The whole map, `width` x `height` millimetres: one SVG of shapes, and its words laid over it as HTML;
    the legend in the emptiest corner (or left out: `legend_html` gives it for a place beside the map)."""
    project = Projection(content.bounds, width, height)
    by_kind = {k: [a for a in content.areas if a.kind == k] for k in STYLE}
    polygons: list[str] = []
    for kind in ("context", "focus", "province", "choropleth", "subdistrict", "district", "pilot", "parcel",
                 "footprint"):
        polygons += (_merged_areas if kind == "parcel" else _areas)(by_kind.get(kind, []), project)
    if by_kind["choropleth"]:  # the provinces' outlines again, over the coloured areas
        polygons += _areas(by_kind["province"], project, "outline")
    shapes = [*polygons, *_small_area_markers(by_kind["pilot"], project), *_funds(content.funds, project),
              *_clusters(content.clusters, project, content.colours),
              *_case_points(content.cases, project, content.colours)]
    corner = emptiest_corner(content, project, width, height, legend_size(content.legend, content.texts.legend)) \
        if content.legend and legend_inside else "bl"
    bar, bar_words = scale_bar(project, width, height, content.texts, left=corner == "br")
    arrow, arrow_words = north_arrow(width, content.texts.north, left=corner == "tr")
    words = [*_labels([a for a in content.areas if a.kind in ("province", "focus", "district", "subdistrict")],
                      project, 2.5),
             *_labels(by_kind["pilot"], project, 2.4), *_point_labels(content.cases, project, width),
             *bar_words, *arrow_words]
    if legend_inside:
        words.append(legend_html(content.legend, content.texts.legend, corner))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
           f'viewBox="0 0 {width} {height}" style="position:absolute;left:0;top:0">'
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
           f'{"".join(shapes)}{"".join(bar)}{"".join(arrow)}'
           f'<rect x="0.15" y="0.15" width="{width - 0.3:.2f}" height="{height - 0.3:.2f}" fill="none" '
           f'stroke="#455a64" stroke-width="0.3"/></svg>')
    return (f'<div class="print-map" style="position:relative;width:{width}mm;height:{height}mm;overflow:hidden">'
            f'{svg}{"".join(words)}</div>')


def choropleth_fill(value: int, maximum: int) -> str:
    """The ramp colour of `value` on a scale of 0..`maximum` (five classes, 0 the lightest)."""
    if maximum <= 0 or value <= 0:
        return CHOROPLETH_RAMP[0]
    index = 1 + min(int((value - 1) * (len(CHOROPLETH_RAMP) - 1) / maximum), len(CHOROPLETH_RAMP) - 2)
    return CHOROPLETH_RAMP[index]
