"""HTML pages of land cases: list, case page, create and edit forms, status and document forms."""

from __future__ import annotations

import re
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import documents, places
from app.auth.permissions import allowed
from app.auth.security import current_role, require
from app.errors import BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, ServiceError, ValidationError
from app.filters import LAYERS, Filter, parse_filter, sort_toggle
from app.land_cases import forms, history_view, pages, queries, service
from app.land_cases.validation import RawCase, check_status_body
from app.land_cases.workflow import allowed_next
from app.models import Province, Region
from gis.exchange.formats import EXPORT_FORMATS
from gis.fields import CASE_FIELDS, CASE_STATUSES, STATUS_COLOURS

PAGE_SIZE = 50
LOCATION_NOTES = {
    "no subdistrict polygon holds this point: placed by its district":
        _l("ไม่พบตำบลที่ครอบคลุมจุดนี้ในขอบเขตที่มี (อาจเป็นรหัสตำบลใหม่): ระบุได้ถึงระดับอำเภอ"),
    "no district polygon holds this point: placed by its province":
        _l("ไม่พบอำเภอที่ครอบคลุมจุดนี้: ระบุได้ถึงระดับจังหวัด"),
    "point lies just outside the mapped coastline: placed in the nearest subdistrict":
        _l("จุดอยู่นอกแนวชายฝั่งในแผนที่เล็กน้อย: ใช้ตำบลที่ใกล้ที่สุด"),
}


def _lang() -> str:
    return str(get_locale() or "th")


@pages.app_template_filter("iso_be_date")
def iso_be_date(value: str | None) -> str:
    """`2024-05-01` (text, as history JSON carries it) shown like `be_date`."""
    from app.i18n import buddhist_date

    if not value:
        return ""
    try:
        return buddhist_date(date.fromisoformat(str(value)[:10]), _lang())
    except ValueError:
        return str(value)


def _contacts() -> bool:
    return allowed(current_role(), "case.contacts")


def _names(model, codes: set[str]) -> dict[str, str]:
    return places.names(model, codes, _lang())


# the list's sortable headers: (sort key, label, numeric column, newest/largest first on a first click)
LIST_COLUMNS = [("code", _l("รหัสกรณี"), False, False), ("community_name", _l("ชื่อชุมชน"), False, False),
                ("status", _l("สถานะ"), False, False), ("households", _l("ครัวเรือน"), True, True),
                ("province_code", _l("จังหวัด"), False, False), ("opened_on", _l("รับเรื่อง"), False, True),
                ("updated_at", _l("แก้ไขล่าสุด"), False, True)]
DEFAULT_SORT = "-updated_at"  # recently changed first: what one just did is on page 1


