"""HTML pages of the pilot subdistricts: list, one pilot (map, counts, reviews), forms."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import documents, history, places
from app.auth.permissions import allowed
from app.auth.security import current_role, require
from app.errors import Conflict, ServiceError, ValidationError
from app.land_cases.history_view import people_history
from app.pilot_areas import pages
from app.pilot_areas.api_routes import pilot_feature
from app.pilot_areas.service import (
    EDITABLE,
    ENTITY,
    add_pilot,
    attach_document,
    cases_inside,
    delete_pilot,
    edit_pilot,
    get_pilot,
    pilot_count,
    pilot_filter,
    pilot_rows,
    review_pilot,
)
from gis.fields import CASE_STATUSES, PILOT_AREA_FIELDS, PILOT_STAGES


@pages.app_template_filter("be_iso")
def be_iso(value: str | None) -> str:
    """An ISO date or timestamp string shown as a Buddhist-Era date in the page language."""
    from datetime import date

    from flask_babel import get_locale

    from app.i18n import buddhist_date

    if not value:
        return ""
    try:
        parsed = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return buddhist_date(parsed, str(get_locale() or "th"))


def _lang() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "th")


def action_label(action: str) -> str:
    """A pilot area's history action in people's words."""
    return {"create": _("เพิ่มพื้นที่รูปธรรม"), "update": _("แก้ไขข้อมูล"), "delete": _("นำออกจากรายการ"),
            "restore": _("นำกลับเข้ารายการ"), "review": _("ความเห็นสถาปนิก"),
            "document": _("เพิ่มเอกสาร")}.get(action, action)


@pages.context_processor
def _page_context() -> dict[str, Any]:
    return programme_context()


def programme_context() -> dict[str, Any]:
    """Names the pilot, fund and dashboard pages show: regions and status labels."""
    from flask_babel import get_locale

    lang = str(get_locale() or "th")
    return {"region_names": places.region_names(),
            "status_labels": {k: v[0 if lang == "th" else 1] for k, v in CASE_STATUSES.items()}}


def _form_values(names: tuple[str, ...]) -> dict[str, Any]:
    return {n: request.form.get(n, "") for n in names if n in request.form}


def _errors(exc: ValidationError) -> dict[str, str]:
    return {d.get("field", ""): d.get("message", "") for d in exc.details}


@pages.get("")
@require("read")
def pilot_list():
    """All pilot areas with what lies inside each (filters `region=`, `stage=`)."""
    region = request.args.get("region") or None
    stage = request.args.get("stage") or None
    regions = places.regions()
    filters = pilot_filter(region=region if region in {r.code for r in regions} else None,
                           values=(stage,) if stage in PILOT_STAGES else ())
    rows = pilot_rows(filters)
    totals = {k: sum(r[k] for r in rows) for k in ("case_count", "households", "fund_count")}
    return render_template("pilot_areas/list.html", rows=rows, regions=regions, region=filters.region,
                           stage=stage if filters.stages else None, totals=totals, form={}, errors={},
                           pilot_total=pilot_count())


@pages.post("")
@require("pilot.manage")
def pilot_create():
    """Create a pilot from the list page's form (subdistrict code, team, architect)."""
    values = _form_values(("subdistrict_code", "team", "architect", "stage"))
    try:
        pilot = add_pilot({k: v for k, v in values.items() if v != ""}, current_user, lenient=True)
    except (ValidationError, Conflict) as exc:
        rows = pilot_rows()
        totals = {k: sum(r[k] for r in rows) for k in ("case_count", "households", "fund_count")}
        errors = _errors(exc) if isinstance(exc, ValidationError) else {"subdistrict_code": exc.message}
        flash(exc.message, "error")
        return render_template("pilot_areas/list.html", rows=rows, regions=places.regions(), region=None, stage=None,
                               totals=totals, form=values, errors=errors, pilot_total=len(rows)), exc.status
    flash(_("เพิ่มพื้นที่รูปธรรมแล้ว"), "success")
    return redirect(url_for("pilot_areas.pilot_page", pilot_id=pilot.id))


