"""The one validator over `gis.fields.Field`: cases, pilot areas, funds (and what comes next).

A kind -> checker table (`CHECKS`); bounds (`minimum`, `maximum`, `max_length`,
`max_future_days`) and choices are declared on the field, so the API, the forms and
the importers give the same message for the same mistake. `lenient=True` reads form
and spreadsheet text ("1,200", "", "15/03/2567"); strict mode wants JSON types.

    value = check_value(field, raw, lenient=False)       # or raises Invalid(message, reason)
    clean, errors = check_fields(body, FUND_FIELDS, creating=True)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _

from app.errors import ValidationError
from gis.dates import DateInputError, be_text, read_date
from gis.fields import Field

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INT_RE = re.compile(r"[+-]?\d{1,15}")
INT_RANGE = (-2**31, 2**31 - 1)
_TRUE, _FALSE = ("y", "yes", "on", "true", "1"), ("n", "no", "off", "false", "0", "")


class Invalid(ValueError):
    """One field's value refused: a message for people and a stable reason for programs."""

    def __init__(self, message: str, reason: str = "invalid") -> None:
        super().__init__(message)
        self.message, self.reason = message, reason


def today() -> date:
    """Today in Thailand, the service's day (a function, so that tests can move the calendar)."""
    # (imported here: app.timeline's package registers its views, which import this module)
    from app.timeline.dates import today as thai_today

    return thai_today()


def detail(name: str, message: str, reason: str) -> dict[str, str]:
    return {"field": name, "message": message, "reason": reason}


def _text(f: Field, value: Any, lenient: bool) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(_("ต้องเป็นข้อความ"), "wrong type")
    value = value.strip()
    if "\x00" in value:
        raise Invalid(_("มีอักขระที่ไม่อนุญาต"), "invalid character")
    if f.max_length and len(value) > f.max_length:
        raise Invalid(_("ยาวเกิน %(n)s ตัวอักษร", n=f.max_length), "too long")
    return value or None


def _bounded(f: Field, value: float, default: tuple[float, float]) -> None:
    low = f.minimum if f.minimum is not None else default[0]
    high = f.maximum if f.maximum is not None else default[1]
    if value < low:
        raise Invalid(_("ต้องไม่ติดลบ") if low == 0 else _("ต้องไม่น้อยกว่า %(n)s", n=low), "negative")
    if value > high:
        shown = f"{high:,}" if isinstance(high, int) else f"{high:,.2f}"
        raise Invalid(_("มากเกินไป (ไม่เกิน %(n)s)", n=shown), "too large")


def _int(f: Field, value: Any, lenient: bool) -> int | None:
    if lenient and isinstance(value, str):
        value = value.strip().replace(",", "")
        if value == "":
            return None
        if not INT_RE.fullmatch(value):
            raise Invalid(_("ต้องเป็นจำนวนเต็ม"), "wrong type")
        value = int(value)
    if lenient and isinstance(value, float) and math.isfinite(value) and value == int(value):
        value = int(value)  # a spreadsheet's 12.0
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("ต้องเป็นจำนวนเต็ม"), "wrong type")
    _bounded(f, value, INT_RANGE)
    return value


def _float(f: Field, value: Any, lenient: bool) -> float | None:
    # a decimal may come as text even in JSON ("420000.50": clients keep its precision that way)
    if isinstance(value, str):
        value = value.strip().replace(",", "") if lenient else value.strip()
        if value == "":
            return None
        try:
            value = float(value)
        except ValueError:
            raise Invalid(_("ต้องเป็นตัวเลข"), "wrong type") from None
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(_("ต้องเป็นตัวเลข"), "wrong type")
    if isinstance(value, int):
        _bounded(f, value, (-math.inf, math.inf))  # before float(): a huge int is no float
    if not math.isfinite(float(value)):
        raise Invalid(_("ต้องเป็นตัวเลขที่มีค่าจำกัด"), "not finite")
    _bounded(f, float(value), (-math.inf, math.inf))
    return float(value)


def _enum(f: Field, value: Any, lenient: bool) -> str | None:
    value = value.strip() if lenient and isinstance(value, str) else value
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in (f.choices or {}):
        raise Invalid(_("ค่าที่ใช้ได้: %(c)s", c=", ".join(f.choices or {})), "unknown value")
    return value


# the forms' hint (app.land_cases.forms) and the messages of the lenient reader say the same thing
DATE_HINT = "วว/ดด/ปปปป (พ.ศ.) หรือ YYYY-MM-DD"


def _lenient_date(text: str) -> date:
    """A date as people type it (`gis.dates.read_date`), with messages in the words of the hint."""
    try:
        return read_date(text)
    except DateInputError as exc:
        if exc.reason == "no_such_day":
            raise Invalid(_("ไม่มีวันที่ %(v)s ในปฏิทิน: ตรวจวันและเดือน (วว/ดด/ปปปป)", v=exc.text[:40]),
                          "no such day") from None
        if exc.reason == "be_in_iso":
            raise Invalid(_("ปี %(y)s เป็น พ.ศ. แต่รูปแบบ YYYY-MM-DD ใช้ปี ค.ศ.: พิมพ์ วว/ดด/ปปปป (พ.ศ.) "
                            "เช่น 15/01/2567 แทน", y=exc.text[:4]), "buddhist era year") from None
        raise Invalid(_("อ่านวันที่ไม่ได้: ใช้ วว/ดด/ปปปป (พ.ศ.) เช่น 15/01/2567 หรือ 15 ม.ค. 2567 "
                        "หรือ YYYY-MM-DD (ค.ศ.)"), "bad date") from None


