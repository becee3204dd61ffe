"""Dates as people type them: the one lenient reader of every form field and spreadsheet cell.

    >>> read_date("15/01/2567"), read_date("15/01/67"), read_date("15 ม.ค. 2567")
    (datetime.date(2024, 1, 15), datetime.date(2024, 1, 15), datetime.date(2024, 1, 15))
    >>> read_date("15 มกราคม 2567"), read_date("2024-01-15"), read_date("15/01/2024")
    (datetime.date(2024, 1, 15), datetime.date(2024, 1, 15), datetime.date(2024, 1, 15))

* `วว/ดด/ปปปป` (also `.` or `-` between): a year above 2400 is B.E., a four-digit year
  below it A.D.; a two-digit year is B.E. (`67` = 2567);
* `วว เดือน ปปปป`: Thai month names or abbreviations (`ม.ค.`, `มค`, `มกราคม`), English ones
  (`Jan`, `January`), `พ.ศ.`/`ค.ศ.` before the year allowed;
* ISO `YYYY-MM-DD` is A.D. (a year above 2400 there is refused as `be_in_iso`: the hint says
  YYYY-MM-DD is ค.ศ.);
* Thai digits (๐-๙) read as digits.

Strict callers (the API's `YYYY-MM-DD`) do not use this: see `app.timeline.dates` and
`app.validation` (strict mode). Pure: no Flask.
"""

from __future__ import annotations

import re
from datetime import date

from gis.fiscal import BE_OFFSET, MONTHS_TH, MONTHS_TH_SHORT

BE_FROM = 2400  # a year above this is Buddhist Era
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})$")
_WORDS = re.compile(r"^(\d{1,2})\s*([^\d\s,]+)\s*,?\s*(\d{2}|\d{4})$")
_ERA = re.compile(r"\s(พ\.?\s?ศ\.?|ค\.?\s?ศ\.?|b\.?\s?e\.?|a\.?\s?d\.?)\s*(?=\d+$)", re.IGNORECASE)
_EN = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
       "november", "december"]


def _month_key(text: str) -> str:
    return re.sub(r"[.\s]", "", text).lower()


MONTHS: dict[str, int] = {}
for _number, (_short, _long, _en) in enumerate(zip(MONTHS_TH_SHORT, MONTHS_TH, _EN, strict=True), start=1):
    for _name in (_short, _long, _en, _en[:3], _en[:4]):
        MONTHS[_month_key(_name)] = _number


class DateInputError(ValueError):
    """A date that could not be read: `reason` is `malformed`, `no_such_day` or `be_in_iso`."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.reason, self.text = reason, text


def _year(raw: str, era: str | None) -> int:
    year = int(raw)
    era_key = _month_key(era or "")
    if len(raw) == 2:  # two digits: a B.E. year of this century (67 = 2567)
        return 2500 + year - BE_OFFSET
    if era_key in ("คศ", "ad"):
        return year
    if year > BE_FROM or era_key in ("พศ", "be"):
        return year - BE_OFFSET
    return year


def _day(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateInputError("no_such_day", text) from None


def read_date(text: str) -> date:
    """The day `text` names (A.D.); `DateInputError` when it names none."""
    cleaned = " ".join(str(text).translate(_THAI_DIGITS).split())
    iso = _ISO.match(cleaned)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        if year > BE_FROM:
            raise DateInputError("be_in_iso", cleaned)
        return _day(year, month, day, cleaned)
    numeric = _NUMERIC.match(cleaned)
    if numeric:
        day, month, year = int(numeric.group(1)), int(numeric.group(2)), _year(numeric.group(3), None)
        return _day(year, month, day, cleaned)
    era = _ERA.search(cleaned)
    words = _WORDS.match(_ERA.sub(" ", cleaned) if era else cleaned)
    if words:
        month = MONTHS.get(_month_key(words.group(2)))
        if month is not None:
            return _day(_year(words.group(3), era.group(1) if era else None), month, int(words.group(1)), cleaned)
    raise DateInputError("malformed", cleaned)


def be_text(day: date) -> str:
    """`15/01/2567`: a day as the forms and the people's spreadsheet write it (B.E.)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year + BE_OFFSET}"
