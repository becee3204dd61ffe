"""What each case stands on: the set-based refresh of `land_overlaps`, `footprint_overlaps`, `case_land`.

    refresh(case_ids=[12])      # a case's footprint or point changed
    refresh(layer_ids=[3])      # a layer was loaded or its parcels replaced
    refresh()                   # everything (sample data, `flask land refresh`, benchmarks)

One `INSERT ... SELECT` computes, for every case in scope, the overlap with every layer:
a footprint's area on that layer's parcels (rai, and its share of the footprint, capped
at 1: parcels of one layer are taken not to overlap each other) through the parcels' GiST
index; a case without a footprint gets the layers under its point (share 1, no area).
Footprint-to-footprint overlaps are computed once per pair and stored in both
directions. `case_land` keeps, per case, the owner type holding the largest share when it
holds at least `SUGGEST_MIN_SHARE` of it. Everything runs in the caller's transaction; writes
use ON CONFLICT so that two concurrent refreshes never fail on a key.
Deleted cases are computed too (a restore needs nothing); readers show live cases only.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.extensions import db

SUGGEST_MIN_SHARE = 0.5

_LAYER_OVERLAPS = """
INSERT INTO land_overlaps (case_id, layer_id, owner_type, area_rai, share)
SELECT c.id, l.id, l.owner_type, sum(a.m2) / 1600.0,
       LEAST(1.0, sum(a.m2) / NULLIF(max(c.area_rai) * 1600.0, 0))
FROM land_cases c
JOIN reference_parcels p ON ST_Intersects(c.footprint, p.geom)
JOIN reference_layers l ON l.id = p.layer_id
CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(c.footprint, p.geom)::geography) AS m2) a
WHERE c.footprint IS NOT NULL {scope}
GROUP BY c.id, l.id
HAVING sum(a.m2) > 0
UNION ALL
SELECT c.id, l.id, l.owner_type, NULL, 1.0
FROM land_cases c
JOIN reference_parcels p ON ST_Intersects(c.geom, p.geom)
JOIN reference_layers l ON l.id = p.layer_id
WHERE c.footprint IS NULL {scope}
GROUP BY c.id, l.id
ON CONFLICT (case_id, layer_id) DO UPDATE
   SET owner_type = EXCLUDED.owner_type, area_rai = EXCLUDED.area_rai, share = EXCLUDED.share
"""

_PAIRS = """
WITH pairs AS (
    SELECT {distinct} LEAST(a.id, b.id) AS x, GREATEST(a.id, b.id) AS y,
           ST_Area(ST_Intersection(a.footprint, b.footprint)::geography) / 1600.0 AS rai
    FROM land_cases a
    JOIN land_cases b ON ST_Intersects(a.footprint, b.footprint) AND {pair}
    WHERE a.footprint IS NOT NULL AND b.footprint IS NOT NULL {scope}
)
INSERT INTO footprint_overlaps (case_id, other_id, area_rai)
SELECT x, y, rai FROM pairs WHERE rai > 0
UNION ALL
SELECT y, x, rai FROM pairs WHERE rai > 0
ON CONFLICT (case_id, other_id) DO UPDATE SET area_rai = EXCLUDED.area_rai
"""

_SUMMARY = """
INSERT INTO case_land (case_id, overlay_owner_type, overlay_share)
SELECT DISTINCT ON (case_id) case_id, owner_type, LEAST(1.0, share)
FROM (SELECT case_id, owner_type, sum(share) AS share, sum(coalesce(area_rai, 0)) AS rai
      FROM land_overlaps {where} GROUP BY case_id, owner_type) t
WHERE share >= :min_share
ORDER BY case_id, share DESC, rai DESC, owner_type
ON CONFLICT (case_id) DO UPDATE
   SET overlay_owner_type = EXCLUDED.overlay_owner_type, overlay_share = EXCLUDED.overlay_share
"""


def _conn() -> Connection:
    return db.session.connection()


def _quiet(conn: Connection) -> None:
    # for this transaction: JIT compiling costs more than these joins take, as for the tiles
    conn.execute(text("SELECT set_config('jit', 'off', true)"))


def refresh(*, case_ids: Sequence[int] | None = None, layer_ids: Sequence[int] | None = None) -> None:
    """Recompute what the given cases (or the cases on the given layers, or every case) stand on."""
    conn = _conn()
    _quiet(conn)
    if case_ids is not None:
        ids = sorted({int(i) for i in case_ids})
        if not ids:
            return
        params = {"ids": ids, "min_share": SUGGEST_MIN_SHARE}
        conn.execute(text("DELETE FROM land_overlaps WHERE case_id = ANY(:ids)"), params)
        conn.execute(text("DELETE FROM footprint_overlaps WHERE case_id = ANY(:ids) OR other_id = ANY(:ids)"),
                     params)
        conn.execute(text("DELETE FROM case_land WHERE case_id = ANY(:ids)"), params)
        conn.execute(text(_LAYER_OVERLAPS.format(scope="AND c.id = ANY(:ids)")), params)
        conn.execute(text(_PAIRS.format(pair="a.id <> b.id", scope="AND a.id = ANY(:ids)",
                                        distinct="DISTINCT ON (LEAST(a.id, b.id), GREATEST(a.id, b.id))")), params)
        conn.execute(text(_SUMMARY.format(where="WHERE case_id = ANY(:ids)")), params)
        return
    params = {"min_share": SUGGEST_MIN_SHARE}
    if layer_ids is not None:
        params["layers"] = sorted({int(i) for i in layer_ids})
        conn.execute(text("DELETE FROM land_overlaps WHERE layer_id = ANY(:layers)"), params)
        conn.execute(text(_LAYER_OVERLAPS.format(scope="AND p.layer_id = ANY(:layers)")), params)
    else:
        conn.execute(text("DELETE FROM land_overlaps"))
        conn.execute(text("DELETE FROM footprint_overlaps"))
        conn.execute(text(_LAYER_OVERLAPS.format(scope="")), params)
        conn.execute(text(_PAIRS.format(pair="a.id < b.id", scope="", distinct="")), params)
    summarise()


def summarise() -> None:
    """Rebuild every case's suggested owner type from `land_overlaps` (after layer changes)."""
    conn = _conn()
    conn.execute(text("DELETE FROM case_land"))
    conn.execute(text(_SUMMARY.format(where="")), {"min_share": SUGGEST_MIN_SHARE})


def layer_overlaps_sql() -> str:
    """The overlap statement over every case and layer (for the benchmark's comparison)."""
    return _LAYER_OVERLAPS.format(scope="")


def pairs_sql() -> str:
    """The footprint-pairs statement over every case (for the benchmark's comparison)."""
    return _PAIRS.format(pair="a.id < b.id", scope="", distinct="")
