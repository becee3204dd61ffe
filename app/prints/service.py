"""Map prints: what the map page shows, laid out for A4 or A3 landscape paper.

`map_print(scope, view, ...)` reads the same scope and view as the map page (statuses,
layers, provinces), draws the map with `gis.print_map` and lists the cases shown; more cases
than fit on paper become clusters on the map and a summary per province or district in the
table. A shared link's scope (`scope.public`) prints the public columns only, which are the
same columns as the table: code, community, households, status, land owner type, province.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import text

from app import places
from app.errors import BadRequest, NotFound
from app.extensions import db
from app.filters import region_provinces
from app.i18n import buddhist_date
from app.land.queries import layers_by_id
from app.maps import queries as map_queries
from app.maps.state import Scope, ViewState
from app.models import Region
from app.prints import land, queries
from app.timeline.dates import today
from gis import print_map
from gis.fields import CASE_STATUSES, STATUS_COLOURS, label
from gis.maps import OVERLAY_COLOURS, OVERLAYS
from gis.print_map import Area, LegendEntry, MapContent, MapTexts

PAPER = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}   # landscape, millimetres
MARGIN = 10.0
HEADER_MM = 19.0     # title and the line under it
FOOTER_MM = 9.0      # credits under the map
SIDE_MM = 72.0       # the legend and summary beside the map, when the map leaves room for them
TABLE_LIMIT = 400    # more cases than this are summarised per area instead of listed
THAILAND = (97.3, 5.6, 105.7, 20.5)


def parse_size(raw: str | None) -> str:
    """`size=A4` (default) or `A3`, any letter case; anything else is a 400."""
    size = (raw or "A4").strip().upper()
    if size not in PAPER:
        raise BadRequest(_("ขนาดกระดาษ %(size)s ไม่ถูกต้อง (ใช้ได้: A4, A3)", size=(raw or "")[:20]),
                         [{"field": "size", "message": "unknown value; allowed: A4, A3"}])
    return size


def map_texts() -> MapTexts:
    return MapTexts(km=_("กม."), m=_("ม."), legend=_("คำอธิบายสัญลักษณ์"), cases=_("กรณี"))


@dataclass
class MapFrame:
    """Where the map goes on the first page: its size, and whether the summary panel fits beside it."""

    width: float
    height: float
    side: bool


def frame_for(size: str, bounds: print_map.Bounds, *, header: float = HEADER_MM, footer: float = FOOTER_MM,
              side_min: float = SIDE_MM) -> MapFrame:
    page_w, page_h = PAPER[size]
    width, height = page_w - 2 * MARGIN, page_h - 2 * MARGIN - header - footer
    minlon, minlat, maxlon, maxlat = print_map.padded(bounds)
    k = print_map.Projection(bounds, 100, 100).k
    aspect = (maxlon - minlon) * k / max(maxlat - minlat, 1e-6)
    fitted = height * aspect + 8
    if width - fitted >= side_min:
        return MapFrame(max(fitted, width * 0.45), height, True)
    return MapFrame(width, height, False)


@dataclass
class MapPrint:
    """Everything the map template shows."""

    title: str
    size: str
    svg: str
    frame: MapFrame
    legend: str
    printed_on: str
    as_of: str | None
    counts: list[dict[str, Any]]
    total: int
    households: int
    sample: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    summary: list[dict[str, Any]] = field(default_factory=list)
    summary_level: str | None = None
    clustered: bool = False
    notes: list[str] = field(default_factory=list)
    public: bool = False


def _legend_statuses(statuses: list[str], counts: dict[str, int], lang: str) -> list[LegendEntry]:
    return [LegendEntry(label(CASE_STATUSES, s, lang), STATUS_COLOURS[s], counts.get(s, 0)) for s in statuses]


def layer_entry(layer: str, lang: str) -> LegendEntry:
    shape = {"provinces": "line", "districts": "line", "pilot-areas": "square", "funds": "diamond",
             "choropleth": "ramp"}[layer]
    name = OVERLAYS[layer][0 if lang == "th" else 1]
    colour = print_map.FUND_COLOUR if layer == "funds" else OVERLAY_COLOURS[layer]
    return LegendEntry(name, colour, shape=shape)


def map_content(scope: Scope, view: ViewState, frame: MapFrame, lang: str) -> tuple[MapContent, dict[str, Any]]:
    """The drawing of the view, and the figures the page shows beside it."""
    provinces = view.provinces if view.provinces is not None else scope.provinces
    bounds = map_queries.extent(provinces) or THAILAND
    per_mm = print_map.degrees_per_mm(bounds, frame.width, frame.height)
    tolerance = per_mm * 0.25
    case_filter = map_queries.CaseFilter(statuses=view.statuses, provinces=provinces, as_of=view.as_of)
    counts, households, sample = queries.status_counts(case_filter)
    total = sum(counts.values())
    regional = provinces is not None
    areas: list[Area] = queries.province_areas(provinces, print_map.padded(bounds), tolerance=tolerance, lang=lang,
                                               labels=regional)
    legend = _legend_statuses(view.statuses, counts, lang)
    if "choropleth" in view.layers:
        level = "districts" if regional else "provinces"
        shaded, most = queries.choropleth_areas(level, provinces, view.statuses, tolerance=tolerance, lang=lang,
                                                as_of=view.as_of)
        for area in shaded:
            area.fill = print_map.choropleth_fill(int(area.label or 0), most)
            area.label = None
        areas += shaded
        legend.append(LegendEntry(_("%(name)s (สูงสุด %(n)s)", name=OVERLAYS["choropleth"][0 if lang == "th" else 1],
                                    n=f"{most:,}"), "#e6550d", shape="ramp"))
    if "districts" in view.layers:
        few = provinces is not None and len(provinces) <= 2
        areas += queries.district_areas(provinces, tolerance=tolerance, lang=lang, labels=few)
    if "pilot-areas" in view.layers:
        areas += queries.pilot_areas(provinces, tolerance=tolerance, lang=lang, labels=False)
    legend += [layer_entry(layer, lang) for layer in ("provinces", "districts", "pilot-areas", "funds")
               if layer in view.layers]
    parcels, entries, land_notes = land.parcel_areas(view.reference_layers, print_map.padded(bounds),
                                                     tolerance=tolerance, lang=lang)
    areas += parcels
    legend += entries
    content = MapContent(bounds=bounds, areas=areas, colours=STATUS_COLOURS, texts=map_texts(), legend=legend)
    if "funds" in view.layers:
        content.funds = queries.fund_points(provinces)
    clustered = total > print_map.MAX_MAP_POINTS
    if clustered:
        k = print_map.Projection(bounds, frame.width, frame.height).k
        cell = per_mm * print_map.CLUSTER_CELL_MM
        content.clusters = queries.case_clusters(case_filter, cell / k, cell)
        content.legend.append(LegendEntry(_("กลุ่มกรณี (ตัวเลข = จำนวนกรณี สีตามสถานะ)"), "#6c757d", shape="pie"))
    else:
        content.cases = queries.case_points(case_filter, print_map.MAX_MAP_POINTS)
        # footprints as on screen: signed-in maps only (a shared link's page draws none)
        footprints = [] if scope.public else land.footprint_areas(case_filter, print_map.padded(bounds),
                                                                   tolerance=tolerance * 0.5)
        if footprints:
            content.areas += footprints
            content.legend.append(land.footprint_entry())
    figures = {"counts": counts, "households": households, "sample": sample, "total": total,
               "clustered": clustered, "filter": case_filter, "provinces": provinces, "notes": land_notes}
    return content, figures


def map_print(scope: Scope, view: ViewState, *, size: str, title: str, lang: str,
              notes: list[str] | None = None) -> MapPrint:
    """The map print of a view (`view.as_of`: as it stood at the end of that day): drawing, legend
    figures, and the table (or summary) of its cases."""
    # short scans of many rows: PostgreSQL's JIT would spend longer compiling than running them
    db.session.execute(text("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'"))
    provinces = view.provinces if view.provinces is not None else scope.provinces
    frame = frame_for(size, map_queries.extent(provinces) or THAILAND)
    content, figures = map_content(scope, view, frame, lang)
    counts: dict[str, int] = figures["counts"]
    households: dict[str, int] = figures["households"]
    result = MapPrint(
        title=title, size=size, frame=frame,
        svg=print_map.render_map(content, frame.width, frame.height, legend_inside=not frame.side),
        legend=print_map.legend_html(content.legend, content.texts.legend, None, 3.4) if frame.side else "",
        printed_on=buddhist_date(today(), lang), as_of=buddhist_date(view.as_of, lang) if view.as_of else None,
        counts=[{"status": s, "label": label(CASE_STATUSES, s, lang), "colour": STATUS_COLOURS[s],
                 "count": counts.get(s, 0), "households": households.get(s, 0)} for s in view.statuses],
        total=figures["total"], households=sum(households.values()), sample=figures["sample"],
        clustered=figures["clustered"], notes=[*(notes or []), *figures["notes"]], public=scope.public)
    if figures["total"] <= TABLE_LIMIT:
        result.rows = queries.case_rows(figures["filter"], lang, TABLE_LIMIT)
    else:
        result.summary_level = "districts" if provinces is not None else "provinces"
        result.summary = queries.summary_rows(figures["filter"], result.summary_level, lang)
    return result


# --- what the PDF routes (and the print job) call --------------------------------------

def region_title(region: Region | None, lang: str) -> str:
    if region is None:
        return _("แผนที่กรณีปัญหาที่ดินทั้งประเทศ")
    return _("แผนที่กรณีปัญหาที่ดิน %(region)s", region=region.name_th if lang == "th" else region.name_en)


def region_scope(region_code: str | None) -> tuple[Scope, Region | None]:
    """The scope of the national map (None) or of one region's or zone's map; an unknown one is a 404."""
    if region_code is None:
        return Scope(), None
    region = places.region(region_code)
    provinces = region_provinces(region.code) if region else []
    if region is None or not provinces:
        raise NotFound(_("ไม่พบภาคหรือเขต %(code)s", code=region_code[:40]))
    return Scope(provinces=provinces, region_code=region.code), region


def view_notes(scope: Scope, view: ViewState, lang: str) -> list[str]:
    """What narrows the view, in words (statuses, provinces, layers)."""
    notes = []
    if view.statuses != scope.statuses:
        shown = ", ".join(label(CASE_STATUSES, s, lang) for s in view.statuses) or _("ไม่มี")
        notes.append(_("แสดงเฉพาะสถานะ: %(list)s", list=shown))
    if view.provinces is not None and view.provinces != scope.provinces:
        names = map_queries.province_names(view.provinces, lang)
        notes.append(_("เฉพาะจังหวัด: %(list)s", list=", ".join(names.values())))
    layers = [OVERLAYS[x][0 if lang == "th" else 1] for x in view.layers]
    layers += [layer.name for layer in layers_by_id(view.reference_layers)] if view.reference_layers else []
    notes.append(_("ชั้นข้อมูล: %(list)s", list=", ".join(layers) if layers else _("ไม่มี")))
    return notes


def map_pdf(scope: Scope, view: ViewState, *, size: str, title: str, name: str, lang: str,
            extra: list[str] | None = None) -> tuple[bytes, str, MapPrint]:
    """The PDF of a map view, its file name and what it shows."""
    from app.prints.render import render_pdf, safe_filename

    doc = map_print(scope, view, size=size, title=title, lang=lang,
                    notes=[*(extra or []), *view_notes(scope, view, lang)])
    body = render_pdf("print/map.html", doc=doc, doc_title=title, size=size, printed_on=doc.printed_on,
                      as_of=doc.as_of, sample=doc.sample > 0, subtitle=_("%(n)s กรณี", n=f"{doc.total:,}"))
    return body, safe_filename("map", name, size, today().isoformat()), doc
