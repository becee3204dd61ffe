"""The map page and its data, for the signed-in maps and the shared ones alike."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from flask import Response, current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import text

from app import answers, places
from app.api.params import bbox_param, int_param
from app.config import ROOT
from app.errors import BadRequest
from app.extensions import db
from app.maps import queries
from app.maps.state import Scope, ViewState, parse_provinces, parse_statuses, parse_time
from app.web import text_response
from gis import fields
from gis.maps import MapParts, MapSpec, build_map, load_manifest

DEFAULT_LIMIT = 3000     # points per request; a view holding more is sent as grid cells
MAX_LIMIT = 10000
CELL_PIXELS = 60         # grid cell of the aggregated view, in screen pixels
DATA_LAYERS = ("cases", "pilot-areas", "funds", "choropleth")


@cache
def _manifest() -> dict[str, str]:
    return load_manifest(ROOT / "static" / "vendor" / "MANIFEST.json")


def lang() -> str:
    return str(get_locale() or "th")


def _vendor_url(path: str) -> str:
    return url_for("static", filename=f"vendor/{path}")


def texts() -> dict[str, str]:
    """The words the page script shows (Thai source strings, translated by Babel)."""
    return {
        "search": _("ค้นหาชื่อชุมชน…"), "notFound": _("ไม่พบชุมชน"), "cancel": _("ยกเลิก"),
        "status": _("สถานะ"), "households": _("ครัวเรือน"), "population": _("ประชากร"),
        "owner": _("เจ้าของที่ดิน"), "problem": _("ปัญหา"), "location": _("ที่ตั้ง"),
        "areaType": _("เมือง/ชนบท"), "opened": _("รับเรื่องเมื่อ"), "details": _("ดูรายละเอียดกรณี"),
        "cases": _("กรณี"), "zoomIn": _("ซูมเข้าเพื่อดูรายกรณี"), "loading": _("กำลังโหลดข้อมูล…"),
        "failed": _("โหลดข้อมูลไม่สำเร็จ"), "shown": _("แสดง %(shown)s จาก %(total)s กรณี"),
        "cells": _("%(total)s กรณี (รวมเป็นกลุ่มตามพื้นที่ ซูมเข้าเพื่อดูรายกรณี)"),
        "stage": _("ขั้นตอน"), "team": _("ทีมรับผิดชอบ"), "architect": _("สถาปนิก"),
        "caseCount": _("จำนวนกรณี"), "pilot": _("พื้นที่รูปธรรม"), "fund": _("กองทุน"),
        "level": _("ระดับ"), "members": _("สมาชิก"), "capital": _("เงินทุน (บาท)"), "network": _("เครือข่าย"),
        "established": _("ก่อตั้งเมื่อ"), "openCases": _("กรณีที่ยังไม่ยุติ"), "legend": _("คำอธิบายสัญลักษณ์"),
        "layers": _("ชั้นข้อมูลบนแผนที่"), "until": _("ใช้ได้ถึง %(date)s", date="%(date)s"),
        "subdistrict": _("ตำบล"), "district": _("อำเภอ"), "province": _("จังหวัด"),
        "measure": _("วัดระยะทางและพื้นที่ (คลิกจุดบนแผนที่ คลิกปุ่มอีกครั้งเพื่อเลิก)"),
        "measureHint": _("คลิกบนแผนที่เพื่อวางจุดวัด"), "distance": _("ระยะทาง"), "area": _("พื้นที่"),
        "km": _("กม."), "m": _("ม."), "km2": _("ตร.กม."), "ha": _("เฮกตาร์"),
    }


def vocabularies(current: str) -> dict[str, dict[str, str]]:
    def labels(choices: fields.Choices) -> dict[str, str]:
        return {key: fields.label(choices, key, current) for key in choices}

    return {"land_owner_type": labels(fields.LAND_OWNER_TYPES), "problem": labels(fields.PROBLEMS),
            "area_type": labels(fields.AREA_TYPES), "stage": labels(fields.PILOT_STAGES),
            "level": labels(fields.FUND_LEVELS)}


def build_page(scope: Scope, view: ViewState, *, data_url: str, case_url: str | None) -> MapParts:
    """The Folium map of `scope` as the address asks, with the settings its script needs."""
    current = lang()
    view_provinces = view.provinces if view.provinces is not None else scope.provinces
    bounds = queries.extent(view_provinces)
    spec = MapSpec(
        lang=current, statuses=scope.statuses, statuses_shown=view.statuses,
        layers=scope.layers, layers_shown=view.layers, bounds=bounds, center=view.center, zoom=view.zoom,
        base=view.base, texts=texts(), outside_basemaps=bool(current_app.config.get("OUTSIDE_BASEMAPS", True)),
        urls={"data": data_url, "boundaries": url_for("api.boundaries", level="LEVEL").replace("LEVEL", "{level}"),
              **({"case": case_url} if case_url else {})},
        extra={
            "vocab": vocabularies(current), "default_statuses": scope.statuses,
            "default_layers": scope.default_layers,
            "scopeBbox": queries.extent(scope.provinces) if scope.provinces is not None else None,
            "regional": scope.provinces is not None, "region": scope.region_code,
            "province": ",".join(view.provinces) if view.provinces and view.provinces != scope.provinces else "",
            "asOf": view.as_of.isoformat() if view.as_of else "",
            # reference land layers (static/land/map_land.js): shown now, and shown when `layers=` is absent
            "shownReference": view.reference_layers, "defaultReference": list(scope.reference_layers or []),
            "changesUrl": "" if scope.public else url_for("timeline_api.list_changes"),
            "period": ({"from": view.period[0].isoformat(), "to": view.period[1].isoformat()}
                       if view.period else None),
            "months": ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
                       "พ.ย.", "ธ.ค."],
        },
    )
    return build_map(spec, manifest=_manifest(), asset_url=_vendor_url)


def geojson(body: str) -> Response:
    """Send GeoJSON text, gzipped when the client accepts it (case layers can be large)."""
    return text_response(body, "application/geo+json")


def data_response(scope: Scope, args: Mapping[str, str]) -> Response:
    """GeoJSON of one layer of `scope` (`layer=`, default cases), narrowed by the query."""
    layer = args.get("layer") or "cases"
    if layer not in DATA_LAYERS or (layer != "cases" and layer not in scope.layers):
        allowed = ", ".join(["cases", *[x for x in DATA_LAYERS[1:] if x in scope.layers]])
        raise BadRequest(_("ค่า layer ไม่ถูกต้อง (ใช้ได้: %(allowed)s)", allowed=allowed),
                         [{"field": "layer", "message": "unknown value"}])
    provinces = parse_provinces(args, scope)
    as_of, _period = parse_time(args, scope)
    current = lang()
    # These are short scans of many rows: PostgreSQL's JIT would spend ~0.5 s compiling each one.
    db.session.execute(text("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'"))
    if as_of is None:
        return geojson(_layer_text(layer, scope, args, provinces, current, None))
    # a past day's layer is kept while nothing it reads is written (app/answers.py)
    # (everything the layer is made from: the scope whole, a share link's statuses and layers too)
    key = ("map", layer, repr(scope), tuple(sorted(args.items())), current, as_of, bbox_param())
    return geojson(answers.kept(key, lambda: _layer_text(layer, scope, args, provinces, current, as_of),
                                size=sys.getsizeof))


def _layer_text(layer: str, scope: Scope, args: Mapping[str, str], provinces: list[str] | None, current: str,
                as_of: date | None) -> str:
    """The GeoJSON text of one layer (`data_response`)."""
    if layer == "pilot-areas":
        props = queries.PILOT_PUBLIC_PROPS if scope.public else queries.PILOT_MAP_PROPS
        return queries.pilots_geojson(provinces=provinces, props=props, lang=current, tolerance=0.0003, as_of=as_of)
    if layer == "funds":
        props = queries.FUND_PUBLIC_PROPS if scope.public else queries.FUND_MAP_PROPS
        return queries.funds_geojson(provinces=provinces, props=props, lang=current, limit=MAX_LIMIT)
    statuses = parse_statuses(args, scope)
    if layer == "choropleth":
        level = args.get("level") or ("districts" if provinces is not None else "provinces")
        if level not in ("provinces", "districts"):
            raise BadRequest(_("ค่า level ต้องเป็น provinces หรือ districts"),
                             [{"field": "level", "message": "unknown value"}])
        return queries.choropleth_geojson(level=level, provinces=provinces, statuses=statuses, lang=current,
                                          tolerance=0.01 if level == "provinces" else 0.003, as_of=as_of)
    return _cases(scope, args, provinces, statuses, current, as_of)


def _cases(scope: Scope, args: Mapping[str, str], provinces: list[str] | None, statuses: list[str],
           current: str, as_of: date | None = None) -> str:
    q = (args.get("q") or "").strip()[:100] or None
    case_filter = queries.CaseFilter(bbox=bbox_param(), statuses=statuses, provinces=provinces, q=q, as_of=as_of)
    limit = int_param("limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    zoom = int_param("zoom", -1, minimum=0, maximum=22) if args.get("zoom") else None
    props = queries.CASE_PUBLIC_PROPS if scope.public else queries.CASE_MAP_PROPS
    matched = queries.count_cases(case_filter, cap=limit + 1)
    if zoom is not None and q is None and matched > limit:
        cell = 360.0 / 256 / 2 ** zoom * CELL_PIXELS
        return queries.case_cells_geojson(case_filter, cell=cell)
    return queries.cases_geojson(case_filter, props=props, lang=current, limit=limit, public=scope.public,
                                 matched=matched if matched <= limit else None)


def region_choices(current: str) -> list[dict[str, Any]]:
    """Regions and zones for the page's region menu."""
    regions = places.regions()
    out = []
    for region in regions:
        if region.kind == "zone":
            continue
        out.append({"code": region.code, "name": region.name_th if current == "th" else region.name_en})
        for zone in regions:
            if zone.parent_code == region.code:
                out.append({"code": zone.code, "zone": True,
                            "name": zone.name_th if current == "th" else zone.name_en})
    return out
