"""The one serialisation of land cases as GeoJSON, built in PostGIS (through `app.geojson`).

Properties are `gis.fields.CASE_FIELDS` as the caller may see them
(`visible_fields(with_sensitive=...)`), in that order, plus `location_note`
(and `deleted_at` for admins). The list, the single GET, create and update
answers all come from `properties_expr`.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, Select, any_, cast, func, select

from app import answers
from app.geojson import collection_text, feature_array_select, json_object, read_feature_array
from app.land_cases.queries import visible_cases
from app.models import LandCase
from gis.fields import CASE_FIELDS, visible_fields


def property_names(*, with_sensitive: bool, with_deleted: bool = False) -> list[str]:
    """The property names a caller gets, in order."""
    names = [f.name for f in visible_fields(CASE_FIELDS, with_sensitive=with_sensitive)]
    return names + ["location_note"] + (["deleted_at"] if with_deleted else [])


def properties_expr(*, with_sensitive: bool, with_deleted: bool = False) -> ColumnElement:
    """`json_build_object(...)` of a case's visible properties (one place for every answer)."""
    from app.land.queries import property_pairs

    names = property_names(with_sensitive=with_sensitive, with_deleted=with_deleted)
    columns = {name: getattr(LandCase, name) for name in names}
    columns.update(property_pairs())  # footprint, area_rai, overlay_owner_type, owner_conflict (app.land)
    return json_object(columns)


def features_json(stmt: Select, *, order: Sequence[ColumnElement], limit: int | None = None,
                  offset: int = 0, with_sensitive: bool, with_deleted: bool = False,
                  with_matched: bool = False, one_pass: bool = False) -> tuple[str, int, int | None]:
    """(the JSON text of a Feature array for `stmt` (a `visible_cases` select), its length, and
    with `with_matched` how many rows `stmt` matches in all), in one statement (`features_select`)."""
    text, returned, computed = read_feature_array(features_select(
        stmt, order=order, limit=limit, offset=offset, with_sensitive=with_sensitive, with_deleted=with_deleted,
        with_matched=with_matched, one_pass=one_pass))
    return text, returned, computed.get("matched")


def features_select(stmt: Select, *, order: Sequence[ColumnElement], limit: int | None = None,
                    offset: int = 0, with_sensitive: bool, with_deleted: bool = False,
                    with_matched: bool = False, one_pass: bool = False) -> Select:
    """The one statement of `features_json`.

    A page (`limit`, `offset`) takes its ids first, from the id alone: an index (e.g. region_code,
    id) can then give them in order, where whole rows would walk the primary key past every
    other region; the properties are then built for the page's rows only: `id = ANY(the page's
    ids)` is a plain condition that PostgreSQL pushes into every branch of a case CTE
    (`app.timeline.asof`), where a join with the page would rebuild every matching case first.
    The count is a subquery of the same statement. `one_pass` (rows that are costly to produce,
    such as the cases of a past day) reads the matches once instead: their ids numbered in
    order in a materialised CTE give both the count and the page."""
    members = None
    if limit is not None or offset or with_matched:
        ids = stmt.with_only_columns(LandCase.id, maintain_column_froms=True).order_by(None)
        if one_pass:
            numbered = (ids.add_columns(func.row_number().over(order_by=list(order)).label("n"))
                        .cte("matching").prefix_with("MATERIALIZED"))
            matched = select(func.count()).select_from(numbered).scalar_subquery()
            wanted = [numbered.c.n > offset] + ([numbered.c.n <= offset + limit] if limit is not None else [])
            page_ids = select(func.array_agg(numbered.c.id)).where(*wanted).scalar_subquery()
        else:
            matched = select(func.count()).select_from(ids.subquery("matching")).scalar_subquery()
            page = ids.order_by(*order).offset(offset).limit(limit).subquery("page")
            page_ids = select(func.array_agg(page.c.id)).scalar_subquery()
        if with_matched:
            members = lambda _sub: {"matched": matched}  # noqa: E731
        if limit is not None or offset:
            stmt = stmt.where(LandCase.id == any_(cast(page_ids, ARRAY(Integer))))  # an array, not a set
    inner = (stmt.with_only_columns(
        LandCase.id, LandCase.geom,
        properties_expr(with_sensitive=with_sensitive, with_deleted=with_deleted).label("props"),
        func.row_number().over(order_by=list(order)).label("ord"), maintain_column_froms=True)
        .order_by(*order))
    return feature_array_select(inner, members=members)


