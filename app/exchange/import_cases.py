"""Import of land cases: every row validated, then all rows written in one transaction or none.

Rows match on `code`: an existing case is updated (only the fields that differ; version
bumped; one history row per changed field; a status change must be allowed by
`app.land_cases.workflow` and is written as a `status` history entry), a new one is
created (with the code given, or the next `LC-000123`). Validation is the land-cases
service's own (`app.land_cases.validation.validate`, lenient for spreadsheet text), row by
row, `CHUNK` rows at a time (the stored cases of a chunk's codes read in one SELECT), so
that memory stays flat: the file's rows are read lazily, and only counts, the first rows of
the preview and the errors are kept. Created and changed rows go by COPY into a staging
table; everything after that is set-based SQL (`app.exchange.staging`). A point that no
province holds (in the sea) is a row error and rolls back all. Derived columns of an
export (id, admin codes, version, updated_at) are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from shapely.geometry import Point
from sqlalchemy import ARRAY, String, any_, func, literal, select, text
from sqlalchemy.exc import IntegrityError

from app import history
from app.errors import Conflict, ValidationError
from app.exchange import unchanged
from app.exchange.report import PREVIEW_LIMIT, ImportRejected, Report, finish
from app.exchange.staging import WRITABLE, Staging, history_text
from app.extensions import db
from app.land_cases.service import SENSITIVE
from app.land_cases.validation import RawCase, validate
from app.land_cases.workflow import check_transition
from app.models import LandCase, User
from gis.exchange.readers import Row, Table, csv_cell
from gis.exchange.schema import map_headers
from gis.fields import CASE_FIELDS

DERIVED = {f.name for f in CASE_FIELDS if f.derived}
CHUNK = 2_000  # rows validated between two reads of the stored cases (and two COPYs)
# raw CSV records compared with the stored texts in one SELECT: its planning and its lookups cost by
# the statement (50 SELECTs of 2,000 codes took 1.5 s of a 100,000-row dry run, 10 of 10,000 0.7 s)
SCAN = 10_000
DBF_TEXT_BYTES = 254
GEOMETRY_MESSAGES = {
    "not a point": _l("รูปร่างต้องเป็นจุด (Point)"),
    "out of projection": _l("แปลงพิกัดเป็นลองจิจูด/ละติจูดไม่ได้"),
}


@dataclass
class Plan:
    row: int
    action: str  # create, update, unchanged
    code: str | None
    name: str | None
    values: dict[str, Any]  # create: every writable field; update: the changed ones
    point: Point | None = None  # create: its point; update: the new point when moved
    case_id: int | None = None
    before: dict[str, Any] | None = None
    old_status: str | None = None


def _current(codes: list[str]) -> dict[str, dict[str, Any]]:
    """The stored values of the cases with these codes (deleted ones too), like `service.case_values`.

    Read without a lock: `Staging.write` locks the cases it changes and refuses any whose version
    moved since (a dry run locks nothing)."""
    if not codes:
        return {}
    t = LandCase.__table__
    stmt = select(*[t.c[f.name] for f in CASE_FIELDS], func.ST_X(t.c.geom).label("lon"),
                  func.ST_Y(t.c.geom).label("lat"), t.c.location_note, t.c.created_at,
                  t.c.deleted_at).where(t.c.code == any_(literal(codes, ARRAY(String))))
    with unchanged.btree_lookups():
        return _keyed(stmt, "code")


def _keyed(stmt: Any, key: str) -> dict[Any, dict[str, Any]]:
    """Rows as dicts by `key`, lon/lat rounded to 7 places as the comparison with a file needs."""
    out = {}
    for row in db.session.execute(stmt).mappings():
        values = dict(row)
        values["lon"], values["lat"] = round(values["lon"], 7), round(values["lat"], 7)
        out[values[key]] = values
    return out


def _dbf_truncated(old: Any, new: Any) -> bool:
    """A shapefile keeps 254 bytes of text: a cut-off copy of the stored value is no change."""
    return (isinstance(old, str) and isinstance(new, str) and len(old.encode()) > DBF_TEXT_BYTES
            and old.startswith(new) and len(new.encode()) > DBF_TEXT_BYTES - 4)


def _row_fields(table: Table, columns: dict[int, str], row: Any, report: Report) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for index, name in columns.items():
        if name in DERIVED or (table.has_geometry and name in ("lon", "lat")):
            continue
        fields[name] = row.values[index] if index < len(row.values) else None
    if table.has_geometry:
        if row.geometry_error and row.geometry_error != "missing":
            report.error(row.number, "geometry", str(GEOMETRY_MESSAGES[row.geometry_error]), row.geometry_error)
        elif row.lon is not None:
            fields["lon"], fields["lat"] = row.lon, row.lat
    if "code" in fields:
        fields["code"] = (fields["code"] or "").strip() or None
    return fields


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    items = iter(rows)
    while chunk := list(islice(items, size)):
        yield chunk


def _stored_texts(codes: list[str], names: list[str]) -> dict[str, tuple[list[str | None], str]]:
    """code -> (the text of each of `names` as an export writes it, the name) for the live cases with
    these codes: what an unchanged row of a re-imported export holds, cell for cell."""
    if not codes:
        return {}
    cells = ", ".join({"lon": "CAST(ST_X(c.geom) AS text)", "lat": "CAST(ST_Y(c.geom) AS text)"}.get(n)
                      or history_text("c", n) for n in names)
    with unchanged.btree_lookups():
        rows = db.session.execute(text(f"SELECT c.code, ARRAY[{cells}], c.community_name FROM land_cases c "
                                       "WHERE c.code = ANY(:codes) AND c.deleted_at IS NULL"), {"codes": codes}).all()
    return {code: (list(values), name) for code, values, name in rows}


def plan(table: Table, report: Report, *, may_set_sensitive: bool, staging: Staging | None = None) -> None:
    """Validate every row against the stored cases, `CHUNK` rows at a time; errors go to `report`,
    each row is counted there (`report.tally`), and created or changed rows go to `staging`
    while no row has failed. Nothing is written to the cases.

    A row that is, cell for cell, what the stored case's export holds (a re-imported export) is
    unchanged without more ado: the validator would accept every value and `history.diff` find
    nothing. A CSV's rows are compared raw, before any cleaning (`app.exchange.unchanged`); other
    files' rows as cleaned text. Any other row (a cell written otherwise, a moved point, contacts
    from a role that may not set them) goes through the validator."""
    header = map_headers(table.headers, CASE_FIELDS)
    report.ignored_columns = header.ignored
    report.read_only_columns = sorted({table.headers[i] for i, n in header.columns.items() if n in DERIVED})
    version_at = next((i for i, n in header.columns.items() if n == "version"), None)
    code_at = next((i for i, n in header.columns.items() if n == "code"), None)
    shapefile = table.format == "shp"
    compared = [(i, n) for i, n in header.columns.items()
                if n not in DERIVED and not (table.has_geometry and n in ("lon", "lat"))]
    names = [n for _i, n in compared] + (["lon", "lat"] if table.has_geometry else [])
    guarded = [i for i, n in compared if n in SENSITIVE and not may_set_sensitive]
    records = getattr(table.rows, "records", None) if not table.has_geometry else None
    matcher = unchanged.Matcher([i for i, _n in compared], guarded) if records is not None else None
    picked = _picker([i for i, _n in compared])
    first_row: dict[str, int] = {}
    copied = (unchanged.copied(table.rows, compared, code_at, guarded)
              if matcher is not None and code_at is not None else None)
    name_at = next((i for i, n in compared if n == "community_name"), None)
    if copied is not None:  # found by PostgreSQL: those rows are not even cut into cells, but the preview's
        entries = table.rows.records_but(copied, PREVIEW_LIMIT)
    else:
        entries = records() if records is not None else ((row.number, row) for row in table.rows)
    for scanned in _chunks(entries, SCAN if matcher is not None else CHUNK):
        codes = _codes(scanned, code_at, raw=matcher is not None, known=copied)
        for number, code in codes.items():
            if code in first_row:
                report.error(number, "code", _("รหัส %(c)s ซ้ำกับแถวที่ %(r)s ในไฟล์เดียวกัน", c=code,
                                                r=first_row[code]), "duplicate in file")
            elif code:
                first_row[code] = number
        wanted = sorted({c for c in codes.values() if c}) if code_at is not None else []
        same: dict[int, tuple[str, str | None]] = {}
        if copied is not None:
            same = copied  # (code, None) when the name is the row's own cell: read only for the preview
        elif matcher is not None:
            same = matcher.find(scanned, codes, unchanged.expected(wanted, names))
        else:
            stored = _stored_texts(wanted, names)
            for number, row in scanned:
                known = stored.get(codes[number] or "")
                if known is not None and not row.geometry_error and not any(_cell(row, i) for i in guarded) \
                        and picked(row) + ([row.lon, row.lat] if table.has_geometry else []) == known[0]:
                    same[number] = (codes[number] or "", known[1])
        for chunk in _chunks(scanned, CHUNK):
            if matcher is not None:
                rows = [table.rows.make(n, r) for n, r in chunk if n not in same]
            else:
                rows = [row for n, row in chunk if n not in same]
            fielded = [(row, _row_fields(table, header.columns, row, report)) for row in rows]
            current = _current(sorted({f["code"] for _row, f in fielded if f.get("code")}))
            planned = {}
            for row, fields in fielded:
                p = planned[row.number] = _plan_row(row, fields, current, report,
                                                    may_set_sensitive=may_set_sensitive,
                                                    version_at=version_at, shapefile=shapefile)
                if p is not None and staging is not None and p.action != "unchanged" and not report.errors:
                    staging.add(p)
            at_once = not planned and report.preview_full()  # a chunk of unchanged rows only, past the preview
            for number, _item in () if at_once else chunk:  # counted (and previewed) in row order
                if number in same:
                    report.tally("unchanged", lambda n=number, r=_item, f=same[number]: {
                        "row": n, "action": "unchanged", **_named(f, r, name_at), "changes": []})
                elif (p := planned[number]) is not None:
                    report.tally(p.action, lambda p=p: _preview_row(p))
            if at_once:
                report.tally_many("unchanged", len(chunk))
            if staging is not None and not report.errors:
                staging.flush()


def _named(found: tuple[str, str | None], record: Any, name_at: int | None) -> dict[str, str | None]:
    """The code and name an unchanged row's preview shows: without the stored name (`unchanged.copied`),
    the row's own cell, which is that text (`record`: the raw cells of a row cut for the preview)."""
    code, name = found
    if name is None and isinstance(record, list) and name_at is not None:
        name = record[name_at]
    return {"code": code, "name": name}


