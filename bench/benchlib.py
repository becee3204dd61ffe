"""Helpers shared by the Python benchmarks: the database, a server, timing and the Markdown section.

The set-up itself lives in bench/common.sh (bench_db, bench_user, bench_serve, bench_stop);
this runs those functions in bash so that every benchmark can run on its own:

    url = database()                  # codi_bench with 100,000 generated cases (BENCH_DB, BENCH_CASES)
    with serve(5101) as base: ...     # gunicorn with gunicorn.conf.py, stopped afterwards
    t = median_seconds(fn, runs=9)    # median wall time of fn() after one warm-up call
    section("geojson_api", "## ...", rows)   # bench/out/geojson_api.md, also printed
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.config import CONNECT_ARGS  # (callers put the project root on sys.path first)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DB_NAME = os.environ.get("BENCH_DB", "codi_bench")
CASES = int(os.environ.get("BENCH_CASES", "100000"))

# the app's connection settings, for the floors' own psycopg connections
PG_CONNECT = CONNECT_ARGS
PG_OPTIONS = CONNECT_ARGS["options"]


def bash(script: str) -> str:
    """Run `script` in bash with bench/common.sh sourced (in the project root); its stdout, stripped."""
    done = subprocess.run(["bash", "-c", f". bench/common.sh\n{script}"], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip()


def database() -> str:
    """The benchmark database's URL (SQLAlchemy form), created and filled unless BENCH_DB_READY=1."""
    if os.environ.get("BENCH_DB_READY") != "1":
        bash(f"bench_db {DB_NAME} {CASES} >/dev/null")
    return bash(f"bench_url_for {DB_NAME}")


def libpq(url: str) -> str:
    """The same URL for psql, ogr2ogr's PG: and psycopg (no `+psycopg`)."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def token(role: str) -> str:
    """An API token for a benchmark account with `role` in the benchmark database."""
    return bash(f"export DATABASE_URL=$(bench_url_for {DB_NAME}); bench_user {role}").splitlines()[-1]


@contextlib.contextmanager
def serve(port: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """gunicorn (gunicorn.conf.py defaults) on the benchmark database at 127.0.0.1:PORT."""
    exports = "".join(f"export {k}={v!r}; " for k, v in (env or {}).items())
    bash(f"{exports}export DATABASE_URL=$(bench_url_for {DB_NAME}); bench_serve {port}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        bash(f"bench_stop {port}")


def median_seconds(fn: Callable[[], object], runs: int, warmup: int = 1) -> tuple[float, list[float]]:
    """(median, all times) of `runs` calls of fn after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


START_LOAD = load_average()  # when the benchmark script started


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def ratio_row(what: str, ours: float, floor_name: str, floor: float, target: float, runs: int) -> list[str]:
    """| what | ours | floor | ratio | target | met | for a 'within target x the floor' comparison."""
    ratio = ours / floor
    return [what, fmt(ours), f"{floor_name}: {fmt(floor)}", f"{ratio:.2f}", f"<= {target:g}x",
            "yes" if ratio <= target else "**no**", str(runs)]


HEADER = ["measured", "median", "floor (median, same run)", "ratio", "target", "met", "runs"]


def table(rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def section(name: str, title: str, body: str, notes: Sequence[str] = ()) -> str:
    """Write the Markdown section to bench/out/NAME.md and print it."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = f"load average (1, 5, 15 min) {START_LOAD} at the start, {load_average()} at the end"
    text = "\n".join([f"## {title}", "", f"_{stamp}; {load}_", "", body, "", *[f"- {n}" for n in notes], ""])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.md").write_text(text, encoding="utf-8")
    print(text)
    return text


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def signed_in_page(playwright: Any, base: str, email: str, password: str = "bench password 1") -> tuple[Any, Any]:
    """(browser, page): Debian's Chromium at a desktop size, signed in to `base`, asking nothing
    from outside it (tiles would come from the internet: only our own bytes count)."""
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
    page = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 860}).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(base)
               else route.continue_())
    return browser, page

