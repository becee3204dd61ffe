"""Map furniture for paper maps: legend, scale bar, north arrow, and the words laid over the map.

Part of `gis.print_map` (pure: no Flask). Words are HTML placed in millimetres over the SVG;
see that module for why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gis.print_map import LegendEntry, MapContent, MapTexts, Projection

LEGEND_TEXT_MM = 2.8
CHOROPLETH_RAMP = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603")


def nice_length(metres: float) -> float:
    """The largest 1, 2 or 5 x 10^n metres not above `metres`."""
    if metres <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(metres))
    for step in (5, 2, 1):
        if step * power <= metres:
            return step * power
    return power


def fmt_number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else str(int(value))


def text_width(text: str, size: float) -> float:
    """An estimate of a label's width (Thai marks above and below a letter take no width)."""
    spacing = sum(0 if (0x0E31 == ord(c) or 0x0E34 <= ord(c) <= 0x0E3A or 0x0E47 <= ord(c) <= 0x0E4E)
                  else 0.55 for c in text)
    return spacing * size


def label_html(x: float, y: float, text: str, size: float, *, anchor: str = "middle", colour: str = "#222",
                weight: str = "normal") -> str:
    """A word placed at (x, y) mm on the map, centred on its middle (or starting there)."""
    box = {"middle": f"left:{x - 30:.2f}mm;width:60mm;text-align:center",
           "end": f"left:{x - 60:.2f}mm;width:60mm;text-align:right"}.get(anchor, f"left:{x:.2f}mm")
    bold = ";font-weight:bold" if weight != "normal" else ""
    return (f'<div class="pm-label" style="position:absolute;{box};top:{y - size * 0.55:.2f}mm;'
            f'font-size:{size:.2f}mm;line-height:1.1;color:{colour};white-space:nowrap{bold}">{escape(text)}</div>')


def marker(shape: str, x: float, y: float, half: float, fill: str, *, stroke: str = "none", stroke_width: float = 0.0,
           fill_opacity: float = 1.0, aspect: float = 1.0) -> str:
    """One point symbol centred on (x, y), `half` mm from its centre to its edge: `dot`, `diamond`
    or `square` (`aspect` = height / width); the one drawing of each for the map and its legend alike."""
    paint = f'fill="{fill}"' + (f' fill-opacity="{fill_opacity}"' if fill_opacity != 1.0 else "")
    if stroke != "none":
        paint += f' stroke="{stroke}" stroke-width="{fmt_number(stroke_width)}"'
    if shape == "diamond":
        return (f'<path d="M{x:.2f} {y - half:.2f} L{x + half:.2f} {y:.2f} L{x:.2f} {y + half:.2f} '
                f'L{x - half:.2f} {y:.2f}Z" {paint}/>')
    if shape == "square":
        return (f'<rect x="{x - half:.2f}" y="{y - half * aspect:.2f}" width="{2 * half:.2f}" '
                f'height="{2 * half * aspect:.2f}" {paint}/>')
    return f'<circle cx="{x:.2f}" cy="{y:.2f}" r="{fmt_number(half)}" {paint}/>'


def symbol(entry: LegendEntry, x: float = 2.2, y: float = 1.6) -> str:
    if entry.shape == "square":
        return marker("square", x, y, 1.6, entry.colour, stroke=entry.colour, stroke_width=0.3, fill_opacity=0.35,
                      aspect=0.75)
    if entry.shape == "line":
        return f'<line x1="{x - 1.8:.2f}" y1="{y:.2f}" x2="{x + 1.8:.2f}" y2="{y:.2f}" stroke="{entry.colour}" ' \
               f'stroke-width="0.4"/>'
    if entry.shape == "diamond":
        return marker("diamond", x, y, 1.3, entry.colour)
    if entry.shape == "pie":
        return (f'<circle cx="{x:.2f}" cy="{y:.2f}" r="1.5" fill="{entry.colour}"/>'
                f'<circle cx="{x:.2f}" cy="{y:.2f}" r="0.85" fill="#ffffff"/>')
    if entry.shape == "ramp":
        step = 3.6 / len(CHOROPLETH_RAMP)
        return "".join(f'<rect x="{x - 1.8 + i * step:.2f}" y="{y - 1.2:.2f}" width="{step:.2f}" height="2.4" '
                       f'fill="{c}"/>' for i, c in enumerate(CHOROPLETH_RAMP))
    return marker("dot", x, y, 1.2, entry.colour, stroke="#fff", stroke_width=0.2)


