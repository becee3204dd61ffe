"""A 100,000-row CSV import as a background job against its floor, measured in the same run
(issue 14, point 4): wall time and the worker's peak memory.

    DATABASE_URL=... .venv/bin/python bench/import_job.py [ROWS=100000]   (about 5 minutes)

In a database of its own (BENCH_IMPORT_DB, default `codi_bench_import`, made afresh:
boundaries and regions only):

1. a CSV of ROWS new cases at points inside real subdistricts;
2. the floor of the import: `ogr2ogr` of that CSV into a PostGIS table, ONE `UPDATE ... FROM`
   deriving the admin areas (subdistrict, district, province, region), ONE `INSERT ... SELECT`
   of history rows: (a) one a case, as the issue words it, (b) the same rows the import writes
   (every non-empty tracked field of a new case); all rolled back;
3. the dry run and the import as jobs, each run by a fresh `flask jobs worker` (its peak RSS,
   VmHWM, is the job's): time in the worker (the job's started_at to finished_at) and from the
   POST to `done`;
4. the imported cases exported as CSV (what a user edits and sends back) and its dry run
   (every row unchanged), against `COPY` of that file into a temp table + one comparing SELECT.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
import benchlib  # noqa: E402

BIN = ROOT / ".venv" / "bin"
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
DB = os.environ.get("BENCH_IMPORT_DB", "codi_bench_import")
HEADER = "community_name,households,land_owner_type,problem,status,lon,lat"


def database(name: str = DB) -> str:
    """A new, empty database `name` beside DATABASE_URL's; its URL."""
    base = make_url(os.environ["DATABASE_URL"])
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def flask(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "app"}
    done = subprocess.run([BIN / "flask", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def make_csv(url: str, path: Path, rows: int = ROWS, prefix: str = "ชุมชนทดสอบนำเข้า ") -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        points = conn.execute(text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM subdistricts) s, "
            "generate_series(1, :k) ORDER BY random() LIMIT :n"), {"k": rows // 7000 + 2, "n": rows}).all()
    engine.dispose()
    out = io.StringIO()
    out.write(HEADER + "\r\n")
    for i, (lon, lat) in enumerate(points):
        out.write(f"{prefix}{i},{10 + i % 300},treasury,eviction_threat,reported,{lon:.6f},{lat:.6f}\r\n")
    path.write_text(out.getvalue(), encoding="utf-8-sig")


# the floor's history: (a) one row a case; (b) every non-empty tracked field, as the import writes
FLOOR_HISTORY_ONE = """INSERT INTO history (entity, entity_id, action, field, new_value, user_id)
SELECT 'land_case', f.ogc_fid, 'create', 'community_name', f.community_name, NULL FROM floor_cases f"""
FLOOR_HISTORY_ALL = """INSERT INTO history (entity, entity_id, action, field, new_value, user_id)
SELECT 'land_case', f.ogc_fid, 'create', v.field, v.value, NULL FROM floor_cases f
CROSS JOIN LATERAL (VALUES ('code', 'LC-' || f.ogc_fid), ('community_name', f.community_name),
    ('households', f.households::text), ('land_owner_type', f.land_owner_type), ('problem', f.problem),
    ('status', f.status), ('is_sample', 'false'), ('lon', f.lon::text), ('lat', f.lat::text),
    ('subdistrict_code', f.subdistrict_code), ('district_code', f.district_code),
    ('province_code', f.province_code), ('region_code', f.region_code)) v(field, value)
WHERE v.value IS NOT NULL"""
# not the floor: (b) with the user set, as the import (and the API) writes it; user_id is checked by a
# statement trigger, once a statement (migration 0021; a foreign key checked row by row before it)
FLOOR_HISTORY_USER = FLOOR_HISTORY_ALL.replace("v.value, NULL FROM floor_cases f",
                                               "v.value, (SELECT max(id) FROM users) FROM floor_cases f")
FLOOR_DERIVE = """UPDATE floor_cases f SET subdistrict_code = s.code, district_code = s.district_code,
    province_code = s.province_code, region_code = pr.region_code
FROM subdistricts s LEFT JOIN province_regions pr ON pr.province_code = s.province_code
WHERE ST_Intersects(s.geom, f.geom)"""


def import_floor(url: str, path: Path) -> dict[str, float]:
    """ogr2ogr into a new table, then the UPDATE and each INSERT (rolled back); seconds of each step."""
    libpq = benchlib.libpq(url)
    started = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:{libpq}", str(path), "-nln", "floor_cases", "-overwrite",
                    "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "KEEP_GEOM_COLUMNS=YES",
                    "-oo", "AUTODETECT_TYPE=YES", "-a_srs", "EPSG:4326", "-lco", "GEOMETRY_NAME=geom",
                    "-lco", "SPATIAL_INDEX=NONE"], check=True, capture_output=True)
    times = {"ogr2ogr": time.perf_counter() - started}
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text("ALTER TABLE floor_cases ADD subdistrict_code varchar(6), ADD district_code varchar(4), "
                          "ADD province_code varchar(2), ADD region_code varchar(32)"))
        conn.commit()
        for name, sql in (("derive", FLOOR_DERIVE), ("history_one", FLOOR_HISTORY_ONE),
                          ("history_all", FLOOR_HISTORY_ALL), ("history_user", FLOOR_HISTORY_USER)):
            started = time.perf_counter()
            rows = conn.execute(text(sql)).rowcount
            times[name] = time.perf_counter() - started
            times[name + "_rows"] = rows
        conn.rollback()
        conn.execute(text("DROP TABLE floor_cases"))
        conn.commit()
    engine.dispose()
    return times


