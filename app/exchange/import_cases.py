"""Import of land cases: every row validated, then all rows written in one transaction or none.

Rows match on `code`: an existing case is updated (only the fields that differ; version
bumped; one history row per changed field; a status change must be allowed by
`app.land_cases.workflow` and is written as a `status` history entry), a new one is
created (with the code given, or the next `LC-000123`). Validation is the land-cases
service's own (`app.land_cases.validation.validate`, lenient for spreadsheet text).
Writes are set-based: one multi-row INSERT, one executemany UPDATE per set of changed
columns, ONE `derive_admin_areas` call for every created or moved case, one history
INSERT. A point that no province holds (in the sea) is a row error and rolls back all.
Derived columns of an export (id, admin codes, version, updated_at) are ignored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from shapely.geometry import Point
from sqlalchemy import ARRAY, String, any_, bindparam, func, insert, literal, select, text
from sqlalchemy.exc import IntegrityError

from app import history
from app.auth.scope import report_outside, rows_outside
from app.errors import Conflict, ValidationError
from app.exchange.bulk import point_expr, update_in_groups
from app.exchange.report import ImportRejected, Report, all_or_nothing
from app.extensions import db
from app.land_cases.service import ENTITY, SENSITIVE, TRACKED, UNLOCATED
from app.land_cases.validation import EDITABLE, RawCase, validate
from app.land_cases.workflow import check_transition
from app.models import HistoryEntry, LandCase, User
from gis.exchange.readers import Table
from gis.exchange.schema import map_headers
from gis.fields import CASE_FIELDS
from gis.spatial import derive_admin_areas

DERIVED = {f.name for f in CASE_FIELDS if f.derived}
WRITABLE = [f.name for f in EDITABLE] + ["status"]
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


def _current(codes: list[str], lock: bool) -> dict[str, dict[str, Any]]:
    """The stored values of the cases with these codes (deleted ones too), like `service.case_values`."""
    if not codes:
        return {}
    t = LandCase.__table__
    stmt = select(*[t.c[f.name] for f in CASE_FIELDS], func.ST_X(t.c.geom).label("lon"),
                  func.ST_Y(t.c.geom).label("lat"), t.c.location_note, t.c.created_at,
                  t.c.deleted_at).where(t.c.code == any_(literal(codes, ARRAY(String))))
    if lock:  # in id order: two imports touching the same cases wait, never deadlock
        stmt = stmt.with_for_update(of=t).order_by(t.c.id)
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


def plan(table: Table, report: Report, *, may_set_sensitive: bool, lock: bool) -> list[Plan]:
    """Validate every row against the stored cases; errors go to `report`, nothing is written."""
    header = map_headers(table.headers, CASE_FIELDS)
    report.ignored_columns = header.ignored
    report.read_only_columns = sorted({table.headers[i] for i, n in header.columns.items() if n in DERIVED})
    rows = [(row, _row_fields(table, header.columns, row, report)) for row in table.rows]
    first_row: dict[str, int] = {}
    for row, fields in rows:
        code = fields.get("code")
        if code in first_row:
            report.error(row.number, "code", _("รหัส %(c)s ซ้ำกับแถวที่ %(r)s ในไฟล์เดียวกัน", c=code,
                                                r=first_row[code]), "duplicate in file")
        elif code:
            first_row[code] = row.number
    current = _current(list(first_row), lock)
    version_at = next((i for i, n in header.columns.items() if n == "version"), None)
    plans = []
    for row, fields in rows:
        if not may_set_sensitive:
            for name in sorted(SENSITIVE & {k for k, v in fields.items() if v}):
                report.error(row.number, name, _("บทบาทของคุณบันทึกข้อมูลผู้ติดต่อไม่ได้"), "not allowed")
        before = current.get(fields.get("code") or "")
        try:
            if before is None:
                plans.append(_plan_create(row.number, fields))
            elif before["deleted_at"] is not None:
                report.error(row.number, "code", _("กรณี %(c)s ถูกลบไปแล้ว: ให้ผู้ดูแลระบบกู้คืนก่อนนำเข้า",
                                                   c=before["code"]), "deleted")
            else:
                plans.append(_plan_update(row.number, fields, before, shapefile=table.format == "shp"))
                if plans[-1].action == "update" and version_at is not None:
                    report.check_version(row.number, row.values[version_at] if version_at < len(row.values)
                                         else None, before["version"], before["code"])
        except ValidationError as exc:
            report.add_validation(row.number, exc)
    return plans


def _plan_create(number: int, fields: dict[str, Any]) -> Plan:
    if not (fields.get("status") or "").strip():
        fields.pop("status", None)
    clean = validate(RawCase(fields=fields, lenient=True))
    values = {name: clean.values.get(name) for name in WRITABLE}
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
        stored = set(db.session.execute(select(t.c.code).where(
            t.c.code == any_(literal(candidates, ARRAY(String))))).scalars())
        codes += [c for c in candidates if c not in stored and c not in taken]
    return codes


def _insert(creates: list[Plan], uid: int | None) -> dict[int, Plan]:
    """Insert the new cases; those without a code get a placeholder until `_assign_codes`."""
    t = LandCase.__table__
    pending = f"~pending~{secrets.token_hex(4)}-"
    for p in creates:
        if not p.code:
            p.values["code"] = f"{pending}{p.row}"
    stmt = (insert(t).values({**{c: bindparam(f"p_{c}") for c in WRITABLE}, "geom": point_expr(), "version": 1,
                              "created_by_id": uid, "updated_by_id": uid})
            .returning(t.c.id, t.c.code))
    params = [{**{f"p_{c}": p.values[c] for c in WRITABLE}, "p_lon": p.point.x, "p_lat": p.point.y}
              for p in creates]
    by_code = {p.values["code"]: p for p in creates}
    out = {}
    for case_id, code in db.session.execute(stmt, params).all():
        by_code[code].case_id = case_id
        out[case_id] = by_code[code]
    return out


def _assign_codes(creates: list[Plan]) -> None:
    """`LC-000123` codes for the new cases that came without one, in one UPDATE.

    Drawn only once every row has passed (a dry run or a failed import uses no code: the
    sequence is not transactional, so codes drawn and rolled back would be lost for good).
    """
    pending = [p for p in creates if not p.code]
    if not pending:
        return
    codes = _new_codes(len(pending), {p.code for p in creates if p.code})
    db.session.execute(text("UPDATE land_cases SET code = v.code FROM unnest(CAST(:ids AS integer[]), "
                            "CAST(:codes AS text[])) AS v(id, code) WHERE land_cases.id = v.id"),
                       {"ids": [p.case_id for p in pending], "codes": codes})
    for p, code in zip(pending, codes, strict=True):
        p.code = p.values["code"] = code


def _update(updates: list[Plan], uid: int | None) -> None:
    update_in_groups(LandCase.__table__, [(p.case_id, p.values, (p.point.x, p.point.y) if p.point is not None
                                           else None) for p in updates], uid)


def _after(ids: list[int]) -> dict[int, dict[str, Any]]:
    t = LandCase.__table__
    names = [n for n in TRACKED if n not in ("lon", "lat")]
    stmt = select(t.c.id, *[t.c[n] for n in names], func.ST_X(t.c.geom).label("lon"),
                  func.ST_Y(t.c.geom).label("lat")).where(t.c.id == any_(literal(ids, ARRAY(t.c.id.type))))
    return _keyed(stmt, "id")


def _history(created: list[Plan], updated: list[Plan], after: dict[int, dict[str, Any]], uid: int | None,
             note: str | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    today = date.today()

    def add(entity_id: int, action: str, name: str, old: Any, new: Any, effective_on: date | None = None) -> None:
        rows.append({"entity": ENTITY, "entity_id": entity_id, "action": action, "user_id": uid, "note": note,
                     "effective_on": effective_on, "field": name, "old_value": history.to_text(old),
                     "new_value": history.to_text(new)})

    for p in created:
        values = after[p.case_id]
        for name in TRACKED:
            if values.get(name) is not None:
                add(p.case_id, "create", name, None, values[name])
    for p in updated:
        if "status" in p.values:
            add(p.case_id, "status", "status", p.old_status, p.values["status"], today)
        names = [n for n in TRACKED if n != "status"]
        for name, (old, new) in history.diff(p.before or {}, after[p.case_id], names=names).items():
            add(p.case_id, "update", name, old, new)
    return rows


def write(plans: list[Plan], user: User | None, report: Report, note: str | None) -> None:
    """Insert, update, locate and record history in the open transaction; ImportRejected on late errors."""
    uid = user.id if user is not None else None
    creates = [p for p in plans if p.action == "create"]
    updates = [p for p in plans if p.action == "update"]
    # a limited account writes only in its regions: the regions before and after the import
    if report_outside(user, report, rows_outside(user, LandCase.__table__, [p.case_id for p in updates]),
                      {p.case_id: p.row for p in updates}):
        raise ImportRejected()
    try:
        _insert(creates, uid) if creates else None
        _update(updates, uid) if updates else None
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("มีผู้อื่นบันทึกรหัสกรณีเดียวกันพร้อมกัน: ลองนำเข้าอีกครั้ง")) from None
    located = [p.case_id for p in creates] + [p.case_id for p in updates if p.point is not None]
    unlocated = set(derive_admin_areas(db.session.connection(), "land_cases", located))
    for p in plans:
        if p.case_id in unlocated:
            report.error(p.row, "location", _(UNLOCATED), "unlocated")
    if unlocated:
        raise ImportRejected()
    if report_outside(user, report, rows_outside(user, LandCase.__table__, located),
                      {p.case_id: p.row for p in plans}):
        raise ImportRejected()
    if not report.dry_run:
        _assign_codes(creates)
    touched = [p.case_id for p in creates + updates]
    if touched and not report.dry_run:  # a dry run is rolled back: its history would be built for nothing
        rows = _history(creates, updates, _after(touched), uid, note)
        if rows:
            db.session.execute(insert(HistoryEntry), rows)


def import_cases(table: Table, user: User | None, *, dry_run: bool, may_set_sensitive: bool,
                 note: str | None = None) -> Report:
    """Validate and (unless `dry_run` or any error) write every row; commit once or roll back all."""
    report = Report(dry_run=dry_run, notes=dict(table.notes))
    return all_or_nothing(
        report, lambda: plan(table, report, may_set_sensitive=may_set_sensitive, lock=not dry_run),
        lambda plans: write(plans, user, report, note), _preview_row)


def _preview_row(p: Plan) -> dict[str, Any]:
    changes = sorted(p.values) + (["location"] if p.point else []) if p.action == "update" else []
    return {"row": p.row, "action": p.action, "code": p.code, "name": p.name, "changes": changes}
