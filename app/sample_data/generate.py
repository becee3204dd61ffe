"""Synthetic land cases for benchmarks: N cases inside real subdistricts, set-based.

Subdistricts are drawn with plausible weights (informal communities gather in cities):
Bangkok 8, the other Bangkok-vicinity provinces 3, the central (Mueang) district of a
province 4, anywhere else 1. All random numbers are drawn once, in row order, after
`setseed`, so the same seed on the same boundaries gives the same cases. Points come from
`ST_GeneratePoints` on the drawn subdistrict's polygon (a few spare points are asked
for: PostGIS 3.3 sometimes returns one fewer than requested; a case left without one
takes `ST_PointOnSurface`), and the admin areas are those of
that polygon (the point was made inside it).

Histories are realistic enough for the time views: every case is opened between 1 October
2016 (fiscal year 2560) and `until` (today), gets a `create` row, then walks the workflow
(`WALK`: weighted next statuses, 30 days to about 1.4 years between moves, at most
`MAX_STEPS` moves, never past `until`), one `status` row per move with its effective date;
a quarter of the cases have their households corrected once and 3% had their point moved
once (`update` rows, as the case service writes them). 100,000 cases make about 500,000
history rows. The case row holds the final values, so replaying the history gives it back.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from app.extensions import db
from app.validation import today  # the service's day (Thai), as every writer takes it

NOTE = "ข้อมูลสังเคราะห์สำหรับทดสอบประสิทธิภาพ (flask demo generate)"
FIRST_OPENED = date(2016, 10, 1)  # ten fiscal years back from FY 2570
# the walk through the workflow (app.land_cases.workflow): from -> [(to, weight)]; "stop" ends the history
WALK: dict[str, list[tuple[str, float]]] = {
    "reported": [("surveying", 0.80), ("stalled", 0.10), ("closed", 0.05), ("stop", 0.05)],
    "surveying": [("negotiating", 0.65), ("stalled", 0.20), ("evicted", 0.05), ("closed", 0.05), ("stop", 0.05)],
    "negotiating": [("agreed", 0.55), ("stalled", 0.28), ("evicted", 0.07), ("closed", 0.05), ("stop", 0.05)],
    "agreed": [("secured", 0.80), ("stalled", 0.12), ("evicted", 0.05), ("stop", 0.03)],
    "secured": [("closed", 0.10), ("stop", 0.90)],
    "stalled": [("surveying", 0.30), ("negotiating", 0.35), ("agreed", 0.10), ("evicted", 0.08), ("closed", 0.12),
                ("stop", 0.05)],
    "evicted": [("reported", 0.25), ("negotiating", 0.30), ("closed", 0.35), ("stop", 0.10)],
    "closed": [("reported", 0.10), ("stop", 0.90)],
}
MAX_STEPS = 9
EDITED_SHARE = 0.25  # cases whose households were corrected once (an `update` history row)
MOVED_SHARE = 0.03  # cases whose point was moved once (lon/lat `update` rows)
OWNERS = ["treasury", "treasury", "state_railway", "crown_property", "marine", "forest", "forest", "temple",
          "local_government", "alro", "private", "private", "private", "other"]
PROBLEMS = ["eviction_threat", "eviction_threat", "eviction_threat", "lease_expired", "lease_expired",
            "no_tenure_document", "no_tenure_document", "public_works", "disaster", "other"]
PLACES = ["ริมคลอง", "ริมทางรถไฟ", "หลังวัด", "ท่าน้ำ", "ใต้สะพาน", "ตลาดเก่า", "ริมแม่น้ำ", "บ้านหนองบัว",
          "บ้านโนนสูง", "บ้านดอนตาล", "บ้านป่าไผ่", "บ้านท่าทราย", "ริมทะเล", "ริมบึง"]
SUFFIXES = ["สามัคคี", "ร่วมใจ", "พัฒนา", "เจริญสุข", "มั่นคง", "ร่มเย็น", "สุขใจ", "ใหม่"]


def _walk_values() -> str:
    rows = []
    for source, targets in WALK.items():
        low = 0.0
        for target, weight in targets:
            rows.append(f"('{source}', '{target}', {low:.4f}, {low + weight:.4f})")
            low += weight
    return ", ".join(rows)


def _array(values: list[str]) -> str:
    return "(ARRAY[" + ", ".join(f"'{v}'" for v in values) + "])"


def generate_cases(count: int, seed: int = 1, until: date | None = None) -> int:
    """Insert `count` synthetic cases (is_sample, codes `LC-G0000001`...) and their history; not committed."""
    last = until or today()
    conn = db.session.connection()
    conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    conn.execute(text("DROP TABLE IF EXISTS gen_weights, gen_draws, gen_picks, gen_walk"))
    conn.execute(text("SELECT setseed(:s)"), {"s": ((seed % 2_000_003) / 2_000_003.0) * 2 - 1})
    weight = ("CASE WHEN province_code = '10' THEN 8 WHEN province_code IN ('11', '12', '13', '73', '74') THEN 3 "
              "WHEN district_code LIKE '__01' THEN 4 ELSE 1 END")
    conn.execute(text(f"""
        CREATE TEMP TABLE gen_weights ON COMMIT DROP AS
        SELECT code, (sum(w) OVER (ORDER BY code) - w)::float8 AS lo
        FROM (SELECT code, {weight} AS w FROM subdistricts) s"""))
    total = conn.execute(text(f"SELECT sum({weight}) FROM subdistricts")).scalar()
    if not total:
        raise RuntimeError("no subdistricts loaded: run `flask boundaries load` first")
    start = conn.execute(text(r"""SELECT COALESCE(max(substring(code FROM '^LC-G(\d+)$')::bigint), 0)
                                  FROM land_cases WHERE code LIKE 'LC-G%'""")).scalar()
    # every random number drawn here, in generate_series order (the walk's own draws follow)
    conn.execute(text("""
        CREATE TEMP TABLE gen_draws ON COMMIT DROP AS
        SELECT n, random() * :total AS r_pick, random() AS r_owner, random() AS r_problem, random() AS r_hh,
               :first + floor(random() * (CAST(:last AS date) - :first))::int AS opened_on, random() AS r_place,
               random() AS r_suffix, random() AS r_pop, random() AS r_edit, random() AS r_move, random() AS r_dx,
               random() AS r_dy
        FROM generate_series(1, :count) AS n"""),
                 {"total": float(total), "count": count, "first": FIRST_OPENED, "last": last})
    conn.execute(text("""
        CREATE TEMP TABLE gen_picks ON COMMIT DROP AS
        SELECT d.*, w.codes[width_bucket(d.r_pick, w.los)] AS subdistrict_code
        FROM gen_draws d,
             (SELECT array_agg(code ORDER BY code) AS codes, array_agg(lo ORDER BY code) AS los
              FROM gen_weights) w"""))
    # each case walks the workflow from `reported`: a weighted next status and a gap of 30 days to ~1.4 years
    conn.execute(text(f"""
        CREATE TEMP TABLE gen_walk ON COMMIT DROP AS
        WITH RECURSIVE steps (status, target, lo, hi) AS (VALUES {_walk_values()}),
        walk (n, i, old, status, day, r_next, r_gap) AS (
            SELECT n, 0, NULL::text, 'reported'::text, opened_on, random(), random() FROM gen_draws
            UNION ALL
            SELECT w.n, w.i + 1, w.status, s.target, w.day + 30 + floor(power(w.r_gap, 1.3) * 430)::int,
                   random(), random()
            FROM walk w JOIN steps s ON s.status = w.status AND w.r_next >= s.lo AND w.r_next < s.hi
            WHERE w.i < {MAX_STEPS} AND s.target <> 'stop'
              AND w.day + 30 + floor(power(w.r_gap, 1.3) * 430)::int <= CAST(:last AS date))
        SELECT n, i, old, status, day FROM walk"""), {"last": last})
    inserted = conn.execute(text(f"""
        WITH numbered AS (
            SELECT p.*, row_number() OVER (PARTITION BY p.subdistrict_code ORDER BY p.n) AS k
            FROM gen_picks p),
        final AS (SELECT DISTINCT ON (n) n, status, day FROM gen_walk ORDER BY n, i DESC),
        per_code AS (SELECT subdistrict_code, count(*)::int AS n FROM gen_picks GROUP BY 1),
        points AS (
            SELECT c.subdistrict_code, d.path[1] AS k, d.geom
            FROM per_code c JOIN subdistricts s ON s.code = c.subdistrict_code,
                 LATERAL ST_Dump(ST_GeneratePoints(s.geom, c.n + 3, :pseed)) AS d),
        ins AS (
            INSERT INTO land_cases (code, community_name, households, population, land_owner_type, problem,
                                    status, area_type, geom, opened_on, notes, is_sample, version,
                                    subdistrict_code, district_code, province_code, region_code,
                                    created_at, updated_at)
            SELECT 'LC-G' || lpad((:start + x.n)::text, 7, '0'),
                   'ชุมชน' || {_array(PLACES)}[1 + floor(x.r_place * {len(PLACES)})::int]
                          || {_array(SUFFIXES)}[1 + floor(x.r_suffix * {len(SUFFIXES)})::int],
                   x.households, (x.households * (3 + x.r_pop * 1.6))::int,
                   {_array(OWNERS)}[1 + floor(x.r_owner * {len(OWNERS)})::int],
                   {_array(PROBLEMS)}[1 + floor(x.r_problem * {len(PROBLEMS)})::int],
                   f.status,
                   CASE WHEN s.province_code = '10' OR s.district_code LIKE '__01' THEN 'urban' ELSE 'rural' END,
                   COALESCE(pt.geom, ST_PointOnSurface(s.geom)), x.opened_on, :note, true, 1,
                   s.code, s.district_code, s.province_code, pr.region_code,
                   (x.opened_on + time '10:00') AT TIME ZONE 'Asia/Bangkok',
                   (f.day + time '10:00') AT TIME ZONE 'Asia/Bangkok'
            FROM (SELECT numbered.*, 10 + floor(r_hh * r_hh * 390)::int AS households FROM numbered) x
            JOIN final f ON f.n = x.n
            LEFT JOIN points pt ON pt.subdistrict_code = x.subdistrict_code AND pt.k = x.k
            JOIN subdistricts s ON s.code = x.subdistrict_code
            LEFT JOIN province_regions pr ON pr.province_code = s.province_code
            RETURNING id, code, households, opened_on, geom),
        cases AS (
            SELECT ins.*, substring(ins.code FROM 5)::bigint - :start AS n, CAST(:last AS date) - ins.opened_on AS span
            FROM ins),
        rows (id, action, field, old, new, day) AS (
            SELECT id, 'create', NULL, NULL, NULL, opened_on FROM cases
            UNION ALL
            SELECT c.id, 'status', 'status', w.old, w.status, w.day
            FROM cases c JOIN gen_walk w ON w.n = c.n AND w.i > 0
            UNION ALL  -- a households count corrected once, some time after opening
            SELECT c.id, 'update', 'households', greatest(1, c.households * 4 / 5)::text, c.households::text,
                   c.opened_on + floor(d.r_edit / {EDITED_SHARE} * c.span)::int
            FROM cases c JOIN gen_draws d ON d.n = c.n WHERE d.r_edit < {EDITED_SHARE} AND c.span > 0
            UNION ALL  -- a point moved once by a few hundred metres (lon and lat rows)
            SELECT c.id, 'update', m.field, m.old, m.new, c.opened_on + floor(d.r_move / {MOVED_SHARE} * c.span)::int
            FROM cases c JOIN gen_draws d ON d.n = c.n,
                 LATERAL (VALUES ('lon', round((ST_X(c.geom) + (d.r_dx - 0.5) * 0.006)::numeric, 7)::text,
                                  round(ST_X(c.geom)::numeric, 7)::text),
                                 ('lat', round((ST_Y(c.geom) + (d.r_dy - 0.5) * 0.006)::numeric, 7)::text,
                                  round(ST_Y(c.geom)::numeric, 7)::text)) AS m(field, old, new)
            WHERE d.r_move < {MOVED_SHARE} AND c.span > 0),
        written AS (
            INSERT INTO history (entity, entity_id, action, field, old_value, new_value, note, effective_on, at)
            SELECT 'land_case', id, action, field, old, new, :note, CASE WHEN action = 'status' THEN day END,
                   (day + time '10:00') AT TIME ZONE 'Asia/Bangkok'
            FROM rows ORDER BY day, id
            RETURNING 1)
        SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM written)"""),
        {"pseed": abs(seed) + 1, "start": start, "note": NOTE, "last": last})
    cases, _entries = inserted.one()
    return int(cases)
