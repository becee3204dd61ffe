"""Synthetic land cases for benchmarks: N cases inside real subdistricts, set-based.

Subdistricts are drawn with plausible weights (informal communities gather in cities):
Bangkok 8, the other Bangkok-vicinity provinces 3, the central (Mueang) district of a
province 4, anywhere else 1. All random numbers are drawn once, in row order, after
`setseed`, so the same seed on the same boundaries gives the same cases. Points come from
`ST_GeneratePoints` on the drawn subdistrict's polygon (a few spare points are asked
for: PostGIS 3.3 sometimes returns one fewer than requested; a case left without one
takes `ST_PointOnSurface`), and the admin areas are those of
that polygon (the point was made inside it). Each case gets a `create` history row and a
status history that walks the workflow up to its status, dated between opening and the end
of fiscal year 2569 (30 September 2026, or today if that is earlier).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from app.extensions import db
from app.sample_data.cases import LAST_DAY

NOTE = "ข้อมูลสังเคราะห์สำหรับทดสอบประสิทธิภาพ (flask demo generate)"
STATUS_CUTS = [("reported", 0.18), ("surveying", 0.35), ("negotiating", 0.52), ("agreed", 0.62),
               ("secured", 0.82), ("stalled", 0.92), ("evicted", 0.95), ("closed", 1.0)]
PATHS = {  # status -> the changes that lead to it
    "surveying": ["reported", "surveying"],
    "negotiating": ["reported", "surveying", "negotiating"],
    "agreed": ["reported", "surveying", "negotiating", "agreed"],
    "secured": ["reported", "surveying", "negotiating", "agreed", "secured"],
    "stalled": ["reported", "surveying", "stalled"],
    "evicted": ["reported", "surveying", "negotiating", "evicted"],
    "closed": ["reported", "surveying", "closed"],
}
OWNERS = ["treasury", "treasury", "state_railway", "crown_property", "marine", "forest", "forest", "temple",
          "local_government", "alro", "private", "private", "private", "other"]
PROBLEMS = ["eviction_threat", "eviction_threat", "eviction_threat", "lease_expired", "lease_expired",
            "no_tenure_document", "no_tenure_document", "public_works", "disaster", "other"]
PLACES = ["ริมคลอง", "ริมทางรถไฟ", "หลังวัด", "ท่าน้ำ", "ใต้สะพาน", "ตลาดเก่า", "ริมแม่น้ำ", "บ้านหนองบัว",
          "บ้านโนนสูง", "บ้านดอนตาล", "บ้านป่าไผ่", "บ้านท่าทราย", "ริมทะเล", "ริมบึง"]
SUFFIXES = ["สามัคคี", "ร่วมใจ", "พัฒนา", "เจริญสุข", "มั่นคง", "ร่มเย็น", "สุขใจ", "ใหม่"]


def _status_sql() -> str:
    cases = " ".join(f"WHEN r_status < {cut} THEN '{status}'" for status, cut in STATUS_CUTS[:-1])
    return f"CASE {cases} ELSE '{STATUS_CUTS[-1][0]}' END"


def _paths_values() -> str:
    rows = []
    for status, steps in PATHS.items():
        for i in range(1, len(steps)):
            rows.append(f"('{status}', {i}, {len(steps)}, '{steps[i - 1]}', '{steps[i]}')")
    return ", ".join(rows)


def _array(values: list[str]) -> str:
    return "(ARRAY[" + ", ".join(f"'{v}'" for v in values) + "])"


def generate_cases(count: int, seed: int = 1) -> int:
    """Insert `count` synthetic cases (is_sample, codes `LC-G0000001`...) and their history; not committed."""
    conn = db.session.connection()
    conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    conn.execute(text("DROP TABLE IF EXISTS gen_weights, gen_draws, gen_picks"))
    conn.execute(text("SELECT setseed(:s)"), {"s": ((seed % 2_000_003) / 2_000_003.0) * 2 - 1})
    conn.execute(text("""
        CREATE TEMP TABLE gen_weights ON COMMIT DROP AS
        SELECT code, (sum(w) OVER (ORDER BY code) - w)::float8 AS lo FROM (
            SELECT code, CASE WHEN province_code = '10' THEN 8
                              WHEN province_code IN ('11', '12', '13', '73', '74') THEN 3
                              WHEN district_code LIKE '__01' THEN 4 ELSE 1 END AS w
            FROM subdistricts) s"""))
    total = conn.execute(text("SELECT sum(CASE WHEN province_code = '10' THEN 8 "
                              "WHEN province_code IN ('11', '12', '13', '73', '74') THEN 3 "
                              "WHEN district_code LIKE '__01' THEN 4 ELSE 1 END) FROM subdistricts")).scalar()
    if not total:
        raise RuntimeError("no subdistricts loaded: run `flask boundaries load` first")
    start = conn.execute(text(r"""SELECT COALESCE(max(substring(code FROM '^LC-G(\d+)$')::bigint), 0)
                                  FROM land_cases WHERE code LIKE 'LC-G%'""")).scalar()
    # every random number drawn here, in generate_series order
    conn.execute(text("""
        CREATE TEMP TABLE gen_draws ON COMMIT DROP AS
        SELECT n, random() * :total AS r_pick, random() AS r_status, random() AS r_owner, random() AS r_problem,
               random() AS r_hh, random() AS r_days, random() AS r_place, random() AS r_suffix, random() AS r_pop
        FROM generate_series(1, :count) AS n"""), {"total": float(total), "count": count})
    conn.execute(text("""
        CREATE TEMP TABLE gen_picks ON COMMIT DROP AS
        SELECT d.*, w.codes[width_bucket(d.r_pick, w.los)] AS subdistrict_code
        FROM gen_draws d,
             (SELECT array_agg(code ORDER BY code) AS codes, array_agg(lo ORDER BY code) AS los
              FROM gen_weights) w"""))
    inserted = conn.execute(text(f"""
        WITH numbered AS (
            SELECT p.*, row_number() OVER (PARTITION BY p.subdistrict_code ORDER BY p.n) AS k
            FROM gen_picks p),
        per_code AS (SELECT subdistrict_code, count(*)::int AS n FROM gen_picks GROUP BY 1),
        points AS (
            SELECT c.subdistrict_code, d.path[1] AS k, d.geom
            FROM per_code c JOIN subdistricts s ON s.code = c.subdistrict_code,
                 LATERAL ST_Dump(ST_GeneratePoints(s.geom, c.n + 3, :pseed)) AS d),
        ins AS (
            INSERT INTO land_cases (code, community_name, households, population, land_owner_type, problem,
                                    status, area_type, geom, opened_on, notes, is_sample, version,
                                    subdistrict_code, district_code, province_code, region_code)
            SELECT 'LC-G' || lpad((:start + x.n)::text, 7, '0'),
                   'ชุมชน' || {_array(PLACES)}[1 + floor(x.r_place * {len(PLACES)})::int]
                          || {_array(SUFFIXES)}[1 + floor(x.r_suffix * {len(SUFFIXES)})::int],
                   x.households, (x.households * (3 + x.r_pop * 1.6))::int,
                   {_array(OWNERS)}[1 + floor(x.r_owner * {len(OWNERS)})::int],
                   {_array(PROBLEMS)}[1 + floor(x.r_problem * {len(PROBLEMS)})::int],
                   x.status,
                   CASE WHEN s.province_code = '10' OR s.district_code LIKE '__01' THEN 'urban' ELSE 'rural' END,
                   COALESCE(pt.geom, ST_PointOnSurface(s.geom)), x.opened_on, :note, true, 1,
                   s.code, s.district_code, s.province_code, pr.region_code
            FROM (SELECT numbered.*, 10 + floor(r_hh * r_hh * 390)::int AS households,
                         {_status_sql()} AS status,
                         LEAST(date '2009-10-01' + floor(r_days * (date '2026-09-30' - date '2009-10-01'))::int,
                               :last) AS opened_on
                  FROM numbered) x
            LEFT JOIN points pt ON pt.subdistrict_code = x.subdistrict_code AND pt.k = x.k
            JOIN subdistricts s ON s.code = x.subdistrict_code
            LEFT JOIN province_regions pr ON pr.province_code = s.province_code
            RETURNING id, status, opened_on),
        paths (status, i, len, old, new) AS (VALUES {_paths_values()}),
        created AS (
            INSERT INTO history (entity, entity_id, action, note, effective_on, at)
            SELECT 'land_case', id, 'create', :note, opened_on, opened_on::timestamptz FROM ins
            RETURNING 1),
        changes AS (
            INSERT INTO history (entity, entity_id, action, field, old_value, new_value, note, effective_on, at)
            SELECT 'land_case', ins.id, 'status', 'status', p.old, p.new, :note, d.day, d.day::timestamptz
            FROM ins JOIN paths p ON p.status = ins.status,
                 LATERAL (SELECT ins.opened_on + (p.i * GREATEST(CAST(:last AS date) - ins.opened_on, 0) / p.len)
                          AS day) d
            RETURNING 1)
        SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM created) + (SELECT count(*) FROM changes)"""),
        {"pseed": abs(seed) + 1, "start": start, "note": NOTE, "last": min(LAST_DAY, date.today())})
    cases, _entries = inserted.one()
    return int(cases)
