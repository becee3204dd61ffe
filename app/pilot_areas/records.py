"""Helpers shared by the pilot-area and fund services (and reusable by others).

* `clean_body`: validate a JSON or form body against a `gis.fields` field list
  (unknown and read-only fields, types, vocabularies, limits), all errors at once.
* `etag` / `check_if_match`: the optimistic lock (`ETag` = the record's version).
* `region_clause`, `region_param`, `province_param`: the `region=` / `province=` filters
  (a region or a zone code; a 2-digit province code with or without `TH`).
* `feature_collection`: any `select()` with columns `id` and `geom` as one GeoJSON
  FeatureCollection text built in PostGIS; `paging` / `paged_collection` for list endpoints.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

from flask import request, url_for
from flask_babel import gettext as _
from sqlalchemy import JSON, Select, cast, column, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import aggregate_order_by

from app.api.params import int_param
from app.errors import BadRequest, PreconditionFailed, PreconditionRequired, ValidationError
from app.extensions import db
from gis.fields import Field

MAX_INT = 2**31 - 1
MAX_MONEY = 10**14  # Numeric(16, 2)
DEFAULT_LIMIT, MAX_LIMIT = 100, 10000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

province_regions = table("province_regions", column("province_code"), column("region_code"),
                         column("zone_code"))


# ---------------------------------------------------------------- validation

def _text(f: Field, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(_("ต้องเป็นข้อความ"))
    value = value.strip()
    if "\x00" in value:
        raise ValueError(_("มีอักขระที่ไม่อนุญาต"))
    if f.max_length and len(value) > f.max_length:
        raise ValueError(_("ยาวเกิน %(n)s ตัวอักษร", n=f.max_length))
    return value or None


def _number(value: Any, *, integer: bool) -> float | int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_("ต้องเป็นตัวเลข"))
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", ""))
        except ValueError:
            raise ValueError(_("ต้องเป็นตัวเลข")) from None
    if isinstance(value, int) and abs(value) > MAX_MONEY:  # before isfinite(): a huge int is no float
        raise ValueError(_("ต้องไม่ติดลบ") if value < 0 else _("มากเกินไป"))
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(_("ต้องเป็นตัวเลขที่มีค่าจำกัด"))
    if value < 0:
        raise ValueError(_("ต้องไม่ติดลบ"))
    if integer:
        if float(value) != int(value):
            raise ValueError(_("ต้องเป็นจำนวนเต็ม"))
        if value > MAX_INT:
            raise ValueError(_("มากเกินไป"))
        return int(value)
    if value >= MAX_MONEY:
        raise ValueError(_("มากเกินไป"))
    return round(float(value), 2)


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        raise ValueError(_("ต้องเป็นวันที่รูปแบบ YYYY-MM-DD (ค.ศ.)"))
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(_("ไม่มีวันที่นี้ในปฏิทิน")) from None
    if parsed.year > 2400:
        raise ValueError(_("ปีนี้ดูเหมือนเป็น พ.ศ. กรุณาใช้ ค.ศ. (พ.ศ. - 543)"))
    if parsed.year < 1900 or parsed > date.today().replace(year=date.today().year + 1):
        raise ValueError(_("วันที่อยู่นอกช่วงที่เป็นไปได้"))
    return parsed


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "on", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "off", "no", ""):
        return False
    raise ValueError(_("ต้องเป็น true หรือ false"))


def clean_value(f: Field, value: Any) -> Any:
    """One field's value converted and checked; ValueError with a Thai message otherwise."""
    if f.kind == "text":
        value = _text(f, value)
    elif f.kind == "int":
        value = _number(value, integer=True)
    elif f.kind == "float":
        value = _number(value, integer=False)
    elif f.kind == "date":
        value = _date(value)
    elif f.kind == "bool":
        value = _bool(value)
    elif f.kind == "enum":
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            value = None
        elif value not in (f.choices or {}):
            raise ValueError(_("ต้องเป็นหนึ่งใน %(v)s", v=", ".join(f.choices or {})))
    if value is None and f.required:
        raise ValueError(_("จำเป็นต้องกรอก"))
    return value


def clean_body(body: Any, fields: list[Field], *, partial: bool, extra: set[str] = frozenset(),
               fixed: set[str] = frozenset()) -> dict[str, Any]:
    """Validated values of the writable fields present in `body`.

    Unknown names give 422 (`extra` names are let through untouched for the caller);
    derived fields and `fixed` ones (set once, at creation) are read-only. With
    `partial=False` every required field must be present.
    """
    if not isinstance(body, dict):
        raise ValidationError(_("ข้อมูลที่ส่งต้องเป็นออบเจกต์ JSON"), [{"field": "", "message": "not an object"}])
    by_name = {f.name: f for f in fields}
    out: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for name, value in body.items():
        if name in extra:
            continue
        f = by_name.get(name)
        if f is None:
            errors.append({"field": name, "message": _("ไม่รู้จักฟิลด์นี้")})
        elif f.derived or name in fixed:
            errors.append({"field": name, "message": _("ฟิลด์นี้แก้ไขไม่ได้")})
        else:
            try:
                out[name] = clean_value(f, value)
            except ValueError as exc:
                errors.append({"field": name, "message": str(exc)})
    if not partial:
        for f in fields:
            if f.required and f.name not in body and f.name not in fixed:
                errors.append({"field": f.name, "message": _("จำเป็นต้องกรอก")})
    if errors:
        names = ", ".join(sorted({e["field"] for e in errors}))
        raise ValidationError(_("ข้อมูลไม่ถูกต้อง: %(f)s", f=names), errors)
    return out


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
