"""Province, district and subdistrict polygons as GeoJSON: public data, so cacheable.

A strong `ETag` (of the bytes), `Cache-Control: public, max-age=3600` and 304 on `If-None-Match`;
a whole level (no `code=` and no `bbox=`) is simplified by default (`DEFAULT_SIMPLIFY`, about
100-500 m; `simplify=0` asks for full detail); anonymous callers are rate-limited
(`BOUNDARY_RATE_LIMIT`, per address).
"""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_login import current_user

from app.api import bp
from app.api.geojson import feature_collection_sql, geojson_response
from app.api.params import bbox_param, float_param
from app.errors import NotFound
from app.extensions import limiter
from app.web import cacheable
from gis.boundaries import LEVELS

PARENTS = {"provinces": "NULL::text", "districts": "province_code", "subdistricts": "district_code"}
# degrees: a whole level drawn on a national map needs no more than this
DEFAULT_SIMPLIFY = {"provinces": 0.005, "districts": 0.002, "subdistricts": 0.001}
MAX_AGE = 3600


@bp.get("/boundaries/<level>")
@limiter.limit(lambda: current_app.config["BOUNDARY_RATE_LIMIT"], exempt_when=lambda: current_user.is_authenticated)
def boundaries(level: str):
    """Boundaries of one level as GeoJSON; filters `code=` (or a parent code), `bbox=`, `simplify=` (degrees)."""
    if level not in LEVELS:
        raise NotFound(f"Unknown level {level!r}: use provinces, districts or subdistricts")
    code = (request.args.get("code") or "").strip().upper().removeprefix("TH")
    bbox = bbox_param()
    tolerance = float_param("simplify", None, minimum=0, maximum=1)
    if tolerance is None and not code and not bbox:
        tolerance = DEFAULT_SIMPLIFY[level]
    where, params = ["TRUE"], {}
    if code:
        where.append("(code = :code OR code LIKE :prefix)")
        params.update(code=code, prefix=f"{code}%" if len(code) < LEVELS[level].code_length else code)
    if bbox:
        where.append("geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)")
        params.update(zip(("minx", "miny", "maxx", "maxy"), bbox))
    geom = "ST_SimplifyPreserveTopology(geom, :tol)" if tolerance else "geom"
    if tolerance:
        params["tol"] = tolerance
    inner = f"""
        SELECT code AS id, code AS ord, {geom} AS geom,
               jsonb_build_object('code', code, 'name_th', name_th, 'name_en', name_en,
                                  'parent_code', {PARENTS[level]}) AS props
        FROM {LEVELS[level].table} WHERE {' AND '.join(where)}
    """
    response = geojson_response(feature_collection_sql(inner), params)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return cacheable(response).make_conditional(request)
