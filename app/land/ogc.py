"""The OGC collections `case-footprints` and `reference-parcels` (selects for `app.ogc.collections`)."""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import Select, select

from app.errors import BadRequest
from app.land import queries
from app.models import ReferenceLayer, ReferenceParcel
from gis.fields import LAND_OWNER_TYPES

COLLECTION_IDS = ("case-footprints", "reference-parcels")


def parcels_select(bbox: tuple[float, ...] | None = None, ids: list[int] | None = None) -> Select:
    """Every parcel with its layer's name, owner type and owner, and its attributes (an object)."""
    from sqlalchemy import func

    stmt = (select(ReferenceParcel.id, ReferenceParcel.layer_id, ReferenceLayer.name.label("layer"),
                   ReferenceLayer.owner_type, ReferenceLayer.owner, ReferenceLayer.is_sample,
                   ReferenceParcel.attributes, ReferenceParcel.geom)
            .join(ReferenceLayer, ReferenceLayer.id == ReferenceParcel.layer_id))
    layer = (request.args.get("layer") or "").strip() if ids is None else ""
    if layer:
        if not layer.isdigit() or len(layer) > 9:
            raise BadRequest("layer must be a layer id", [{"field": "layer", "message": "not an id"}])
        stmt = stmt.where(ReferenceParcel.layer_id == int(layer))
    owner_type = (request.args.get("owner_type") or "").strip() if ids is None else ""
    if owner_type:
        if owner_type not in LAND_OWNER_TYPES:
            raise BadRequest(f"Unknown owner_type; allowed: {', '.join(LAND_OWNER_TYPES)}",
                             [{"field": "owner_type", "message": "unknown value"}])
        stmt = stmt.where(ReferenceLayer.owner_type == owner_type)
    if bbox:
        stmt = stmt.where(func.ST_Intersects(ReferenceParcel.geom, func.ST_MakeEnvelope(*bbox, 4326)))
    if ids is not None:
        stmt = stmt.where(ReferenceParcel.id.in_(ids))
    return stmt


def record_select(collection_id: str, f: Any, ids: list[int] | None = None) -> Any:
    """The select behind one of the two collections: of the parsed filter `f` (the case filters for
    footprints; `bbox` for parcels, with `layer` and `owner_type` from the query string), or of `ids`."""
    if collection_id == "reference-parcels":
        return parcels_select(f.bbox if f is not None else None, ids)
    if ids is not None:
        from app.models import LandCase

        return queries.footprint_select().where(LandCase.id.in_(ids))
    return queries.footprint_select(bbox=f.bbox, statuses=f.statuses, region=f.region, province=f.province, q=f.q)


def extent_geom(collection_id: str) -> Any:
    """The geometry column whose extent the collection reports."""
    if collection_id == "reference-parcels":
        return ReferenceParcel.geom, None
    sub = queries.footprint_select().subquery("fp")
    return sub.c.geom, sub.c.updated_at
