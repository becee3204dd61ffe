"""The set-based half of a case import: validated rows go by `COPY` into a TEMP table, then SQL.

`app.exchange.import_cases` validates every row with the one validator and hands each
created or changed row to `Staging.add` (unchanged rows are only counted); the rows reach
the TEMP table `case_import_staging` by psycopg `COPY`, a chunk at a time. The rest is a
fixed number of statements whatever the size of the file:

1. a limited account: rows whose stored region is outside its scope (one SELECT);
2. ONE `derive_admin_areas` over the staging rows to locate (new and moved cases): no case
   is written before every point is known to be on land, so a dry run writes nothing at all;
3. a limited account: located rows outside its scope (one SELECT);
   (a dry run stops here: it is rolled back, uses no case code and locks nothing)
4. the changed cases locked in id order, and refused when edited since they were read;
5. ids and codes for the new cases drawn in one go, in row order (only now: the sequences are not
   transactional);
6. ONE `INSERT ... SELECT` of the new cases, ONE `INSERT ... SELECT` of every history row
   (a LATERAL VALUES over the tracked fields: the same rows the API's writes produce), ONE
   `UPDATE ... FROM` of the changed cases, and one overlap refresh of the new and moved cases.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Date, column, select, table, text

from app import history
from app.auth.scope import outside_clause, report_outside
from app.exchange.report import ImportRejected, Report
from app.extensions import db
from app.land_cases.service import DERIVED_AREAS, ENTITY, TRACKED, UNLOCATED
from app.land_cases.validation import EDITABLE
from app.models import LandCase, User
from app.validation import today
from gis.spatial import derive_admin_areas

NAME = "case_import_staging"
WRITABLE = [f.name for f in EDITABLE] + ["status"]
# row number, plan, the case it changes (and the version read), a new point and its history text
PLAN_COLUMNS = ["id", "action", "case_id", "seen_version", "moved", "geom", "lon_t", "lat_t", "old_lon_t",
                "old_lat_t"]
COLUMNS = PLAN_COLUMNS + WRITABLE + list(DERIVED_AREAS)
_STAGED = table(NAME, *(column(c) for c in COLUMNS))
_CASES = LandCase.__table__


def history_text(alias: str, name: str) -> str:
    """SQL giving a column's value as `app.history.to_text` writes it (ISO dates, true/false, plain numbers)."""
    if isinstance(_CASES.c[name].type, Date):
        return f"to_char({alias}.{name}, 'YYYY-MM-DD')"
    return f"CAST({alias}.{name} AS text)"


def _new_text(name: str) -> str:
    return {"lon": "s.lon_t", "lat": "s.lat_t"}.get(name) or history_text("s", name)


def _old_text(name: str) -> str:
    return {"lon": "s.old_lon_t", "lat": "s.old_lat_t"}.get(name) or history_text("c", name)


_CREATED = ",\n".join(f"({i}, '{name}', {_new_text(name)})" for i, name in enumerate(TRACKED))
_CHANGED = ",\n".join(
    ["(-1, 'status', 'status', CAST(c.status AS text), CAST(s.status AS text), CAST(:today AS date))"]
    + [f"({i}, 'update', '{name}', {_old_text(name)}, {_new_text(name)}, CAST(NULL AS date))"
       for i, name in enumerate(TRACKED) if name != "status"])