def _date(f: Field, value: Any, lenient: bool) -> date | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if lenient and isinstance(value, date):
        parsed = value
    elif not isinstance(value, str):
        raise Invalid(_("ต้องเป็นวันที่ในรูป YYYY-MM-DD"), "wrong type")
    elif lenient:  # forms and spreadsheets: B.E. or A.D., Thai month names, two-digit B.E. years
        parsed = _lenient_date(value)
    else:
        value = value.strip()
        try:
            if not DATE_RE.match(value):
                raise ValueError(value)
            parsed = date.fromisoformat(value)
        except ValueError:
            raise Invalid(_("ต้องเป็นวันที่ในรูป YYYY-MM-DD (ค.ศ.)"), "bad date") from None
    if parsed.year > 2400:
        raise Invalid(_("ปีนี้ดูเป็น พ.ศ.: ในข้อมูลใช้ ค.ศ. (พ.ศ. - 543)"), "buddhist era year")
    # days, not date.replace(year + 1): that raises on 29 February
    latest = today() + timedelta(days=f.max_future_days) if f.max_future_days is not None else date.max
    if parsed.year < 1900 or parsed > latest:
        if lenient and parsed > latest:
            raise Invalid(_("วันที่ %(d)s อยู่ในอนาคต: ใส่ได้ไม่เกิน %(m)s", d=be_text(parsed), m=be_text(latest)),
                          "out of range")
        if lenient:
            raise Invalid(_("วันที่ %(d)s เก่าเกินไป: ตรวจปี พ.ศ. (ค.ศ. + 543)", d=be_text(parsed)), "out of range")
        raise Invalid(_("วันที่อยู่นอกช่วงที่เป็นไปได้"), "out of range")
    return parsed


def _bool(f: Field, value: Any, lenient: bool) -> bool | None:
    if isinstance(value, bool):
        return value
    if lenient and (value is None or isinstance(value, (str, int))):
        text = str(value if value is not None else "").strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise Invalid(_("ต้องเป็น true หรือ false"), "wrong type")


Check = Callable[[Field, Any, bool], Any]
CHECKS: dict[str, Check] = {"text": _text, "int": _int, "float": _float, "enum": _enum, "date": _date,
                            "bool": _bool}


def check_value(f: Field, value: Any, *, lenient: bool = False) -> Any:
    """One field's value converted and checked (None for empty); `Invalid` otherwise."""
    check = CHECKS.get(f.kind)
    if check is None:
        raise Invalid(_("ฟิลด์นี้ระบบกำหนดให้เอง แก้ไขไม่ได้"), "read-only")
    return check(f, value, lenient)


def check_fields(body: dict[str, Any], fields: Iterable[Field], *, creating: bool, lenient: bool = False,
                 extra: Collection[str] = (), fixed: Collection[str] = ()
                 ) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """(clean values of the writable fields in `body`, every error): one pass for the whole body.

    Unknown names are errors (`extra` names are left to the caller); derived fields and `fixed`
    ones (set once, at creation) are read-only. A required field may not be left empty, and on
    creation it must be there. A value that checks to None (an empty cell) is kept as None, so
    that an update can clear a field.
    """
    by_name = {f.name: f for f in fields}
    out: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for name, value in body.items():
        if name in extra:
            continue
        f = by_name.get(name)
        if f is None:
            errors.append(detail(name, _("ฟิลด์ที่ไม่รู้จัก"), "unknown field"))
        elif f.derived or name in fixed:
            errors.append(detail(name, _("ฟิลด์นี้ระบบกำหนดให้เอง แก้ไขไม่ได้"), "read-only"))
        else:
            try:
                clean = check_value(f, value, lenient=lenient)
            except Invalid as exc:
                errors.append(detail(name, exc.message, exc.reason))
                continue
            if clean is None and f.required:
                errors.append(detail(name, _("จำเป็นต้องกรอก"), "required"))
            else:
                out[name] = clean
    if creating:
        errors += [detail(f.name, _("จำเป็นต้องกรอก"), "required") for f in by_name.values()
                   if f.required and not f.derived and f.name not in body and f.name not in fixed
                   and f.name not in extra]
    return out, errors


def raise_errors(errors: list[dict[str, Any]]) -> None:
    """One 422 naming every bad field, when there is any."""
    if errors:
        names = ", ".join(dict.fromkeys(str(e.get("field")) for e in errors))
        raise ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=names), errors)


def validate_fields(body: Any, fields: Iterable[Field], *, creating: bool, lenient: bool = False,
                    extra: Collection[str] = (), fixed: Collection[str] = ()) -> dict[str, Any]:
    """`check_fields`, raising one 422 for all the errors; 422 too when `body` is no object."""
    if not isinstance(body, dict):
        raise ValidationError(_("ต้องส่งเป็นออบเจกต์ JSON"), [detail("body", _("ต้องเป็นออบเจกต์"), "not an object")])
    clean, errors = check_fields(body, fields, creating=creating, lenient=lenient, extra=extra, fixed=fixed)
    raise_errors(errors)
    return clean
