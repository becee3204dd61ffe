"""Province, district and subdistrict polygons as GeoJSON (through the one builder, `app.geojson`):
public data, so cacheable.

A strong `ETag` (of the bytes), `Cache-Control: public, max-age=3600` and 304 on `If-None-Match`;
a whole level (no `code=` and no `bbox=`) is simplified by default (`DEFAULT_SIMPLIFY`, about
100-500 m; `simplify=0` asks for full detail); anonymous callers are rate-limited
(`BOUNDARY_RATE_LIMIT`, per address).
"""

from __future__ import annotations

import hashlib

from flask import Response, current_app, request
from flask_login import current_user
from sqlalchemy import func, null, or_, select

from app.api import bp
from app.api.params import bbox_param, float_param
from app.errors import NotFound
from app.extensions import limiter
from app.geojson import collection, json_object
from app.models import District, Province, Subdistrict
from app.web import cacheable
from gis.boundaries import LEVELS

MODELS = {"provinces": Province, "districts": District, "subdistricts": Subdistrict}
# degrees: a whole level drawn on a national map needs no more than this
DEFAULT_SIMPLIFY = {"provinces": 0.005, "districts": 0.002, "subdistricts": 0.001}
MAX_AGE = 3600


@bp.get("/boundaries/<level>")
@limiter.limit(lambda: current_app.config["BOUNDARY_RATE_LIMIT"], exempt_when=lambda: current_user.is_authenticated)
def boundaries(level: str):
    """Boundaries of one level as GeoJSON; filters `code=` (or a parent code), `bbox=`, `simplify=` (degrees)."""
    if level not in LEVELS:
        raise NotFound(f"Unknown level {level!r}: use provinces, districts or subdistricts")
    model = MODELS[level]
    code = (request.args.get("code") or "").strip().upper().removeprefix("TH")
    bbox = bbox_param()
    tolerance = float_param("simplify", None, minimum=0, maximum=1)
    if tolerance is None and not code and not bbox:
        tolerance = DEFAULT_SIMPLIFY[level]
    parent = {"provinces": null(), "districts": District.province_code,
              "subdistricts": Subdistrict.district_code}[level]
    geom = func.ST_SimplifyPreserveTopology(model.geom, tolerance) if tolerance else model.geom
    props = json_object({"code": model.code, "name_th": model.name_th, "name_en": model.name_en,
                         "parent_code": parent}, jsonb=True)
    rows = select(model.code.label("id"), geom.label("geom"), props.label("props"), model.code.label("ord"))
    if code:
        rows = rows.where(or_(model.code == code, model.code.startswith(code, autoescape=True))
                          if len(code) < LEVELS[level].code_length else model.code == code)
    if bbox:
        rows = rows.where(model.geom.op("&&")(func.ST_MakeEnvelope(*bbox, 4326)))
    response = Response(collection(rows), mimetype="application/geo+json")
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return cacheable(response).make_conditional(request)
