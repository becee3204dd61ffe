"""The map as it stood (issue 17): as_of pages against today's page, the changes of a fiscal year,
a region map of a past day drawn in Chromium.

* GET /api/v1/cases?as_of=DAY&bbox=...&limit=1000 against the same page without as_of, timed
  alternately in the same run (target: at most 2x), for the end of the last quarter, one year
  earlier and five years earlier (the older the day, the more history is rewound);
* GET /api/v1/changes?from=&to= over fiscal year 2569 (1 Oct 2025 - 30 Sep 2026): under 300 ms;
* /map/south?as_of=DAY in Chromium, from navigation to the first markers: under 5 s.

The pages and the changes are measured twice: on a server that makes every answer (ANSWER_CACHE_MB=0,
what the first request after any write gets), then on one that keeps the answers of the past
while nothing they read is written (app/answers.py, the default).

Runs against its own database of 100,000 generated cases with their histories (BENCH_DB, made by
`flask demo generate --cases 100000`; BENCH_DB_READY=1 to use it as it is), through gunicorn.

Usage: BENCH_DB=codi_time BENCH_DB_READY=1 .venv/bin/python bench/as_of.py [RUNS=21]
(writes bench/out/as_of.md)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
import benchlib  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "5109"))
BBOX = "100.45,13.65,100.65,13.85"  # central Bangkok
LIMIT = 1000
DAYS = [("end of the last quarter", "2026-09-30"), ("one year earlier", "2025-09-30"),
        ("five years earlier", "2021-09-30")]
YEAR = ("2025-10-01", "2026-09-30")  # fiscal year 2569


def getter(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})

    def get() -> bytes:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.read()

    return get


def alternate(a, b, runs: int) -> tuple[list[float], list[float]]:
    for _ in range(3):
        a(), b()
    ta, tb = [], []
    for _ in range(runs):
        for fn, times in ((a, ta), (b, tb)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return ta, tb


def draw_times(base: str, days: list[str], runs: int = 3) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as playwright:
        browser, page = benchlib.signed_in_page(playwright, base, "bench-land_team@example.org")
        for day in days:
            times = []
            for _ in range(runs + 1):
                started = time.perf_counter()
                page.goto(f"{base}/map/south" + (f"?as_of={day}" if day else ""))
                page.wait_for_selector("html[data-cases-loaded]:not([data-cases-loaded='0'])", state="attached",
                                       timeout=60000)
                page.wait_for_selector(".codi-cluster, .codi-pin", timeout=60000)
                times.append(time.perf_counter() - started)
            out[day] = statistics.median(times[1:])
        browser.close()
    return out


def measure(base: str, token: str, runs: int, how: str) -> tuple[list[list[str]], list[str]]:
    """The three as_of pages against today's and the changes of a fiscal year, `how` naming the run."""
    rows, notes = [], []
    live = getter(f"{base}/api/v1/cases?bbox={BBOX}&limit={LIMIT}", token)
    body = json.loads(live())
    for label, day in DAYS:
        past = getter(f"{base}/api/v1/cases?bbox={BBOX}&limit={LIMIT}&as_of={day}", token)
        then = json.loads(past())
        t_live, t_past = alternate(live, past, runs)
        m_live, m_past = statistics.median(t_live), statistics.median(t_past)
        rows.append(benchlib.ratio_row(
            f"GET /api/v1/cases?as_of={day}&bbox=…&limit={LIMIT} ({label}; {then['numberReturned']} of "
            f"{then['numberMatched']}), {how}", m_past,
            f"the same page without as_of ({body['numberMatched']} matched)", m_live, 2, runs))
        notes.append(f"{how}, as_of={day}: min/max {min(t_past) * 1000:.0f}/{max(t_past) * 1000:.0f} ms; "
                     f"without: {min(t_live) * 1000:.0f}/{max(t_live) * 1000:.0f} ms")
    changes = getter(f"{base}/api/v1/changes?from={YEAR[0]}&to={YEAR[1]}", token)
    moved = json.loads(changes())
    median, times = benchlib.median_seconds(changes, runs, warmup=2)
    met = "yes" if median < 0.3 else "**no**"
    rows.append([f"GET /api/v1/changes?from={YEAR[0]}&to={YEAR[1]} (fiscal year 2569: {moved['count']} moves), "
                 f"{how}", benchlib.fmt(median), "-", "-", "< 300 ms", met, str(runs)])
    notes.append(f"{how}, changes: min/max {min(times) * 1000:.0f}/{max(times) * 1000:.0f} ms")
    return rows, notes


MADE = "made each time (ANSWER_CACHE_MB=0: as after every write)"
KEPT = "kept answers (the default)"


def main(runs: int) -> None:
    benchlib.database()
    token = benchlib.token("land_team")
    rows, notes = [], []
    with benchlib.serve(PORT, {"ANSWER_CACHE_MB": "0"}) as base:
        made_rows, made_notes = measure(base, token, runs, MADE)
    with benchlib.serve(PORT) as base:
        kept_rows, kept_notes = measure(base, token, runs, KEPT)
        drawn = draw_times(base, ["", DAYS[0][1]])
    for made_row, kept_row in zip(made_rows, kept_rows, strict=True):
        rows += [made_row, kept_row]
    notes += made_notes + kept_notes
    for day, seconds in drawn.items():
        rows.append([f"/map/south{'?as_of=' + day if day else ''} drawn in Chromium (first markers)",
                     benchlib.fmt(seconds), "-", "-", "< 5 s", "yes" if seconds < 5 else "**no**", "3"])
    benchlib.section("as_of", "9. The map as it stood: as_of against today, the changes of a fiscal year",
                     benchlib.table(rows),
                     [f"database {benchlib.DB_NAME}: {benchlib.CASES} generated cases with their histories "
                      "(`flask demo generate`); HTTP through gunicorn (gunicorn.conf.py), Bearer token of a "
                      "land_team account; each as_of page timed alternately with the page without it.",
                      "Two runs: answers of the past made for every request (a server with ANSWER_CACHE_MB=0: "
                      "what the first request after any write gets), then kept while nothing is written "
                      "(app/answers.py; each of the server's processes makes an answer once).", *notes])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 21)
