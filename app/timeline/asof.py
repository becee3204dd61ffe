"""Every land case as it stood at the end of a day (Thai time), rebuilt from the history, in one statement.

    stmt = visible_cases(as_of=date(2026, 9, 30), bbox=..., statuses=["secured"])

`cases_as_of(day)` is a CTE named `land_cases` with every column of the table: a statement
that carries it (`select(LandCase).add_cte(...)`, which `visible_cases(as_of=...)` does)
reads the past wherever it names `land_cases`, so lists, maps, the dashboard, exports and
share links need nothing else. (Read rows or columns from it, never ORM objects to change.)

How the past is rebuilt, from the current row back (the history is append-only and every
change writes it: app/land_cases/service.py, the importer, the sample loader, the generator):
* a field is the `old_value` of its earliest `update` row recorded after the day; without one,
  its current value (so a case recorded later shows the values it was first recorded with);
* the point likewise from the `lon`/`lat` rows;
* the status is the `new_value` of the last `status` row (by effective date, then id) dated on
  or before the day, else the `old_value` of its first one; the history is looked at only for
  cases with a status row dated after the day (one index probe per case, or one hashed set when
  many cases ask) or back-dated after it (recorded after the day, dated on or before it; in the
  CTE); the rest keep their current status;
* deletion: the earliest `delete`/`restore` row after the day says whether the case was live
  (a case deleted later is still there);
* a case exists from its `opened_on` as of the day, else from the day it was recorded.
The per-case CTE holds the field edits, deletions and back-dated status rows after the day only
(not the status moves, the bulk of the history), so its cost grows with the edits after the day;
the status lookups are made only for the rows a statement needs it for (a page's 1000 cases, or
every case when the status is filtered on or counted). The edits and back-dated status rows are
read from `case_edits` (migration 0019: each with its case's point now, so that a box takes its
own by the spatial index; by `at` otherwise); the status rows from history's index of one case's
status rows in date order (migrations 0011 and 0015).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CTE,
    Boolean,
    ColumnElement,
    Date,
    Float,
    Integer,
    Numeric,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import DateTime

from app.models import CaseEdit, HistoryEntry, LandCase
from app.timeline.dates import THAI_TIME

ENTITY = "land_case"
# columns history never rewinds: keys, bookkeeping, and what is rebuilt by its own rule
OWN_RULES = {"id", "geom", "status", "deleted_at"}
BOOKKEEPING = {"version", "created_at", "created_by_id", "updated_at", "updated_by_id", "deleted_by_id"}
REWINDABLE_TYPES = (String, Text, Integer, Date, Boolean, Numeric)


def end_of_day(day: date) -> datetime:
    """The first moment after `day` in Thai time (history rows at or after it are later)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=THAI_TIME)


def rewound_columns() -> list[str]:
    """The land-case columns a field `update` row may rewind (everything a person or an import sets)."""
    return [c.name for c in LandCase.__table__.columns
            if c.name not in OWN_RULES | BOOKKEEPING and isinstance(c.type, REWINDABLE_TYPES)]


DELETION, STATUS = "~deletion", "~status"  # keys of `later.old` that are not field names (migration 0019 writes them)


def _later(day_p: ColumnElement, end_p: ColumnElement, bbox: Sequence[float] | None) -> CTE:
    """Per case, what history recorded after the day rewinds, as one JSON object: each field's
    earliest old value under its name, the first delete/restore under `~deletion`, and `~status`
    when a status change dated on or before the day was recorded after it (a back-dated change:
    the current status may then not be that day's). These rows are `case_edits` (migration 0019).
    Status changes dated after the day are not here (they are the bulk of the history:
    `_status_moved_after` asks for them case by case, or hashed for many cases). (jsonb keeps the
    last of repeated keys: the rows go in newest first.) Materialised: computed once however
    often the statement reads it."""
    e = CaseEdit.__table__
    edits = select(e.c.history_id.label("id"), e.c.case_id.label("entity_id"), e.c.key, e.c.value).where(
        e.c.at >= end_p)
    if bbox is not None:
        # only cases that can be in the box: those there now (the edit's point is the case's now:
        # the spatial index gives them), and those moved since from inside its longitude or
        # latitude range (a case in the box then but not now has a coordinate that changed, and
        # the earliest old value of that coordinate is the one it had then)
        h = HistoryEntry.__table__
        box = func.ST_MakeEnvelope(*bbox, 4326)
        minx, miny, maxx, maxy = bbox
        old = cast(h.c.old_value, Float)
        moved = select(h.c.entity_id).where(
            h.c.entity == ENTITY, h.c.action == "update", h.c.field.in_(("lon", "lat")), h.c.at >= end_p,
            or_(and_(h.c.field == "lon", old.between(minx, maxx)), and_(h.c.field == "lat", old.between(miny, maxy))))
        in_box = e.c.geom.op("&&")(box)
        edits = union_all(edits.where(in_box), edits.where(~in_box, e.c.case_id.in_(moved)))
    both = edits.subquery("after_day_rows")
    # newest first from a sorted subquery (an ORDER BY inside the aggregate would sort every group)
    rows = (select(both.c.entity_id, both.c.key, both.c.value)
            .order_by(both.c.entity_id, both.c.id.desc()).subquery("after_day"))
    old = type_coerce(func.jsonb_object_agg(rows.c.key, rows.c.value), JSONB)
    return (select(rows.c.entity_id, old.label("old")).group_by(rows.c.entity_id)
            .cte("as_of_later").prefix_with("MATERIALIZED"))


