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
LOCATED_TABLES = {"land_cases", "funds"}

_STEPS = [
    # (join condition, columns set, note)
    ("""FROM subdistricts s WHERE t.id = ANY(:ids) AND ST_Intersects(s.geom, t.geom)""",
     "subdistrict_code = s.code, district_code = s.district_code, province_code = s.province_code",
     None),
    ("""FROM districts d WHERE t.id = ANY(:ids) AND t.province_code IS NULL
        AND ST_Intersects(d.geom, t.geom)""",
     "subdistrict_code = NULL, district_code = d.code, province_code = d.province_code",
     "no subdistrict polygon holds this point: placed by its district"),
    ("""FROM provinces p WHERE t.id = ANY(:ids) AND t.province_code IS NULL
        AND ST_Intersects(p.geom, t.geom)""",
     "subdistrict_code = NULL, district_code = NULL, province_code = p.code",
     "no district polygon holds this point: placed by its province"),
    # (an UPDATE's FROM LATERAL may not refer to the target table: find the nearest in a subquery)
    ("""FROM (SELECT n.id, (SELECT s2.code FROM subdistricts s2
                 WHERE ST_DWithin(s2.geom::geography, n.geom::geography, :tolerance)
                 ORDER BY s2.geom <-> n.geom LIMIT 1) AS code
              FROM {table} n WHERE n.id = ANY(:ids) AND n.province_code IS NULL) near
        JOIN subdistricts s ON s.code = near.code
        WHERE t.id = near.id""",
     "subdistrict_code = s.code, district_code = s.district_code, province_code = s.province_code",
     "point lies just outside the mapped coastline: placed in the nearest subdistrict"),
]


def derive_admin_areas(conn: Connection, table: str, ids: list[int]) -> list[int]:
    """Set the admin areas of rows `ids` of `table` from their points; return ids left unlocated."""
    if table not in LOCATED_TABLES:
        raise ValueError(f"not a located table: {table}")
    if not ids:
        return []
    conn.execute(text(f"""UPDATE {table} SET subdistrict_code = NULL, district_code = NULL,
                          province_code = NULL, region_code = NULL, location_note = NULL
                          WHERE id = ANY(:ids)"""), {"ids": ids})
    for where, columns, note in _STEPS:
        conn.execute(text(f"UPDATE {table} t SET {columns}, location_note = :note {where.format(table=table)}"),
                     {"ids": ids, "note": note, "tolerance": COAST_TOLERANCE_M})
    conn.execute(text(f"""UPDATE {table} t SET region_code = pr.region_code FROM province_regions pr
                          WHERE t.id = ANY(:ids) AND pr.province_code = t.province_code"""), {"ids": ids})
    rows = conn.execute(text(f"SELECT id FROM {table} WHERE id = ANY(:ids) AND province_code IS NULL"),
                        {"ids": ids})
    return [r[0] for r in rows]


def locate_point_sql() -> str:
    """SQL that answers which subdistrict holds (:lon, :lat), for previews and checks."""
    return """SELECT s.code, s.name_th, s.district_code, s.province_code
              FROM subdistricts s
              WHERE ST_Intersects(s.geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) LIMIT 1"""