# every history row of the import in one statement: a created case's every non-empty tracked
# field, a changed case's status move and each field whose text differs (as `history.diff`)
_HISTORY = f"""INSERT INTO history (entity, entity_id, action, field, old_value, new_value, note, effective_on, user_id)
SELECT :entity, h.case_id, h.action, h.field, h.old, h.new, :note, h.effective_on, :uid FROM (
    SELECT s.case_id, 'create' AS action, v.field, CAST(NULL AS text) AS old, v.new,
           CAST(NULL AS date) AS effective_on, 0 AS part, s.id AS row, v.ord
    FROM {NAME} s CROSS JOIN LATERAL (VALUES {_CREATED}) v(ord, field, new)
    WHERE s.action = 'create' AND v.new IS NOT NULL
    UNION ALL
    SELECT s.case_id, v.action, v.field, v.old, v.new, v.effective_on, 1, s.id, v.ord
    FROM {NAME} s JOIN land_cases c ON c.id = s.case_id
    CROSS JOIN LATERAL (VALUES {_CHANGED}) v(ord, action, field, old, new, effective_on)
    WHERE s.action = 'update' AND v.old IS DISTINCT FROM v.new) h
"""  # no ORDER BY: each case's rows come out together and in field order (LATERAL VALUES), as ids need
_SET = ", ".join(f"{c} = s.{c}" for c in WRITABLE + list(DERIVED_AREAS))
_UPDATE = f"""UPDATE land_cases c SET {_SET}, geom = COALESCE(s.geom, c.geom), version = c.version + 1,
    updated_at = now(), updated_by_id = :uid
FROM {NAME} s WHERE s.action = 'update' AND c.id = s.case_id"""
_INSERTED = ", ".join(WRITABLE + list(DERIVED_AREAS) + ["geom"])
# the new cases' ids drawn in row order (as an INSERT in row order would draw them), and the codes
# given: one UPDATE of the staging table before ONE plain INSERT (no RETURNING joined back)
_NUMBER = f"""UPDATE {NAME} s SET case_id = n.case_id, code = coalesce(s.code, v.code)
FROM (SELECT o.id, nextval(CAST(pg_get_serial_sequence('land_cases', 'id') AS regclass)) AS case_id
      FROM (SELECT id FROM {NAME} WHERE action = 'create' ORDER BY id) o) n
LEFT JOIN unnest(CAST(:ids AS integer[]), CAST(:codes AS text[])) AS v(id, code) ON v.id = n.id
WHERE s.id = n.id"""
_INSERT = f"""INSERT INTO land_cases (id, {_INSERTED}, version, created_by_id, updated_by_id)
SELECT case_id, {_INSERTED}, 1, :uid, :uid FROM {NAME} WHERE action = 'create' ORDER BY id"""


def _statistics_not_empty() -> None:
    """ANALYZE land_cases when its statistics count no row but it has pages. After a bulk write was
    rolled back, autovacuum's ANALYZE counts no live row among the dead ones, and the planner then
    takes the cases for empty, whatever their size, until the next ANALYZE: an import's history
    INSERT joined its 100,000 new cases by a nested loop over the staging rows for hours
    (bench/JOBS.md). A table never analyzed (-1) is estimated from its size: nothing to do."""
    stats = db.session.execute(text(
        "SELECT reltuples, relpages FROM pg_class WHERE oid = CAST('land_cases' AS regclass)")).one()
    if stats.reltuples == 0 and stats.relpages > 0:
        db.session.execute(text("ANALYZE land_cases"))


def _ddl() -> str:
    dialect = db.engine.dialect
    typed = [f"{c} {_CASES.c[c].type.compile(dialect=dialect)}" for c in WRITABLE + list(DERIVED_AREAS)]
    return (f"CREATE TEMP TABLE {NAME} (id integer PRIMARY KEY, action text NOT NULL, case_id integer, "
            "seen_version integer, moved boolean NOT NULL DEFAULT false, geom geometry(Point, 4326), "
            f"lon_t text, lat_t text, old_lon_t text, old_lat_t text, {', '.join(typed)}) ON COMMIT DROP")


def _lon_lat_text(point: Any) -> tuple[str, str]:
    """`history.to_text` of the rounded lon/lat (a float's text is `str`)."""
    return str(round(point.x, 7)), str(round(point.y, 7))