def _picker(indexes: list[int]) -> Callable[[Row], list[str | None]]:
    """The cells at `indexes` of a row, as a list (in C for a full row: 100,000 rows x 25 cells)."""
    width = max(indexes, default=-1) + 1
    get = itemgetter(*indexes) if len(indexes) > 1 else None

    def pick(row: Row) -> list[str | None]:
        if get is not None and len(row.values) >= width:
            return list(get(row.values))
        return [_cell(row, i) for i in indexes]

    return pick


def _codes(chunk: list[tuple[int, Any]], code_at: int | None, *, raw: bool,
           known: dict[int, tuple[str, str | None]] | None = None) -> dict[int, str | None]:
    """Row number -> the row's code as `_row_fields` reads it (cleaned, stripped; None when empty), from
    rows or (`raw`) raw CSV records (only a cell starting with an apostrophe needs cleaning); the
    unchanged rows of `known` (`unchanged.copied`) have the stored code, as their cells are."""
    if code_at is None:
        return {number: None for number, _item in chunk}
    if not raw:
        return {number: _code(row, code_at) for number, row in chunk}
    codes: dict[int, str | None] = {}
    for number, record in chunk:
        if known is not None and number in known:
            codes[number] = known[number][0]
            continue
        cell = record[code_at] if code_at < len(record) else ""
        codes[number] = ((csv_cell(cell) or "") if cell[:1] == "'" else cell).strip() or None
    return codes


