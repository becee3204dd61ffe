"""Which land cases a caller sees: one select builder for lists, maps, exports, OGC and share links.

    stmt = visible_cases(statuses=["negotiating"], region="south", bbox=(99, 9, 101, 11))
    rows = db.session.scalars(stmt.order_by(*sort_columns("-updated_at"))).all()

Every argument is explicit (no `request` here), so any caller can reuse it;
bad values raise `BadRequest` (400) naming the parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, case, func, or_, select

from app.errors import BadRequest
from app.extensions import db
from app.filters import FieldFilters, Filter, check_province, check_q, field_predicates, like_pattern, region_predicate
from app.models import LandCase
from app.timeline.asof import cases_as_of
from gis.fields import CASE_FIELDS, CASE_STATUSES, flagged

# the fields declared sortable in gis.fields, and when the record was made
SORTABLE: dict[str, ColumnElement] = {
    **{f.name: getattr(LandCase, f.name) for f in flagged(CASE_FIELDS, "sortable")},
    "created_at": LandCase.created_at,
    # statuses in the order of the workflow (reported ... closed), not of their machine names
    "status": case({s: i for i, s in enumerate(CASE_STATUSES)}, value=LandCase.status, else_=len(CASE_STATUSES)),
}


def visible_cases(*, bbox: Sequence[float] | None = None, statuses: Iterable[str] | None = None,
                  region: str | None = None, province: str | None = None, q: str | None = None,
                  include_deleted: bool = False, only_deleted: bool = False,
                  ids: Iterable[int] | None = None, sample: bool | None = None,
                  field_filters: FieldFilters = (), as_of: date | None = None) -> Select:
    """`select(LandCase)` of the cases matching every given filter (deleted ones left out).

    * `as_of`: every case as it stood at the end of that day (`app.timeline.asof`): the
      statement reads a CTE named `land_cases` rebuilt from the history, so the filters below
      and whatever the caller adds apply to the past (read rows, never ORM objects to change);

    * `bbox`: (minlon, minlat, maxlon, maxlat) in degrees;
    * `statuses`: machine names, any of them;
    * `region`: a CODI region (`south`) or a zone (`south-z8`): the provinces it counts;
    * `province`: a two-digit code; `q`: text in the Thai or English name or the code;
    * `include_deleted` / `only_deleted`: for admins (the caller checks the permission);
    * `field_filters`: the fields declared `filterable` (`app.filters.Filter.fields`).
    """
    stmt = select(LandCase) if as_of is None else select(LandCase).add_cte(cases_as_of(as_of, bbox=bbox))
    if only_deleted:
        stmt = stmt.where(LandCase.deleted_at.is_not(None))
    elif not include_deleted:
        stmt = stmt.where(LandCase.deleted_at.is_(None))
    if bbox is not None:
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        # for points the bounding-box operator is exact, and it skips ST_Intersects' recheck
        stmt = stmt.where(LandCase.geom.op("&&")(func.ST_MakeEnvelope(minx, miny, maxx, maxy, 4326)))
    statuses = [s for s in (statuses or []) if s]
    if statuses:
        unknown = [s for s in statuses if s not in CASE_STATUSES]
        if unknown:
            raise BadRequest(_("ไม่รู้จักสถานะ %(s)s ใช้ได้: %(all)s", s=", ".join(unknown), all=", ".join(CASE_STATUSES)),
                             [{"field": "status", "message": "unknown value"}])
        stmt = stmt.where(LandCase.status.in_(statuses))
    if region:
        stmt = stmt.where(region_predicate(LandCase.region_code, LandCase.province_code, region))
    if province:
        stmt = stmt.where(LandCase.province_code == check_province(province))
    q = check_q(q)
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(or_(LandCase.community_name.ilike(pattern, escape="\\"),
                              LandCase.community_name_en.ilike(pattern, escape="\\"),
                              LandCase.code.ilike(pattern, escape="\\")))
    if field_filters:
        stmt = stmt.where(*field_predicates(LandCase, field_filters))
    if ids is not None:
        stmt = stmt.where(LandCase.id.in_(list(ids)))
    if sample is not None:
        stmt = stmt.where(LandCase.is_sample.is_(sample))
    return stmt


def case_select(f: Filter, *, include_deleted: bool | None = None) -> Select:
    """`visible_cases` of a parsed filter (`app.filters.parse_filter("cases")`)."""
    return visible_cases(bbox=f.bbox, statuses=f.statuses, region=f.region, province=f.province, q=f.q,
                         include_deleted=f.include_deleted if include_deleted is None else include_deleted,
                         ids=f.ids, field_filters=f.fields, as_of=f.as_of)


def sort_columns(sort: str | None, default: str = "id") -> list[ColumnElement]:
    """ORDER BY for `sort=community_name,-updated_at` (allowlisted names; `-` = descending); id breaks ties."""
    spec = (sort or "").strip() or default
    order: list[ColumnElement] = []
    names = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        name = item.lstrip("+-")
        if name not in SORTABLE:
            raise BadRequest(_("เรียงตาม %(n)s ไม่ได้ ใช้ได้: %(all)s", n=name, all=", ".join(SORTABLE)),
                             [{"field": "sort", "message": "unknown sort key"}])
        column = SORTABLE[name]
        order.append(column.desc().nulls_last() if item.startswith("-") else column.asc().nulls_last())
        names.append(name)
    if "id" not in names:
        order.append(LandCase.id.asc())
    return order


def page(stmt: Select, order: Sequence[ColumnElement], *, limit: int, offset: int = 0) -> list[LandCase]:
    """One page of a `visible_cases` select as records (for the list page)."""
    return list(db.session.scalars(stmt.order_by(*order).limit(limit).offset(offset)))


def count(stmt: Select) -> int:
    """How many rows a `visible_cases` select matches."""
    ids = stmt.with_only_columns(LandCase.id, maintain_column_froms=True).order_by(None)
    return db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0


def id_by_code(code: str) -> int | None:
    """The id of the live case with this code (None when there is none)."""
    if not code or len(code) > 64:
        return None
    return db.session.scalar(select(LandCase.id).where(LandCase.code == code, LandCase.deleted_at.is_(None)))
