"""The people's spreadsheet: the same rows as the round-trip XLSX, written for a person to read.

Thai headings (the field labels), Thai value labels (`เจรจา`, not `negotiating`; `ใช่`/`ไม่ใช่`),
B.E. dates (`15/01/2567`), region names, a bold frozen heading row and column widths fitted to
the first rows. A second sheet lists every value each vocabulary column takes. The importer
reads it back (`gis.exchange.schema.aliases` and `read_labels`, `gis.dates.read_date`).
Streamed like the round-trip workbook (`gis.exchange.xlsx`): constant memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from gis.dates import be_text
from gis.exchange.cells import neutralise
from gis.exchange.schema import BOOL_LABELS, LOCATION_LABELS
from gis.exchange.writers import ExportSpec, Rows, _sheet_text
from gis.exchange.xlsx import BOLD, XlsxStream
from gis.fields import Field, label

THAI_TIME = timezone(timedelta(hours=7))  # no daylight saving in Thailand
MIN_WIDTH, MAX_WIDTH, SAMPLE_ROWS = 8.0, 60.0, 500
VALUES_SHEET = "ค่าที่ใช้ได้"


def _day(value: Any) -> str | None:
    if value is None:
        return None
    return be_text(value if isinstance(value, date) else date.fromisoformat(str(value)[:10]))


def _moment(value: Any) -> str | None:
    """`2026-12-01T05:06:07Z` (UTC, as the export query writes it) as `01/12/2569 12:06` (Thai time)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    local = moment.astimezone(THAI_TIME) if moment.tzinfo else moment
    return f"{be_text(local.date())} {local:%H:%M}"


def cell(f: Field, value: Any, labels: dict[str, str] | None = None) -> Any:
    """One value as the people's spreadsheet shows it."""
    if value is None:
        return None
    if labels and str(value) in labels:
        return labels[str(value)]
    if f.kind == "enum":
        return label(f.choices or {}, str(value), "th")
    if f.kind == "bool":
        return BOOL_LABELS[bool(value)][0]
    if f.kind == "date":
        return _day(value)
    if f.kind == "datetime":
        return _moment(value)
    if f.kind == "int":
        return int(value)
    if f.kind == "float":
        return float(value)
    return neutralise(_sheet_text(str(value)))


def _width(text: Any) -> float:
    """Roughly how many characters wide a value shows (Thai vowel and tone marks take no width)."""
    shown = str(text) if text is not None else ""
    marks = sum(1 for ch in shown if ch == "\u0e31" or "\u0e34" <= ch <= "\u0e3a" or "\u0e47" <= ch <= "\u0e4e")
    return len(shown) - marks


def _widths(headings: list[str], sample: Sequence[Sequence[Any]]) -> list[float]:
    widths = [_width(h) + 2 for h in headings]
    for row in sample:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _width(value) + 2)
    return [min(max(w, MIN_WIDTH), MAX_WIDTH) for w in widths]


def write_people_xlsx(chunks: Rows, spec: ExportSpec, work: Path, base: str) -> Path:
    """The people's workbook of an export (`gis.exchange.formats`: `xlsx-th`)."""
    target = work / f"{base}.xlsx"
    lon_at, lat_at = spec.width + 1, spec.width + 2
    headings = [f.label_th for f in spec.fields] + [LOCATION_LABELS["lon"][0], LOCATION_LABELS["lat"][0]]
    labels = [spec.value_labels.get(f.name) for f in spec.fields]

    def shown(rows: Sequence[Sequence[Any]]) -> Iterator[list[Any]]:
        for row in rows:
            yield [cell(f, v, lab) for f, v, lab in zip(spec.fields, row, labels, strict=False)] \
                + [row[lon_at], row[lat_at]]

    pieces = iter(chunks)
    first: list[list[Any]] = []
    for rows in pieces:  # the first rows fit the column widths (then streamed as they come)
        first += shown(rows)
        if len(first) >= SAMPLE_ROWS:
            break
    with XlsxStream(target) as book:
        sheet = book.sheet(spec.layer, widths=_widths(headings, first[:SAMPLE_ROWS]), freeze_header=True)
        sheet.row(headings, style=BOLD)
        for values in itertools.chain(first, (v for rows in pieces for v in shown(rows))):
            sheet.row(values)
        vocab = book.sheet(VALUES_SHEET, widths=[28, 36, 30, 22], freeze_header=True)
        vocab.row(["ช่องข้อมูล", "ค่า (ไทย)", "ค่า (อังกฤษ)", "รหัสในระบบ"], style=BOLD)
        for f in spec.fields:
            if f.kind == "enum" and not f.derived:
                for code, (thai, english) in (f.choices or {}).items():
                    vocab.row([f.label_th, thai, english, code])
            elif f.kind == "bool" and not f.derived:
                for value, (thai, english) in BOOL_LABELS.items():
                    vocab.row([f.label_th, thai, english, "true" if value else "false"])
    return target