def _cell(row: Row, index: int) -> str | None:
    return row.values[index] if index < len(row.values) else None


def _code(row: Row, code_at: int | None) -> str | None:
    """The row's code as `_row_fields` reads it (stripped; None when empty)."""
    value = _cell(row, code_at) if code_at is not None else None
    return (value or "").strip() or None


def _plan_row(row: Row, fields: dict[str, Any], current: dict[str, dict[str, Any]], report: Report, *,
              may_set_sensitive: bool, version_at: int | None, shapefile: bool) -> Plan | None:
    """One row's plan (None when it cannot be planned: its errors are in `report`)."""
    if not may_set_sensitive:
        for name in sorted(SENSITIVE & {k for k, v in fields.items() if v}):
            report.error(row.number, name, _("บทบาทของคุณบันทึกข้อมูลผู้ติดต่อไม่ได้"), "not allowed")
    before = current.get(fields.get("code") or "")
    try:
        if before is None:
            return _plan_create(row.number, fields)
        if before["deleted_at"] is not None:
            report.error(row.number, "code", _("กรณี %(c)s ถูกลบไปแล้ว: ให้ผู้ดูแลระบบกู้คืนก่อนนำเข้า",
                                               c=before["code"]), "deleted")
            return None
        p = _plan_update(row.number, fields, before, shapefile=shapefile)
        if p.action == "update" and version_at is not None:
            report.check_version(row.number, row.values[version_at] if version_at < len(row.values) else None,
                                 before["version"], before["code"])
        return p
    except ValidationError as exc:
        report.add_validation(row.number, exc)
        return None


