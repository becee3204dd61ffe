"""The one parser of the dates the time views take: `as_of`, `from` and `to` (A.D. `YYYY-MM-DD`).

A year above 2400 is a Buddhist-era year typed by mistake (2569 = 2026), a day after today
(Thai time) has no history yet, and `from` after `to` is an empty window: each is a
`BadRequest` (400) with a Thai message naming the parameter, for the API, the pages and
the share-link body alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from app.errors import BadRequest
from gis.fiscal import BE_OFFSET

THAI_TIME = ZoneInfo("Asia/Bangkok")
EARLIEST = date(1990, 1, 1)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def today() -> date:
    """Today in Thailand (the service's day boundary)."""
    return datetime.now(THAI_TIME).date()


def _bad(name: str, message: str, reason: str) -> BadRequest:
    return BadRequest(message, [{"field": name, "message": reason}])


def parse_day(name: str, raw: object, *, required: bool = False) -> date | None:
    """A past or present A.D. day from `YYYY-MM-DD`; None when absent (unless `required`); 400 otherwise."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            raise _bad(name, _("ต้องระบุ %(n)s เป็นวันที่ ค.ศ. รูปแบบ YYYY-MM-DD", n=name), "required")
        return None
    text = raw.strip() if isinstance(raw, str) else ""
    match = _ISO.match(text)
    if not match:
        raise _bad(name, _("%(n)s ต้องเป็นวันที่ ค.ศ. รูปแบบ YYYY-MM-DD เช่น 2026-09-30", n=name), "malformed")
    year, month, day = (int(part) for part in match.groups())
    if year > 2400:
        raise _bad(name, _("%(n)s ใช้ปี ค.ศ. ไม่ใช่ พ.ศ.: ปี %(be)s คือ ค.ศ. %(ad)s", n=name, be=year,
                           ad=year - BE_OFFSET), "buddhist era year")
    try:
        value = date(year, month, day)
    except ValueError:
        raise _bad(name, _("%(n)s ไม่ใช่วันที่ที่มีจริง: %(v)s", n=name, v=text), "no such day") from None
    if value > today():
        raise _bad(name, _("%(n)s เป็นวันในอนาคต: ดูได้ถึงวันนี้เท่านั้น", n=name), "in the future")
    if value < EARLIEST:
        raise _bad(name, _("%(n)s เก่าเกินไป: ดูย้อนหลังได้ถึงปี ค.ศ. %(y)s", n=name, y=EARLIEST.year), "too early")
    return value


def as_of_from(args: Mapping[str, str]) -> date | None:
    """`as_of=` of a query string (None when absent); 400 when it is not a past or present A.D. day."""
    return parse_day("as_of", args.get("as_of"))


def parse_period(raw_from: object, raw_to: object) -> tuple[date, date]:
    """`from` and `to` (both required, `to` may be omitted for today); 400 when `from` is after `to`."""
    first = parse_day("from", raw_from, required=True)
    last = parse_day("to", raw_to) or today()
    assert first is not None
    if first > last:
        raise _bad("from", _("from (%(a)s) อยู่หลัง to (%(b)s)", a=first.isoformat(), b=last.isoformat()),
                   "after to")
    return first, last
