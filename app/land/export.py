"""The export layer `case-footprints`: live cases' footprints (MultiPolygon) with the case's visible fields,
the area in rai and what the land layers say (`GET /api/v1/export/case-footprints?format=...`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, cast

from gis.fields import CASE_FIELDS, LAND_OWNER_TYPES, Field, visible_fields

LAND_FIELDS = [
    Field("area_rai", "area_rai", "float", "เนื้อที่ (ไร่)", "Area (rai)", derived=True),
    Field("overlay_owner_type", "ovl_owner", "enum", "เจ้าของที่ดินจากชั้นข้อมูล", "Owner type from the layers",
          choices=LAND_OWNER_TYPES, derived=True),
    Field("owner_conflict", "own_confl", "bool", "ข้อมูลเจ้าของไม่ตรงกัน", "Owner mismatch", derived=True),
]


def footprint_source(with_contacts: bool, f: Any):
    """The export select and spec (the case export's, with the footprint as geometry); `f` is the
    parsed case filter (`status`, `region`, `province`, `bbox`, `q`)."""
    from app.exchange.queries import ExportSource, _columns, _scope
    from app.land import queries
    from app.models import LandCase
    from gis.exchange.writers import ExportSpec
    from gis.fields import CASE_STATUSES, STATUS_COLOURS

    fields = visible_fields(CASE_FIELDS, with_sensitive=with_contacts)
    overlay = queries._overlay()
    stmt = (queries.footprint_select(bbox=f.bbox, statuses=f.statuses, region=f.region, province=f.province, q=f.q)
            .with_only_columns(*_columns(LandCase, fields, LandCase.footprint, polygon=True),
                               cast(LandCase.area_rai, Float).label("area_rai"), overlay.label("overlay_owner_type"),
                               queries.conflict_expr(overlay).label("owner_conflict"), maintain_column_froms=True)
            .order_by(LandCase.id))
    # the writers read fields in order, then wkb, lon, lat: put the land fields before the geometry
    columns = list(stmt.selected_columns)
    n = len(fields)
    stmt = stmt.with_only_columns(*columns[:n], *columns[n + 3:], *columns[n:n + 3], maintain_column_froms=True)
    spec = ExportSpec("case-footprints", [*fields, *LAND_FIELDS], "MultiPolygon", name_field="community_name",
                      style_field="status", styles={s: STATUS_COLOURS[s] for s in CASE_STATUSES})
    return ExportSource(spec, stmt, _scope(f.region, f.province, f.values, f.narrowed))