def legend_size(entries: Sequence[LegendEntry], title: str) -> tuple[float, float]:
    """An estimate of the legend box's width and height in mm."""
    texts = [e.label + (f"  {e.count:,}" if e.count is not None else "") for e in entries]
    width = max([text_width(title, LEGEND_TEXT_MM)] + [text_width(t, LEGEND_TEXT_MM) + 5.6 for t in texts]) + 4.5
    return width, LEGEND_TEXT_MM * 1.3 * (len(entries) + 1) + 3.6


def coordinates(geometry: dict[str, Any]) -> Iterable[Sequence[float]]:
    coordinates = geometry.get("coordinates") or []
    polygons = [coordinates] if geometry.get("type") == "Polygon" else coordinates
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def emptiest_corner(content: MapContent, project: Projection, width: float, height: float,
                    box: tuple[float, float]) -> str:
    """The corner (`bl`, `br`, `tl`, `tr`) where a box of `box` mm covers the least of the map."""
    w, h = box
    spots = [project(c.lon, c.lat) for c in content.cases] + [project(*f) for f in content.funds]
    spots += [project(c.lon, c.lat) for c in content.clusters for _ in range(4)]  # a cluster is large
    spots += [project(*xy[:2]) for a in content.areas if a.kind not in ("context",) for xy in coordinates(a.geometry)]
    corners = {"bl": (0, height - h, w, height), "br": (width - w, height - h, width, height),
               "tl": (0, 0, w, h), "tr": (width - w, 0, width, h)}

    def covered(name: str) -> int:
        x0, y0, x1, y1 = corners[name]
        return sum(1 for x, y in spots if x0 <= x <= x1 and y0 <= y <= y1)

    return min(corners, key=lambda name: (covered(name), list(corners).index(name)))


def legend_html(entries: Sequence[LegendEntry], title: str, corner: str | None = "bl",
                size: float = LEGEND_TEXT_MM) -> str:
    """The legend box in a corner of the map (or, `corner` None, a box to place beside it):
    a symbol, a name and a count per row."""
    if not entries:
        return ""
    place = {"bl": "position:absolute;left:2.5mm;bottom:2.5mm", "br": "position:absolute;right:2.5mm;bottom:2.5mm",
             "tl": "position:absolute;left:2.5mm;top:2.5mm", "tr": "position:absolute;right:2.5mm;top:2.5mm",
             None: "display:inline-block"}[corner]
    rows = []
    for entry in entries:
        count = f' <span class="pm-count">{entry.count:,}</span>' if entry.count is not None else ""
        rows.append('<div class="pm-legend-row" style="white-space:nowrap">'
                    '<svg xmlns="http://www.w3.org/2000/svg" width="4.4mm" height="3.2mm" viewBox="0 0 4.4 3.2" '
                    f'style="vertical-align:-0.5mm;margin-right:1.2mm">{symbol(entry)}</svg>'
                    f'{escape(entry.label)}{count}</div>')
    return (f'<div class="pm-legend" style="{place};background:#ffffff;'
            f'border:0.2mm solid #9e9e9e;padding:1.2mm 2mm;font-size:{size}mm;line-height:1.3">'
            f'<div style="font-weight:bold;margin-bottom:0.6mm">{escape(title)}</div>{"".join(rows)}</div>')


def scale_bar(project: Projection, width: float, height: float, texts: MapTexts,
               left: bool = False) -> tuple[list[str], list[str]]:
    metres = nice_length(project.metres_per_mm * width / 5)
    length = metres / project.metres_per_mm
    label = f"{fmt_number(metres / 1000)} {texts.km}" if metres >= 1000 else f"{fmt_number(metres)} {texts.m}"
    x1, y = (6.0 if left else width - 8 - length), height - 5
    half = length / 2
    shapes = [f'<rect x="{x1 - 3:.2f}" y="{y - 5.5:.2f}" width="{length + 9:.2f}" height="8" fill="#ffffff" '
              f'fill-opacity="0.85"/>',
              f'<rect x="{x1:.2f}" y="{y:.2f}" width="{half:.2f}" height="1.2" fill="#222"/>',
              f'<rect x="{x1 + half:.2f}" y="{y:.2f}" width="{half:.2f}" height="1.2" fill="#ffffff" '
              f'stroke="#222" stroke-width="0.2"/>']
    words = [label_html(x1, y - 2.2, "0", 2.6), label_html(x1 + length, y - 2.2, label, 2.6)]
    return shapes, words


def north_arrow(width: float, north: str, left: bool = False) -> tuple[list[str], list[str]]:
    x, y = (9.0 if left else width - 9), 5.0
    return ([f'<path d="M{x} {y} L{x + 3} {y + 9} L{x} {y + 7} L{x - 3} {y + 9}Z" fill="#222"/>'],
            [label_html(x, y + 12, north, 3.6, weight="bold")])
