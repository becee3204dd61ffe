"""Reads of the land results: a case's land, the case properties, conflicts and the summary by owner type.

Everything reads the tables `app.land.overlaps` keeps; nothing is recomputed per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Float,
    Integer,
    Select,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from app.extensions import db
from app.geojson import geometry_text, json_list, json_object
from app.land_cases import queries as case_queries
from app.models import CaseLand, FootprintOverlap, LandCase, LandOverlap, ReferenceLayer


def _overlay() -> ColumnElement:
    return (select(CaseLand.overlay_owner_type).where(CaseLand.case_id == LandCase.id)
            .correlate(LandCase).scalar_subquery())


def conflict_expr(overlay: ColumnElement | None = None) -> ColumnElement:
    """True when the recorded owner type differs from the layers' suggestion (false when either is unknown)."""
    overlay = _overlay() if overlay is None else overlay
    return func.coalesce(LandCase.land_owner_type != overlay, false())


def property_pairs() -> list[tuple[str, ColumnElement]]:
    """The case properties of the land feature, in order: footprint (GeoJSON), area_rai,
    overlay_owner_type, owner_conflict (read-only but footprint)."""
    overlay = _overlay()
    return [
        ("footprint", cast(geometry_text(LandCase.footprint, 7), JSON)),
        ("area_rai", func.round(cast(LandCase.area_rai, db.Numeric), 4)),
        ("overlay_owner_type", overlay),
        ("owner_conflict", conflict_expr(overlay)),
    ]


def _rounded(column: Any) -> ColumnElement:
    return func.round(cast(column, db.Numeric), 4)


def case_land_text(case_id: int) -> str | None:
    """What the case stands on, as the JSON text of `GET /api/v1/cases/<id>/land` (one statement,
    built through `app.geojson`), or None when there is no such live case."""
    if not 0 < case_id < 2**31:
        return None
    overlaps = (select(json_object({
        "layer_id": LandOverlap.layer_id, "layer": ReferenceLayer.name, "owner_type": LandOverlap.owner_type,
        "owner": ReferenceLayer.owner, "area_rai": _rounded(LandOverlap.area_rai),
        "share": _rounded(LandOverlap.share), "is_sample": ReferenceLayer.is_sample}).label("o"))
        .select_from(LandOverlap).join(ReferenceLayer, ReferenceLayer.id == LandOverlap.layer_id)
        .where(LandOverlap.case_id == case_id)
        .order_by(LandOverlap.share.desc(), LandOverlap.area_rai.desc().nulls_last(), LandOverlap.layer_id)
        .subquery("ov"))
    other = aliased(LandCase)
    neighbours = (select(json_object({
        "id": other.id, "code": other.code, "community_name": other.community_name,
        "area_rai": _rounded(FootprintOverlap.area_rai), "footprint_area_rai": _rounded(other.area_rai)}).label("n"))
        .select_from(FootprintOverlap)
        .join(other, and_(other.id == FootprintOverlap.other_id, other.deleted_at.is_(None)))
        .where(FootprintOverlap.case_id == case_id).order_by(FootprintOverlap.area_rai.desc(), other.id)
        .subquery("nb"))
    body = json_object({
        "case_id": LandCase.id, "area_rai": _rounded(LandCase.area_rai), "land_owner_type": LandCase.land_owner_type,
        "overlaps": select(json_list(overlaps.c.o)).scalar_subquery(),
        "suggested_owner_type": CaseLand.overlay_owner_type, "suggested_share": _rounded(CaseLand.overlay_share),
        "owner_conflict": func.coalesce(LandCase.land_owner_type != CaseLand.overlay_owner_type, false()),
        "neighbours": select(json_list(neighbours.c.n)).scalar_subquery()})
    return db.session.scalar(select(cast(body, Text)).select_from(LandCase)
                             .outerjoin(CaseLand, CaseLand.case_id == LandCase.id)
                             .where(LandCase.id == case_id, LandCase.deleted_at.is_(None)))


def case_land(case_id: int) -> dict[str, Any]:
    """`case_land_text` as a dict (the case page; empty for a deleted case)."""
    import json

    body = case_land_text(case_id)
    if body is None:  # a deleted case (shown to admins): nothing it stands on is shown
        return {"case_id": case_id, "area_rai": None, "land_owner_type": None, "overlaps": [],
                "suggested_owner_type": None, "suggested_share": None, "owner_conflict": False, "neighbours": []}
    return json.loads(body)


def _has_neighbour() -> ColumnElement:
    other = aliased(LandCase)
    return exists().where(FootprintOverlap.case_id == LandCase.id, other.id == FootprintOverlap.other_id,
                          other.deleted_at.is_(None))


