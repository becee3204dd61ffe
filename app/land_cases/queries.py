"""Which land cases a caller sees: one select builder for lists, maps, exports, OGC and share links.

    stmt = visible_cases(statuses=["negotiating"], region="south", bbox=(99, 9, 101, 11))
    rows = db.session.scalars(stmt.order_by(*sort_columns("-updated_at"))).all()

Every argument is explicit (no `request` here), so any caller can reuse it;
bad values raise `BadRequest` (400) naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select

from app.errors import BadRequest
from app.extensions import db
from app.models import LandCase, Province, Region, RegionProvince
from app.timeline.asof import cases_as_of
from gis.fields import CASE_STATUSES

SORTABLE: dict[str, ColumnElement] = {
    "id": LandCase.id, "code": LandCase.code, "community_name": LandCase.community_name,
    "community_name_en": LandCase.community_name_en, "households": LandCase.households,
    "population": LandCase.population, "status": LandCase.status, "opened_on": LandCase.opened_on,
    "updated_at": LandCase.updated_at, "created_at": LandCase.created_at,
    "province_code": LandCase.province_code, "region_code": LandCase.region_code,
}
MAX_Q = 200


def _like_pattern(q: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", q) + "%"


def region_members(region: str) -> list[str]:
    """The provinces listed (as primary) under the region or zone itself; 400 unless it is one."""
    rows = db.session.execute(
        select(Region.code, RegionProvince.province_code)
        .outerjoin(RegionProvince, and_(RegionProvince.region_code == Region.code, RegionProvince.is_primary))
        .where(Region.code == region)).all()
    if not rows:
        raise BadRequest(_("ไม่รู้จักภาค/เขต %(r)s", r=region), [{"field": "region", "message": "unknown region"}])
    return [r.province_code for r in rows if r.province_code]


def check_province(province: str) -> None:
    """400 unless `province` is a loaded two-digit province code."""
    if not re.fullmatch(r"\d{2}", province) or not db.session.scalar(
            select(exists().where(Province.code == province))):
        raise BadRequest(_("ไม่รู้จักจังหวัด %(p)s (ใช้รหัสสองหลัก เช่น 10)", p=province),
                         [{"field": "province", "message": "unknown province"}])


def visible_cases(*, bbox: Sequence[float] | None = None, statuses: Iterable[str] | None = None,
                  region: str | None = None, province: str | None = None, q: str | None = None,
                  include_deleted: bool = False, only_deleted: bool = False,
                  ids: Iterable[int] | None = None, sample: bool | None = None,
                  as_of: date | None = None) -> Select:
    """`select(LandCase)` of the cases matching every given filter (deleted ones left out).

    * `as_of`: every case as it stood at the end of that day (`app.timeline.asof`): the
      statement reads a CTE named `land_cases` rebuilt from the history, so the filters below
      and whatever the caller adds apply to the past (read rows, never ORM objects to change);

    * `bbox`: (minlon, minlat, maxlon, maxlat) in degrees;
    * `statuses`: machine names, any of them;
    * `region`: a CODI region (`south`) or a zone (`south-z8`): the provinces it counts;
    * `province`: a two-digit code; `q`: text in the Thai or English name or the code;
    * `include_deleted` / `only_deleted`: for admins (the caller checks the permission).
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
        # the listed provinces first, so that the planner sees a plain `region_code = ...` when there
        # are none (a region whose provinces sit in its zones) and can use ix_land_cases_live_region_id
        members = region_members(region)
        in_region = LandCase.region_code == region
        stmt = stmt.where(or_(in_region, LandCase.province_code.in_(members)) if members else in_region)
    if province:
        check_province(province)
        stmt = stmt.where(LandCase.province_code == province)
    if q is not None and q.strip():
        q = q.strip()
        if len(q) > MAX_Q or "\x00" in q:
            raise BadRequest(_("คำค้นยาวเกินไปหรือมีอักขระที่ไม่อนุญาต"), [{"field": "q", "message": "invalid"}])
        pattern = _like_pattern(q)
        stmt = stmt.where(or_(LandCase.community_name.ilike(pattern, escape="\\"),
                              LandCase.community_name_en.ilike(pattern, escape="\\"),
                              LandCase.code.ilike(pattern, escape="\\")))
    if ids is not None:
        stmt = stmt.where(LandCase.id.in_(list(ids)))
    if sample is not None:
        stmt = stmt.where(LandCase.is_sample.is_(sample))
    return stmt


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


def count(stmt: Select) -> int:
    """How many rows a `visible_cases` select matches."""
    ids = stmt.with_only_columns(LandCase.id, maintain_column_froms=True).order_by(None)
    return db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
