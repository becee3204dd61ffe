"""The data rows of an uploaded CSV, parsed again each time they are read.

Only the decoded text is held (about the size of the file): a 100,000-row upload never
becomes 100,000 row objects at once. The first pass, at reading time, takes the
headings, counts the data rows and meets any malformed quoting, so later passes cannot fail.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from itertools import chain
from operator import methodcaller
from typing import Any

from gis.exchange.errors import ExchangeError

# one physical line with its ending, split as `open(newline="")` splits (\r\n, \r or \n):
# not str.splitlines, which also splits at U+2028, vertical tab, form feed... inside a quoted cell
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# what str.splitlines splits at besides \r and \n
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BLOCK = 1 << 20


class CsvRows:
    """Sized and re-iterable: `len(rows)`, then `for row in rows` as often as needed."""

    def __init__(self, text: str, delimiter: str, make_row: Callable[[int, list[str]], Any], max_rows: int) -> None:
        self._text, self._delimiter, self._make_row = text, delimiter, make_row
        self._steps: list[Callable[[Any], Any]] = []
        self._plain: bool | None = None
        self.headers: list[str] = []
        self._count = 0
        reader = csv.reader(self._lines(), delimiter=self._delimiter)
        try:
            first = next(reader, None)
            self.headers = [h.strip() for h in first] if first is not None else []
            # the data rows that are not blank (a cell holding more than white space), counted in C
            self._count = sum(map(bool, map(str.strip, map("".join, reader))))
        except csv.Error as exc:
            raise ExchangeError("csv_bad", f"The CSV cannot be read: {exc}") from None
        if self._count > max_rows:
            raise ExchangeError("too_many_rows", f"More than {max_rows} rows", status=413, limit=max_rows)

    def _lines(self) -> Iterator[str]:
        text = self._text
        if self._plain is None:
            self._plain = not any(char in text for char in _OTHER_BREAKS)
        if not self._plain:
            return (m.group(0) for m in _LINE.finditer(text))
        # no other line break than \r and \n: `splitlines` splits as `_LINE` does, in C; a block of
        # lines at a time (cut after a \n), so that a pass never holds every line at once
        return chain.from_iterable(map(methodcaller("splitlines", True), self._blocks()))

    def _blocks(self) -> Iterator[str]:
        text, start = self._text, 0
        while start < len(text):
            end = text.find("\n", start + _BLOCK)
            end = len(text) if end < 0 else end + 1
            yield text[start:end]
            start = end

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        """(row number a spreadsheet shows, cells) of the heading and every non-blank data row."""
        reader = csv.reader(self._lines(), delimiter=self._delimiter)
        try:
            for index, record in enumerate(reader):
                if index and not (record and record[0].strip()) and not any(cell.strip() for cell in record):
                    continue
                yield index + 1, record
        except csv.Error as exc:
            raise ExchangeError("csv_bad", f"The CSV cannot be read: {exc}") from None

    def add_step(self, step: Callable[[Any], Any]) -> None:
        """Apply `step(row) -> row` to every row as it is read, on every pass (what a list's rows would
        keep when changed in place)."""
        self._steps.append(step)

    def __len__(self) -> int:
        return self._count

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, raw cells) of every data row: as `csv` reads them, before any cleaning or step."""
        records = self._records()
        next(records, None)  # the heading
        return records

    def make(self, number: int, record: list[str]) -> Any:
        """The row of a raw record, as `for row in rows` gives it (cleaned, every step applied)."""
        row = self._make_row(number, record)
        for step in self._steps:
            row = step(row)
        return row

    def __iter__(self) -> Iterator[Any]:
        for number, record in self.records():
            yield self.make(number, record)
