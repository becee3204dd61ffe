"""Prints of one record: a pilot subdistrict's site brief and a land case's dossier.

Each carries what its reader may see on the record's page, no more: a case's contacts only
with `case.contacts`, its documents (names only) only with `documents.read`, and a deleted
case only for the roles that see deleted cases on screen (`case.restore`); anything else is a 404.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app import documents
from app.auth.permissions import allowed
from app.extensions import db
from app.i18n import buddhist_date
from app.land_cases import service as cases
from app.land_cases.forms import KIND_LABELS
from app.maps.queries import CaseFilter
from app.models import District, Province, Region, Subdistrict
from app.pilot_areas.api_routes import pilot_feature
from app.prints import land, queries
from app.prints.service import THAILAND, MapFrame, layer_entry, map_texts, today
from gis import print_map
from gis.fields import CASE_FIELDS, CASE_STATUSES, STATUS_COLOURS, label
from gis.print_map import LegendEntry, MapContent

BRIEF_MAP = MapFrame(150.0, 150.0, True)     # A4 landscape: the map on the left, the figures beside it
DOSSIER_MAP = MapFrame(120.0, 95.0, True)
BRIEF_CASES = 500


def _legend(statuses: dict[str, int], lang: str) -> list[LegendEntry]:
    return [LegendEntry(label(CASE_STATUSES, s, lang), STATUS_COLOURS[s], n) for s, n in statuses.items() if n]


def pilot_brief(pilot_id: int, lang: str) -> dict[str, Any]:
    """A pilot's site brief: its map (cases and funds), the figures of its page, targets, reviews."""
    feature = pilot_feature(pilot_id)   # 404 when missing
    p = feature["properties"]
    code = p["subdistrict_code"]
    bounds = queries.extent_of(Subdistrict, code) or THAILAND
    frame = BRIEF_MAP
    tolerance = print_map.degrees_per_mm(bounds, frame.width, frame.height) * 0.25
    view = print_map.padded(bounds, 0.15)
    areas = [*queries.district_areas(None, codes=[p["district_code"]] if p.get("district_code") else [],
                                     tolerance=tolerance, lang=lang, labels=False, kind="focus"),
             *queries.subdistrict_areas(queries.subdistricts_around(view, but=code), tolerance=tolerance,
                                        lang=lang, kind="subdistrict", labels=True),
             *queries.pilot_areas(None, ids=[pilot_id], tolerance=tolerance, lang=lang, labels=False)]
    legend = _legend({s: p["cases_by_status"].get(s, 0) for s in CASE_STATUSES}, lang)
    legend += [layer_entry("pilot-areas", lang), layer_entry("funds", lang)]
    _add_land(areas, legend, view, tolerance, lang)
    content = MapContent(bounds=bounds, areas=areas, colours=STATUS_COLOURS, texts=map_texts(), legend=legend,
                         cases=queries.subdistrict_points(code, print_map.MAX_MAP_POINTS),
                         funds=queries.fund_points(None, subdistrict=code))
    rows = queries.case_rows(CaseFilter(), lang, BRIEF_CASES, subdistrict=code)
    return {"p": p, "reviews": p.get("reviews", []), "svg": print_map.render_map(content, frame.width, frame.height),
            "frame": frame, "rows": rows, "more_rows": max(int(p["case_count"]) - len(rows), 0),
            "funds": queries.funds_in(code), "printed_on": buddhist_date(today(), lang),
            "statuses": [{"status": s, "label": label(CASE_STATUSES, s, lang), "colour": STATUS_COLOURS[s],
                          "count": p["cases_by_status"][s]} for s in CASE_STATUSES if p["cases_by_status"].get(s)]}


