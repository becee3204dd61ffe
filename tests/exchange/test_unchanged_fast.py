"""The fast path of a re-imported CSV export (`app.exchange.unchanged`): rows equal raw cell for cell to
the stored case's export are unchanged without the validator; every other row is handled exactly as
without the fast path. The oracle is the same import with the fast path switched off."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from app.exchange import unchanged
from app.exchange.import_cases import import_cases
from gis.exchange.readers import read_csv
from gis.exchange.schema import map_headers, read_labels
from gis.fields import CASE_FIELDS

FULL = {"community_name": "ชุมชนทางลัด", "community_name_en": "Fast path", "households": 120, "population": 480,
        "land_owner_type": "treasury", "land_owner": "กรมธนารักษ์", "problem": "eviction_threat",
        "status": "surveying", "area_type": "urban", "opened_on": "2024-01-05", "team": "ทีมกลาง",
        "agreement_type": "lease", "lease_expires_on": "2030-12-31", "contact_name": "คุณสมศรี",
        "contact_phone": "081 000 0000", "notes": "หมายเหตุ", "is_sample": True}
# an edit of each kind of cell: (column, new raw text); "+" appends to the exported text
EDITS = [("code", "XT-999999"), ("community_name", "+ใหม่"), ("community_name_en", "+x"), ("households", "121"),
         ("households", "120.0"), ("households", "1,200"), ("population", ""), ("land_owner_type", "temple"),
         ("land_owner_type", "ที่วัด"), ("land_owner", ""), ("problem", "eviction"), ("status", "negotiating"),
         ("status", "reported"), ("area_type", "rural"), ("opened_on", "2024-01-06"), ("opened_on", "05/01/2567"),
         ("team", "+ ทีม"), ("agreement_type", ""), ("lease_expires_on", "2031-01-01"), ("contact_name", "คุณสมชาย"),
         ("contact_phone", ""), ("notes", "'=1+1"), ("notes", "=1+1"), ("is_sample", "false"), ("is_sample", "ใช่"),
         ("is_sample", "TRUE"), ("lon", "100.6"), ("lat", "+0"), ("lon", "100.56400"), ("version", "99"),
         ("id", "1"), ("province_code", "50")]
# the same value written otherwise: white space around it, an apostrophe before it
SPELLINGS = [" {}", "{} ", "'{}", "{}\t", "\u3000{}", "{}\u00a0"]


def _export(client, auth) -> list[list[str]]:
    data = client.get("/api/v1/export/cases?format=csv&q=XT-&include_contacts=true", headers=auth("land_team")).data
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _file(rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path = Path(tempfile.mkdtemp(prefix="fast-test-")) / "x.csv"
    path.write_text(out.getvalue(), encoding="utf-8-sig", newline="")
    return path


def _import(path: Path, *, sensitive: bool = True) -> tuple:
    table = read_csv(path)
    read_labels(table.rows, map_headers(table.headers, CASE_FIELDS), CASE_FIELDS)  # as run_import does
    report = import_cases(table, None, dry_run=True, may_set_sensitive=sensitive)
    return report.as_json(with_rows=True), report.rows, dict(report.actions)


@pytest.fixture(autouse=True, params=["copied", "matched"])
def fast_path(request, monkeypatch):
    """Every test twice: a quote-free file's rows compared by PostgreSQL after COPY (`unchanged.copied`),
    and by `unchanged.Matcher` (the way of a file with quoted cells)."""
    if request.param == "matched":
        monkeypatch.setattr(unchanged, "copied", lambda *args: None)
    return request.param


def _both(path: Path, monkeypatch, *, sensitive: bool = True) -> tuple:
    """(with the fast path, without it), and how many rows the fast path took for unchanged."""
    taken = []
    find, copied = unchanged.Matcher.find, unchanged.copied

    def counting(self, *args):
        found = find(self, *args)
        taken.append(len(found))
        return found

    def counting_copied(*args):
        found = copied(*args)
        taken.append(len(found or {}))
        return found

    with monkeypatch.context() as m:
        m.setattr(unchanged.Matcher, "find", counting)
        m.setattr(unchanged, "copied", counting_copied)
        fast = _import(path, sensitive=sensitive)
    with monkeypatch.context() as m:
        m.setattr(unchanged.Matcher, "find", lambda self, *args: {})
        m.setattr(unchanged, "copied", lambda *args: None)
        slow = _import(path, sensitive=sensitive)
    return fast, slow, sum(taken)


@pytest.fixture
def exported(client, auth, make_case, session):
    cases = [make_case(**FULL), make_case(), make_case(community_name="=SUM(A1)", notes="'quoted", team="+66 2")]
    session.commit()  # inside the test's outer transaction: a dry run's rollback keeps them
    return cases, _export(client, auth)


def test_a_re_imported_export_is_all_unchanged_by_the_fast_path(exported, monkeypatch):
    cases, rows = exported
    fast, slow, taken = _both(_file(rows), monkeypatch)
    assert fast == slow
    assert fast[2] == {"unchanged": 3} and not fast[0]["errors"]
    assert taken == 2  # the formula-like case's escaped cells go through the validator: unchanged all the same


@pytest.mark.parametrize(("column", "value"), EDITS)
def test_an_edited_cell_is_handled_as_without_the_fast_path(exported, monkeypatch, column, value):
    cases, rows = exported
    at = rows[0].index(column)
    rows[1][at] = rows[1][at] + value[1:] if value.startswith("+") and len(value) > 1 and column != "lat" else value
    fast, slow, taken = _both(_file(rows), monkeypatch)
    assert fast == slow
    # the second case's row only; the edited row too when the column is one an import ignores
    assert taken == (2 if column in ("version", "id", "province_code") else 1)


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("column", ["code", "community_name", "households", "status", "opened_on", "is_sample",
                                    "contact_name", "lon"])
def test_the_same_value_written_otherwise_is_validated(exported, monkeypatch, column, spelling):
    cases, rows = exported
    at = rows[0].index(column)
    rows[1][at] = spelling.format(rows[1][at])
    fast, slow, taken = _both(_file(rows), monkeypatch)
    assert fast == slow and taken == 1


def test_contacts_from_a_role_that_may_not_set_them_are_refused_as_before(exported, monkeypatch):
    cases, rows = exported
    fast, slow, taken = _both(_file(rows), monkeypatch, sensitive=False)
    assert fast == slow and taken == 1  # the case without contacts only
    assert {(e["row"], e["field"], e.get("reason")) for e in fast[0]["errors"]} == {
        (2, "contact_name", "not allowed"), (2, "contact_phone", "not allowed")}


def test_moved_deleted_and_duplicated_rows_are_handled_as_before(exported, monkeypatch, session):
    cases, rows = exported
    lon = rows[0].index("lon")
    point = ["98.985", "18.788"] if rows[1][lon:lon + 2] != ["98.985", "18.788"] else ["100.5", "13.75"]
    moved = [*rows[1][:lon], *point, *rows[1][lon + 2:]]  # a point other than the case's (its default may be it)
    session.execute(text("UPDATE land_cases SET deleted_at = now() WHERE id = :id"), {"id": cases[1].id})
    session.commit()
    path = _file([rows[0], moved, rows[2], rows[3], rows[3]])  # moved, deleted, the third twice
    fast, slow, taken = _both(path, monkeypatch)
    assert fast == slow and taken == 0
    reasons = {(e["row"], e.get("reason")) for e in fast[0]["errors"]}
    assert {(3, "deleted"), (5, "duplicate in file")} <= reasons
    assert fast[0]["unchanged"] == 0


@pytest.mark.parametrize("change", [
    "community_name = community_name || ' '", "land_owner = ''", "team = chr(9) || 'ทีม'", "notes = '=1+1'",
    "community_name = '''=x'", "notes = chr(12288)", "opened_on = DATE '1850-01-01'",
    "opened_on = current_date + 400", "geom = ST_SetSRID(ST_MakePoint(120, 30), 4326)"])
def test_stored_values_the_validator_would_not_give_back_are_validated(exported, monkeypatch, session, change):
    """A stored case the validator would refuse or change (written by hand in SQL) is no fast unchanged."""
    cases, rows = exported
    session.execute(text(f"UPDATE land_cases SET {change} WHERE id = :id"), {"id": cases[1].id})
    session.commit()
    fast, slow, taken = _both(_file(_export_rows(session, rows)), monkeypatch)
    assert fast == slow and taken == 1


def _export_rows(session, rows: list[list[str]]) -> list[list[str]]:
    """The exported rows with the second case's cells as stored now (as an export made now would write them)."""
    from app.exchange.staging import history_text

    names = rows[0]
    cells = [{"lon": "CAST(ST_X(c.geom) AS text)", "lat": "CAST(ST_Y(c.geom) AS text)"}.get(n)
             or (history_text("c", n) if n not in ("updated_at",) else "CAST(c.updated_at AS text)") for n in names]
    stored = session.execute(text(f"SELECT {', '.join(cells)} FROM land_cases c WHERE c.code = :code"),
                             {"code": rows[2][names.index("code")]}).one()
    second = [rows[2][i] if n in ("updated_at",) else ("" if v is None else v) for i, (n, v) in
              enumerate(zip(names, stored, strict=True))]
    return [rows[0], rows[1], second, rows[3]]


