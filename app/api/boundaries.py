"""Province, district and subdistrict polygons as GeoJSON."""

from __future__ import annotations

from app.api import bp
from app.api.geojson import feature_collection_sql, geojson_response
from app.api.params import bbox_param, float_param
from app.errors import NotFound
from gis.boundaries import LEVELS

PARENTS = {"provinces": "NULL::text", "districts": "province_code", "subdistricts": "district_code"}


@bp.get("/boundaries/<level>")
def boundaries(level: str):
    """Boundaries of one level as GeoJSON; filters `code=` (or a parent code), `bbox=`, `simplify=` (degrees)."""
    if level not in LEVELS:
        raise NotFound(f"Unknown level {level!r}: use provinces, districts or subdistricts")
    from flask import request

    code = (request.args.get("code") or "").strip().upper().removeprefix("TH")
    bbox = bbox_param()
    tolerance = float_param("simplify", None, minimum=0, maximum=1)
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
    return geojson_response(feature_collection_sql(inner), params)
