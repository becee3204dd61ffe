"""Land (issue 13): overlap refresh, layer load and GET /api/v1/cases/<id>/land, each against its floor.

    .venv/bin/python bench/land.py     # database BENCH_LAND_DB (default codi_bench_land), RUNS=5;
                                       # BENCH_LAND_DB_READY=1 skips bench_db

Set-up (skipped when already done): the benchmark database with 100,000 generated cases
(`bench_db`), a footprint for every generated case (`flask demo generate --footprints` does the
same), a GeoPackage of 50,000 generated parcels (`flask land parcels-file`), loaded once as a
reference layer through the app's own path.

* overlap refresh: `app.land.overlaps` over every case and layer (the layer statement alone, and the
  whole refresh with footprint pairs and the suggestion) vs one bare `INSERT ... SELECT` with
  `ST_Intersects`/`ST_Area(ST_Intersection(...)::geography)` into a plain table; each rolled back;
  target <= 1.5x;
* layer load: the 50,000-parcel GeoPackage read, checked and written by `app.land.layers`
  (Arrow, one COPY, one INSERT ... SELECT; rolled back) vs `ogr2ogr -f PostgreSQL` of the same
  file into a new table (dropped afterwards); target <= 2x;
* `/api/v1/cases/<id>/land` through gunicorn (gunicorn.conf.py) on random generated cases: median < 50 ms;
* map: a region map with footprints and the reference overlay (`layers=...,reference:<id>`, zoom 14
  on the busiest spot of the region) drawn in Chromium: from navigation until cases, footprints and
  parcels are all on the map, median < 5 s; beside it the same map without the land layers.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# a database of its own (footprints and a big layer would change the other benchmarks' data)
os.environ["BENCH_DB"] = os.environ.get("BENCH_LAND_DB", "codi_bench_land")

from bench import benchlib  # noqa: E402

RUNS = int(os.environ.get("RUNS", "5"))
PARCELS = int(os.environ.get("BENCH_PARCELS", "50000"))
PORT = int(os.environ.get("BENCH_LAND_PORT", "5103"))  # map_page.py uses it too: run_all runs them in turn
BARE = """
INSERT INTO bench_bare_overlaps (case_id, layer_id, m2)
SELECT c.id, p.layer_id, sum(ST_Area(ST_Intersection(c.footprint, p.geom)::geography))
FROM land_cases c JOIN reference_parcels p ON ST_Intersects(c.footprint, p.geom)
GROUP BY c.id, p.layer_id"""
BARE_PAIRS = """
INSERT INTO bench_bare_pairs (case_id, other_id, m2)
SELECT a.id, b.id, ST_Area(ST_Intersection(a.footprint, b.footprint)::geography)
FROM land_cases a JOIN land_cases b ON ST_Intersects(a.footprint, b.footprint) AND a.id < b.id"""


def _app(url: str):
    os.environ["DATABASE_URL"] = url
    from app import create_app

    return create_app()


def _prepare(app, gpkg: Path, *, need_file: bool = True) -> int:
    """Footprints for the generated cases, the parcels file and its layer (once); the layer's id.
    (`need_file` False: only the map is measured, the layer is there already: no file is written.)"""
    from sqlalchemy import text

    from app.extensions import db
    from app.land import overlaps
    from app.land.sample import generate_footprints, generate_parcels_file

    with app.app_context():
        conn = db.session.connection()
        if generate_footprints(conn):
            db.session.commit()
        if not gpkg.exists() and need_file:
            generate_parcels_file(db.session.connection(), gpkg, PARCELS)
            db.session.rollback()
        layer = db.session.scalar(text("SELECT id FROM reference_layers WHERE name = 'bench parcels'"))
        if layer is None:
            from werkzeug.datastructures import FileStorage

            from app.land import layers

            with gpkg.open("rb") as handle:
                meta = layers.LayerMeta("bench parcels", "treasury", "bench", "generated", None)
                record, _body = layers.create_layer(FileStorage(handle, filename=gpkg.name), meta, None)
            layer = record.id
        elif not db.session.scalar(text("SELECT EXISTS (SELECT 1 FROM land_overlaps)")):
            overlaps.refresh()
            db.session.commit()
    benchlib.bash(f"psql -q \"$(bench_url_for {benchlib.DB_NAME} | sed 's/+psycopg//')\" -c 'VACUUM ANALYZE'")
    return int(layer)


def _timed_in_rollback(app, work, setup=None) -> float:
    from app.extensions import db

    with app.app_context():
        if setup is not None:
            setup(db)
        started = time.perf_counter()
        work(db)
        elapsed = time.perf_counter() - started
        db.session.rollback()
    return elapsed


def _alternate(pairs: dict[str, object], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in pairs}
    for fn in pairs.values():  # warm-up
        fn()
    for _ in range(runs):
        for name, fn in pairs.items():
            times[name].append(fn())
    return times


def overlap_bench(app) -> list[list[str]]:
    from sqlalchemy import text

    from app.land import overlaps

    def bare(db):
        db.session.execute(text("SELECT set_config('jit', 'off', true)"))
        db.session.execute(text(BARE))

    def bare_table(db):
        db.session.execute(text("CREATE TABLE bench_bare_overlaps (case_id int, layer_id int, m2 float8)"))

    def empty(db):
        db.session.execute(text("DELETE FROM land_overlaps"))

    def statement(db):
        db.session.execute(text("SELECT set_config('jit', 'off', true)"))
        db.session.execute(text(overlaps.layer_overlaps_sql()), {})

    def bare_pairs(db):
        db.session.execute(text("SELECT set_config('jit', 'off', true)"))
        db.session.execute(text(BARE_PAIRS))

    def pairs_table(db):
        db.session.execute(text("CREATE TABLE bench_bare_pairs (case_id int, other_id int, m2 float8)"))

    def empty_pairs(db):
        db.session.execute(text("DELETE FROM footprint_overlaps"))

    def pairs(db):
        db.session.execute(text("SELECT set_config('jit', 'off', true)"))
        db.session.execute(text(overlaps.pairs_sql()))

    def whole(db):
        overlaps.refresh()

    times = _alternate({"bare": lambda: _timed_in_rollback(app, bare, bare_table),
                        "statement": lambda: _timed_in_rollback(app, statement, empty),
                        "bare_pairs": lambda: _timed_in_rollback(app, bare_pairs, pairs_table),
                        "pairs": lambda: _timed_in_rollback(app, pairs, empty_pairs),
                        "refresh": lambda: _timed_in_rollback(app, whole)}, RUNS)
    floor = statistics.median(times["bare"])
    pair_floor = statistics.median(times["bare_pairs"])
    return [benchlib.ratio_row("overlap statement (every case x every layer, with points)",
                               statistics.median(times["statement"]), "bare INSERT ... SELECT", floor, 1.5, RUNS),
            benchlib.ratio_row("footprint pairs statement (every pair once, stored both ways)",
                               statistics.median(times["pairs"]), "bare self-join INSERT ... SELECT", pair_floor,
                               1.5, RUNS),
            benchlib.ratio_row("whole refresh (deletes, both statements, suggestions)",
                               statistics.median(times["refresh"]), "the two bare statements", floor + pair_floor,
                               1.5, RUNS)]


def load_bench(app, gpkg: Path, url: str) -> list[list[str]]:
    from werkzeug.datastructures import FileStorage

    from app.land import layers

    def ours(db):
        polygons = layers.read_file(FileStorage(io.BytesIO(gpkg.read_bytes()), filename=gpkg.name))
        layer_id = db.session.execute(__import__("sqlalchemy").text(
            "INSERT INTO reference_layers (name, owner_type) VALUES ('bench load', 'treasury') RETURNING id")).scalar()
        layers._copy_parcels(layer_id, polygons)

    pg = benchlib.libpq(url)

    def ogr() -> float:
        started = time.perf_counter()
        subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:{pg.replace('postgresql://', 'postgresql://')}",
                        str(gpkg), "-nln", "bench_ogr_parcels", "-nlt", "MULTIPOLYGON", "-lco", "GEOMETRY_NAME=geom",
                        "-lco", "SPATIAL_INDEX=GIST", "-overwrite"], check=True, capture_output=True)
        elapsed = time.perf_counter() - started
        subprocess.run(["psql", "-q", pg, "-c", "DROP TABLE IF EXISTS bench_ogr_parcels"], check=True)
        return elapsed

    times = _alternate({"ogr": ogr, "ours": lambda: _timed_in_rollback(app, ours)}, RUNS)
    return [benchlib.ratio_row(f"load {PARCELS:,} parcels (GeoPackage) through app.land.layers",
                               statistics.median(times["ours"]), "ogr2ogr -f PostgreSQL",
                               statistics.median(times["ogr"]), 2.0, RUNS)]


def api_bench(app) -> list[list[str]]:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        ids = [r[0] for r in db.session.execute(text(
            "SELECT id FROM land_cases WHERE code LIKE 'LC-G%' ORDER BY id"))]
    token = benchlib.token("viewer")
    rng = random.Random(13)
    sample = [rng.choice(ids) for _ in range(101)]
    with benchlib.serve(PORT) as base:
        def get(path: str) -> float:
            request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Bearer {token}"})
            started = time.perf_counter()
            with urllib.request.urlopen(request) as response:
                response.read()
            return time.perf_counter() - started

        for case_id in sample[:10]:
            get(f"/api/v1/cases/{case_id}/land")
        land, plain = [], []
        for case_id in sample:  # alternately: the case's land, and the case itself (the server's floor)
            land.append(get(f"/api/v1/cases/{case_id}/land"))
            plain.append(get(f"/api/v1/cases/{case_id}"))
    median, floor = statistics.median(land), statistics.median(plain)
    p95 = sorted(land)[int(len(land) * 0.95)]
    return [[f"GET /api/v1/cases/<id>/land ({len(land)} random generated cases; p95 {benchlib.fmt(p95)})",
             benchlib.fmt(median), f"GET /api/v1/cases/<id>: {benchlib.fmt(floor)}", f"{median / floor:.2f}",
             "median < 50 ms", "yes" if median < 0.05 else "**no**", str(len(land))]]




def map_bench(app, layer_id: int) -> list[list[str]]:
    """Chromium (Debian) signed in as a viewer: the region map with footprints and the reference layer."""
    from playwright.sync_api import sync_playwright
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():  # the spot with most parcels and footprints: a generated case on the layer
        lon, lat, region = db.session.execute(text(
            "SELECT ST_X(c.geom), ST_Y(c.geom), c.region_code FROM land_cases c JOIN land_overlaps o "
            "ON o.case_id = c.id AND o.layer_id = :l WHERE c.region_code IS NOT NULL AND c.footprint IS NOT NULL "
            "ORDER BY c.id LIMIT 1"), {"l": layer_id}).one()
    benchlib.token("viewer")  # also makes bench-viewer@example.org
    view = f"c={lat:.5f},{lon:.5f}&z=14"
    land = f"/map/{region}?{view}&layers=provinces,districts,pilot-areas,funds,reference:{layer_id}"
    plain = f"/map/{region}?{view}"
    drawn = {"land": [], "plain": []}
    counts: dict[str, int] = {}
    with benchlib.serve(PORT) as base, sync_playwright() as playwright:
        browser, page = benchlib.signed_in_page(playwright, base, "bench-viewer@example.org")

        def once(path: str, with_land: bool) -> float:
            started = time.perf_counter()
            page.goto(f"{base}{path}")
            page.wait_for_selector("html[data-cases-loaded]:not([data-cases-loaded='0'])", state="attached",
                                   timeout=60000)
            page.wait_for_selector(".codi-cluster, .codi-pin", timeout=60000)
            if with_land:  # (a selector per state: the page's Content-Security-Policy forbids eval)
                while not page.evaluate(f"window.codiLand && window.codiLand.footprints > 0 && "
                                        f"(window.codiLand.parcels[{layer_id}] || 0) > 0"):
                    if time.perf_counter() - started > 60:
                        raise RuntimeError(f"the land layers were not drawn: {page.evaluate('window.codiLand')}")
                    page.wait_for_timeout(20)
                counts.update(footprints=page.evaluate("window.codiLand.footprints"),
                              parcels=page.evaluate(f"window.codiLand.parcels[{layer_id}]"))
            return time.perf_counter() - started

        once(land, True)  # warm-up: caches, fonts
        for _ in range(RUNS):
            drawn["land"].append(once(land, True))
            drawn["plain"].append(once(plain, False))
        browser.close()
    ours, floor = statistics.median(drawn["land"]), statistics.median(drawn["plain"])
    return [[f"region map {region} at zoom 14 with footprints ({counts.get('footprints')}) and the reference "
             f"overlay ({counts.get('parcels')} parcels) drawn in Chromium", benchlib.fmt(ours),
             f"the same map without land layers: {benchlib.fmt(floor)}", f"{ours / floor:.2f}", "< 5 s",
             "yes" if ours < 5 else "**no**", str(RUNS)]]


def main() -> None:
    if os.environ.get("BENCH_LAND_DB_READY") != "1":
        benchlib.bash(f"bench_db {benchlib.DB_NAME} {benchlib.CASES} >/dev/null")
    url = benchlib.bash(f"bench_url_for {benchlib.DB_NAME}")
    gpkg = benchlib.OUT / f"bench_parcels_{PARCELS}.gpkg"
    benchlib.OUT.mkdir(parents=True, exist_ok=True)
    app = _app(url)
    started = time.perf_counter()
    only = os.environ.get("BENCH_LAND_ONLY", "").split()  # e.g. "load api": only those parts
    layer_id = _prepare(app, gpkg, need_file=not only or "load" in only)
    prepared = time.perf_counter() - started
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        counts = db.session.execute(text(
            "SELECT (SELECT count(*) FROM land_cases WHERE footprint IS NOT NULL), "
            "(SELECT count(*) FROM reference_parcels WHERE layer_id = :l), (SELECT count(*) FROM land_overlaps), "
            "(SELECT count(*) FROM footprint_overlaps)"), {"l": layer_id}).one()
    rows: list[list[str]] = []
    parts = {"overlaps": lambda: overlap_bench(app), "load": lambda: load_bench(app, gpkg, url),
             "api": lambda: api_bench(app), "map": lambda: map_bench(app, layer_id)}
    for name, bench in parts.items():
        if only and name not in only:
            continue
        rows += bench()
        print(benchlib.table(rows), flush=True)  # partial results survive a later failure
    notes = [f"{counts[0]:,} footprints, {counts[1]:,} parcels in the layer, {counts[2]:,} case-layer overlaps, "
             f"{counts[3]:,} footprint-pair rows; set-up (footprints, parcels file, first load) {prepared:.0f} s",
             "overlap rows are rolled back after each run; ogr2ogr writes and commits a new table (with a GiST "
             "index), dropped after each run; ours reads, checks and writes the same file inside a rolled-back "
             "transaction (the refresh of what the cases stand on is timed in the first table)",
             "map: Chromium (Debian, headless) signed in as a viewer, outside tiles blocked; time from navigation "
             "until the cases, the footprints (from zoom 14) and the parcels of the view are on the map",
             f"load average at the end: {benchlib.load_average()}"]
    benchlib.section("land", "Land: overlaps, layer load, a case's land (issue 13)", benchlib.table(rows), notes)


if __name__ == "__main__":
    main()
