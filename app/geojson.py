"""The one FeatureCollection builder: a select plus a properties expression -> GeoJSON text, in PostGIS.

    rows = select(T.id.label("id"), T.geom.label("geom"), props.label("props"), T.id.label("ord"))
    features, returned, members = feature_array(rows)           # one statement, one round trip
    body = collection_text(features, returned, {"numberMatched": 12})

`feature_array` wants a select with columns `id`, `geom`, `props` (a json/jsonb
expression) and `ord` (the order of the features); `members` computes more top-level
members over the same rows in the same statement (a count, a maximum). `rows_of` turns
any select with `id` and `geom` into such rows, every other column a property.
The API lists, the map data, share-link data, OGC items and GeoJSON exports all use it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, Text, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql import Subquery

from app.extensions import db

Members = Callable[[Subquery], dict[str, ColumnElement]]
PRECISION = 6  # decimal places of coordinates: about 0.1 m


def key(name: str) -> ColumnElement:
    """A JSON key as an SQL literal (names are identifiers, never user input)."""
    assert name.replace("_", "").isalnum(), name
    return literal_column(f"'{name}'")


def json_object(pairs: dict[str, Any], *, jsonb: bool = False, strip_nulls: bool = False) -> ColumnElement:
    """`json_build_object('name', expr, ...)` of the named expressions."""
    args: list[Any] = []
    for name, value in pairs.items():
        args += [key(name), value]
    if jsonb or strip_nulls:
        built = func.jsonb_build_object(*args)
        return func.jsonb_strip_nulls(built) if strip_nulls else built
    return func.json_build_object(*args)


def feature_expr(source: Any, digits: int = PRECISION) -> ColumnElement:
    """One Feature of a row with `id`, `geom` and `props` (coordinates to `digits` places)."""
    return func.json_build_object(
        key("type"), literal_column("'Feature'"), key("id"), source.c.id,
        key("geometry"), cast(func.ST_AsGeoJSON(source.c.geom, digits), JSON),
        key("properties"), source.c.props)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def feature_array(rows: Select, *, members: Members | None = None) -> tuple[str, int, dict[str, Any]]:
    """(the JSON text of the Feature array, how many, the `members` values) in one statement."""
    return read_feature_array(feature_array_select(rows, members=members))


def feature_array_select(rows: Select, *, members: Members | None = None) -> Select:
    """The one statement of `feature_array` (to run with `read_feature_array`, once or many times)."""
    sub = rows.subquery("fc")
    agg = func.coalesce(func.json_agg(aggregate_order_by(feature_expr(sub), sub.c.ord)),
                        literal_column("'[]'::json"))
    extra = members(sub) if members else {}
    return select(cast(agg, Text).label("features"), func.count().label("returned"),
                  *[v.label(f"m_{k}") for k, v in extra.items()]).select_from(sub)


def read_feature_array(stmt: Select) -> tuple[str, int, dict[str, Any]]:
    """Run a `feature_array_select` statement: (features text, how many, the members by name)."""
    row = db.session.execute(stmt).one()
    extra = {name.removeprefix("m_"): _plain(row[i]) for i, name in enumerate(row._fields) if i >= 2}
    return row[0], row[1], extra


def feature_texts(rows: Select, *, size: int, digits: int = PRECISION) -> Iterator[list[str]]:
    """The Features of `rows` (as for `feature_array`) as JSON texts in `ord` order, `size` at a time.

    Read through a server-side cursor, so a file export of any size keeps memory flat.
    """
    sub = rows.subquery("fc")
    stmt = select(cast(feature_expr(sub, digits), Text)).order_by(sub.c.ord)
    result = db.session.connection().execute(stmt, execution_options={"stream_results": True, "yield_per": size})
    try:
        for part in result.scalars().partitions(size):
            yield list(part)
    finally:
        result.close()


def collection_text(features: str, returned: int, head: dict[str, Any] | None = None) -> str:
    """A FeatureCollection: `head` members first, then numberReturned and the features (text)."""
    members = {"type": "FeatureCollection", **(head or {}), "numberReturned": returned}
    return f'{json.dumps(members, ensure_ascii=False, default=str)[:-1]}, "features": {features}}}'


def collection(rows: Select, *, head: dict[str, Any] | None = None, members: Members | None = None) -> str:
    """`feature_array` and `collection_text` together: the FeatureCollection of `rows`."""
    features, returned, computed = feature_array(rows, members=members)
    return collection_text(features, returned, {**(head or {}), **computed})


def rows_of(stmt: Select, *, order: str | Sequence[str] = "id", limit: int | None = None, offset: int = 0,
            exclude: Sequence[str] = ()) -> Select:
    """Rows for `feature_array` from any select with `id` and `geom`: every other column (but
    `exclude`) a property, in order; ordered by `order` (then id), paged when asked."""
    names = [order] if isinstance(order, str) else list(order)
    page = stmt.order_by(None).order_by(*[literal_column(n) for n in names], literal_column("id"))
    page = page.offset(offset) if offset else page
    page = page.limit(limit) if limit is not None else page
    p = page.subquery("p")
    props = json_object({c.key: c for c in p.c if c.key != "geom" and c.key not in exclude})
    ordinal = func.row_number().over(order_by=[*[p.c[n] for n in names], p.c.id])
    return select(p.c.id, p.c.geom, props.label("props"), ordinal.label("ord"))


def count(stmt: Select) -> int:
    """How many rows `stmt` yields."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def geometry_text(geom: Any, digits: int = 6) -> ColumnElement:
    """A geometry as GeoJSON geometry text (for callers that draw it themselves, e.g. prints)."""
    return func.ST_AsGeoJSON(geom, digits)


def json_list(item: ColumnElement) -> ColumnElement:
    """A JSON array of `item` over the rows, in their order (`[]` when there is none)."""
    return func.coalesce(func.json_agg(item), literal_column("'[]'::json"))
