"""Province, district and subdistrict polygons as GeoJSON (through the one builder, `app.geojson`)."""

from __future__ import annotations

from flask import Response, request
from sqlalchemy import func, null, or_, select

from app.api import bp
from app.api.params import bbox_param, float_param
from app.errors import NotFound
from app.geojson import collection, json_object
from app.models import District, Province, Subdistrict
from gis.boundaries import LEVELS

MODELS = {"provinces": Province, "districts": District, "subdistricts": Subdistrict}


@bp.get("/boundaries/<level>")
def boundaries(level: str):
    """Boundaries of one level as GeoJSON; filters `code=` (or a parent code), `bbox=`, `simplify=` (degrees)."""
    if level not in LEVELS:
        raise NotFound(f"Unknown level {level!r}: use provinces, districts or subdistricts")
    model = MODELS[level]
    code = (request.args.get("code") or "").strip().upper().removeprefix("TH")
    bbox = bbox_param()
    tolerance = float_param("simplify", None, minimum=0, maximum=1)
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
    return Response(collection(rows), mimetype="application/geo+json")