def _status_moved_after(case_id: ColumnElement, day_p: ColumnElement) -> ColumnElement:
    """True when the case has a status change dated after the day (one probe of
    ix_history_case_status_by_case; PostgreSQL hashes it instead when many cases ask)."""
    h = HistoryEntry.__table__
    return (select(literal_column("1")).where(h.c.entity == ENTITY, h.c.action == "status",
                                              h.c.entity_id == case_id, h.c.effective_on > day_p)
            .exists())


def _status_then(case_id: ColumnElement, day_p: ColumnElement) -> ColumnElement:
    """The status of one case on the day: last change dated by then, else the first change's old value."""
    h = HistoryEntry.__table__
    rows = [h.c.entity == ENTITY, h.c.action == "status", h.c.entity_id == case_id]
    last = (select(h.c.new_value).where(*rows, h.c.effective_on <= day_p)
            .order_by(h.c.effective_on.desc(), h.c.id.desc()).limit(1).scalar_subquery())
    first = (select(h.c.old_value).where(*rows)
             .order_by(h.c.effective_on.asc(), h.c.id.asc()).limit(1).scalar_subquery())
    return func.coalesce(last, first)


def cases_as_of(day: date, *, bbox: Sequence[float] | None = None) -> CTE:
    """A CTE named `land_cases`: the table's rows and columns as they stood at the end of `day`.

    With `bbox` (minlon, minlat, maxlon, maxlat) only the history of cases that can lie in it is
    read (a speed-up: the caller still filters on the point, which `visible_cases` does).

    Three branches: see the comment below."""
    return _cases_as_of(day, tuple(float(v) for v in bbox) if bbox is not None else None)


@lru_cache(maxsize=64)
def _cases_as_of(day: date, bbox: tuple[float, ...] | None) -> CTE:
    """`cases_as_of`, built once per day and box (a construct of a few hundred elements: about
    20 ms of Python each time; SQLAlchemy constructs are immutable, so one may serve every request)."""
    c = LandCase.__table__
    day_p = bindparam("as_of_day", day, type_=Date)
    end_p = bindparam("as_of_end", end_of_day(day), type_=DateTime(timezone=True))
    later = _later(day_p, end_p, bbox)
    # each field recorded after the day back at its earliest old value (the history's text, read
    # as the column's type); an expression per column, so a statement computes only the ones it
    # reads (a count reads opened_on and deleted_at)
    out: dict[str, ColumnElement] = {
        name: case((later.c.old.has_key(name), cast(later.c.old[name].astext, c.c[name].type)), else_=c.c[name])
        for name in rewound_columns()}
    # the status from the history only when a change is dated after the day or was back-dated
    # after it; otherwise the current one (also for a case whose status has no history)
    status_then = func.coalesce(_status_then(c.c.id, day_p), c.c.status)
    moved_later = _status_moved_after(c.c.id, day_p)
    out["status"] = case((or_(later.c.old.has_key(STATUS), moved_later), status_then), else_=c.c.status)
    deletion = later.c.old[DELETION].astext
    out["deleted_at"] = case((deletion == "delete", null()),
                             (deletion == "restore", func.coalesce(c.c.deleted_at, end_p)),
                             else_=case((c.c.deleted_at < end_p, c.c.deleted_at), else_=null()))
    created_day = cast(func.timezone("Asia/Bangkok", c.c.created_at), Date)
    exists_then = func.coalesce(out["opened_on"], created_day) <= day_p
    moved = or_(later.c.old.has_key("lon"), later.c.old.has_key("lat"))
    lon = func.coalesce(cast(later.c.old["lon"].astext, Float), func.ST_X(c.c.geom))
    lat = func.coalesce(cast(later.c.old["lat"].astext, Float), func.ST_Y(c.c.geom))
    point = type_coerce(func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326), c.c.geom.type)

    def branch(values: dict[str, ColumnElement], source: Any, *where: ColumnElement) -> Select:
        columns = [(values[col.name] if col.name in values else col).label(col.name) for col in c.columns]
        return select(*columns).select_from(source).where(*where)

    # most cases have no history after the day: their current row as it is; the others rebuilt
    # field by field, those whose point stayed apart from those whose point moved, so that a
    # filter on the point (`geom && box`) uses the spatial index for all but the moved ones
    # (the caller's filters reach into each branch: PostgreSQL pushes them down)
    # (NOT IN: a hashed subplan, probed per row whatever the planner expects of the rows: a page
    # fetched by id is estimated at one row, and an anti join would then scan the CTE per case)
    untouched = branch({"status": case((moved_later, status_then), else_=c.c.status)}, c,
                       c.c.id.not_in(select(later.c.entity_id)),
                       func.coalesce(c.c.opened_on, created_day) <= day_p)
    joined = c.join(later, later.c.entity_id == c.c.id)
    stayed = branch({**out, "geom": c.c.geom}, joined, exists_then, ~moved)
    shifted = branch({**out, "geom": point}, joined, exists_then, moved)
    # inlined where the statement reads it (a materialised CTE would hide the spatial index and
    # give the planner no estimate of its rows)
    return union_all(untouched, stayed, shifted).cte("land_cases").prefix_with("NOT MATERIALIZED")


def with_sql(day: date) -> str:
    """`as_of_later AS ..., land_cases AS ...`: the CTEs as SQL text (values inlined: dates and
    fixed names only), for hand-written SQL over `land_cases c` (the dashboard): put it after a
    `WITH` (and before the statement's own CTEs, separated by a comma)."""
    from sqlalchemy.dialects import postgresql

    stmt = select(literal_column("1")).add_cte(cases_as_of(day))
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    head, _sep, tail = sql.rpartition("SELECT 1")
    assert head.startswith("WITH ") and not tail.strip(), sql[-200:]
    return head.removeprefix("WITH ")


__all__ = ["cases_as_of", "end_of_day", "rewound_columns", "with_sql"]
