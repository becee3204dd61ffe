"""A small streaming XLSX writer: rows go straight into the zipped sheet XML, in constant memory.

Only what an export needs: one or more sheets of plain values (text as inline strings, numbers,
booleans, empty cells), a bold style, a frozen heading row and column widths; no shared strings,
no formulas. Text is always text (a value
starting with `=` is never a formula). Each row is one string join, which is what makes it
fast enough to stay within a few times the CSV export (see bench/xlsx_export.py).

    with XlsxStream(path) as book:
        sheet = book.sheet("cases")
        sheet.row(["code", "households"]); sheet.row(["LC-000001", 120])
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

_ESCAPE = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;",
           **{c: None for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}}
MAX_TEXT = 32767  # characters Excel keeps in a cell
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = "</sheetData></worksheet>"


# one style besides the default: bold (the people's spreadsheet's heading row)
STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
          '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill>'
          '<fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
BOLD = 1


def _sheet_head(widths: Iterable[float] | None, freeze_header: bool) -> str:
    """The worksheet's opening: a frozen first row and column widths (in characters) when asked."""
    head = SHEET_HEAD.removesuffix("<sheetData>")
    if freeze_header:
        head += ('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                 'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>')
    if widths:
        head += "<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>'
                                   for i, w in enumerate(widths, start=1)) + "</cols>"
    return head + "<sheetData>"


class Sheet:
    """One worksheet being written; rows must come in order."""

    def __init__(self, handle: IO[bytes], *, widths: Iterable[float] | None = None,
                 freeze_header: bool = False) -> None:
        self._out = handle
        self._pending: list[str] = []
        handle.write(_sheet_head(widths, freeze_header).encode())

    def row(self, values: Iterable[Any], *, style: int = 0) -> None:
        """One row; cells carry no `r` (their place is their order), an empty value is `<c/>`.
        `style` (`BOLD`) applies to the row's text cells."""
        parts = ["<row>"]
        add = parts.append
        text_cell = f'<c t="inlineStr" s="{style}">' if style else '<c t="inlineStr">'
        for value in values:
            kind = type(value)
            if kind is str:
                add(f'{text_cell}<is><t xml:space="preserve">{value[:MAX_TEXT].translate(_ESCAPE)}</t></is></c>'
                    if value else "<c/>")
            elif value is None:
                add("<c/>")
            elif kind is int or (kind is float and math.isfinite(value)):
                add(f"<c><v>{value!r}</v></c>")
            elif kind is bool:
                add(f'<c t="b"><v>{int(value)}</v></c>')
            else:  # anything else (a date, a Decimal, a subclass) as its text
                text = str(value)[:MAX_TEXT].translate(_ESCAPE)
                add(f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
        add("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= 1000:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._out.write("".join(self._pending).encode())
            self._pending.clear()

    def close(self) -> None:
        self.flush()
        self._out.write(SHEET_TAIL.encode())
        self._out.close()


class XlsxStream:
    """A workbook written sheet after sheet into a zip file (deflate level 1: fast, still small)."""

    def __init__(self, path: Path, compresslevel: int = 1) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._names: list[str] = []
        self._sheet: Sheet | None = None

    def sheet(self, name: str, *, widths: Iterable[float] | None = None, freeze_header: bool = False) -> Sheet:
        """Start the next sheet (the previous one is finished); `widths` of its columns in characters,
        `freeze_header` keeps the first row in view while scrolling."""
        if self._sheet is not None:
            self._sheet.close()
        self._names.append(name[:31])
        handle = self._zip.open(f"xl/worksheets/sheet{len(self._names)}.xml", "w", force_zip64=True)
        self._sheet = Sheet(handle, widths=widths, freeze_header=freeze_header)
        return self._sheet

    def close(self) -> None:
        if self._sheet is not None:
            self._sheet.close()
            self._sheet = None
        count = len(self._names)
        sheets = "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                         for i, name in enumerate(self._names, start=1))
        rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                       f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, count + 1))
        rels += (f'<Relationship Id="rId{count + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/styles" Target="styles.xml"/>')
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                            for i in range(1, count + 1))
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        self._zip.writestr("[Content_Types].xml", head + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"))
        self._zip.writestr("xl/styles.xml", STYLES)
        self._zip.writestr("_rels/.rels", head + (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        self._zip.writestr("xl/workbook.xml", head + (
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheets}</sheets></workbook>"))
        self._zip.writestr("xl/_rels/workbook.xml.rels", head + (
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>"))
        self._zip.close()

    def __enter__(self) -> XlsxStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