def _render_page(pilot_id: int, *, review_form: dict | None = None, review_errors: dict | None = None,
                 status: int = 200):
    feature = pilot_feature(pilot_id)
    props = feature["properties"]
    can_docs = current_user.is_authenticated and allowed(current_user.role, "documents.read")
    docs = documents.list_documents(ENTITY, pilot_id) if can_docs else []
    return render_template(
        "pilot_areas/detail.html", feature=feature, p=props, reviews=props["reviews"],
        cases=cases_inside(props["subdistrict_code"]), documents=docs,
        history=people_history(history.history_for(ENTITY, pilot_id, role=current_role()), _lang(),
                               fields=PILOT_AREA_FIELDS, actions=action_label), review_form=review_form or {},
        review_errors=review_errors or {}), status


@pages.get("/<int:pilot_id>")
@require("read")
def pilot_page(pilot_id: int):
    """One pilot: polygon map, cases inside by status, funds, reviews, documents, history."""
    return _render_page(pilot_id)


@pages.post("/<int:pilot_id>/reviews")
@require("pilot.review")
def pilot_review(pilot_id: int):
    """Post an architect's review from the pilot page."""
    get_pilot(pilot_id)
    form = {"verdict": request.form.get("verdict", ""), "comment": request.form.get("comment", "")}
    try:
        review_pilot(pilot_id, form, current_user)
    except ValidationError as exc:
        return _render_page(pilot_id, review_form=form, review_errors=_errors(exc), status=422)
    flash(_("บันทึกความเห็นแล้ว"), "success")
    return redirect(url_for("pilot_areas.pilot_page", pilot_id=pilot_id) + "#reviews")


@pages.post("/<int:pilot_id>/delete")
@require("pilot.manage")
def pilot_delete(pilot_id: int):
    """Remove a pilot area from the programme (a soft delete; its history stays)."""
    reason = (request.form.get("reason") or "").strip()[:500] or None
    pilot = delete_pilot(pilot_id, current_user, reason)
    name = pilot.name_th or pilot.subdistrict_code
    flash(_("นำ %(name)s ออกจากพื้นที่รูปธรรมแล้ว (เพิ่มรหัสตำบลเดิมอีกครั้งเพื่อนำกลับมา)", name=name), "success")
    return redirect(url_for("pilot_areas.pilot_list"), 303)


@pages.post("/<int:pilot_id>/documents")
@require("pilot.write")
def pilot_document(pilot_id: int):
    """Attach a plan document from the pilot page."""
    get_pilot(pilot_id)
    try:
        attach_document(pilot_id, request.files.get("file"), current_user, kind=request.form.get("kind") or None,
                        description=request.form.get("description") or None)
        flash(_("แนบเอกสารแล้ว"), "success")
    except ServiceError as exc:
        flash(exc.message, "error")
    return redirect(url_for("pilot_areas.pilot_page", pilot_id=pilot_id) + "#documents")


@pages.route("/<int:pilot_id>/edit", methods=["GET", "POST"])
@require("pilot.write")
def pilot_edit(pilot_id: int):
    """Edit team, architect, stage, targets and notes (stale edits are refused, not merged)."""
    pilot = get_pilot(pilot_id)
    if request.method == "GET":
        form = {n: getattr(pilot, n) or "" for n in EDITABLE}
        return render_template("pilot_areas/form.html", pilot=pilot, form=form, errors={}, version=pilot.version)
    form = _form_values(EDITABLE)
    version = request.form.get("version", "")
    try:
        edit_pilot(pilot_id, form, current_user, if_match=version, lenient=True)
    except ServiceError as exc:
        errors = _errors(exc) if isinstance(exc, ValidationError) else {}
        flash(exc.message, "error")
        return render_template("pilot_areas/form.html", pilot=get_pilot(pilot_id), form=form, errors=errors,
                               version=version), exc.status
    flash(_("บันทึกการแก้ไขแล้ว"), "success")
    return redirect(url_for("pilot_areas.pilot_page", pilot_id=pilot_id))
