"""Cell values: formula neutralisation for spreadsheets, and plain text for import.

A text cell that begins with `=`, `@`, a tab or a carriage return, or with `+`/`-`
while not being a number, could run as a formula in Excel or LibreOffice. Exports
prefix such cells with an apostrophe; imports remove exactly that prefix again, so an
export goes back in unchanged.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# every character `str.isspace` takes, so what `str.strip()` strips (none is above U+3000)
WHITE_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_ALWAYS = ("=", "@", "\t", "\r")


def needs_neutralising(value: str) -> bool:
    if not value:
        return False
    if value[0] in _ALWAYS:
        return True
    return value[0] in "+-" and not _NUMBER.match(value)


def neutralise(value: Any) -> Any:
    """The value to write in a CSV/XLSX cell: risky text gets a leading apostrophe.

    Text that already starts with apostrophes before a risky character gets one more, so
    that `unneutralise` gives back exactly the stored value.
    """
    if isinstance(value, str) and needs_neutralising(value.lstrip("'")):
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo `neutralise` (only an apostrophe that `neutralise` would have added is removed)."""
    if value.startswith("'") and needs_neutralising(value[1:].lstrip("'")):
        return value[1:]
    return value


def as_text(value: Any) -> str | None:
    """A cell or attribute value as the text the validators read (None for empty)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "item") and not isinstance(value, (datetime, date)):  # numpy scalar (NaT -> None)
        return as_text(value.item())
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime, date)) and value.year > 2400:
        # a B.E. day typed into a spreadsheet date cell (2567 read as a Gregorian year): its B.E. text
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if isinstance(value, datetime):
        if value.time() == datetime.min.time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
