"""Map page at scale (issues 5 and 7): page size, server time, Chromium draw time, tile timings.

On its own (the benchmark database, a gunicorn of its own; writes bench/out/map_page.md):
    .venv/bin/python bench/map_page.py
or against a running server:
    .venv/bin/python bench/map_page.py BASE_URL EMAIL PASSWORD TOKEN
Prints Markdown rows: what, measured, target, met.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
import benchlib  # noqa: E402

PORT = 5103



def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def timed_get(url: str, headers: dict[str, str]) -> tuple[float, int]:
    request = urllib.request.Request(url, headers=headers)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    return time.perf_counter() - started, len(body)


def measure(base: str, email: str, password: str, token: str) -> list[tuple[str, str, str, str]]:
    rows = []
    with sync_playwright() as playwright:
        browser, page = benchlib.signed_in_page(playwright, base, email, password)
        sizes: list[int] = []
        page.on("response", lambda r: sizes.append(int(r.headers.get("content-length") or len(r.body())))
                if r.url.startswith(base) else None)
        for label, path in (("national", "/map"), ("region (south)", "/map/south")):
            sizes.clear()
            started = time.perf_counter()
            response = page.goto(f"{base}{path}")
            timing = response.request.timing
            server_ms = timing["responseStart"] - timing["requestStart"]
            # (selectors, not wait_for_function: the page's Content-Security-Policy forbids eval)
            page.wait_for_selector("html[data-cases-loaded]:not([data-cases-loaded='0'])", state="attached",
                                   timeout=60000)
            page.wait_for_selector(".codi-cluster, .codi-pin", timeout=60000)
            drawn = time.perf_counter() - started
            page.wait_for_load_state("networkidle")
            html = len(page.content().encode())
            total = sum(sizes)
            rows += [
                (f"{label} page: HTML size", f"{html / 1024:.0f} KiB", "", ""),
                (f"{label} page: all bytes from the app", f"{total / 1024 / 1024:.2f} MB", "< 3 MB",
                 "yes" if total < 3 * 1024 * 1024 else "**no**"),
                (f"{label} page: server time (first byte)", f"{server_ms:.0f} ms", "< 2 s",
                 "yes" if server_ms < 2000 else "**no**"),
                (f"{label} page: Chromium draws markers/clusters", f"{drawn:.2f} s", "< 5 s",
                 "yes" if drawn < 5 else "**no**"),
            ]
        browser.close()
    headers = {"Authorization": f"Bearer {token}"}
    for layer, z, lon, lat in (("cases", 12, 100.564, 13.708), ("cases", 6, 100.5, 13.7),
                               ("subdistricts", 10, 100.564, 13.708), ("provinces", 5, 100.5, 13.7)):
        x, y = tile_xy(lon, lat, z)
        times = []
        _seconds, size = timed_get(f"{base}/tiles/{layer}/{z}/{x}/{y}.mvt", headers)  # warm-up
        for _ in range(7):
            seconds, size = timed_get(f"{base}/tiles/{layer}/{z}/{x}/{y}.mvt", headers)
            times.append(seconds)
        rows.append((f"tile {layer} z{z} (Bangkok), median of 7", f"{statistics.median(times) * 1000:.0f} ms, "
                     f"{size / 1024:.0f} KiB", "", ""))
    return rows


def main(args: list[str]) -> None:
    if args:
        rows = measure(*args[:4])
    else:
        benchlib.database()
        token = benchlib.token("land_team")  # also makes bench-land_team@example.org
        with benchlib.serve(PORT) as base:
            rows = measure(base, "bench-land_team@example.org", "bench password 1", token)
    benchlib.section("map_page", "5. Map page and tiles at 100,000 cases",
                     benchlib.table(rows, ["measured", "value", "target", "met"]),
                     ["Chromium (Debian, headless) signed in as land_team; tiles from outside 127.0.0.1 blocked, "
                      "so only the app's own bytes count; 'draws' = from navigation start until the first marker "
                      "or cluster is in the DOM after the case data arrived.",
                      "Tiles: HTTP GET with a Bearer token, median of 7 after the first."])


if __name__ == "__main__":
    main(sys.argv[1:])
