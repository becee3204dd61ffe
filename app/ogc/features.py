"""GeoJSON for the OGC collections other than cases, built in PostGIS in one statement.

Cases have their own serialisation (`app.land_cases.serialise`); this turns any
`select()` with columns `id` and `geom` into a page of Features whose properties
are every other column, in order (the shape `app.pilot_areas.records.feature_collection`
gives the /api/v1 lists), but as JSON text straight from the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, Text, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.selectable import Subquery

from app.extensions import db

Condition = Callable[[Subquery], ColumnElement]


def _key(name: str) -> ColumnElement:
    assert name.replace("_", "").isalnum(), name
    return literal_column(f"'{name}'")


def filtered(stmt: Select, conditions: Sequence[Condition] = ()) -> tuple[Select, Subquery]:
    """`SELECT * FROM (stmt) AS q WHERE ...`, the conditions built on `q`'s columns."""
    q = stmt.order_by(None).subquery("q")
    return select(q).where(*[condition(q) for condition in conditions]), q


def count(stmt: Select) -> int:
    """How many rows `stmt` yields."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def features_text(stmt: Select, *, order: str = "id", limit: int | None = None, offset: int = 0,
                  exclude: Sequence[str] = ()) -> tuple[str, int]:
    """The JSON text of the Feature array for one page of `stmt` (properties: every column but
    `geom` and `exclude`), and its length."""
    page = stmt.order_by(None).order_by(literal_column(order), literal_column("id"))
    page = page.offset(offset) if offset else page
    page = page.limit(limit) if limit is not None else page
    p = page.subquery("p")
    pairs: list[Any] = []
    for column in p.c:
        if column.key != "geom" and column.key not in exclude:
            pairs += [_key(column.key), column]
    feature = func.json_build_object(
        _key("type"), literal_column("'Feature'"), _key("id"), p.c.id,
        _key("geometry"), cast(func.ST_AsGeoJSON(p.c.geom, literal_column("6")), JSON),
        _key("properties"), func.json_build_object(*pairs))
    agg = func.coalesce(func.json_agg(aggregate_order_by(feature, p.c[order], p.c.id)), literal_column("'[]'::json"))
    text, returned = db.session.execute(select(cast(agg, Text), func.count()).select_from(p)).one()
    return text, returned


def without_jit() -> None:
    """For this transaction: no JIT. Pages of thousands of GeoJSON features look costly enough
    to the planner to be JIT-compiled, which costs more than it saves (up to seconds)."""
    db.session.execute(select(func.set_config("jit", "off", True)))


def collection_text(features: str, returned: int, extra: dict[str, Any]) -> str:
    """A FeatureCollection: `extra` members first, then numberReturned and the features."""
    head = {"type": "FeatureCollection", **extra, "numberReturned": returned}
    return f'{json.dumps(head, ensure_ascii=False, default=str)[:-1]}, "features": {features}}}'
