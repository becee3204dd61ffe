"""Land pages: reference layers and the summary by overlay owner type (/land), conflicts by region
(/land/conflicts), the case page's section "ที่ดินที่ชุมชนตั้งอยู่" and its footprint upload form."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app import places
from app.auth.permissions import allowed
from app.auth.security import current_role, require
from app.errors import BadRequest, ServiceError
from app.land import layers, map_config, queries
from app.land.views import pages
from app.land_cases import service as case_service
from app.land_cases.validation import RawCase
from gis.fields import LAND_OWNER_TYPES, OWNER_COLOURS, label
from gis.footprints import format_rai, to_geojson

PAGE_SIZE = 100


def _lang() -> str:
    return str(get_locale() or "th")


def owner_label(value: str | None) -> str:
    return label(LAND_OWNER_TYPES, value, _lang()) if value else ""


def _flash_error(exc: ServiceError) -> None:
    details = "; ".join(str(d.get("message")) for d in exc.details if isinstance(d, dict) and d.get("message"))
    flash(exc.message + (f" ({details})" if details and details not in exc.message else ""), "error")


def _regions() -> list[Any]:
    return places.regions()


@pages.app_template_global("land_section")
def land_section(case: Any) -> dict[str, Any]:
    """What the case page's section "ที่ดินที่ชุมชนตั้งอยู่" shows (used by templates/land/_case_land.html)."""
    land = queries.case_land(case.id)
    footprint = None
    if case.footprint is not None:
        from geoalchemy2.shape import to_shape

        footprint = to_geojson(to_shape(case.footprint))
    return {
        "land": land, "area_text": format_rai(land["area_rai"], _lang()), "footprint": footprint,
        "colours": OWNER_COLOURS, "owner_label": owner_label, "format_rai": lambda v: format_rai(v, _lang()),
        "may_edit": allowed(current_role(), "case.write") and case.deleted_at is None,
        "form": FlaskForm(),
    }


@pages.post("/cases/<int:case_id>/footprint")
@require("case.write")
def footprint_upload(case_id: int):
    """Set the footprint from a file holding one polygon (GeoJSON, KML, zipped shapefile, GeoPackage), or remove it."""
    _check_form()
    case = case_service.get_case(case_id)
    back = redirect(url_for("land_cases.case_detail", case_id=case_id) + "#land")
    try:
        if request.form.get("remove"):
            geometry = None
        else:
            polygons = layers.read_file(request.files.get("file"), crs=request.form.get("crs") or None)
            if polygons.count != 1:
                raise BadRequest(_("ไฟล์ขอบเขตชุมชนต้องมีรูปหลายเหลี่ยมเพียงรายการเดียว (พบ %(count)s รายการ)",
                                   count=polygons.count), [{"field": "file", "message": "one polygon"}])
            geometry = to_geojson(polygons.geoms[0])
        case_service.update_case(case_id, RawCase(fields={"footprint": geometry}), current_user, [case.version])
    except ServiceError as exc:
        _flash_error(exc)
        return back
    flash(_("บันทึกขอบเขตชุมชนแล้ว") if geometry else _("ลบขอบเขตชุมชนแล้ว"), "success")
    return back


def _check_form() -> None:
    """The CSRF token of a posted form (400 when it is missing or stale)."""
    if not FlaskForm().validate_on_submit():
        raise BadRequest(_("แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาลองใหม่"), code="csrf_failed")


@pages.get("/")
@pages.get("")
@require("read")
def overview():
    """Reference layers (upload for the land team) and cases and households by overlay owner type."""
    region = request.args.get("region") or None
    rows = queries.by_overlay_owner(region=region)
    totals: dict[str | None, dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(row["owner_type"], {"cases": 0, "households": 0, "conflicts": 0, "area_rai": 0.0})
        for key in total:
            total[key] += row[key] or 0
    return render_template("land/overview.html", layers=layers.list_layers(), rows=rows, totals=totals,
                           region=region, regions=_regions(), owner_types=LAND_OWNER_TYPES, owner_label=owner_label,
                           colours=OWNER_COLOURS, format_rai=lambda v: format_rai(v, _lang()), form=FlaskForm(),
                           may_upload=allowed(current_role(), "reference.write"))


@pages.post("/layers")
@require("reference.write")
def layer_upload():
    """The overview page's upload form (the API's `POST /api/v1/reference-layers`)."""
    _check_form()
    try:
        meta = layers.parse_meta({k: request.form.get(k) for k in ("name", "owner_type", "owner", "source", "date")})
        layer, body = layers.create_layer(request.files.get("file"), meta, current_user,
                                          crs=request.form.get("crs") or None)
    except ServiceError as exc:
        _flash_error(exc)
        return redirect(url_for("land.overview"))
    flash(_("นำเข้าชั้นข้อมูล %(n)s แล้ว: %(p)s แปลง", n=meta.name, p=f"{body['parcels']:,}"), "success")
    return redirect(url_for("land.overview"))


@pages.post("/layers/<int:layer_id>/delete")
@require("reference.write")
def layer_delete(layer_id: int):
    _check_form()
    layers.delete_layer(layer_id, current_user)
    flash(_("ลบชั้นข้อมูลแล้ว"), "success")
    return redirect(url_for("land.overview"))


@pages.get("/conflicts")
@require("read")
def conflicts():
    """Cases whose recorded owner type differs from the layers, or whose footprints overlap, by region."""
    region = request.args.get("region") or None
    kind = request.args.get("kind") or None
    if kind not in (None, "owner", "overlap"):
        raise BadRequest(_("kind ต้องเป็น owner หรือ overlap"), [{"field": "kind", "message": "unknown value"}])
    raw_page = request.args.get("page") or "1"
    if not re.fullmatch(r"[0-9]{1,7}", raw_page):
        raise BadRequest(_("เลขหน้าไม่ถูกต้อง"), [{"field": "page", "message": "not a page number"}])
    page = max(int(raw_page), 1)
    rows, total = queries.conflicts(region=region, kind=kind, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("land/conflicts.html", rows=rows, total=total, page=page, page_size=PAGE_SIZE,
                           region=region, kind=kind, regions=_regions(), owner_label=owner_label,
                           format_rai=lambda v: format_rai(v, _lang()))


@pages.app_template_filter("land_json")
def land_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@pages.app_template_global("land_map_config")
def land_map_config() -> dict[str, Any]:
    """What static/land/map_land.js needs on the signed-in maps (shared maps: `map_config.shared_config`)."""
    return map_config.signed_in_config()