def feature_collection(stmt: Select, *, order: Sequence[ColumnElement], limit: int | None, offset: int,
                       with_sensitive: bool, with_deleted: bool = False,
                       extra: dict[str, Any] | None = None) -> tuple[str, int]:
    """A FeatureCollection text (members of `extra` first, then `features`) and numberReturned."""
    features, returned, _matched = features_json(stmt, order=order, limit=limit, offset=offset,
                                                 with_sensitive=with_sensitive, with_deleted=with_deleted)
    return collection_text(features, returned, extra), returned


def feature_page(stmt: Select, *, order: Sequence[ColumnElement], limit: int | None, offset: int,
                 with_sensitive: bool, with_deleted: bool = False, one_pass: bool = False,
                 head: Callable[[int], dict[str, Any]], keep: Hashable | None = None) -> tuple[str, int]:
    """A page of a FeatureCollection with the count of all matches made in the same statement:
    (text, numberMatched); `head(matched)` gives the members before `numberReturned` (the
    matched count, paging links). With `keep` (a key saying everything that makes the page,
    for the pages of a past day) the features are kept while nothing they read is written
    (`app.answers`); the head is made anew, and the statement is built once for the key (`_built`)."""
    def build() -> Select:
        return features_select(stmt, order=order, limit=limit, offset=offset, with_sensitive=with_sensitive,
                               with_deleted=with_deleted, with_matched=True, one_pass=one_pass)

    def make() -> tuple[str, int, int | None]:
        text, returned, computed = read_feature_array(build() if keep is None else _built(keep, build))
        return text, returned, computed.get("matched")

    features, returned, matched = (make() if keep is None
                                   else answers.kept(keep, make, size=lambda made: sys.getsizeof(made[0])))
    assert matched is not None
    return collection_text(features, returned, head(matched)), matched


_BUILT: OrderedDict[Hashable, Select] = OrderedDict()
_BUILT_LOCK = threading.Lock()
BUILT_KEPT = 64


def _built(keep: Hashable, build: Callable[[], Select]) -> Select:
    """The statement of the page `keep` names, built once: a past day's page is a construct of
    several hundred elements, and SQLAlchemy computes the cache key of a new one at every run
    (about 10 ms); the same object keeps its key. (Constructs are immutable: any request may run it.)"""
    with _BUILT_LOCK:
        found = _BUILT.get(keep)
        if found is not None:
            _BUILT.move_to_end(keep)
            return found
    made = build()
    with _BUILT_LOCK:
        _BUILT[keep] = made
        while len(_BUILT) > BUILT_KEPT:
            _BUILT.popitem(last=False)
    return made


def feature_text(case_id: int, *, with_sensitive: bool, include_deleted: bool = False) -> str | None:
    """One case as a GeoJSON Feature (JSON text), or None when it does not exist (or is deleted)."""
    stmt = visible_cases(ids=[case_id], include_deleted=include_deleted)
    text, returned, _matched = features_json(stmt, order=[LandCase.id], with_sensitive=with_sensitive,
                                             with_deleted=include_deleted)
    if not returned:
        return None
    return text[1:-1]


def feature(case_id: int, *, with_sensitive: bool, include_deleted: bool = False) -> dict[str, Any] | None:
    """One case as a GeoJSON Feature dict (for pages and tests)."""
    text = feature_text(case_id, with_sensitive=with_sensitive, include_deleted=include_deleted)
    return json.loads(text) if text else None