def _plan_create(number: int, fields: dict[str, Any]) -> Plan:
    if not (fields.get("status") or "").strip():
        fields.pop("status", None)
    clean = validate(RawCase(fields=fields, lenient=True))
    values = dict(zip(WRITABLE, map(clean.values.get, WRITABLE)))
    return Plan(number, "create", values.get("code"), values.get("community_name"), values, clean.point)


def _plan_update(number: int, fields: dict[str, Any], before: dict[str, Any], *, shapefile: bool) -> Plan:
    status = (fields.pop("status", None) or "").strip()
    errors: list[dict[str, Any]] = []
    if status and status != before["status"]:
        try:
            check_transition(before["status"], status)
        except ValidationError as exc:  # the sentence (allowed next statuses), not only the reason code
            errors += [{**d, "message": exc.message, "reason": d.get("message")} for d in exc.details]
    try:
        clean = validate(RawCase(fields=fields, lenient=True), current=before)
    except ValidationError as exc:
        raise ValidationError(exc.message, errors + exc.details) from None
    if errors:
        raise ValidationError(errors[0]["message"], errors)
    changes = history.diff(before, clean.values)
    if shapefile:
        changes = {k: v for k, v in changes.items() if not _dbf_truncated(*v)}
    values = {k: new for k, (_old, new) in changes.items()}
    if status and status != before["status"]:
        values["status"] = status
    point = clean.point
    if point is not None and (round(point.x, 7), round(point.y, 7)) == (before["lon"], before["lat"]):
        point = None
    action = "update" if values or point is not None else "unchanged"
    return Plan(number, action, before["code"], before["community_name"], values, point, before["id"], before,
                before["status"])


def _new_codes(count: int, taken: set[str]) -> list[str]:
    """`LC-000123` codes from the sequence, skipping codes already stored or given in the file."""
    t = LandCase.__table__
    codes: list[str] = []
    while len(codes) < count:
        numbers = db.session.execute(text("SELECT nextval('land_case_code_seq') FROM generate_series(1, :n)"),
                                     {"n": count - len(codes)}).scalars().all()
        candidates = [f"LC-{n:06d}" for n in numbers]
        with unchanged.btree_lookups():
            stored = set(db.session.execute(select(t.c.code).where(
                t.c.code == any_(literal(candidates, ARRAY(String))))).scalars())
        codes += [c for c in candidates if c not in stored and c not in taken]
    return codes


def import_cases(table: Table, user: User | None, *, dry_run: bool, may_set_sensitive: bool,
                 note: str | None = None) -> Report:
    """Validate and (unless `dry_run` or any error) write every row; commit once or roll back all."""
    report = Report(dry_run=dry_run, notes=dict(table.notes))
    try:
        staging = Staging()
        plan(table, report, may_set_sensitive=may_set_sensitive, staging=staging)
        if not report.errors and staging.staged:
            staging.check(user, report)
            if not dry_run:
                staging.write(user, report, note, _new_codes)
    except ImportRejected:
        pass
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("มีผู้อื่นบันทึกรหัสกรณีเดียวกันพร้อมกัน: ลองนำเข้าอีกครั้ง")) from None
    except BaseException:
        db.session.rollback()
        raise
    return finish(report)


def _preview_row(p: Plan) -> dict[str, Any]:
    changes = sorted(p.values) + (["location"] if p.point else []) if p.action == "update" else []
    return {"row": p.row, "action": p.action, "code": p.code, "name": p.name, "changes": changes}
