"""A 100,000-row CSV import as a background job: wall time and the worker's peak memory,
for the dry run and the real import, beside `COPY` of the same file (issue 14, point 4).

    DATABASE_URL=... .venv/bin/python bench/import_job.py [ROWS=100000]   # allow it 30+ minutes today

In a database of its own (`codi_bench_import`, made afresh, boundaries and regions only):
a CSV of ROWS new cases at points inside real subdistricts, `COPY` of it into a temporary
table (the floor's first step), then a fresh `flask jobs worker` per run (its peak RSS,
VmHWM, is the job's) and the job timed from the POST to `done`.
"""

from __future__ import annotations

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
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def database() -> str:
    base = make_url(os.environ["DATABASE_URL"])
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS codi_bench_import WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE codi_bench_import"))
    admin.dispose()
    return base.set(database="codi_bench_import").render_as_string(hide_password=False)


def flask(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "app"}
    done = subprocess.run([BIN / "flask", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def make_csv(url: str, path: Path) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM subdistricts) s, "
            "generate_series(1, :k) ORDER BY random() LIMIT :n"), {"k": ROWS // 7000 + 2, "n": ROWS}).all()
    engine.dispose()
    out = io.StringIO()
    out.write("community_name,households,land_owner_type,problem,status,lon,lat\r\n")
    for i, (lon, lat) in enumerate(rows):
        out.write(f"ชุมชนทดสอบนำเข้า {i},{10 + i % 300},treasury,eviction_threat,reported,{lon:.6f},{lat:.6f}\r\n")
    path.write_text(out.getvalue(), encoding="utf-8-sig")


def copy_floor(url: str, path: Path) -> float:
    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    import psycopg

    with psycopg.connect(raw) as conn:
        conn.execute("CREATE TEMP TABLE staging (community_name text, households int, land_owner_type text, "
                     "problem text, status text, lon float8, lat float8)")
        started = time.perf_counter()
        with conn.cursor().copy("COPY staging FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
        return time.perf_counter() - started


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_job(app, path: Path, *, dry_run: bool) -> tuple[float, float, dict]:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "UPLOAD_DIR": app.config["UPLOAD_DIR"]}
    worker = subprocess.Popen([BIN / "flask", "--app", "app", "jobs", "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    worker.stdout.readline()
    try:
        client = app.test_client()
        started = time.perf_counter()
        response = client.post(f"/api/v1/imports/cases?dry_run={'true' if dry_run else 'false'}",
                               headers={"Authorization": f"Bearer {app.config['BENCH_TOKEN']}"},
                               data={"file": (path.open("rb"), "bench.csv")}, content_type="multipart/form-data")
        url = response.json["job"]["url"]
        while True:
            job = client.get(url, headers={"Authorization": f"Bearer {app.config['BENCH_TOKEN']}"}).json
            if job["state"] in ("done", "failed"):
                break
            time.sleep(0.5)
        return time.perf_counter() - started, peak_rss_mb(worker.pid), job
    finally:
        worker.terminate()
        worker.wait()


def main() -> None:
    url = database()
    flask(url, "db", "upgrade", "heads")
    flask(url, "setup", "--no-sample")
    os.environ["JOB_IMPORT_MIN_BYTES"] = "0"
    from app import create_app
    from app.extensions import db
    from tests.factories import make_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": tempfile.mkdtemp(prefix="bench-uploads-")})
    with app.app_context():
        app.config["BENCH_TOKEN"] = make_user("land_team").token
        db.session.remove()
    path = Path(tempfile.mkdtemp(prefix="bench-csv-")) / "cases.csv"
    make_csv(url, path)
    floor = copy_floor(url, path)
    dry_s, dry_mb, dry = run_job(app, path, dry_run=True)
    real_s, real_mb, real = run_job(app, path, dry_run=False)
    lines = [f"## Import of {ROWS:,} new cases from CSV ({path.stat().st_size / 1e6:.1f} MB) as a job", "",
             "| run | wall time (POST to done) | worker peak RSS | result |", "|---|---|---|---|",
             f"| `COPY` of the file into a temp table (floor, first step) | {floor:.1f} s | - | - |",
             f"| dry run | {dry_s:.1f} s | {dry_mb:.0f} MB | {dry['state']}, "
             f"{(dry['result'] or {}).get('created')} to create |",
             f"| import | {real_s:.1f} s | {real_mb:.0f} MB | {real['state']}, "
             f"{(real['result'] or {}).get('created')} created |"]
    print("\n".join(lines))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "import_job.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
