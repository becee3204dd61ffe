"""Helpers shared by the pilot-area and fund services (and reusable by others).

* `json_body`: the request's JSON object (validation itself: `app.validation`).
* `etag` / `check_if_match`: the optimistic lock (`ETag` = the record's version).
* `region_clause`, `region_param`, `province_param`: the `region=` / `province=` filters
  (a region or a zone code; a 2-digit province code with or without `TH`).
* `feature_collection`: any `select()` with columns `id` and `geom` as one GeoJSON
  FeatureCollection text built in PostGIS; `paging` / `paged_collection` for list endpoints.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request, url_for
from flask_babel import gettext as _
from sqlalchemy import JSON, Select, cast, column, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import aggregate_order_by

from app.api.params import int_param
from app.errors import BadRequest, PreconditionFailed, PreconditionRequired, ValidationError
from app.extensions import db

MAX_INT = 2**31 - 1
DEFAULT_LIMIT, MAX_LIMIT = 100, 10000

province_regions = table("province_regions", column("province_code"), column("region_code"),
                         column("zone_code"))


# ---------------------------------------------------------------- bodies

def json_body() -> dict[str, Any]:
    """The request's JSON object, or 400/422 saying what is wrong with it."""
    body = request.get_json(silent=True)
    if body is None:
        raise BadRequest(_("ต้องส่งข้อมูลเป็น JSON (Content-Type: application/json)"),
                         [{"field": "", "message": "not JSON"}])
    if not isinstance(body, dict):
        raise ValidationError(_("ข้อมูลที่ส่งต้องเป็นออบเจกต์ JSON"), [{"field": "", "message": "not an object"}])
    return body


# ---------------------------------------------------------------- optimistic lock

def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(version: int, header: str | None = None) -> None:
    """428 without `If-Match`; 412 unless it names the current version (`"3"`, `W/"3"` or `3`)."""
    raw = request.headers.get("If-Match") if header is None else header
    if raw is None or not raw.strip():
        raise PreconditionRequired(_("ต้องส่ง If-Match พร้อม ETag ของข้อมูลที่อ่านมา"),
                                   [{"field": "If-Match", "message": "required"}])
    tags = [t.strip().removeprefix("W/").strip('"') for t in raw.split(",")]
    if str(version) not in tags:
        raise PreconditionFailed(_("ข้อมูลถูกแก้ไขไปแล้วโดยผู้อื่น กรุณาโหลดใหม่แล้วลองอีกครั้ง"),
                                 [{"field": "If-Match", "message": "stale", "current": etag(version)}])


# ---------------------------------------------------------------- filters

def region_clause(region_col: Any, province_col: Any, region: str) -> Any:
    """Rows of a region, or of a zone (its provinces), e.g. `south` or `south-z8`."""
    zone_provinces = select(province_regions.c.province_code).where(province_regions.c.zone_code == region)
    return (region_col == region) | province_col.in_(zone_provinces)


def region_param(name: str = "region") -> str | None:
    """A region or zone code that exists, or None when absent (400 when unknown)."""
    from app.models import Region

    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if db.session.get(Region, raw) is None:
        codes = db.session.scalars(select(Region.code).order_by(Region.sort_order)).all()
        raise BadRequest(_("ไม่รู้จักภาค %(r)s ใช้ได้: %(all)s", r=raw, all=", ".join(codes)),
                         [{"field": name, "message": "unknown value"}])
    return raw


def province_param(name: str = "province") -> str | None:
    """A 2-digit province code (`TH` prefix allowed), or None; 400 when malformed."""
    raw = (request.args.get(name) or "").strip().upper().removeprefix("TH")
    if not raw:
        return None
    if not re.fullmatch(r"\d{2}", raw):
        raise BadRequest(_("รหัสจังหวัดต้องเป็นตัวเลข 2 หลัก เช่น 84"), [{"field": name, "message": "malformed"}])
    return raw


# ---------------------------------------------------------------- GeoJSON

def feature_collection(stmt: Select, *, extra: dict[str, Any] | None = None, order: str = "id") -> str:
    """One FeatureCollection (text) for a select with columns `id` and `geom`; every other
    column becomes a property. Built in PostGIS in one round trip; `extra` adds members."""
    q = stmt.subquery("q")
    pairs: list[Any] = []
    for c in q.c:
        if c.key != "geom":
            pairs += [literal_column(f"'{c.key}'"), c]
    feature = func.json_build_object(
        literal_column("'type'"), literal_column("'Feature'"), literal_column("'id'"), q.c.id,
        literal_column("'geometry'"), cast(func.ST_AsGeoJSON(q.c.geom, literal_column("6")), JSON),
        literal_column("'properties'"), func.json_build_object(*pairs))
    features = func.coalesce(func.json_agg(aggregate_order_by(feature, q.c[order])), literal_column("'[]'::json"))
    body = db.session.execute(select(features)).scalar_one()
    members: dict[str, Any] = {"type": "FeatureCollection", **(extra or {}), "features": body}
    return json.dumps(members, ensure_ascii=False, default=str)


def paging() -> tuple[int, int]:
    """`limit` (default 100, at most 10000) and `offset` from the query string."""
    return (int_param("limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT),
            int_param("offset", 0, minimum=0, maximum=10**9))


def _link(rel: str, offset: int | None = None) -> dict[str, str]:
    args = request.args.to_dict()
    if offset is not None:
        args["offset"] = str(offset)
    href = url_for(request.endpoint or "", **(request.view_args or {}), **args, _external=True)
    return {"rel": rel, "type": "application/geo+json", "href": href}


def paged_collection(stmt: Select, *, order: str = "id") -> str:
    """A page of `stmt` (ordered by `order`) with numberMatched, numberReturned and links."""
    limit, offset = paging()
    matched = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    page = stmt.order_by(None).order_by(literal_column(order)).limit(limit).offset(offset)
    returned = max(0, min(limit, matched - offset))
    links = [_link("self")]
    if offset + limit < matched:
        links.append(_link("next", offset + limit))
    if offset > 0:
        links.append(_link("prev", max(0, offset - limit)))
    return feature_collection(page, order=order, extra={
        "numberMatched": matched, "numberReturned": returned, "links": links})


def region_names() -> dict[str, tuple[str, str]]:
    """Region and zone code -> (Thai name, English name)."""
    from app.models import Region

    return {r.code: (r.name_th, r.name_en) for r in db.session.scalars(select(Region).order_by(Region.sort_order))}
