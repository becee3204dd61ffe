"""Deriving admin areas for 100,000 points (issue 7): the app's step-wise rule vs one spatial join.

Ours: gis.spatial.derive_admin_areas(conn, "land_cases", ids) on every generated case (the
subdistrict that holds the point; failing that district, province, nearest subdistrict within
2 km; then the region). Floor: one `UPDATE land_cases t SET <subdistrict, district, province>
FROM subdistricts s WHERE t.id = ANY(:ids) AND ST_Intersects(s.geom, t.geom)`. Each runs in a
transaction that is rolled back, after a VACUUM of land_cases (untimed), alternately; medians
of RUNS. Target: ours within 1.5x the floor.

Usage: .venv/bin/python bench/derive_admin.py [RUNS=5]   (writes bench/out/derive_admin.md)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
import benchlib  # noqa: E402

from gis.spatial import derive_admin_areas  # noqa: E402

FLOOR = """UPDATE land_cases t SET subdistrict_code = s.code, district_code = s.district_code,
                                    province_code = s.province_code
           FROM subdistricts s WHERE t.id = ANY(:ids) AND ST_Intersects(s.geom, t.geom)"""


def main(runs: int) -> None:
    engine = create_engine(benchlib.database(), connect_args=benchlib.PG_CONNECT)
    with engine.connect() as conn:
        ids = list(conn.scalars(text("SELECT id FROM land_cases WHERE code LIKE 'LC-G%' ORDER BY id")))
        before = conn.execute(text("SELECT md5(string_agg(concat_ws(',', id, subdistrict_code, province_code, "
                                   "region_code), ';' ORDER BY id)) FROM land_cases")).scalar()

    def ours(conn) -> int:
        return len(derive_admin_areas(conn, "land_cases", ids))

    def floor(conn) -> int:
        return conn.execute(text(FLOOR), {"ids": ids}).rowcount

    times: dict[str, list[float]] = {"ours": [], "floor": []}
    results: dict[str, int] = {}
    for _ in range(runs):
        for name, fn in (("ours", ours), ("floor", floor)):
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as vac:
                vac.execute(text("VACUUM land_cases"))
            with engine.connect() as conn:
                started = time.perf_counter()
                results[name] = fn(conn)
                times[name].append(time.perf_counter() - started)
                conn.rollback()
    with engine.connect() as conn:
        after = conn.execute(text("SELECT md5(string_agg(concat_ws(',', id, subdistrict_code, province_code, "
                                  "region_code), ';' ORDER BY id)) FROM land_cases")).scalar()
    assert before == after, "the rolled-back runs changed land_cases"
    ours_median, floor_median = statistics.median(times["ours"]), statistics.median(times["floor"])
    row = benchlib.ratio_row(f"gis.spatial.derive_admin_areas on {len(ids):,} generated cases "
                             f"({results['ours']} left unlocated)", ours_median,
                             f"one UPDATE … FROM subdistricts … ST_Intersects ({results['floor']:,} rows)",
                             floor_median, 1.5, runs)
    benchlib.section("derive_admin", "3. Deriving admin areas for 100,000 points vs one UPDATE … FROM",
                     benchlib.table([row]),
                     ["Each run in its own transaction, rolled back (land_cases checked unchanged after); "
                      "VACUUM land_cases before each run, untimed; the two alternately.",
                      "runs (s): ours " + ", ".join(f"{t:.1f}" for t in times["ours"])
                      + "; floor " + ", ".join(f"{t:.1f}" for t in times["floor"])])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