def conflicts(*, region: str | None = None, province: str | None = None, kind: str | None = None,
              limit: int = 100, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Live cases whose record disagrees with the layers, or whose footprint overlaps another's."""
    other = aliased(LandCase)
    neighbour_count = (select(func.count()).select_from(FootprintOverlap)
                       .join(other, and_(other.id == FootprintOverlap.other_id, other.deleted_at.is_(None)))
                       .where(FootprintOverlap.case_id == LandCase.id).correlate(LandCase).scalar_subquery())
    differs = and_(CaseLand.overlay_owner_type.is_not(None), LandCase.land_owner_type.is_not(None),
                   LandCase.land_owner_type != CaseLand.overlay_owner_type)
    wanted = {"owner": differs, "overlap": _has_neighbour()}.get(kind or "", or_(differs, _has_neighbour()))
    stmt = (case_queries.visible_cases(region=region, province=province)
            .outerjoin(CaseLand, CaseLand.case_id == LandCase.id).where(wanted))
    total = db.session.scalar(select(func.count()).select_from(
        stmt.with_only_columns(LandCase.id, maintain_column_froms=True).order_by(None).subquery())) or 0
    rows = db.session.execute(stmt.with_only_columns(
        LandCase.id, LandCase.code, LandCase.community_name, LandCase.region_code, LandCase.province_code,
        LandCase.households, LandCase.land_owner_type, CaseLand.overlay_owner_type, CaseLand.overlay_share,
        LandCase.area_rai, neighbour_count.label("neighbours"), case((differs, True), else_=False).label("differs"),
        maintain_column_froms=True)
        .order_by(LandCase.region_code.nulls_last(), LandCase.province_code, LandCase.code)
        .limit(limit).offset(offset)).mappings()
    return [dict(r) for r in rows], total


def by_overlay_owner(*, region: str | None = None) -> list[dict[str, Any]]:
    """Households and cases per region and overlay owner type (None: no layer under the case)."""
    stmt = (case_queries.visible_cases(region=region).outerjoin(CaseLand, CaseLand.case_id == LandCase.id)
            .with_only_columns(LandCase.region_code, CaseLand.overlay_owner_type.label("owner_type"),
                               cast(func.count(), Integer).label("cases"),
                               cast(func.coalesce(func.sum(LandCase.households), 0), Integer).label("households"),
                               cast(func.count().filter(conflict_expr(CaseLand.overlay_owner_type)), Integer)
                               .label("conflicts"),
                               cast(func.coalesce(func.sum(LandCase.area_rai), 0), Float).label("area_rai"),
                               maintain_column_froms=True)
            .group_by(LandCase.region_code, CaseLand.overlay_owner_type)
            .order_by(LandCase.region_code.nulls_last(), literal_column("cases").desc()))
    return [dict(r) for r in db.session.execute(stmt).mappings()]


def footprint_select(*, bbox: tuple[float, ...] | None = None, statuses: list[str] | None = None,
                     region: str | None = None, province: str | None = None, q: str | None = None,
                     with_sensitive: bool = False, brief: bool = False) -> Any:
    """Live cases with a footprint: the case's visible fields (or, `brief`, the map's few) and
    `geom` = the footprint; for the OGC collection, the export layer and the maps."""
    from gis.fields import CASE_FIELDS, visible_fields

    stmt = (case_queries.visible_cases(statuses=statuses, region=region, province=province, q=q)
            .where(LandCase.footprint.is_not(None)))
    if bbox is not None:
        stmt = stmt.where(LandCase.footprint.op("&&")(func.ST_MakeEnvelope(*bbox, 4326)))
    overlay = _overlay()
    names = (["id", "code", "community_name", "status", "households", "land_owner_type"] if brief else
             [f.name for f in visible_fields(CASE_FIELDS, with_sensitive=with_sensitive)])
    columns = [getattr(LandCase, name) for name in names]
    return stmt.with_only_columns(
        *columns, func.round(cast(LandCase.area_rai, db.Numeric), 4).label("area_rai"),
        overlay.label("overlay_owner_type"), conflict_expr(overlay).label("owner_conflict"),
        LandCase.footprint.label("geom"), maintain_column_froms=True)


def existing_layers(ids: Sequence[int]) -> list[int]:
    """Which of `ids` are reference layers (ids out of range are none)."""
    wanted = [int(i) for i in ids if 0 < int(i) < 2**31]
    if not wanted:
        return []
    return list(db.session.scalars(select(ReferenceLayer.id).where(ReferenceLayer.id.in_(wanted))))


def layers_by_id(ids: Sequence[int]) -> list[ReferenceLayer]:
    """The reference layers of `ids` that exist, by name (a deleted layer is simply not there)."""
    wanted = existing_layers(ids)
    if not wanted:
        return []
    return list(db.session.scalars(select(ReferenceLayer).where(ReferenceLayer.id.in_(wanted))
                                   .order_by(ReferenceLayer.name, ReferenceLayer.id)))


def parcels_of(layer_id: int, bbox: Sequence[float] | None = None, *, public: bool = False) -> Select:
    """A layer's parcels (id, layer, attributes, geometry), optionally those meeting `bbox`;
    `public` (a shared map): without the attribute table (deed and parcel numbers stay inside)."""
    from app.models import ReferenceParcel

    columns = [ReferenceParcel.id, ReferenceParcel.layer_id] + ([] if public else [ReferenceParcel.attributes])
    stmt = select(*columns, ReferenceParcel.geom).where(ReferenceParcel.layer_id == layer_id)
    if bbox:
        stmt = stmt.where(func.ST_Intersects(ReferenceParcel.geom, func.ST_MakeEnvelope(*bbox, 4326)))
    return stmt
