"""`POST /api/v1/imports/case-footprints`: a polygon layer of cases, matched by `code`, sets their footprints.

Multipart `file` (zipped shapefile, GeoPackage, GeoJSON, KML) with a `code` column, optional `crs`,
`dry_run`. Every polygon is checked as a footprint (`gis.footprints`, near its case's point);
then all rows or none: one UPDATE of every footprint (versions bumped), one INSERT of their
history (area before and after, the old and new outline), one refresh of what those cases
stand on. The report has the import's shape: `created` (always 0), `updated`, `errors`.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import text

from app.auth.scope import in_scope, region_names, scope_of
from app.errors import ValidationError
from app.extensions import db
from app.land import layers, overlaps
from app.land.messages import footprint_error
from app.models import User
from gis.footprints import FootprintError, check_footprint, to_geojson

MAX_ROWS = 20_000


def _codes(polygons: Any) -> list[str | None]:
    names = {name.lower(): name for name in polygons.attributes.column_names}
    if "code" not in names:
        raise ValidationError(_("ไฟล์ต้องมีคอลัมน์ code (รหัสกรณี) เพื่อจับคู่ขอบเขตกับกรณี"),
                              [{"field": "code", "message": "missing column", "reason": "no code column"}])
    column = polygons.attributes.column(names["code"]).to_pylist()
    return [str(v).strip() if v not in (None, "") else None for v in column]


def import_footprints(file: Any, user: User | None, *, dry_run: bool, crs: str | None = None) -> dict[str, Any]:
    """Validate every row; unless `dry_run` or any error, write all footprints in one transaction."""
    polygons = layers.read_file(file, crs=crs, max_features=MAX_ROWS)
    codes = _codes(polygons)
    known = {r.code: r for r in db.session.execute(text(
        "SELECT id, code, ST_X(geom) AS lon, ST_Y(geom) AS lat, version, region_code FROM land_cases "
        "WHERE deleted_at IS NULL AND code = ANY(:codes)"), {"codes": [c for c in codes if c]})}
    errors: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    seen: set[str] = set()
    from shapely.geometry import Point

    for index, (code, geom) in enumerate(zip(codes, polygons.geoms, strict=True)):
        row = index + 2  # as the case import counts: the first feature is row 2
        if not code:
            errors.append({"row": row, "field": "code", "message": _("จำเป็นต้องกรอก")})
            continue
        case = known.get(code)
        if case is None:
            errors.append({"row": row, "field": "code", "message": _("ไม่พบกรณีรหัส %(c)s", c=code)})
            continue
        if code in seen:
            errors.append({"row": row, "field": "code", "message": _("รหัส %(c)s ซ้ำในไฟล์", c=code)})
            continue
        if not in_scope(user, case.region_code):
            errors.append({"row": row, "field": "region_code", "reason": "out_of_scope", "message": _(
                "แถวนี้อยู่ใน %(where)s ซึ่งอยู่นอกภาคของบัญชีคุณ (%(mine)s)",
                where=region_names([case.region_code]) or "-", mine=region_names(sorted(scope_of(user) or ())))})
            continue
        seen.add(code)
        try:
            footprint = check_footprint(geom, point=Point(case.lon, case.lat))
        except FootprintError as exc:
            errors.append({"row": row, "field": "footprint", "message": footprint_error(exc).message})
            continue
        plans.append({"id": case.id, "row": row, "code": code, "geojson": json.dumps(to_geojson(footprint.geom)),
                      "note": ", ".join(footprint.repairs) or None})
    report: dict[str, Any] = {"dry_run": dry_run, "created": 0, "updated": 0 if errors or dry_run else len(plans),
                              "errors": errors, "rows": len(codes), "notes": polygons.notes}
    if dry_run or errors:
        report["would_update"] = len(plans)
        return report
    from app.land_cases.service import atomic

    with atomic():
        _write(plans, getattr(user, "id", None))
        overlaps.refresh(case_ids=[p["id"] for p in plans])
    return report


def _write(plans: list[dict[str, Any]], user_id: int | None) -> None:
    from sqlalchemy import select

    from app.geojson import geometry_text
    from app.models import LandCase

    before = dict(db.session.execute(select(LandCase.id, geometry_text(LandCase.footprint, 7))
                                     .where(LandCase.id.in_([p["id"] for p in plans]))).all())
    rows = json.dumps([{"id": p["id"], "geojson": p["geojson"], "old": before.get(p["id"]), "note": p["note"]}
                       for p in plans])
    db.session.execute(text("""
        WITH v AS (SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb))
                   AS v(id int, geojson text, old text, note text)),
        old AS MATERIALIZED (SELECT c.id, v.old AS geojson, c.area_rai
                             FROM land_cases c JOIN v USING (id)),  -- the statement's snapshot: values before
        upd AS (UPDATE land_cases c SET footprint = ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(v.geojson), 4326)),
                       version = c.version + 1, updated_at = now(), updated_by_id = :user
                FROM v WHERE c.id = v.id
                RETURNING c.id, ST_Area(ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(v.geojson), 4326))::geography)
                          / 1600.0 AS area_rai)
        INSERT INTO history (entity, entity_id, action, field, old_value, new_value, note, user_id)
        SELECT 'land_case', upd.id, 'update', f.field, f.old_value, f.new_value, coalesce(v.note, :note), :user
        FROM upd JOIN old USING (id) JOIN v USING (id)
        CROSS JOIN LATERAL (VALUES
            ('area_rai', round(old.area_rai::numeric, 4)::text, round(upd.area_rai::numeric, 4)::text),
            ('footprint', old.geojson, v.geojson)) AS f(field, old_value, new_value)"""),
                       {"rows": rows, "user": user_id, "note": "import: case-footprints"})
