"""Helpers shared by the pilot-area and fund services (and reusable by others).

* `json_body`: the request's JSON object (validation itself: `app.validation`).
* `etag` / `check_if_match`: the optimistic lock (`ETag` = the record's version).
* `feature_collection`: any `select()` with columns `id` and `geom` as one GeoJSON
  FeatureCollection text built in PostGIS; `paged_collection` for list endpoints
  (filters and paging: `app.filters`).
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from sqlalchemy import Select, column, table

from app.errors import BadRequest, PreconditionFailed, PreconditionRequired, ValidationError
from app.filters import Filter
from app.geojson import collection, count, rows_of

MAX_INT = 2**31 - 1

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


# ---------------------------------------------------------------- GeoJSON

def feature_collection(stmt: Select, *, extra: dict[str, Any] | None = None, order: str = "id") -> str:
    """One FeatureCollection (text) for a select with columns `id` and `geom`; every other
    column becomes a property (`app.geojson`, built in PostGIS); `extra` adds members."""
    return collection(rows_of(stmt, order=order), head=extra)


def paged_collection(stmt: Select, f: Filter, *, order: str = "id") -> str:
    """A page of `stmt` (ordered by `order`) with numberMatched, numberReturned and the filter's links."""
    limit, offset = f.limit, f.offset
    matched = count(stmt)
    return collection(rows_of(stmt, order=order, limit=limit, offset=offset),
                      head={"numberMatched": matched, "links": f.links(matched)})
