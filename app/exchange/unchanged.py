"""The unchanged rows of a re-imported CSV export, found without cleaning or validating a cell.

A CSV data row whose RAW cells (as `csv` reads them: no apostrophe removed, no label put back,
nothing stripped) are, cell for cell, the text the stored live case holds is unchanged: cleaning
(`gis.exchange.readers.csv_cell`, `gis.exchange.schema.read_labels`) leaves such a cell as it is,
the validator (`app.land_cases.validation.validate`) accepts it as the stored value and
`history.diff` finds nothing. Any other row goes through the validator as before.

The stored side is one SELECT for a chunk's codes: each compared field's text joined by U+0001
(`expected_sql`), or NULL, so that no row of the file can match it, when a stored value is one
that the validator might not give back as it is (a required field empty, an empty string, text
longer than its field allows, a number or a date out of its field's range, a value outside its
vocabulary, a point outside Thailand). The file's side is its cells joined the same way
(`Matcher`); it matches only when it holds exactly as many separators as the stored text (no
cell holds one) and no cell could be cleaned into something else: one that starts with an
apostrophe (the export's formula escape) or with a character a formula starts with, or that
starts or ends with white space (cleaning strips it; a blank cell is cleaned to empty).

A quote-free CSV (`CsvRows.simple`: each line one record) is compared by PostgreSQL instead
(`copied`): its lines are COPYed into a TEMP table and the same rule is one SELECT over them, so its
unchanged rows are not even cut into cells in Python. A file COPY reads otherwise than `csv` (or
refuses) is compared in Python as above.

The rule is one way only: a row taken for changed (a formula-like cell, a number written
otherwise, a moved point) is validated, which is always right; a row is never taken for
unchanged when it is not (`tests/exchange/test_unchanged_fast.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy.exc import DBAPIError

from app.exchange.staging import history_text
from app.extensions import db, planner_setting
from app.validation import INT_RANGE, today
from gis.exchange.cells import WHITE_SPACE
from gis.exchange.schema import value_labels
from gis.fields import CASE_FIELDS, Field
from gis.geometry import THAILAND_BBOX

FIELDS = {f.name: f for f in CASE_FIELDS}
SEP = "\x01"  # not white space (U+001F is, for str.isspace)
SPACE = WHITE_SPACE  # as `str.isspace` (cleaning's blank test, the validator's strip) takes it
# a text cell that cleaning or a spreadsheet could read otherwise starts with one of these (an
# apostrophe: the export's formula escape), or ends with white space
RISKY_FIRST = SPACE + "'=@+-"
_MINX, _MINY, _MAXX, _MAXY = THAILAND_BBOX


def btree_lookups() -> AbstractContextManager[None]:
    """Statements inside look cases up by code on the code's btree: with bitmap scans on, the planner
    may take the trigram (GIN) index of `code` for `code = ANY(...)`, one scan of it a code (right after
    a bulk insert, its pending list read once a code: 317 s for 20,000 codes). GIN has bitmap scans
    only; the transaction's setting is put back after."""
    return planner_setting("enable_bitmapscan", "off")


def _quoted(values: Any) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _field_sql(f: Field) -> str:
    """The text a raw cell of field `f` must be ('' for NULL), or NULL when no cell is safe."""
    column = f"c.{f.name}"
    bad = []
    if f.required:
        bad.append(f"{column} IS NULL")
    if f.kind == "text":  # left('', 1) is '', found at 1 in any text: an empty string is refused too
        bad += [f"strpos(%(first)s, left({column}, 1)) > 0", f"strpos(%(space)s, right({column}, 1)) > 0"]
        if f.max_length:
            bad.append(f"char_length({column}) > {int(f.max_length)}")
    elif f.kind == "enum":
        bad.append(f"CAST({column} AS text) NOT IN ({_quoted(f.choices or {})})")
    elif f.kind in ("int", "float"):
        low, high = (f.minimum, f.maximum)
        if f.kind == "int":
            low = INT_RANGE[0] if low is None else low
            high = INT_RANGE[1] if high is None else high
        bad += [f"{column} < {low!r}"] if low is not None else []
        bad += [f"{column} > {high!r}"] if high is not None else []
    elif f.kind == "date":
        bad.append(f"{column} < DATE '1900-01-01'")
        if f.max_future_days is not None:
            bad.append(f"{column} > CAST(%(latest_{f.name})s AS date)")
    elif f.kind == "bool":
        labels = value_labels(f)
        if any(labels.get(v, v) != v for v in ("true", "false")):  # a label would be put back: never safe
            return "CAST(NULL AS text)"
    else:  # a kind the validator does not write (read-only): never compared without it
        return "CAST(NULL AS text)"
    value = f"coalesce({history_text('c', f.name)}, '')"
    return f"CASE WHEN {' OR '.join(bad)} THEN NULL ELSE {value} END" if bad else value


