"""HTML forms of land cases (Flask-WTF for CSRF and rendering only).

The forms carry no validators of their own: what they post goes through the
same `validation.validate` as the API, and its messages are placed next to the
fields (`apply_errors`).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from app import documents
from app.land_cases.validation import EDITABLE
from gis.fields import CASE_STATUSES, Field, label

LOCATION_FIELDS = {"lon", "lat", "location", "geometry"}


def _widget(f: Field) -> Any:
    if f.kind == "bool":
        return BooleanField(f.label_th)
    if f.kind == "enum":
        return SelectField(f.label_th, choices=[], validate_choice=False)
    if f.name == "notes":
        return TextAreaField(f.label_th, render_kw={"rows": 4})
    render = {"maxlength": f.max_length} if f.max_length else {}
    if f.kind == "int":
        render = {"inputmode": "numeric"}
    if f.kind == "date":
        render = {"placeholder": _l("วว/ดด/ปปปป (พ.ศ.) หรือ YYYY-MM-DD")}
    if f.name == "code":
        render = {**render, "placeholder": _l("เว้นว่างให้ระบบออกรหัส (LC-000123)")}
    return StringField(f.label_th, render_kw=render)


class CaseForm(FlaskForm):
    """Every editable case field, plus the point and the version being edited."""

    lon = StringField("ลองจิจูด", render_kw={"inputmode": "decimal"})
    lat = StringField("ละติจูด", render_kw={"inputmode": "decimal"})
    version = HiddenField()


for _field in EDITABLE:
    setattr(CaseForm, _field.name, _widget(_field))


def case_form(*, lang: str, with_sensitive: bool, values: dict[str, Any] | None = None,
              formdata: Any = None) -> CaseForm:
    """A CaseForm with its choices labelled in `lang`; `values` fill a GET, `formdata` a POST."""
    from app.i18n import buddhist_date

    data = {}
    for f in EDITABLE:
        value = (values or {}).get(f.name)
        if f.kind == "date" and value is not None:
            value = f"{value.day}/{value.month}/{value.year + 543}" if lang == "th" else buddhist_date(value, "en")
        elif f.kind == "int" and value is not None:
            value = str(value)
        data[f.name] = value
    if values:
        data.update(lon=values.get("lon"), lat=values.get("lat"), version=values.get("version"))
    # formdata=None explicitly: Flask-WTF would otherwise fill a form of stored values from the
    # request's POST (which is why a stale save used to show the user's own values as "the latest")
    form = CaseForm(formdata=formdata, data=data)
    for f in EDITABLE:
        widget = form[f.name]
        widget.label.text = f.label_th if lang == "th" else f.label_en
        if f.kind == "enum":
            widget.choices = [("", "—")] + [(k, label(f.choices or {}, k, lang)) for k in (f.choices or {})]
    form.lon.label.text = "ลองจิจูด" if lang == "th" else "Longitude"
    form.lat.label.text = "ละติจูด" if lang == "th" else "Latitude"
    form.visible_names = [f.name for f in EDITABLE if with_sensitive or not f.sensitive]
    return form


def form_values(form: CaseForm) -> dict[str, Any]:
    """What the form posted, as raw strings for the lenient validator."""
    out = {name: form[name].data for name in form.visible_names}
    out.update(lon=form.lon.data, lat=form.lat.data)
    return out


def _shown(widget: Any) -> str:
    """A field's value as a person reads it on the form (an option's label, not its code)."""
    value = widget.data
    if widget.type == "BooleanField":
        return "✓" if value in (True, "y", "on", "1", "true") else "–"
    value = "" if value is None else str(value).strip()
    if widget.type == "SelectField":
        return dict(widget.choices).get(value, value) if value else ""
    return value


def conflict_rows(mine: CaseForm, theirs: CaseForm) -> list[dict[str, str]]:
    """The fields where what the other person saved differs from what this user typed."""
    rows = []
    for name in [*mine.visible_names, "lon", "lat"]:
        typed, saved = _shown(mine[name]), _shown(theirs[name])
        if name in ("lon", "lat"):
            try:
                same = abs(float(typed) - float(saved)) < 1e-6
            except ValueError:
                same = typed == saved
        else:
            same = typed == saved
        if not same:
            rows.append({"name": name, "label": mine[name].label.text, "theirs": saved, "mine": typed})
    return rows


def apply_errors(form: CaseForm, details: list[dict[str, Any]]) -> list[str]:
    """Put each message next to its field; return the ones that belong to no field (and the map's)."""
    others = []
    for item in details:
        name, message = item.get("field"), item.get("message", "")
        if name in LOCATION_FIELDS:
            target = form.lat if name == "lat" else form.lon
            target.errors = [*target.errors, message]
        elif name in form and name not in ("version", "csrf_token"):
            form[name].errors = [*form[name].errors, message]
        else:
            others.append(message)
    return others


class StatusForm(FlaskForm):
    status = SelectField("สถานะใหม่", choices=[], validate_choice=False)
    note = TextAreaField("บันทึกประกอบ", render_kw={"rows": 2, "maxlength": 2000})
    date = StringField("วันที่มีผล", render_kw={"placeholder": _l("วว/ดด/ปปปป (พ.ศ.)")})


def status_form(current: str, lang: str) -> StatusForm:
    from app.land_cases.workflow import allowed_next

    form = StatusForm()
    form.status.choices = [(s, label(CASE_STATUSES, s, lang)) for s in allowed_next(current)]
    return form


def apply_status_errors(form: StatusForm, exc: Any) -> list[str]:
    """A refused status change: each message beside its field (`date` is the effective date, shown
    under its own label); the messages of no field, or a plain refusal, for above the form."""
    others = []
    for item in getattr(exc, "details", None) or []:
        name, message = item.get("field"), item.get("message") or ""
        if name in ("status", "note", "date") and message and item.get("reason"):
            form[name].errors = [*form[name].errors, message]
        elif message and message not in others and item.get("reason"):
            others.append(message)
    if not any(form[n].errors for n in ("status", "note", "date")) and not others:
        others.append(exc.message)
    return others


KIND_LABELS = {
    "deed": ("เอกสารสิทธิ์/โฉนด", "Title deed"), "lease": ("สัญญาเช่า", "Lease"),
    "minutes": ("บันทึกการประชุม", "Meeting minutes"), "photo": ("ภาพถ่าย", "Photo"),
    "map": ("แผนที่/ผัง", "Map or plan"), "letter": ("หนังสือราชการ/จดหมาย", "Letter"),
    "other": ("อื่น ๆ", "Other"),
}
assert set(KIND_LABELS) == set(documents.KINDS)


class DocumentForm(FlaskForm):
    file = FileField("ไฟล์")
    kind = SelectField("ประเภท", choices=[], validate_choice=False)
    description = StringField("คำอธิบาย", render_kw={"maxlength": 2000})


def document_form(lang: str) -> DocumentForm:
    form = DocumentForm()
    form.kind.choices = [("", "—")] + [(k, label(KIND_LABELS, k, lang)) for k in KIND_LABELS]
    return form


class ActionForm(FlaskForm):
    """A bare form for POST buttons (delete, restore): CSRF only."""
