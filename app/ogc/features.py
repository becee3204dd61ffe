"""Rows of the OGC collections other than cases, as GeoJSON through the one builder (`app.geojson`).

Cases have their own properties (`app.land_cases.serialise`); this turns any `select()` with
columns `id` and `geom` into a page of Features whose properties are every other column,
in order (the shape the /api/v1 lists of pilot areas and funds give).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.sql.selectable import Subquery

from app.extensions import db
from app.geojson import collection_text, count, feature_array, rows_of

__all__ = ["collection_text", "count", "features_text", "filtered", "without_jit"]
Condition = Callable[[Subquery], ColumnElement]


def filtered(stmt: Select, conditions: Sequence[Condition] = ()) -> tuple[Select, Subquery]:
    """`SELECT * FROM (stmt) AS q WHERE ...`, the conditions built on `q`'s columns."""
    q = stmt.order_by(None).subquery("q")
    return select(q).where(*[condition(q) for condition in conditions]), q


def features_text(stmt: Select, *, order: str = "id", limit: int | None = None, offset: int = 0,
                  exclude: Sequence[str] = ()) -> tuple[str, int]:
    """The JSON text of the Feature array for one page of `stmt` (properties: every column but
    `geom` and `exclude`), and its length."""
    text, returned, _members = feature_array(rows_of(stmt, order=order, limit=limit, offset=offset, exclude=exclude))
    return text, returned


def without_jit() -> None:
    """For this transaction: no JIT. Pages of thousands of GeoJSON features look costly enough
    to the planner to be JIT-compiled, which costs more than it saves (up to seconds)."""
    db.session.execute(select(func.set_config("jit", "off", True)))