class Staging:
    """The TEMP table of one import in the session's transaction (gone at its commit or rollback)."""

    def __init__(self) -> None:
        self.buffer: list[tuple[Any, ...]] = []
        self.staged = 0
        db.session.execute(text(f"DROP TABLE IF EXISTS pg_temp.{NAME}"))  # a test's earlier import, committed
        db.session.execute(text(_ddl()))

    def add(self, p: Any) -> None:
        """Stage a create or update plan (`import_cases.Plan`): the case's every writable value after
        the import (an update keeps what the file leaves alone), its new point and the history text."""
        if p.action == "create":
            values, areas = p.values, {}
            lon_t, lat_t = _lon_lat_text(p.point)
            old = (None, None)
        else:
            values = {**p.before, **p.values}
            areas = p.before if p.point is None else {}
            lon_t, lat_t = _lon_lat_text(p.point) if p.point is not None else (None, None)
            old = (history.to_text(p.before["lon"]), history.to_text(p.before["lat"])) if p.point else (None, None)
        geom = f"SRID=4326;POINT({p.point.x!r} {p.point.y!r})" if p.point is not None else None
        self.buffer.append((p.row, p.action, p.case_id, (p.before or {}).get("version"), p.point is not None, geom,
                            lon_t, lat_t, *old, *map(values.get, WRITABLE), *map(areas.get, DERIVED_AREAS)))

    def flush(self) -> None:
        """Send the buffered rows with one COPY."""
        if not self.buffer:
            return
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {NAME} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for record in self.buffer:
                copy.write_row(record)
        self.staged += len(self.buffer)
        self.buffer.clear()

    def _ids(self, where: str) -> list[int]:
        return list(db.session.execute(text(f"SELECT id FROM {NAME} WHERE {where} ORDER BY id")).scalars())

    def _refuse_outside(self, user: User | None, report: Report, stmt: Any, region: Any) -> None:
        outside = outside_clause(user, region)
        if outside is None:
            return
        rows = dict(db.session.execute(stmt.where(outside)).all())
        if report_outside(user, report, rows, {r: r for r in rows}):
            raise ImportRejected()

    def check(self, user: User | None, report: Report) -> None:
        """Steps 1-3: scope before, location (ONE derive), scope after; ImportRejected with row errors."""
        self.flush()
        db.session.execute(text(f"ANALYZE {NAME}"))
        cases = _CASES.alias("c")
        self._refuse_outside(user, report, select(_STAGED.c.id, cases.c.region_code).select_from(
            _STAGED.join(cases, cases.c.id == _STAGED.c.case_id)).where(_STAGED.c.action == "update"),
            cases.c.region_code)
        located = self._ids("action = 'create' OR moved")
        unlocated = derive_admin_areas(db.session.connection(), NAME, located)
        for row in unlocated:
            report.error(row, "location", str(UNLOCATED), "unlocated")
        if unlocated:
            raise ImportRejected()
        self._refuse_outside(user, report, select(_STAGED.c.id, _STAGED.c.region_code).where(
            (_STAGED.c.action == "create") | _STAGED.c.moved), _STAGED.c.region_code)

    def _lock(self, report: Report) -> None:
        """Lock the cases to change in id order (two imports wait, never deadlock); refuse any edited or
        deleted since this import read it (as a stale If-Match is refused)."""
        rows = db.session.execute(text(
            f"SELECT s.id, s.code, s.seen_version, c.version, c.deleted_at IS NOT NULL FROM land_cases c "
            f"JOIN {NAME} s ON s.case_id = c.id WHERE s.action = 'update' ORDER BY c.id FOR UPDATE OF c")).all()
        stale = [r for r in rows if r[2] != r[3] or r[4]]
        for row, code, seen, version, deleted in sorted(stale):
            if deleted:
                report.error(row, "code", _("กรณี %(c)s ถูกลบไปแล้ว: ให้ผู้ดูแลระบบกู้คืนก่อนนำเข้า", c=code), "deleted")
            else:
                report.check_version(row, seen, version, code)
        if stale:
            raise ImportRejected()

    def _number(self, new_codes: Any) -> None:
        """Ids for the new cases and codes for those the file gives none (only now: the sequences are
        not transactional, and a dry run or a refused import draws nothing)."""
        pending = self._ids("action = 'create' AND code IS NULL")
        codes: list[str] = []
        if pending:
            taken = set(db.session.execute(text(
                f"SELECT code FROM {NAME} WHERE action = 'create' AND code IS NOT NULL")).scalars())
            codes = new_codes(len(pending), taken)
        db.session.execute(text(_NUMBER), {"ids": pending, "codes": codes})

    def write(self, user: User | None, report: Report, note: str | None, new_codes: Any) -> None:
        """Steps 4-6 (a real import only); IntegrityError (a code taken meanwhile) goes to the caller."""
        uid = user.id if user is not None else None
        _statistics_not_empty()
        self._lock(report)
        self._number(new_codes)
        db.session.execute(text(_INSERT), {"uid": uid})
        db.session.execute(text(_HISTORY), {"entity": ENTITY, "note": note, "uid": uid, "today": today()})
        db.session.execute(text(_UPDATE), {"uid": uid})
        located = list(db.session.execute(text(
            f"SELECT case_id FROM {NAME} WHERE action = 'create' OR moved ORDER BY case_id")).scalars())
        if located:
            from app.land import overlaps

            overlaps.refresh(case_ids=located)  # what the new and moved cases stand on
        self._preview_codes(report)
        db.session.execute(text(f"DROP TABLE {NAME}"))

    def _preview_codes(self, report: Report) -> None:
        """The codes just given to the new cases of the preview rows (the preview was made before)."""
        wanted = [r["row"] for r in report.rows if r.get("action") == "create" and not r.get("code")]
        if not wanted:
            return
        codes = dict(db.session.execute(text(f"SELECT id, code FROM {NAME} WHERE id = ANY(:ids)"),
                                        {"ids": wanted}).all())
        for r in report.rows:
            if r.get("action") == "create" and not r.get("code"):
                r["code"] = codes.get(r["row"])

    def drop(self) -> None:
        db.session.execute(text(f"DROP TABLE IF EXISTS pg_temp.{NAME}"))
