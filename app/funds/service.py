"""Community funds (กองทุน): the query, create and edit; admin areas derived from the point."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from shapely.geometry import Point
from sqlalchemy import Select, func, select

from app import history
from app.auth.scope import check_scope
from app.errors import NotFound, ValidationError
from app.extensions import atomic, db
from app.filters import Filter, field_predicates, like_pattern, region_predicate
from app.models import Fund, User
from app.pilot_areas.records import MAX_INT, check_if_match, province_regions
from app.validation import validate_fields
from gis.errors import GisError
from gis.fields import FUND_FIELDS
from gis.geometry import checked_point, from_db, point_from_geojson, to_db
from gis.spatial import derive_admin_areas

ENTITY = "fund"
LOCATION_KEYS = {"lon", "lat", "geometry"}
EDITABLE = ("name", "level", "members", "capital_baht", "established_on", "network", "notes")


def fund_filter(**values: Any) -> Filter:
    """A filter of this layer made in code, e.g. `fund_filter(ids=(3,))`."""
    return Filter("funds", **values)


def fund_select(filters: Filter | None = None) -> Select:
    """Funds as a `select()`: every field, `zone_code`, `lon`/`lat` and `geom`; ordered by id.
    Reuse it for exports, OGC items and tiles (same filters as the list)."""
    filters = filters or fund_filter()
    f = Fund.__table__
    stmt = (
        select(f.c.id, f.c.name, f.c.level, f.c.members, f.c.capital_baht, f.c.established_on, f.c.network,
               f.c.notes, f.c.subdistrict_code, f.c.district_code, f.c.province_code, f.c.region_code,
               province_regions.c.zone_code, f.c.location_note,
               func.ST_X(f.c.geom).label("lon"), func.ST_Y(f.c.geom).label("lat"),
               f.c.is_sample, f.c.version, f.c.updated_at, f.c.geom)
        .select_from(f.outerjoin(province_regions, province_regions.c.province_code == f.c.province_code))
        .order_by(f.c.id))
    if filters.region:
        stmt = stmt.where(region_predicate(f.c.region_code, f.c.province_code, filters.region))
    if filters.province:
        stmt = stmt.where(f.c.province_code == filters.province)
    if filters.levels:
        stmt = stmt.where(f.c.level.in_(list(filters.levels)))
    if filters.bbox:
        stmt = stmt.where(f.c.geom.op("&&")(func.ST_MakeEnvelope(*filters.bbox, 4326)))
    if filters.q:
        pattern = like_pattern(filters.q)
        stmt = stmt.where(f.c.name.ilike(pattern, escape="\\") | f.c.network.ilike(pattern, escape="\\"))
    if filters.fields:
        stmt = stmt.where(*field_predicates(f.c, filters.fields))
    if filters.ids is not None:
        stmt = stmt.where(f.c.id.in_(list(filters.ids)))
    return stmt


def fund_rows(filters: Filter | None = None) -> list[dict[str, Any]]:
    """Funds without geometry, as dicts (for pages)."""
    q = fund_select(filters).subquery()
    cols = [c for c in q.c if c.key != "geom"]
    return [dict(r._mapping) for r in db.session.execute(select(*cols).order_by(q.c.id))]


def get_fund(fund_id: int, *, lock: bool = False) -> Fund:
    fund = db.session.get(Fund, fund_id, with_for_update=lock) if 0 < fund_id <= MAX_INT else None
    if fund is None:
        raise NotFound(_("ไม่พบกองทุนหมายเลข %(id)s", id=fund_id))
    return fund


def split_body(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(properties, location keys) from plain JSON or a GeoJSON Feature with a Point."""
    if "type" in body:
        if body.get("type") != "Feature" or not isinstance(body.get("properties", {}), dict):
            raise ValidationError(_("ส่งเป็น JSON ธรรมดาหรือ GeoJSON Feature ที่มี properties"),
                                  [{"field": "type", "message": "not a Feature"}])
        unknown = sorted(set(body) - {"type", "geometry", "properties", "id"})
        if unknown:
            raise ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=", ".join(unknown)),
                                  [{"field": n, "message": _("ไม่รู้จักฟิลด์นี้")} for n in unknown])
        props = dict(body.get("properties") or {})
        location = {k: props.pop(k) for k in list(props) if k in LOCATION_KEYS}
        if body.get("geometry") is not None:
            location["geometry"] = body["geometry"]
        return props, location
    props = {k: v for k, v in body.items() if k not in LOCATION_KEYS}
    return props, {k: v for k, v in body.items() if k in LOCATION_KEYS}


def parse_location(location: dict[str, Any]) -> Point | None:
    """A checked point from `geometry` (GeoJSON Point) or `lon`/`lat`; None when neither is given."""
    try:
        if location.get("geometry") is not None:
            if "lon" in location or "lat" in location:
                raise GisError(_("ส่งตำแหน่งแบบเดียว: geometry หรือ lon/lat"),
                               [{"field": "geometry", "message": "both geometry and lon/lat"}])
            return point_from_geojson(location["geometry"])
        if "lon" in location or "lat" in location:
            return checked_point(location.get("lon"), location.get("lat"))
    except GisError as exc:
        raise ValidationError(exc.message, exc.details) from None
    return None


