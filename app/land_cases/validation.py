"""The validation of land cases, shared by the API, the forms and import (over `app.validation`).

Input arrives as a `RawCase`: plain field values (JSON types from the API,
strings from forms with `lenient=True`) plus, for GeoJSON bodies, the geometry.
`validate` answers clean values or raises a 422 `ValidationError` whose
details name every bad field: `[{"field", "message", "reason"}]`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from shapely.geometry import Point

from app.errors import BadRequest, ValidationError
from app.land_cases.workflow import INITIAL_STATUS
from app.validation import Invalid, check_value, detail
from gis.errors import GisError
from gis.fields import CASE_FIELDS, CASE_STATUSES, Field
from gis.geometry import checked_point, point_from_geojson

MISSING: Any = object()
FIELDS: dict[str, Field] = {f.name: f for f in CASE_FIELDS}
# fields a caller may set with POST/PATCH (status only on create; later through the workflow)
EDITABLE: list[Field] = [f for f in CASE_FIELDS if not f.derived and f.name != "status"]
READ_ONLY = {f.name for f in CASE_FIELDS if f.derived} | {"location_note", "deleted_at", "created_at"}
FEATURE_KEYS = {"type", "geometry", "properties", "id", "bbox"}
MAX_NOTE = 2000
NOTE = Field("note", "note", "text", "", "", max_length=MAX_NOTE)
# when a status change took effect: not in the future (a day's grace for time zones)
EFFECTIVE_DATE = Field("date", "date", "date", "", "", max_future_days=1)


@dataclass
class RawCase:
    """What a caller sent: field values, and the geometry of a GeoJSON Feature (if any)."""

    fields: dict[str, Any]
    geometry: Any = MISSING
    feature_id: Any = MISSING
    lenient: bool = False  # form strings: "" is empty, numbers and dates as text


@dataclass
class CleanCase:
    """Validated values to write; `point` is None when the location does not change."""

    values: dict[str, Any] = field(default_factory=dict)
    point: Point | None = None


_detail = detail


def load_json(data: bytes, mimetype: str) -> Any:
    """A JSON request body; 415 when it is not sent as JSON, 400 when it does not parse."""
    from app.documents import UnsupportedType

    if mimetype not in ("application/json", "application/geo+json") and not mimetype.endswith("+json"):
        raise UnsupportedType(_("ส่งข้อมูลเป็น JSON (Content-Type: application/json)"),
                              [{"field": "body", "message": "not JSON"}])
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRequest(_("JSON ไม่ถูกต้อง: %(e)s", e=str(exc)[:200]),
                         [{"field": "body", "message": "malformed JSON"}]) from None


def parse_json_body(data: bytes, mimetype: str) -> RawCase:
    """A request body (GeoJSON Feature or flat JSON with lon/lat) as a RawCase; 400/415/422 otherwise."""
    return raw_case(load_json(data, mimetype))


def raw_case(body: Any) -> RawCase:
    """A decoded JSON body (GeoJSON Feature or flat object with lon/lat) as a RawCase; 422 otherwise."""
    if not isinstance(body, dict):
        raise ValidationError(_("ต้องส่งเป็นออบเจกต์ JSON"), [_detail("body", _("ต้องเป็นออบเจกต์"), "not an object")])
    if body.get("type") == "Feature":
        unknown = sorted(set(body) - FEATURE_KEYS)
        if unknown:
            raise ValidationError(_("มีฟิลด์ที่ไม่รู้จัก: %(f)s", f=", ".join(unknown)),
                                  [_detail(k, _("ฟิลด์ที่ไม่รู้จัก"), "unknown field") for k in unknown])
        props = body.get("properties") or {}
        if not isinstance(props, dict):
            raise ValidationError(_("properties ต้องเป็นออบเจกต์"),
                                  [_detail("properties", _("ต้องเป็นออบเจกต์"), "not an object")])
        return RawCase(fields=dict(props), geometry=body.get("geometry", MISSING),
                       feature_id=body.get("id", MISSING))
    if "type" in body:
        raise ValidationError(_("type ต้องเป็น Feature หรือไม่ต้องส่ง"),
                              [_detail("type", _("ต้องเป็น Feature"), "not a Feature")])
    return RawCase(fields=dict(body))


POINT_MESSAGES = {
    "required": _l("กรุณาระบุตำแหน่ง (ลองจิจูดและละติจูด) หรือคลิกบนแผนที่"),
    "not a number": _l("ลองจิจูดและละติจูดต้องเป็นตัวเลข"),
    "not finite": _l("ลองจิจูดและละติจูดต้องเป็นตัวเลขจริง (ไม่ใช่ NaN หรืออนันต์)"),
    "out of range": _l("พิกัดเกินช่วง: ลองจิจูดต้องอยู่ระหว่าง -180 ถึง 180 และละติจูด -90 ถึง 90"),
    "swapped": _l("ลองจิจูดและละติจูดน่าจะสลับกัน (ประเทศไทยอยู่ราวลองจิจูด 100 ละติจูด 13)"),
    "outside Thailand": _l("ตำแหน่งอยู่นอกประเทศไทย"),
    "not a Point": _l("geometry ต้องเป็น GeoJSON Point"),
    "bad coordinates": _l("พิกัดของ Point ต้องเป็น [ลองจิจูด, ละติจูด]"),
}


def _point(raw: RawCase, required: bool) -> tuple[Point | None, list[dict]]:
    """The new location, None when none was given (and none is required)."""
    values = raw.fields
    has_flat = "lon" in values or "lat" in values
    has_geometry = raw.geometry is not MISSING and raw.geometry is not None
    if has_flat and has_geometry:
        return None, [_detail("geometry", _("ให้ตำแหน่งทางเดียว: geometry หรือ lon/lat"), "ambiguous")]
    if not has_flat and not has_geometry:
        if required:
            name = "geometry" if raw.geometry is not MISSING else "location"
            return None, [_detail(name, str(POINT_MESSAGES["required"]), "required")]
        return None, []
    lon, lat = values.get("lon"), values.get("lat")
    if raw.lenient:
        lon = lon.strip() if isinstance(lon, str) else lon
        lat = lat.strip() if isinstance(lat, str) else lat
        if not required and lon in ("", None) and lat in ("", None):
            return None, []
    elif has_flat and (isinstance(lon, str) or isinstance(lat, str)):
        wrong = "lon" if isinstance(lon, str) else "lat"
        return None, [_detail(wrong, _("ต้องเป็นตัวเลข ไม่ใช่ข้อความ"), "wrong type")]
    try:
        point = point_from_geojson(raw.geometry) if has_geometry else checked_point(lon, lat)
    except GisError as exc:
        reason = exc.details[0]["message"] if exc.details else "invalid"
        name = exc.details[0].get("field", "location") if exc.details else "location"
        name = "geometry" if has_geometry else ("location" if name == "lon/lat" else name)
        return None, [_detail(name, str(POINT_MESSAGES.get(reason, exc.message)), reason)]
    return point, []


def _same(name: str, given: Any, current: dict[str, Any] | None) -> bool:
    """A read-only value sent back unchanged (as a GET returned it) is accepted."""
    if current is None:
        return given is None
    have = current.get(name)
    if isinstance(have, datetime) and isinstance(given, str):
        try:
            return datetime.fromisoformat(given) == have
        except ValueError:
            return False
    if isinstance(have, bool) or isinstance(given, bool):
        return have is given
    return given == have or (have is not None and not isinstance(given, (dict, list)) and str(given) == str(have))


def validate(raw: RawCase, *, current: dict[str, Any] | None = None) -> CleanCase:
    """Check a create (`current` None) or a partial update of the record `current`."""
    creating = current is None
    values, errors = raw.fields, []
    known = {f.name for f in EDITABLE} | READ_ONLY | {"status", "lon", "lat"}
    unknown = sorted(k for k in values if k not in known)
    errors += [_detail(k, _("ฟิลด์ที่ไม่รู้จัก"), "unknown field") for k in unknown]
    if raw.feature_id is not MISSING and raw.feature_id is not None and not _same("id", raw.feature_id, current):
        errors.append(_detail("id", _("กำหนด id เองไม่ได้"), "read-only"))
    for name in sorted(READ_ONLY & set(values)):
        if not _same(name, values[name], current):
            errors.append(_detail(name, _("ฟิลด์นี้ระบบกำหนดให้เอง แก้ไขไม่ได้"), "read-only"))
    clean = CleanCase()
    if "status" in values:
        status = values["status"]
        if creating:
            if status not in CASE_STATUSES:
                errors.append(_detail("status", _("ค่าที่ใช้ได้: %(c)s", c=", ".join(CASE_STATUSES)),
                                      "unknown value"))
            else:
                clean.values["status"] = status
        elif status != current.get("status"):
            errors.append(_detail("status", _("เปลี่ยนสถานะผ่าน POST /api/v1/cases/<id>/status เท่านั้น"),
                                  "use the status endpoint"))
    elif creating:
        clean.values["status"] = INITIAL_STATUS
    for f in EDITABLE:
        if f.name not in values:
            if creating and f.required:
                errors.append(_detail(f.name, _("จำเป็นต้องกรอก"), "required"))
            continue
        try:
            value = check_value(f, values[f.name], lenient=raw.lenient)
        except Invalid as exc:
            errors.append(_detail(f.name, exc.message, exc.reason))
            continue
        if value is None and (f.required or f.name in ("code", "is_sample")):
            if f.required or not creating:
                errors.append(_detail(f.name, _("จำเป็นต้องกรอก"), "required"))
        else:
            clean.values[f.name] = value
    if creating and clean.values.get("is_sample") is None:
        clean.values["is_sample"] = False
    point, point_errors = _point(raw, required=creating)
    errors += point_errors
    clean.point = point
    if errors:
        names = ", ".join(dict.fromkeys(e["field"] for e in errors))
        raise ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=names), errors)
    return clean


def check_status_body(body: Any, *, lenient: bool = False) -> tuple[str, str | None, date | None]:
    """`{"status", "note", "date"}` of the status endpoint: (status, note, date) or 422.

    The date (when the change took effect) may not lie in the future (a day's grace for time zones).
    """
    if not isinstance(body, dict):
        raise ValidationError(_("ต้องส่งเป็นออบเจกต์ JSON"), [_detail("body", _("ต้องเป็นออบเจกต์"), "not an object")])
    errors = [_detail(k, _("ฟิลด์ที่ไม่รู้จัก"), "unknown field") for k in sorted(set(body) - {"status", "note", "date"})]
    status = body.get("status")
    if not isinstance(status, str) or not status:
        errors.append(_detail("status", _("จำเป็นต้องกรอก"), "required"))
    note = when = None
    try:
        note = check_value(NOTE, body.get("note"))
    except Invalid as exc:
        errors.append(_detail("note", exc.message, exc.reason))
    try:
        when = check_value(EFFECTIVE_DATE, body.get("date"), lenient=lenient)
    except Invalid as exc:
        errors.append(_detail("date", exc.message, exc.reason))
    if errors:
        raise ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=", ".join(e["field"] for e in errors)), errors)
    return status, note, when