def _add_land(areas: list[print_map.Area], legend: list[LegendEntry], view: print_map.Bounds, tolerance: float,
              lang: str, *, but: int | None = None) -> None:
    """Reference parcels (every layer) and live footprints in the frame, with their legend entries."""
    parcels, entries, _notes = land.parcel_areas(None, view, tolerance=tolerance, lang=lang)
    footprints = land.footprint_areas(CaseFilter(), view, tolerance=tolerance * 0.5, but=but)
    areas += [*parcels, *footprints]
    legend += entries + ([land.footprint_entry()] if footprints else [])


def _area_names(case: Any, lang: str) -> dict[str, str]:
    names = {}
    for column, model in (("subdistrict_code", Subdistrict), ("district_code", District),
                          ("province_code", Province), ("region_code", Region)):
        code = getattr(case, column)
        record = db.session.get(model, code) if code else None
        if record is not None:
            names[column] = record.name_th if lang == "th" or not record.name_en else record.name_en
    return names


def case_dossier(case_id: int, role: str | None, lang: str) -> dict[str, Any]:
    """A case's dossier: its fields as `role` may see them, location map, status timeline, documents."""
    admin = allowed(role, "case.restore")
    contacts = allowed(role, "case.contacts")
    case = cases.get_case(case_id, include_deleted=admin)   # 404 when missing (or deleted, for others)
    values = cases.case_values(case)
    entries = cases.case_history(case_id, role=role, include_deleted=admin)
    timeline = [e for e in entries if e["field"] == "status" and e["action"] in ("create", "status")]
    shown = [f for f in CASE_FIELDS if (contacts or not f.sensitive)
             and f.name not in ("id", "version", "updated_at", "is_sample")]
    lon, lat = values["lon"], values["lat"]
    bounds = (queries.extent_of(District, case.district_code) if case.district_code else None) \
        or (lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05)
    frame = DOSSIER_MAP
    tolerance = print_map.degrees_per_mm(bounds, frame.width, frame.height) * 0.25
    around = queries.subdistricts_around(print_map.padded(bounds), but=case.subdistrict_code)
    areas = [*queries.district_areas(None, codes=[case.district_code] if case.district_code else [],
                                     tolerance=tolerance, lang=lang, labels=False, kind="focus"),
             *queries.subdistrict_areas(around,
                                        tolerance=tolerance, lang=lang, kind="subdistrict", labels=False),
             *queries.subdistrict_areas(Subdistrict.code == (case.subdistrict_code or ""), tolerance=tolerance,
                                        lang=lang, kind="district", labels=True)]
    legend = [LegendEntry(label(CASE_STATUSES, case.status, lang), STATUS_COLOURS[case.status])]
    # the land under it and the footprints around it (its own too, even when the case is deleted)
    _add_land(areas, legend, print_map.padded(bounds), tolerance, lang, but=case.id)
    if case.footprint is not None:
        from geoalchemy2.shape import to_shape
        from shapely.geometry import mapping

        areas.append(print_map.Area(dict(mapping(to_shape(case.footprint))), "footprint"))
        if land.footprint_entry() not in legend:
            legend.append(land.footprint_entry())
    content = MapContent(bounds=bounds, areas=areas, colours=STATUS_COLOURS, texts=map_texts(),
                         cases=[print_map.CasePoint(lon, lat, case.status, label=case.code, large=True)],
                         legend=legend)
    docs = documents.list_documents(cases.ENTITY, case_id) if allowed(role, "documents.read") else None
    return {"case": case, "values": values, "fields": shown, "timeline": timeline, "documents": docs,
            "area_names": _area_names(case, lang), "contacts": contacts,
            "svg": print_map.render_map(content, frame.width, frame.height), "frame": frame,
            "printed_on": buddhist_date(today(), lang), "kind_labels": KIND_LABELS,
            "status_label": label(CASE_STATUSES, case.status, lang), "colour": STATUS_COLOURS[case.status],
            "note": _("เอกสารนี้มีข้อมูลผู้ติดต่อ: ใช้ภายในเท่านั้น") if contacts else None}
