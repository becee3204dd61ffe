"""Vector tile layers `case-footprints` and `reference-parcels` (selects for `app.tiles.queries.tile`).

Only public fields: a footprint carries its case's id, code, name, status, households, area and
what the layers say (never contacts); a parcel its layer's id, name, owner type and owner and the
parcel's attributes as JSON text. Both find their rows through the GiST index of the geometry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, Text, cast, func, select

from app.models import ReferenceLayer, ReferenceParcel


def footprints(z: int, x: int, y: int, cap: int, statuses: Sequence[str], region: str | None,
               province: str | None, bbox: tuple[float, ...], mvt_geom: Any) -> Select:
    from app.land import queries

    sub = queries.footprint_select(bbox=bbox, statuses=list(statuses), region=region, province=province,
                                   brief=True).subquery("fp")
    return select(sub.c.id, sub.c.code, sub.c.community_name, sub.c.status, sub.c.households,
                  cast(sub.c.area_rai, Text).label("area_rai"), sub.c.overlay_owner_type, sub.c.owner_conflict,
                  mvt_geom(sub.c.geom, z, x, y, simplify=z < 16).label("geom")).order_by(sub.c.id).limit(cap)


def parcels(z: int, x: int, y: int, cap: int, bbox: tuple[float, ...], mvt_geom: Any) -> Select:
    return (select(ReferenceParcel.id, ReferenceParcel.layer_id, ReferenceLayer.name.label("layer"),
                   ReferenceLayer.owner_type, ReferenceLayer.owner,
                   cast(ReferenceParcel.attributes, Text).label("attributes"),
                   mvt_geom(ReferenceParcel.geom, z, x, y, simplify=True).label("geom"))
            .join(ReferenceLayer, ReferenceLayer.id == ReferenceParcel.layer_id)
            .where(ReferenceParcel.geom.op("&&")(func.ST_MakeEnvelope(*bbox, 4326)))
            .order_by(ReferenceParcel.id).limit(cap))
