"""What moved: the status changes of a period, by their effective dates, in one statement.

    text = changes_json(date(2025, 10, 1), date(2026, 9, 30), region="south")

Each move is one `status` history row whose effective date is in the period (both ends
included), oldest first: `{"case_id", "code", "community_name", "from", "to", "date",
"region_code"}` (the case's current name and code, never its contacts); with `points=True`
also `province_code`, `province` (its Thai name), `lon` and `lat`, for the map's changes view.
Cases deleted by the end of the period are left out; deleted later, they stay.
Each move's JSON text is made when it is written (`status_moves`, kept true by the database's
triggers: migration 0018), so a period's answer is one index range scan and a concatenation in
PostgreSQL (a fiscal year: 42,733 moves, 6.9 MB). `changes_select` reads the history itself (the
dashboard's counts, and the reference the tests hold the kept texts to).
"""

from __future__ import annotations

import sys
from datetime import date

from sqlalchemy import ColumnElement, Select, Text, cast, func, literal, or_, select

from app import answers
from app.extensions import db, planner_setting
from app.models import HistoryEntry, LandCase, Province, StatusMove
from app.timeline.asof import ENTITY, end_of_day


def changes_select(first: date, last: date, *, region: str | None = None, province: str | None = None):
    """Rows (history id, case, from, to, date) of the status moves dated `first`..`last`."""
    h, c, p = HistoryEntry.__table__, LandCase.__table__, Province.__table__
    stmt = (select(h.c.id.label("history_id"), c.c.id.label("case_id"), c.c.code, c.c.community_name,
                   h.c.old_value.label("from_status"), h.c.new_value.label("to_status"),
                   h.c.effective_on.label("day"), c.c.region_code, c.c.province_code, p.c.name_th.label("province"),
                   func.ST_X(c.c.geom).label("lon"), func.ST_Y(c.c.geom).label("lat"))
            .select_from(h.join(c, c.c.id == h.c.entity_id).outerjoin(p, p.c.code == c.c.province_code))
            .where(h.c.entity == ENTITY, h.c.action == "status", h.c.effective_on.between(first, last),
                   or_(c.c.deleted_at.is_(None), c.c.deleted_at >= end_of_day(last))))
    return _in_area(stmt, c.c.region_code, c.c.province_code, region, province)


def _in_area(stmt: Select, region_col: ColumnElement, province_col: ColumnElement, region: str | None,
             province: str | None) -> Select:
    from app.filters import check_province, check_region, region_predicate  # (it imports this package)

    region, province = check_region(region), check_province(province)
    if region:
        stmt = stmt.where(region_predicate(region_col, province_col, region))
    if province:
        stmt = stmt.where(province_col == province)
    return stmt


def changes_json(first: date, last: date, *, region: str | None = None, province: str | None = None,
                 points: bool = False) -> str:
    """`{"from", "to", "count", "changes": [...]}` as JSON text, oldest move first.

    A period's answer is kept while nothing it reads has been written since (`app.answers`):
    a fiscal year's 42,733 moves take about 100 ms to gather."""
    return answers.kept(("changes", first, last, region, province, points),
                        lambda: _changes_json(first, last, region=region, province=province, points=points),
                        size=sys.getsizeof)


def _changes_json(first: date, last: date, *, region: str | None, province: str | None, points: bool) -> str:
    m = StatusMove.__table__
    stmt = select((m.c.body + m.c.place if points else m.c.body).label("move")).where(
        m.c.effective_on.between(first, last),
        or_(m.c.case_deleted_at.is_(None), m.c.case_deleted_at >= end_of_day(last)))
    stmt = _in_area(stmt, m.c.region_code, m.c.province_code, region, province)
    # oldest first: the aggregate keeps the order of its sorted input, which the index gives
    moves = stmt.order_by(m.c.effective_on, m.c.case_id, m.c.history_id).subquery("moves")
    head = f'{{"from":"{first.isoformat()}","to":"{last.isoformat()}","count":'
    objects = func.coalesce(func.string_agg(moves.c.move, literal("},")) + literal("}"), literal(""))
    body = func.concat(head, cast(func.count(), Text), ',"changes":[', objects, "]}")  # (one copy of the text)
    # in the index's order, not sorted: PostgreSQL would sort the 6.8 MB of a fiscal year's texts
    # (on disk at the default work_mem), 100-150 ms where the ordered index scan takes 30-40
    with planner_setting("enable_sort", "off"):
        return db.session.scalar(select(body).select_from(moves))


def summary(first: date, last: date, *, region: str | None = None, province: str | None = None) -> list[dict]:
    """Moves of the period counted by (from, to), most frequent first: the dashboard's table."""
    rows = changes_select(first, last, region=region, province=province).subquery()
    stmt = (select(rows.c.from_status, rows.c.to_status, func.count().label("n"))
            .group_by(rows.c.from_status, rows.c.to_status)
            .order_by(func.count().desc(), rows.c.from_status, rows.c.to_status))
    return [{"from": f, "to": t, "count": n} for f, t, n in db.session.execute(stmt)]


__all__ = ["changes_json", "changes_select", "summary"]