def dry_run_floor(url: str, path: Path, columns: list[str]) -> tuple[float, float, int]:
    """COPY of the exported file into a temp table of text columns, then one SELECT comparing it with the
    stored cases column by column: (copy s, select s, rows found different)."""
    import psycopg

    with psycopg.connect(benchlib.libpq(url)) as conn:
        conn.execute("CREATE TEMP TABLE staging (" + ", ".join(f'"{c}" text' for c in columns) + ")")
        started = time.perf_counter()
        with conn.cursor().copy("COPY staging FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
        copied = time.perf_counter() - started
        compared = [c for c in columns if c not in ("id", "updated_at", "version", "lon", "lat")]
        started = time.perf_counter()
        differ = conn.execute(
            "SELECT count(*) FROM staging t JOIN land_cases c ON c.code = t.code WHERE ("
            + ", ".join(f"c.{c}::text" for c in compared) + ") IS DISTINCT FROM ("
            + ", ".join(f"NULLIF(t.{c}, '')" for c in compared) + ") OR round(ST_X(c.geom)::numeric, 6) <> "
            "round(t.lon::numeric, 6) OR round(ST_Y(c.geom)::numeric, 6) <> round(t.lat::numeric, 6)").fetchone()[0]
        return copied, time.perf_counter() - started, differ


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_job(app, path: Path, *, dry_run: bool) -> dict:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "UPLOAD_DIR": app.config["UPLOAD_DIR"]}
    worker = subprocess.Popen([BIN / "flask", "--app", "app", "jobs", "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    worker.stdout.readline()
    headers = {"Authorization": f"Bearer {app.config['BENCH_TOKEN']}"}
    try:
        client = app.test_client()
        idle_mb = peak_rss_mb(worker.pid)
        started = time.perf_counter()
        response = client.post(f"/api/v1/imports/cases?dry_run={'true' if dry_run else 'false'}", headers=headers,
                               data={"file": (path.open("rb"), "bench.csv")}, content_type="multipart/form-data")
        url = response.json["job"]["url"]
        while (job := client.get(url, headers=headers).json)["state"] not in ("done", "failed"):
            time.sleep(0.2)
        wall = time.perf_counter() - started
        engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with engine.connect() as conn:  # the API gives whole seconds (HTTP dates): the row has microseconds
            inside = conn.execute(text("SELECT extract(epoch FROM finished_at - started_at) FROM jobs WHERE id = :id"),
                                  {"id": job["id"]}).scalar_one()
        engine.dispose()
        return {"wall": wall, "worker": float(inside), "rss": peak_rss_mb(worker.pid), "idle_rss": idle_mb, "job": job}
    finally:
        worker.terminate()
        worker.wait()


def export_csv(app, path: Path) -> list[str]:
    client = app.test_client()
    response = client.get("/api/v1/export/cases?format=csv",
                          headers={"Authorization": f"Bearer {app.config['BENCH_TOKEN']}"})
    assert response.status_code == 200, response.status_code
    path.write_bytes(response.data)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def main() -> None:
    url = database()
    flask(url, "db", "upgrade", "heads")
    flask(url, "setup", "--no-sample")
    os.environ["JOB_IMPORT_MIN_BYTES"] = "0"
    os.environ["JOB_EXPORT_MIN_ROWS"] = str(10 * ROWS)
    from app import create_app
    from app.extensions import db
    from tests.factories import make_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": tempfile.mkdtemp(prefix="bench-uploads-"),
                      "JOB_EXPORT_MIN_ROWS": 10 * ROWS})
    with app.app_context():
        app.config["BENCH_TOKEN"] = make_user("land_team").token
        db.session.remove()
    folder = Path(tempfile.mkdtemp(prefix="bench-csv-"))
    path = folder / "cases.csv"
    make_csv(url, path)
    floor = import_floor(url, path)
    dry = run_job(app, path, dry_run=True)
    real = run_job(app, path, dry_run=False)
    exported = folder / "export.csv"
    columns = export_csv(app, exported)
    copy_s, compare_s, differ = dry_run_floor(url, exported, columns)
    again = run_job(app, exported, dry_run=True)
    floor_one = floor["ogr2ogr"] + floor["derive"] + floor["history_one"]
    floor_all = floor["ogr2ogr"] + floor["derive"] + floor["history_all"]
    dry_floor = copy_s + compare_s

    def result(run: dict, key: str) -> str:
        body = run["job"]["result"] or {}
        return f"{run['job']['state']}, {body.get(key)} {key}"

    rows = [
        [f"import of {ROWS:,} new cases (job)", f"{real['worker']:.1f} s ({real['wall']:.1f} s POST to done)",
         f"{real['rss']:.0f} MB", f"(b) {floor_all:.1f} s / (a) {floor_one:.1f} s",
         f"**{real['worker'] / floor_all:.2f}x** / {real['worker'] / floor_one:.2f}x", "<= 2x, < 300 MB",
         result(real, "created")],
        [f"dry run of the same {ROWS:,} new cases (job)", f"{dry['worker']:.1f} s ({dry['wall']:.1f} s)",
         f"{dry['rss']:.0f} MB", f"(b) {floor_all:.1f} s", f"{dry['worker'] / floor_all:.2f}x", "-",
         result(dry, "created")],
        [f"dry run of the export of those {ROWS:,} cases, unchanged (job)",
         f"{again['worker']:.1f} s ({again['wall']:.1f} s)", f"{again['rss']:.0f} MB",
         f"COPY {copy_s:.1f} s + SELECT {compare_s:.1f} s = {dry_floor:.1f} s",
         f"**{again['worker'] / dry_floor:.2f}x**", "<= 2x, < 300 MB", result(again, "unchanged")],
    ]
    notes = [
        f"floor steps (s): ogr2ogr {floor['ogr2ogr']:.1f}, UPDATE ... FROM (admin areas and region, "
        f"{floor['derive_rows']:,} rows) {floor['derive']:.1f}, history INSERT ... SELECT (a) one a case "
        f"({floor['history_one_rows']:,} rows) {floor['history_one']:.1f}, (b) every non-empty tracked field "
        f"({floor['history_all_rows']:,} rows, as many as the import writes) {floor['history_all']:.1f}",
        f"not in the floor: (b)'s history INSERT with user_id set, as the import writes it (checked once a "
        f"statement, migration 0021) {floor['history_user']:.1f} s; the import against floor (b) with it: "
        f"{real['worker'] / (floor_all - floor['history_all'] + floor['history_user']):.2f}x",
        "time in the worker: the job's started_at to finished_at (reading the upload, validating every row, "
        "COPY, the SQL, ANALYZE); POST to done adds the upload and the 0.2 s polling",
        f"worker RSS before the job (idle, app loaded): {real['idle_rss']:.0f} MB; the comparing SELECT found "
        f"{differ} rows different (0 expected)",
        f"CSV {path.stat().st_size / 1e6:.1f} MB ({HEADER}); export {exported.stat().st_size / 1e6:.1f} MB, "
        f"{len(columns)} columns",
    ]
    benchlib.section("import_job", f"Bulk import: {ROWS:,} cases from CSV as a job, against the floor (issue 14)",
                     benchlib.table(rows, ["run", "time in the worker", "worker peak RSS", "floor (same run)",
                                           "ratio", "target", "result"]), notes)


if __name__ == "__main__":
    main()