def test_cells_that_hold_the_separator_never_match(exported, monkeypatch, session):
    """Stored `a<U+0001>b` then an empty cell, against a file's `a` then `b<U+0001>`: joined, the same text."""
    cases, rows = exported
    session.execute(text("UPDATE land_cases SET community_name = 'a' || chr(1) || 'b', community_name_en = NULL "
                         "WHERE id = :id"), {"id": cases[1].id})
    session.commit()
    header = rows[0]
    second = rows[2][:]
    second[header.index("community_name")] = "a"
    second[header.index("community_name_en")] = "b" + unchanged.SEP
    assert header.index("community_name_en") == header.index("community_name") + 1
    fast, slow, taken = _both(_file([rows[0], rows[1], second, rows[3]]), monkeypatch)
    assert fast == slow and taken == 1


def _text_file(text: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix="fast-test-")) / "x.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    return path


# what COPY reads otherwise than `csv`, or refuses: each file is compared in Python then (None), the
# same report either way; and files it reads line for line as `csv` does (rows taken by PostgreSQL).
# (name, the lines from the export's, line break, after the last line, rows PostgreSQL takes)
CRLF = "\r\n"
LAYOUTS = [
    ("a blank line", lambda lines: [lines[0], lines[1], "", lines[2], lines[3]], CRLF, CRLF, None),
    ("a line of separators only", lambda lines: [lines[0], lines[1], "," * lines[0].count(","), lines[2]], CRLF,
     CRLF, 2),
    ("the end-of-data marker", lambda lines: [lines[0], lines[1], "\\.", lines[2]], CRLF, CRLF, None),
    ("a row of more cells", lambda lines: [lines[0], lines[1] + ",x", lines[2]], CRLF, CRLF, None),
    ("a row of fewer cells", lambda lines: [lines[0], lines[1].rsplit(",", 1)[0], lines[2]], CRLF, CRLF, None),
    ("mixed line endings", lambda lines: [lines[0], lines[1] + "\n" + lines[2]], CRLF, CRLF, None),
    ("line feeds", lambda lines: lines, "\n", "\n", 2),
    ("carriage returns", lambda lines: lines, "\r", "\r", 2),
    ("semicolons", lambda lines: [line.replace(",", ";") for line in lines], CRLF, CRLF, 2),
    ("tabs", lambda lines: [line.replace(",", "\t") for line in lines], CRLF, CRLF, 2),
    ("no line break at the end", lambda lines: lines, CRLF, "", 2),
]


def _watching_copied(monkeypatch) -> list:
    seen: list = []
    copied = unchanged.copied
    monkeypatch.setattr(unchanged, "copied", lambda *args: seen.append(copied(*args)) or seen[-1])
    return seen


@pytest.mark.parametrize(("layout", "shape", "brk", "last", "taken_by_sql"), LAYOUTS, ids=[x[0] for x in LAYOUTS])
def test_what_copy_reads_otherwise_is_compared_in_python(exported, monkeypatch, fast_path, layout, shape, brk, last,
                                                         taken_by_sql):
    cases, rows = exported
    text = brk.join(shape([",".join(r) for r in rows])) + last
    seen = _watching_copied(monkeypatch)
    fast, slow, _taken = _both(_text_file(text), monkeypatch)
    assert fast == slow
    if fast_path == "copied":
        assert (None if seen[0] is None else len(seen[0])) == taken_by_sql


def test_a_quoted_cell_leaves_the_comparing_to_python(exported, monkeypatch):
    cases, rows = exported
    rows[2][rows[0].index("notes")] = 'มี "คำพูด", และจุลภาค'
    seen = _watching_copied(monkeypatch)
    fast, slow, taken = _both(_file(rows), monkeypatch)
    assert fast == slow and seen[0] is None
