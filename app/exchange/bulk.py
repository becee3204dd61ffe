"""Set-based writes shared by the importers: a point from bound lon/lat, grouped UPDATEs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Float, Table, bindparam, func, update

from app.extensions import db

Change = tuple[int, dict[str, Any], tuple[float, float] | None]  # row id, new values, new (lon, lat) or None


def point_expr() -> Any:
    """A point (SRID 4326) from the bound parameters `p_lon` and `p_lat`."""
    return func.ST_SetSRID(func.ST_MakePoint(bindparam("p_lon", type_=Float), bindparam("p_lat", type_=Float)), 4326)


def update_in_groups(table: Table, changes: Iterable[Change], uid: int | None) -> None:
    """One executemany UPDATE per set of changed columns (moved or not), each bumping the version."""
    groups: dict[tuple[tuple[str, ...], bool], list[Change]] = {}
    for change in changes:
        groups.setdefault((tuple(sorted(change[1])), change[2] is not None), []).append(change)
    for (columns, moved), members in groups.items():
        values: dict[str, Any] = {c: bindparam(f"p_{c}") for c in columns}
        if moved:
            values["geom"] = point_expr()
        stmt = update(table).where(table.c.id == bindparam("p_id")).values(
            **values, version=table.c.version + 1, updated_at=func.now(), updated_by_id=uid)
        db.session.execute(stmt, [{"p_id": ident, **{f"p_{c}": new[c] for c in columns},
                                   **({"p_lon": point[0], "p_lat": point[1]} if point else {})}
                                  for ident, new, point in members])