def expected_cells(names: list[str], x: str = "ST_X(c.geom)", y: str = "ST_Y(c.geom)") -> list[str]:
    """SQL of the text each of `names` (fields, or lon/lat) of the stored case `c` must be; `x`, `y`:
    its point's coordinates."""
    inside = f"{x} BETWEEN {_MINX} AND {_MAXX} AND {y} BETWEEN {_MINY} AND {_MAXY}"
    return [f"CASE WHEN {inside} THEN CAST({x if name == 'lon' else y} AS text) END" if name in ("lon", "lat")
            else _field_sql(FIELDS[name]) for name in names]


def expected_sql(names: list[str]) -> str:
    """SQL of the joined texts of `names` (fields, or lon/lat) of the stored case `c`."""
    return " || chr(1) || ".join(expected_cells(names)) or "''"


def _params(names: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {"first": RISKY_FIRST, "space": SPACE}
    for name in names:
        f = FIELDS.get(name)
        if f is not None and f.kind == "date" and f.max_future_days is not None:
            params[f"latest_{name}"] = today() + timedelta(days=f.max_future_days)
    return params


def expected(codes: list[str], names: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """code -> (the joined texts of `names`, or None; the name) for the live cases with these codes."""
    if not codes:
        return {}
    # the codes as one text (a text[] parameter costs a regex a code in psycopg); a code holding the
    # separator is left out: its row is validated
    params = _params(names) | {"codes": SEP.join(c for c in codes if SEP not in c)}
    # the session's own connection (its transaction), without the ORM's per-row cost: 100,000 rows;
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with btree_lookups():
            cursor.execute(f"SELECT c.code, {expected_sql(names)}, c.community_name FROM land_cases c "
                           "WHERE c.code = ANY(string_to_array(%(codes)s, chr(1))) AND c.deleted_at IS NULL", params)
            return {code: (joined, name) for code, joined, name in cursor.fetchall()}


class _Refused(Exception):
    """COPY read the file otherwise than `csv` does: the rows are compared in Python."""


COPIED = "case_import_raw"
DELIMITERS = {",": "','", ";": "';'", "\t": "E'\\t'"}  # as SQL literals: what `read_csv` may detect


def _compare_sql(compared: list[tuple[int, str]], code_at: int, guarded: list[int]) -> str:
    """The SELECT of the unchanged rows of `COPIED`: each compared cell is its `expected_cells` text (a
    stored value not safe is NULL: no cell matches it), no cell holds the separator (as `Matcher`
    asks), the guarded cells are blank; the point's coordinates read once."""
    names = [n for _i, n in compared]
    same = " AND ".join(f"coalesce(r.c{i}, '') = {cell}" for (i, _n), cell in
                        zip(compared, expected_cells(names, "p.x", "p.y"), strict=True))
    blank = "".join(f" AND btrim(coalesce(r.c{i}, ''), %(space)s) = ''" for i in guarded)
    name = "NULL" if "community_name" in names else "c.community_name"  # 100,000 names not fetched for nothing
    return (f"SELECT r.n + 1, c.code, {name} FROM {COPIED} r JOIN land_cases c ON c.code = r.c{code_at} "
            "CROSS JOIN LATERAL (SELECT ST_X(c.geom) AS x, ST_Y(c.geom) AS y) p WHERE c.deleted_at IS NULL "
            f"AND strpos(concat({', '.join(f'r.c{i}' for i, _n in compared)}), chr(1)) = 0 AND {same}{blank}")


def copied(rows: Any, compared: list[tuple[int, str]], code_at: int, guarded: list[int]
           ) -> dict[int, tuple[str, str | None]] | None:
    """Row number -> (code, stored name) of the unchanged rows of a simple CSV (`CsvRows.simple`), found
    by PostgreSQL: its data lines are COPYed into a TEMP table of text columns and compared with the
    stored texts in one SELECT (`_compare_sql`: the rule `Matcher` applies, cell for cell). The name
    is None when the file has the name column: the row's own cell is then the stored name.

    None when COPY does not read the file exactly as `csv` does, line for line: it refuses a line of
    another width or mixed line endings, and stops at a line `\\.`; the rows loaded must be the
    file's data lines. The caller then compares in Python; a savepoint undoes whatever was done."""
    width, delimiter = len(rows.headers), DELIMITERS.get(rows.delimiter)
    if delimiter is None or not rows.simple() or not rows.data_lines or code_at >= width:
        return None
    compare, params = _compare_sql(compared, code_at, guarded), _params([n for _i, n in compared])
    raw = db.session.connection().connection.driver_connection
    try:
        with raw.transaction(), raw.cursor() as cursor:  # a savepoint: the session's transaction goes on
            columns = ", ".join(f"c{i} text" for i in range(width))
            cursor.execute(f"CREATE TEMP TABLE {COPIED} (n bigint GENERATED ALWAYS AS IDENTITY, {columns}) "
                           "ON COMMIT DROP")
            with cursor.copy(f"COPY {COPIED} ({', '.join(f'c{i}' for i in range(width))}) FROM STDIN "
                             f"(FORMAT csv, DELIMITER {delimiter})") as copy:
                for block in rows.copy_blocks():
                    copy.write(block)
            if cursor.rowcount != rows.data_lines:
                raise _Refused
            cursor.execute(f"ANALYZE {COPIED} (c{code_at})")  # the join's estimate: the code column only
            with btree_lookups():  # (the same connection: the setting is undone with the savepoint too)
                cursor.execute(compare, params)
                found = {number: (code, name) for number, code, name in cursor.fetchall()}
            cursor.execute(f"DROP TABLE {COPIED}")
    except (_Refused, psycopg.Error, DBAPIError):
        return None
    return found


class Matcher:
    """`find(chunk, ...)`: the CSV records of a chunk whose raw cells at `indexes` are the stored texts."""

    def __init__(self, indexes: list[int], guarded: list[int]) -> None:
        self.width = max(indexes, default=-1) + 1
        self.separators = len(indexes) - 1
        get = itemgetter(*indexes) if len(indexes) > 1 else None
        self._pick: Callable[[list[str]], Any] = get or (lambda r: [r[i] for i in indexes])
        self._guarded = guarded  # cells that must be empty (contacts, for a role that may not set them)

    def find(self, chunk: list[tuple[int, list[str]]], codes: dict[int, str | None],
             expected: dict[str, tuple[str | None, str | None]]) -> dict[int, tuple[str, str]]:
        """Row number -> (code, stored name) of the unchanged records of `chunk` (`codes`: each row's
        code; `expected`: code -> (joined stored texts or None, name))."""
        pick, width, separators, guarded = self._pick, self.width, self.separators, self._guarded
        same = {}
        for number, record in chunk:
            code = codes[number]
            known = expected.get(code) if code else None
            if known is None or known[0] is None or len(record) < width:
                continue
            if guarded and any(record[i].strip() for i in guarded):
                continue
            cells = SEP.join(pick(record))  # == known[0]: SQL tested these very cells
            if cells == known[0] and cells.count(SEP) == separators:
                same[number] = (code, known[1])
        return same
