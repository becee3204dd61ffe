"""What moved: the status changes of a period, by their effective dates, in one statement.

    text = changes_json(date(2025, 10, 1), date(2026, 9, 30), region="south")

Each move is one `status` history row whose effective date is in the period (both ends
included), oldest first: `{"case_id", "code", "community_name", "from", "to", "date",
"region_code"}` (the case's current name and code, never its contacts); with `points=True`
also `province_code`, `province` (its Thai name), `lon` and `lat`, for the map's changes view.
Cases deleted by the end of the period are left out; deleted later, they stay.
The JSON is built in PostgreSQL (a fiscal year holds tens of thousands of moves).
"""

from __future__ import annotations

import sys
from datetime import date

from sqlalchemy import Numeric, Text, cast, func, literal_column, or_, select

from app import answers
from app.extensions import db
from app.geojson import json_rows
from app.models import HistoryEntry, LandCase, Province
from app.timeline.asof import ENTITY, end_of_day


def _key(name: str):
    return literal_column(f"'{name}'")


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
    from app.filters import check_province, check_region, region_predicate  # (it imports this package)

    region, province = check_region(region), check_province(province)
    if region:
        stmt = stmt.where(region_predicate(c.c.region_code, c.c.province_code, region))
    if province:
        stmt = stmt.where(c.c.province_code == province)
    return stmt


def changes_json(first: date, last: date, *, region: str | None = None, province: str | None = None,
                 points: bool = False) -> str:
    """`{"from", "to", "count", "changes": [...]}` as JSON text, oldest move first.

    A period's answer is kept while nothing it reads has been written since (`app.answers`):
    a fiscal year's tens of thousands of moves take a few hundred ms to build."""
    return answers.kept(("changes", first, last, region, province, points),
                        lambda: _changes_json(first, last, region=region, province=province, points=points),
                        size=sys.getsizeof)


def _changes_json(first: date, last: date, *, region: str | None, province: str | None, points: bool) -> str:
    # in date order from a sorted subquery (the aggregate keeps its input order; no sort per aggregate);
    # (day, case, row) is the order of ix_history_case_status_on, so the index can give it
    rows = changes_select(first, last, region=region, province=province).subquery("moves")
    columns = [rows.c.case_id, rows.c.code, rows.c.community_name, rows.c.from_status.label("from"),
               rows.c.to_status.label("to"), rows.c.day.label("date"), rows.c.region_code]
    if points:
        columns += [rows.c.province_code, rows.c.province, func.round(cast(rows.c.lon, Numeric), 5).label("lon"),
                    func.round(cast(rows.c.lat, Numeric), 5).label("lat")]
    # each move is the row of exactly the contract's members, under their names
    moves = select(*columns).order_by(rows.c.day, rows.c.case_id, rows.c.history_id).subquery("move")
    body = func.json_build_object(
        _key("from"), first.isoformat(), _key("to"), last.isoformat(), _key("count"), func.count(),
        _key("changes"), json_rows(moves))
    return db.session.scalar(select(cast(body, Text)).select_from(moves))


def summary(first: date, last: date, *, region: str | None = None, province: str | None = None) -> list[dict]:
    """Moves of the period counted by (from, to), most frequent first: the dashboard's table."""
    rows = changes_select(first, last, region=region, province=province).subquery()
    stmt = (select(rows.c.from_status, rows.c.to_status, func.count().label("n"))
            .group_by(rows.c.from_status, rows.c.to_status)
            .order_by(func.count().desc(), rows.c.from_status, rows.c.to_status))
    return [{"from": f, "to": t, "count": n} for f, t, n in db.session.execute(stmt)]


__all__ = ["changes_json", "changes_select", "summary"]
