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

from app.exchange.staging import history_text
from app.extensions import db, planner_setting
from app.validation import INT_RANGE, today
from gis.exchange.schema import value_labels
from gis.fields import CASE_FIELDS, Field
from gis.geometry import THAILAND_BBOX

FIELDS = {f.name: f for f in CASE_FIELDS}
SEP = "\x01"  # not white space (U+001F is, for str.isspace)
# white space exactly as `str.isspace` (cleaning's blank test, the validator's strip) takes it
SPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
# a text cell that cleaning or a spreadsheet could read otherwise starts with one of these (an
# apostrophe: the export's formula escape), or ends with white space
RISKY_FIRST = SPACE + "'=@+-"
_MINX, _MINY, _MAXX, _MAXY = THAILAND_BBOX
_INSIDE = f"ST_X(c.geom) BETWEEN {_MINX} AND {_MAXX} AND ST_Y(c.geom) BETWEEN {_MINY} AND {_MAXY}"


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


def expected_sql(names: list[str]) -> str:
    """SQL of the joined texts of `names` (fields, or lon/lat) of the stored case `c`."""
    cells = []
    for name in names:
        if name in ("lon", "lat"):
            axis = "X" if name == "lon" else "Y"
            cells.append(f"CASE WHEN {_INSIDE} THEN CAST(ST_{axis}(c.geom) AS text) END")
        else:
            cells.append(_field_sql(FIELDS[name]))
    return " || chr(1) || ".join(cells) if cells else "''"


def expected(codes: list[str], names: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """code -> (the joined texts of `names`, or None; the name) for the live cases with these codes."""
    if not codes:
        return {}
    # the codes as one text (a text[] parameter costs a regex a code in psycopg); a code holding the
    # separator is left out: its row is validated
    params: dict[str, Any] = {"codes": SEP.join(c for c in codes if SEP not in c), "first": RISKY_FIRST,
                              "space": SPACE}
    for name in names:
        f = FIELDS.get(name)
        if f is not None and f.kind == "date" and f.max_future_days is not None:
            params[f"latest_{name}"] = today() + timedelta(days=f.max_future_days)
    # the session's own connection (its transaction), without the ORM's per-row cost: 100,000 rows;
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with btree_lookups():
            cursor.execute(f"SELECT c.code, {expected_sql(names)}, c.community_name FROM land_cases c "
                           "WHERE c.code = ANY(string_to_array(%(codes)s, chr(1))) AND c.deleted_at IS NULL", params)
            return {code: (joined, name) for code, joined, name in cursor.fetchall()}


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
