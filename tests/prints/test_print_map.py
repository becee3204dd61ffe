"""gis.print_map: the SVG map for paper (pure: no Flask, no database)."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from gis import print_furniture, print_map
from gis.print_map import Area, CasePoint, Cluster, LegendEntry, MapContent, MapTexts

SQUARE = {"type": "Polygon", "coordinates": [[[100, 13], [101, 13], [101, 14], [100, 14], [100, 13]]]}
COLOURS = {"reported": "#6c757d", "secured": "#28a745"}


@pytest.mark.parametrize(("metres", "nice"), [(1, 1), (7, 5), (12, 10), (190, 100), (260, 200), (99_000, 50_000),
                                              (123_456, 100_000)])
def test_nice_length(metres, nice):
    assert print_furniture.nice_length(metres) == nice


def test_projection_keeps_east_west_and_north_south_distances_equal_at_the_centre():
    project = print_map.Projection((100, 13, 101, 14), 200, 200, margin=0)
    (x0, y0), (x1, _), (_, y1) = project(100.5, 13.5), project(100.6, 13.5), project(100.5, 13.6)
    assert (x1 - x0) / (y0 - y1) == pytest.approx(math.cos(math.radians(13.5)), rel=0.01)
    # north is up, and the bounds fit the frame
    assert y1 < y0
    for lon, lat in ((100, 13), (101, 14)):
        x, y = project(lon, lat)
        assert 0 <= x <= 200 and 0 <= y <= 200


def test_geometry_path_of_polygons_and_multipolygons():
    project = print_map.Projection((100, 13, 101, 14), 100, 100)
    path = print_map.geometry_path(SQUARE, project)
    assert path.startswith("M") and path.endswith("Z") and path.count("L") == 3
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], SQUARE["coordinates"]]}
    assert print_map.geometry_path(multi, project).count("M") == 2
    assert print_map.geometry_path({"type": "Point", "coordinates": [100, 13]}, project) == ""


def _svg(html: str) -> ET.Element:
    svg = re.search(r"<svg .*?</svg>(?=<div|$)", html, re.S).group(0)
    return ET.fromstring(svg)


def test_render_map_draws_layers_legend_scale_and_north():
    content = MapContent(
        bounds=(100, 13, 101, 14), colours=COLOURS, texts=MapTexts(km="กม.", legend="คำอธิบายสัญลักษณ์"),
        areas=[Area(SQUARE, "province", label="กรุงเทพ<มหานคร>", label_at=(100.5, 13.5)),
               Area(SQUARE, "pilot", label_at=(100.5, 13.5))],
        cases=[CasePoint(100.2, 13.2, "reported"), CasePoint(100.3, 13.3, "secured")],
        funds=[(100.4, 13.4)],
        legend=[LegendEntry("รับเรื่อง", COLOURS["reported"], 1), LegendEntry("มั่นคงแล้ว", COLOURS["secured"], 1)])
    html = print_map.render_map(content, 180, 120)
    root = _svg(html)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}circle")) == 2
    assert root.get("width") == "180mm" and root.get("height") == "120mm"
    assert {c.get("fill") for c in root.findall(f"{ns}circle")} == set(COLOURS.values())
    assert root.findall(f"{ns}text") == []           # words are HTML, never SVG text
    assert "กรุงเทพ&lt;มหานคร&gt;" in html and "<มหานคร>" not in html
    assert "คำอธิบายสัญลักษณ์" in html and "รับเรื่อง" in html and ">N<" in html
    assert re.search(r">\d+ กม\.<", html)          # scale bar


def test_clusters_are_pies_with_their_total():
    content = MapContent(bounds=(100, 13, 101, 14), colours=COLOURS,
                         clusters=[Cluster(100.5, 13.5, {"reported": 1200, "secured": 300})])
    html = print_map.render_map(content, 100, 100)
    root = _svg(html)
    ns = "{http://www.w3.org/2000/svg}"
    slices = [p for p in root.findall(f"{ns}path") if p.get("fill") in COLOURS.values()]
    assert len(slices) == 2
    assert [t.text for t in root.findall(f"{ns}text")] == ["1.5k"]


@pytest.mark.parametrize(("n", "text"), [(7, "7"), (999, "999"), (1000, "1k"), (1540, "1.5k"), (15400, "15k")])
def test_compact_count(n, text):
    assert print_map.compact_count(n) == text


def test_cluster_radius_grows_and_stays_small():
    radii = [print_map.cluster_radius(n) for n in (1, 10, 100, 10_000, 10**7)]
    assert radii == sorted(radii) and radii[-1] <= 4.4


def test_choropleth_classes():
    assert print_map.choropleth_fill(0, 10) == print_furniture.CHOROPLETH_RAMP[0]
    assert print_map.choropleth_fill(1, 10) == print_furniture.CHOROPLETH_RAMP[1]
    assert print_map.choropleth_fill(10, 10) == print_furniture.CHOROPLETH_RAMP[-1]


def test_thai_marks_take_no_width():
    assert print_furniture.text_width("กิ่ง", 1.0) == print_furniture.text_width("กง", 1.0)


def test_the_legend_goes_where_the_map_is_emptiest():
    crowded = [CasePoint(99.965 + i * 0.002, 12.965 + i * 0.002, "reported") for i in range(20)]  # bottom left
    content = MapContent(bounds=(100, 13, 101, 14), colours=COLOURS, cases=crowded,
                         legend=[LegendEntry("รับเรื่อง", COLOURS["reported"], 20)])
    project = print_map.Projection(content.bounds, 100, 100)
    assert print_map.emptiest_corner(content, project, 100, 100, (30, 20)) != "bl"
    html = print_map.render_map(content, 100, 100)
    assert "pm-legend" in html and "left:2.5mm;bottom:2.5mm" not in html
    assert "pm-legend" not in print_map.render_map(content, 100, 100, legend_inside=False)


def test_parcels_take_their_owner_colour_and_lie_under_footprints():
    content = MapContent(bounds=(100, 13, 101, 14), colours=COLOURS,
                         areas=[Area(SQUARE, "footprint"), Area(SQUARE, "parcel", fill="#8b0000"),
                                Area(SQUARE, "parcel", fill="#8b0000"), Area(SQUARE, "parcel", fill="#b8860b")])
    root = _svg(print_map.render_map(content, 180, 120))
    ns = "{http://www.w3.org/2000/svg}"
    paths = [p for p in root.findall(f"{ns}path") if p.get("d", "").startswith("M")]
    parcel = next(p for p in paths if p.get("fill") == "#8b0000")
    assert parcel.get("stroke") == "#8b0000"
    assert [p.get("fill") for p in paths].count("#8b0000") == 1 and parcel.get("d").count("M") == 2  # one path a colour
    assert paths.index(parcel) < paths.index(next(p for p in paths if p.get("fill") == "#d84315"))


def test_one_marker_drawing_for_the_map_and_its_legend():
    fund = print_furniture.marker("diamond", 10, 10, 1.3, "#00838f")
    assert fund.startswith('<path d="M10.00 8.70 L11.30 10.00') and 'fill="#00838f"' in fund
    legend = print_furniture.symbol(LegendEntry("กองทุน", "#00838f", shape="diamond"), 10, 10)
    assert legend == fund
    dot = print_furniture.marker("dot", 5, 5, 1.05, "#777", stroke="#ffffff", stroke_width=0.25)
    assert dot == '<circle cx="5.00" cy="5.00" r="1.05" fill="#777" stroke="#ffffff" stroke-width="0.25"/>'
    square = print_furniture.marker("square", 5, 5, 1.6, "#123456", aspect=0.75)
    assert 'width="3.20"' in square and 'height="2.40"' in square