def _locate(fund: Fund) -> None:
    """Derive the admin areas from the point in PostGIS; 422 when it lies in no subdistrict."""
    db.session.flush()
    unlocated = derive_admin_areas(db.session.connection(), "funds", [fund.id])
    if unlocated:
        raise ValidationError(_("ตำแหน่งนี้ไม่อยู่ในเขตตำบลใดของประเทศไทย"),
                              [{"field": "geometry", "message": "not inside any subdistrict"}])
    db.session.refresh(fund)


def money(value: Any) -> Decimal | None:
    """Capital as a Decimal with two places, as the column stores it (so history compares like with like)."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _money(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("capital_baht") is not None:
        values["capital_baht"] = money(values["capital_baht"])
    return values


def lonlat(lon: float, lat: float) -> str:
    """A fund's point as history records a move: "lon,lat" with six places."""
    return f"{lon:.6f},{lat:.6f}"


def _checked(props: dict[str, Any], location: dict[str, Any], *, partial: bool, lenient: bool,
             fixed: set[str] = frozenset()) -> tuple[dict[str, Any], Point | None]:
    """Validated values and point; every problem with either reported in one 422."""
    errors: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    point = None
    try:
        values = _money(validate_fields(props, FUND_FIELDS, creating=not partial, lenient=lenient, fixed=fixed))
    except ValidationError as exc:
        errors += exc.details
    try:
        point = parse_location(location)
        if point is None and not partial:
            raise ValidationError(_("ต้องระบุตำแหน่ง: lon และ lat หรือ geometry แบบ Point"),
                                  [{"field": "geometry", "message": _("ต้องระบุตำแหน่ง (lon, lat)")}])
    except ValidationError as exc:
        if not errors:  # only the location is wrong: keep its own message
            raise
        errors += exc.details
    if errors:
        names = ", ".join(sorted({str(e.get("field")) for e in errors}))
        raise ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=names), errors)
    return values, point


def create_fund(body: dict[str, Any], user: User | None, *, lenient: bool = False) -> Fund:
    """A new fund from JSON or a GeoJSON Feature (`lenient`: form text); areas derived from its point."""
    props, location = split_body(body)
    values, point = _checked(props, location, partial=False, lenient=lenient)
    uid = user.id if user else None
    assert point is not None
    with db.session.begin_nested():  # a point no subdistrict holds undoes the insert (nothing half-written)
        fund = Fund(geom=to_db(point), version=1, created_by_id=uid, updated_by_id=uid,
                    **{"is_sample": False, **values})
        db.session.add(fund)
        _locate(fund)
        check_scope(user, fund.region_code)
    history.record(ENTITY, fund.id, "create", user, note=fund.name)
    return fund


def _lonlat(fund: Fund) -> str:
    point = from_db(fund.geom)
    return lonlat(point.x, point.y)


def update_fund(fund: Fund, body: dict[str, Any], user: User | None, *,
                lenient: bool = False) -> dict[str, tuple[Any, Any]]:
    """Apply a partial update (the caller checked the version); history per changed field."""
    check_scope(user, fund.region_code)
    props, location = split_body(body)
    values, point = _checked(props, location, partial=True, lenient=lenient, fixed={"is_sample"})
    changes = history.diff({n: getattr(fund, n) for n in values}, values)
    if point is not None:
        before = _lonlat(fund)
        after = lonlat(point.x, point.y)
        if before != after:
            changes["location"] = (before, after)
    if not changes:
        return changes
    with db.session.begin_nested():  # a new point no subdistrict holds undoes the whole edit
        for name in changes:
            if name != "location":
                setattr(fund, name, values[name])
        if "location" in changes:
            fund.geom = to_db(point)
        fund.version += 1
        fund.updated_by_id = user.id if user else None
        if "location" in changes:
            old_code = fund.subdistrict_code
            _locate(fund)
            if fund.subdistrict_code != old_code:
                changes["subdistrict_code"] = (old_code, fund.subdistrict_code)
            check_scope(user, fund.region_code)
        else:
            db.session.flush()
    history.record(ENTITY, fund.id, "update", user, changes=changes)
    return changes


# ---------------------------------------------------------------- operations (each one transaction)

def add_fund(body: dict[str, Any], user: User | None, *, lenient: bool = False) -> Fund:
    """Create a fund and commit (see `create_fund`)."""
    with atomic():
        return create_fund(body, user, lenient=lenient)


def edit_fund(fund_id: int, body: dict[str, Any], user: User | None, *, if_match: str | None,
              lenient: bool = False) -> Fund:
    """A partial update guarded by the version the caller read (428/412), committed."""
    with atomic():
        fund = get_fund(fund_id, lock=True)
        check_if_match(fund.version, if_match or "")
        update_fund(fund, body, user, lenient=lenient)
    return fund
