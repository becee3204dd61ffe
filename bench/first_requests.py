"""The first requests right after a bulk load, with the planner's statistics as the load left
them and after ANALYZE (issue 14: one acceptance run saw the 1,000-case page at 21x the floor
right after `flask demo generate --cases 100000`).

    DATABASE_URL=... .venv/bin/python bench/first_requests.py [CASES=100000] [PORT=5104]

In a database of its own (`codi_bench_first`, made afresh): migrations, boundaries and the
sample data, ANALYZE (what autovacuum would have done on the small tables), autovacuum off on
the two tables the load writes (so it cannot analyze them behind our back), then
`flask demo generate --cases N --no-analyze`. A fresh gunicorn answers each URL 5 times
(first request first); then ANALYZE, a fresh gunicorn, the same requests. Medians and the
first request are reported, with the planner's row count of land_cases each time.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 5104
URLS = ["/api/v1/cases?limit=1000", "/api/v1/cases?region=south&limit=1000",
        "/api/v1/cases?status=negotiating&limit=1000", "/api/v1/cases?bbox=100.3,13.5,100.9,14.0&limit=1000"]


def database() -> str:
    base = make_url(os.environ["DATABASE_URL"])
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS codi_bench_first WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE codi_bench_first"))
    admin.dispose()
    return base.set(database="codi_bench_first").render_as_string(hide_password=False)


def flask(url: str, *args: str, stdin: str | None = None) -> str:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "app"}
    done = subprocess.run([BIN / "flask", *args], env=env, cwd=ROOT, capture_output=True, text=True, input=stdin)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip()


def sql(url: str, statement: str) -> object:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        result = conn.execute(text(statement))
        value = result.scalar() if result.returns_rows else None
    engine.dispose()
    return value


def timed(url: str, token: str) -> dict[str, list[float]]:
    env = {**os.environ, "DATABASE_URL": url, "WEB_WORKERS": "2"}
    server = subprocess.Popen([BIN / "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{PORT}",
                               "app:create_app()"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        out: dict[str, list[float]] = {}
        for path in URLS:
            request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}",
                                             headers={"Authorization": f"Bearer {token}"})
            times = []
            for _ in range(5):
                started = time.perf_counter()
                with urllib.request.urlopen(request, timeout=120) as response:
                    response.read()
                times.append(time.perf_counter() - started)
            out[path] = times
        return out
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    url = database()
    flask(url, "db", "upgrade", "heads")
    flask(url, "setup")
    sql(url, "ANALYZE")
    sql(url, "ALTER TABLE land_cases SET (autovacuum_enabled = false)")
    sql(url, "ALTER TABLE history SET (autovacuum_enabled = false)")
    flask(url, "users", "create", "bench@example.org", "--role", "admin", stdin="bench password 123\n")
    token = flask(url, "users", "token", "bench@example.org")
    started = time.perf_counter()
    flask(url, "demo", "generate", "--cases", str(CASES), "--no-analyze")
    load = time.perf_counter() - started
    estimate_stale = sql(url, "SELECT reltuples::bigint FROM pg_class WHERE relname = 'land_cases'")
    stale = timed(url, token)
    started = time.perf_counter()
    sql(url, "ANALYZE land_cases")
    sql(url, "ANALYZE history")
    analyze = time.perf_counter() - started
    estimate_fresh = sql(url, "SELECT reltuples::bigint FROM pg_class WHERE relname = 'land_cases'")
    fresh = timed(url, token)
    lines = [f"## First requests after a bulk load of {CASES:,} cases", "",
             f"load (`flask demo generate --no-analyze`): {load:.1f} s; ANALYZE land_cases + history: {analyze:.2f} s; "
             f"planner's land_cases rows: {estimate_stale} before ANALYZE, {estimate_fresh} after", "",
             "| request | stale: first | stale: median of 5 | analyzed: first | analyzed: median of 5 "
             "| stale / analyzed (median) |",
             "|---|---|---|---|---|---|"]
    for path in URLS:
        s, f = stale[path], fresh[path]
        lines.append(f"| `{path}` | {s[0] * 1000:.0f} ms | {statistics.median(s) * 1000:.0f} ms | "
                     f"{f[0] * 1000:.0f} ms | {statistics.median(f) * 1000:.0f} ms | "
                     f"{statistics.median(s) / statistics.median(f):.1f}x |")
    print("\n".join(lines))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "first_requests.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
