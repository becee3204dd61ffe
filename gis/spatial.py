"""Spatial rules run in PostGIS, set-based: one statement for any number of rows.

A record's subdistrict, district, province and region come from its point:
the subdistrict polygon that holds it; failing that (a gap or a code the
boundaries lack) its district or province polygon, with a note; failing that
the nearest subdistrict within `COAST_TOLERANCE_M` (simplified coastlines cut
off stilt-house communities), with a note. Points that match none stay
unlocated and are refused by the callers.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

COAST_TOLERANCE_M = 2000
# the same distance in degrees, widened (2 km is at most 0.019 degrees of longitude below
# 20 degrees of latitude): an index prefilter, so that a point far out at sea does not
# measure its distance to every subdistrict
COAST_MARGIN_DEG = 0.025
# and the case importer's TEMP staging table (app.exchange.staging), located before any case is written
LOCATED_TABLES = {"land_cases", "funds", "case_import_staging"}

NOTES = {
    "district": "no subdistrict polygon holds this point: placed by its district",
    "province": "no district polygon holds this point: placed by its province",
    "coast": "point lies just outside the mapped coastline: placed in the nearest subdistrict",
}

# One statement for every row: each step is a LATERAL lookup that runs only when the ones
# before it found nothing, and every row is written once (a reset, then a write per step,
# then the region cost four passes over the rows and their indexes).
_DERIVE = """
WITH found AS MATERIALIZED (
    SELECT n.id,
           COALESCE(s.code, near.code) AS subdistrict_code,
           COALESCE(s.district_code, d.code, near.district_code) AS district_code,
           COALESCE(s.province_code, d.province_code, p.code, near.province_code) AS province_code,
           CASE WHEN s.code IS NOT NULL THEN NULL WHEN d.code IS NOT NULL THEN :district_note
                WHEN p.code IS NOT NULL THEN :province_note WHEN near.code IS NOT NULL THEN :coast_note
           END AS location_note
    FROM {table} n
    LEFT JOIN LATERAL (SELECT s.code, s.district_code, s.province_code FROM subdistricts s
                       WHERE ST_Intersects(s.geom, n.geom) ORDER BY s.code LIMIT 1) s ON true
    LEFT JOIN LATERAL (SELECT d.code, d.province_code FROM districts d
                       WHERE s.code IS NULL AND ST_Intersects(d.geom, n.geom) ORDER BY d.code LIMIT 1) d ON true
    LEFT JOIN LATERAL (SELECT p.code FROM provinces p
                       WHERE s.code IS NULL AND d.code IS NULL AND ST_Intersects(p.geom, n.geom)
                       ORDER BY p.code LIMIT 1) p ON true
    LEFT JOIN LATERAL (SELECT s2.code, s2.district_code, s2.province_code FROM subdistricts s2
                       WHERE s.code IS NULL AND d.code IS NULL AND p.code IS NULL
                         AND s2.geom && ST_Expand(n.geom, :margin)
                         AND ST_DWithin(s2.geom::geography, n.geom::geography, :tolerance)
                       ORDER BY s2.geom <-> n.geom LIMIT 1) near ON true
    WHERE n.id = ANY(:ids)),
written AS (
    UPDATE {table} t SET subdistrict_code = f.subdistrict_code, district_code = f.district_code,
                         province_code = f.province_code, region_code = pr.region_code,
                         location_note = f.location_note
    FROM found f LEFT JOIN province_regions pr ON pr.province_code = f.province_code
    WHERE t.id = f.id
    RETURNING t.id, t.province_code)
SELECT id FROM written WHERE province_code IS NULL ORDER BY id"""


def derive_admin_areas(conn: Connection, table: str, ids: list[int]) -> list[int]:
    """Set the admin areas of rows `ids` of `table` from their points; return ids left unlocated."""
    if table not in LOCATED_TABLES:
        raise ValueError(f"not a located table: {table}")
    if not ids:
        return []
    rows = conn.execute(text(_DERIVE.format(table=table)),
                        {"ids": ids, "tolerance": COAST_TOLERANCE_M, "margin": COAST_MARGIN_DEG,
                         "district_note": NOTES["district"], "province_note": NOTES["province"],
                         "coast_note": NOTES["coast"]})
    return [r[0] for r in rows]