@pages.get("/")
@pages.get("")
@require("read")
def case_list():
    """Cases with filters (status, region, province, q, the filterable fields), sorting and paging."""
    parsed = parse_filter("cases", paging=False, people=True)  # status=a,b and status=a&status=b alike
    f = Filter("cases", values=parsed.values, region=parsed.region, province=parsed.province, q=parsed.q,
               fields=parsed.fields, sort=parsed.sort)
    raw_page = request.args.get("page") or "1"
    if not re.fullmatch(r"[0-9]{1,7}", raw_page):
        raise BadRequest(_("เลขหน้าไม่ถูกต้อง"), [{"field": "page", "message": "not a page number"}])
    page = max(int(raw_page), 1)
    sort = f.sort or DEFAULT_SORT
    order = queries.sort_columns(sort)  # 400 for a key that is not sortable
    stmt = queries.case_select(f)
    total = queries.count(stmt)
    cases = queries.page(stmt, order, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    provinces, regions = places.provinces(), places.regions()
    # only the parsed filters go into the paging and download links: any other key (format,
    # _anchor...) would clash with url_for's own arguments; exports take no sort
    args, unsorted = f.query_lists(), f.but(sort=None).query_lists()
    columns = []
    for key, title, numeric, descending_first in LIST_COLUMNS:
        wanted, current = sort_toggle(sort, key, descending_first=descending_first)
        columns.append({"key": key, "label": str(title), "numeric": numeric, "sort": wanted, "current": current})
    return render_template(
        "land_cases/list.html", cases=cases, total=total, page=page, pages=max((total - 1) // PAGE_SIZE + 1, 1),
        statuses=f.statuses, region=f.region, province=f.province, q=f.q or "", provinces=provinces, regions=regions,
        province_names=_names(Province, {c.province_code for c in cases if c.province_code}),
        args=args, unsorted=unsorted, columns=columns, sort=sort,
        export_formats=[(f.name, f.label) for f in EXPORT_FORMATS.values()], colours=STATUS_COLOURS,
        all_statuses=CASE_STATUSES, filter_fields=LAYERS["cases"].fields,
        field_values={name: request.args.get(name, "") for name, _v in f.fields})


@pages.get("/code/<path:code>")
@require("read")
def case_by_code(code: str):
    """`/cases/code/LC-000123`: the case page of a code (the import's result links its cases so)."""
    case_id = queries.id_by_code(code)
    if case_id is None:
        raise NotFound(_("ไม่พบกรณีรหัส %(c)s", c=code[:64]))
    return redirect(url_for("land_cases.case_detail", case_id=case_id))


@pages.get("/<int:case_id>")
@require("read")
def case_detail(case_id: int):
    """One case: fields, small map, status timeline, history, documents and the forms that act on it."""
    return _render_detail(case_id)


def _render_detail(case_id: int, status_form: forms.StatusForm | None = None, status_errors: list[str] | None = None,
                   status: int = 200):
    """The case page; a refused status change comes back with what the user typed and its messages."""
    admin = allowed(current_role(), "case.restore")
    case = service.get_case(case_id, include_deleted=admin)
    values = service.case_values(case)
    entries = service.case_history(case_id, role=current_role(), include_deleted=admin)
    timeline = history_view.status_timeline(entries, _lang())
    entries = history_view.people_history(entries, _lang())
    from app.models import District, Subdistrict

    area_names = {
        "subdistrict_code": _names(Subdistrict, {case.subdistrict_code} - {None}),
        "district_code": _names(District, {case.district_code} - {None}),
        "province_code": _names(Province, {case.province_code} - {None}),
        "region_code": _names(Region, {case.region_code} - {None}),
    }
    can_docs = allowed(current_role(), "documents.read")
    return render_template(
        "land_cases/detail.html", case=case, values=values, entries=entries, timeline=timeline,
        shown_fields=[f for f in CASE_FIELDS if _contacts() or not f.sensitive], area_names=area_names,
        documents=documents.list_documents(service.ENTITY, case_id) if can_docs else None,
        status_form=status_form or forms.status_form(case.status, _lang()), status_errors=status_errors or [],
        document_form=forms.document_form(_lang()),
        action_form=forms.ActionForm(), next_statuses=allowed_next(case.status), colours=STATUS_COLOURS,
        location_note=str(LOCATION_NOTES.get(case.location_note or "", case.location_note or "")),
        kind_labels=forms.KIND_LABELS), status


def _summary(exc: ServiceError, form: forms.CaseForm) -> list[str]:
    """Messages above the form: a Thai summary for field errors (shown next to each field), else the error."""
    others = forms.apply_errors(form, exc.details)
    head = _("กรุณาแก้ไขช่องที่มีข้อความสีแดง") if isinstance(exc, ValidationError) and exc.details else exc.message
    return [head, *others]


def _render_form(form: forms.CaseForm, case=None, status: int = 200, general: list[str] | None = None,
                 conflict: list[dict[str, str]] | None = None):
    return render_template("land_cases/form.html", form=form, case=case, general=general or [],
                           conflict=conflict, fields_by_name={f.name: f for f in CASE_FIELDS}), status


@pages.route("/new", methods=["GET", "POST"])
@require("case.write")
def case_new():
    """Create a case; a click on the map places it."""
    if request.method == "GET":
        return _render_form(forms.case_form(lang=_lang(), with_sensitive=_contacts()))
    form = forms.case_form(lang=_lang(), with_sensitive=_contacts(), formdata=request.form)
    if not form.validate():
        abort(400)
    try:
        case = service.create_case(RawCase(forms.form_values(form), lenient=True), current_user,
                                   may_set_sensitive=_contacts())
    except ServiceError as exc:
        return _render_form(form, status=exc.status, general=_summary(exc, form))
    flash(_("บันทึกกรณี %(c)s แล้ว", c=case.code), "success")
    return redirect(url_for("land_cases.case_detail", case_id=case.id), 303)


@pages.route("/<int:case_id>/edit", methods=["GET", "POST"])
@require("case.write")
def case_edit(case_id: int):
    """Edit a case; the form carries the version it was read at, so a stale edit is refused."""
    case = service.get_case(case_id)
    if request.method == "GET":
        values = service.case_values(case)
        return _render_form(forms.case_form(lang=_lang(), with_sensitive=_contacts(), values=values), case)
    form = forms.case_form(lang=_lang(), with_sensitive=_contacts(), formdata=request.form)
    if not form.validate():
        abort(400)
    try:
        version = int(form.version.data or "")
    except ValueError:
        version = -1
    try:
        service.update_case(case_id, RawCase(forms.form_values(form), lenient=True), current_user, [version],
                            may_set_sensitive=_contacts())
    except PreconditionFailed:
        # keep what this user typed, show what the other person saved beside it, and carry the
        # new version: saving again puts this user's values on top of the other's
        latest = service.case_values(service.get_case(case_id))
        theirs = forms.case_form(lang=_lang(), with_sensitive=_contacts(), values=latest)
        form.version.data = str(latest["version"])
        message = _("มีผู้อื่นบันทึกกรณีนี้ไปก่อนแล้ว ตารางด้านล่างเทียบสิ่งที่เขาบันทึกกับสิ่งที่คุณกรอก "
                    "ข้อมูลที่คุณกรอกยังอยู่ในฟอร์ม กดบันทึกอีกครั้งเพื่อบันทึกทับฉบับล่าสุด")
        return _render_form(form, case, status=409, general=[message],
                            conflict=forms.conflict_rows(form, theirs))
    except ServiceError as exc:
        return _render_form(form, case, status=exc.status, general=_summary(exc, form))
    flash(_("บันทึกการแก้ไขแล้ว"), "success")
    return redirect(url_for("land_cases.case_detail", case_id=case_id), 303)


def _back(case_id: int):
    return redirect(url_for("land_cases.case_detail", case_id=case_id), 303)


def _flash_error(exc: ServiceError) -> None:
    details = "; ".join(d.get("message", "") for d in exc.details if d.get("message"))
    flash(f"{exc.message}" + (f" ({details})" if details and details not in exc.message else ""), "error")


@pages.post("/<int:case_id>/status")
@require("case.write")
def case_status(case_id: int):
    """The status form: next status, note and effective date. A refusal shows the case page again
    with what the user typed (the note too) and each message beside its field."""
    case = service.get_case(case_id)
    form = forms.status_form(case.status, _lang())
    if not form.validate():
        abort(400)
    try:
        status, note, when = check_status_body(
            {"status": form.status.data, "note": form.note.data or None, "date": form.date.data or None},
            lenient=True)
        service.change_status(case_id, status, current_user, note=note, effective_on=when)
    except (NotFound, Forbidden):
        raise
    except ServiceError as exc:
        return _render_detail(case_id, form, forms.apply_status_errors(form, exc), exc.status)
    flash(_("เปลี่ยนสถานะแล้ว"), "success")
    return _back(case_id)


@pages.post("/<int:case_id>/documents")
@require("documents.write")
def case_document(case_id: int):
    """The upload form."""
    form = forms.DocumentForm()
    if not form.validate():
        abort(400)
    try:
        service.attach_document(case_id, request.files.get("file"), current_user,
                                kind=form.kind.data or None, description=form.description.data or None)
        flash(_("แนบเอกสารแล้ว"), "success")
    except NotFound:
        raise
    except ServiceError as exc:
        _flash_error(exc)
    return _back(case_id)


@pages.post("/<int:case_id>/delete")
@require("case.write")
def case_delete(case_id: int):
    """Soft delete from the case page."""
    if not forms.ActionForm().validate():
        abort(400)
    service.delete_case(case_id, current_user)
    flash(_("ลบกรณีแล้ว (ผู้ดูแลระบบกู้คืนได้)"), "success")
    return redirect(url_for("land_cases.case_list"), 303)


@pages.post("/<int:case_id>/restore")
@require("case.restore")
def case_restore(case_id: int):
    """Admin restore from the case page."""
    if not forms.ActionForm().validate():
        abort(400)
    try:
        service.restore_case(case_id, current_user)
        flash(_("กู้คืนกรณีแล้ว"), "success")
    except Conflict as exc:
        _flash_error(exc)
    return _back(case_id)
