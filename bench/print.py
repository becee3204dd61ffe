"""PDF prints (issue 19): a region's map with the sample data, and the national map at 100,000 cases.

Server time in-process (the Flask test client: query, SVG, WeasyPrint), wall clock and CPU time
of this process (CPU time says what the print costs when other work shares the machine).
    .venv/bin/python bench/print.py          # writes bench/out/print.md
Databases: BENCH_SAMPLE_DB (default codi_bench_sample: boundaries and the sample data only) and
BENCH_DB (default codi_bench: the sample data plus BENCH_CASES generated cases); with
BENCH_SAMPLE_READY=1 and BENCH_DB_READY=1 they are used as they are (else made or topped up).
Targets: region PDF < 3 s; national PDF at 100,000 cases < 10 s and < 5 MB.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
import benchlib  # noqa: E402

SAMPLE_DB = os.environ.get("BENCH_SAMPLE_DB", "codi_bench_sample")


def sample_database() -> str:
    if os.environ.get("BENCH_SAMPLE_READY") != "1":
        benchlib.bash(f"bench_db {SAMPLE_DB} 0 >/dev/null")
    return benchlib.bash(f"bench_url_for {SAMPLE_DB}")


def client_for(url: str):
    """A test client of the app on `url`, and Bearer headers of a viewer account there."""
    from app import create_app
    from app.auth.security import hash_password, issue_api_token
    from app.extensions import db
    from app.models import User

    # the drawing itself, in the request: above JOB_PRINT_MIN_CASES the service queues the same work as a job
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "JOB_PRINT_MIN_CASES": 10**9})
    with app.app_context():
        user = db.session.query(User).filter_by(email="bench-print@example.org").first()
        if user is None:
            user = User(email="bench-print@example.org", role="viewer", password_hash=hash_password("bench print 1"),
                        name="bench print")
            db.session.add(user)
            db.session.flush()
        token = issue_api_token(user, "bench print")
        db.session.commit()
        busiest = db.session.execute(db.text(
            "SELECT r.region_code FROM land_cases c JOIN province_regions r ON r.province_code = c.province_code "
            "WHERE c.deleted_at IS NULL AND c.is_sample GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")).scalar()
        cases = db.session.execute(db.text("SELECT count(*) FROM land_cases WHERE deleted_at IS NULL")).scalar()
    return app.test_client(), {"Authorization": f"Bearer {token}"}, busiest, cases


def _pages(body: bytes) -> str:
    """The page count (pdfinfo, from poppler-utils), or "?" without it."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(body)
        handle.flush()
        try:
            info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return "?"
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


class _DatabaseClock:
    """Wall time spent in the database's statements (SQLAlchemy cursor events)."""

    def __init__(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self.total, self._started = 0.0, 0.0
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, *args: object) -> None:
        self._started = time.perf_counter()

    def _after(self, *args: object) -> None:
        self.total += time.perf_counter() - self._started


CLOCK: _DatabaseClock | None = None


def measure(client, headers, url: str, runs: int) -> dict:
    global CLOCK
    CLOCK = CLOCK or _DatabaseClock()

    def once() -> tuple[float, float, float, int, bytes]:
        wall, cpu, database = time.perf_counter(), time.process_time(), CLOCK.total
        response = client.get(url, headers=headers)
        assert response.status_code == 200 and response.mimetype == "application/pdf", response.data[:300]
        return (time.perf_counter() - wall, time.process_time() - cpu, CLOCK.total - database, len(response.data),
                response.data)

    once()  # warm-up: fonts, templates, the database's caches
    results = [once() for _ in range(runs)]
    return {"wall": statistics.median(r[0] for r in results), "cpu": statistics.median(r[1] for r in results),
            "db": statistics.median(r[2] for r in results), "bytes": results[-1][3], "pages": _pages(results[-1][4]),
            "runs": runs}


def row(what: str, m: dict, target_s: float, target_mb: float | None = None) -> list[str]:
    mb = m["bytes"] / 1e6
    met = m["wall"] < target_s and (target_mb is None or mb < target_mb)
    target = f"< {target_s:g} s" + (f", < {target_mb:g} MB" if target_mb else "")
    work = m["cpu"] + m["db"]
    return [what, benchlib.fmt(m["wall"]), benchlib.fmt(m["cpu"]), benchlib.fmt(m["db"]),
            f"{benchlib.fmt(work)} ({'yes' if work < target_s else 'no'})", f"{mb:.2f} MB, {m['pages']} pages",
            target, "yes" if met else "**no**", str(m["runs"])]


def main() -> None:
    sample_url, big_url = sample_database(), benchlib.database()
    rows, notes = [], []
    client, headers, region, cases = client_for(sample_url)
    for size in ("A4", "A3"):
        rows.append(row(f"GET /map/{region}.pdf?size={size}, sample data ({cases} cases in the database)",
                        measure(client, headers, f"/map/{region}.pdf?size={size}", 5), 3))
    client, headers, _, cases = client_for(big_url)
    for size in ("A4", "A3"):
        measured = measure(client, headers, f"/map.pdf?size={size}", 3)
        rows.append(row(f"GET /map.pdf?size={size}, {cases:,} cases", measured, 10, 5))
    rows.append(row(f"GET /map/{region}.pdf?size=A4, {cases:,} cases in the database",
                    measure(client, headers, f"/map/{region}.pdf?size=A4", 3), 3))
    notes.append(f"region {region}: the region holding most sample cases; default layers of each map")
    notes.append("in-process (Flask test client, a viewer's Bearer token): PostGIS queries, SVG, WeasyPrint; "
                 "medians of the runs after one warm-up. Python CPU = this process's CPU time; database = wall time "
                 "inside SQL statements; their sum is what a print costs on a machine with nothing else to do "
                 "(the wall time also holds the waits for a CPU when other work shares the machine: see the load)")
    notes.append("above 1,500 cases the map draws clustered pies (ST_SnapToGrid), above 400 the table is a "
                 "summary per province (national) or district (region)")
    header = ["measured", "median wall", "Python CPU", "database (wall)", "CPU + database (within target?)", "PDF",
              "target", "met (wall)", "runs"]
    benchlib.section("print", "8. PDF prints: region map with the sample data, national map at 100,000 cases",
                     benchlib.table(rows, header), notes)


if __name__ == "__main__":
    main()
