"""The data rows of an uploaded CSV, parsed again each time they are read.

Only the decoded text is held (about the size of the file): a 100,000-row upload never
becomes 100,000 row objects at once. The first pass, at reading time, takes the
headings, counts the data rows and meets any malformed quoting, so later passes cannot fail.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Container, Iterator
from itertools import chain
from operator import methodcaller
from typing import Any

from gis.exchange.cells import WHITE_SPACE
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
        self._simple: bool | None = None
        self.data_lines = 0  # physical lines after the heading (blank ones too)
        lines = self._lines()
        reader = csv.reader(lines, delimiter=self._delimiter)
        try:
            first = next(reader, None)
            self.headers = [h.strip() for h in first] if first is not None else []
            # the data rows that are not blank (a cell holding more than white space), counted in C; a
            # simple file's lines are its records, so its cells need not be cut to be counted
            if self.simple():  # a line blank but for delimiters and white space is stripped to nothing
                self._count = sum(map(bool, map(methodcaller("strip", delimiter + WHITE_SPACE), lines)))
            else:
                self._count = sum(map(bool, map(str.strip, map("".join, reader))))
        except csv.Error as exc:
            raise ExchangeError("csv_bad", f"The CSV cannot be read: {exc}") from None
        if self._count > max_rows:
            raise ExchangeError("too_many_rows", f"More than {max_rows} rows", status=413, limit=max_rows)

    @property
    def delimiter(self) -> str:
        return self._delimiter

    def simple(self) -> bool:
        """Whether each physical line is one record, its cells the line cut at the delimiter, as `csv`
        reads it: no quote character anywhere (no cell is quoted, so none spans lines or holds the
        delimiter) and no line longer than `csv`'s field limit (which it would refuse). PostgreSQL's
        `COPY ... (FORMAT csv)` reads such a file line for line the same (`copy_blocks`)."""
        if self._simple is None:
            lengths = list(map(len, self._lines())) if '"' not in self._text else None
            self._simple = bool(lengths) and max(lengths) <= csv.field_size_limit()
            if self._simple:
                self.data_lines = len(lengths) - 1
        return self._simple

    def copy_blocks(self) -> Iterator[str]:
        """The text after the heading line, a block of whole lines at a time (what `COPY` is given)."""
        first = next(self._lines(), "")
        return self._blocks(len(first))

    def records_but(self, skip: Container[int], whole: int = 0) -> Iterator[tuple[int, list[str] | None]]:
        """`records()` of a simple file, with None for the cells of the rows in `skip` (not cut at all)
        but the first `whole` of them."""
        lines = self._lines()
        next(lines, None)  # the heading
        delimiter = self._delimiter
        for number, line in enumerate(lines, 2):
            if number in skip:
                whole -= 1
                yield number, None if whole < 0 else line.rstrip("\r\n").split(delimiter)
                continue
            body = line.rstrip("\r\n")
            record = body.split(delimiter) if body else []  # `csv` gives [] for an empty line
            if not (record and record[0].strip()) and not any(cell.strip() for cell in record):
                continue
            yield number, record

    def _lines(self) -> Iterator[str]:
        text = self._text
        if self._plain is None:
            self._plain = not any(char in text for char in _OTHER_BREAKS)
        if not self._plain:
            return (m.group(0) for m in _LINE.finditer(text))
        # no other line break than \r and \n: `splitlines` splits as `_LINE` does, in C; a block of
        # lines at a time (cut after a \n), so that a pass never holds every line at once
        return chain.from_iterable(map(methodcaller("splitlines", True), self._blocks()))

    def _blocks(self, start: int = 0) -> Iterator[str]:
        text = self._text
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
