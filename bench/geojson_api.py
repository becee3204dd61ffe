"""GeoJSON API page vs PostGIS alone (issue 7): a page of 1,000 cases in a bbox.

Ours: GET /api/v1/cases?bbox=...&limit=1000 through gunicorn (Bearer token of a land_team
account, so contacts are in), whole body received. Floor: one SQL statement that builds the
same FeatureCollection (numberMatched, numberReturned, the same 1,000 features with the same
properties in the same order) with json_build_object/json_agg, run with psycopg and the text
fetched. The two are timed alternately; medians of RUNS. Target: ours within 3x the floor.

Usage: .venv/bin/python bench/geojson_api.py [RUNS=21]   (writes bench/out/geojson_api.md)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
import benchlib  # noqa: E402

from gis.fields import CASE_FIELDS, visible_fields  # noqa: E402

PORT = 5101
BBOX = (100.45, 13.65, 100.65, 13.85)  # central Bangkok: about 7,400 generated cases
LIMIT = 1000


def floor_sql() -> str:
    names = [f.name for f in visible_fields(CASE_FIELDS, with_sensitive=True)] + ["location_note"]
    props = ", ".join(f"'{n}', {n}" for n in names)
    where = "deleted_at IS NULL AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"
    return f"""
        SELECT json_build_object('type', 'FeatureCollection',
                 'numberMatched', (SELECT count(*) FROM land_cases WHERE {where}),
                 'numberReturned', count(*),
                 'features', coalesce(json_agg(f ORDER BY id), '[]'))::text
        FROM (SELECT id, json_build_object('type', 'Feature', 'id', id,
                       'geometry', ST_AsGeoJSON(geom, 6)::json,
                       'properties', json_build_object({props})) AS f
              FROM land_cases WHERE {where} ORDER BY id LIMIT {LIMIT}) page"""


def main(runs: int) -> None:
    url = benchlib.database()
    token = benchlib.token("land_team")
    sql, params = floor_sql(), BBOX + BBOX
    api_times, sql_times = [], []
    with benchlib.serve(PORT) as base, psycopg.connect(benchlib.libpq(url), **benchlib.PG_CONNECT) as conn:
        request = urllib.request.Request(f"{base}/api/v1/cases?bbox={','.join(map(str, BBOX))}&limit={LIMIT}",
                                         headers={"Authorization": f"Bearer {token}"})

        def api() -> bytes:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.read()

        def floor() -> str:
            return conn.execute(sql, params).fetchone()[0]

        body = api()
        ours, mine = json.loads(body), json.loads(floor())  # the same page: same ids, same properties
        assert [f["id"] for f in ours["features"]] == [f["id"] for f in mine["features"]], "different pages"
        assert ours["features"][0]["properties"].keys() == mine["features"][0]["properties"].keys()
        for _ in range(4):  # warm every worker and the cache
            api(), floor()
        for _ in range(runs):
            for fn, times in ((api, api_times), (floor, sql_times)):
                started = time.perf_counter()
                fn()
                times.append(time.perf_counter() - started)
    api_median, sql_median = statistics.median(api_times), statistics.median(sql_times)
    row = benchlib.ratio_row(f"GET /api/v1/cases?bbox=…&limit={LIMIT} ({len(ours['features'])} of "
                             f"{ours['numberMatched']} matched, {len(body) / 1e6:.2f} MB)",
                             api_median, "same FeatureCollection in one SQL statement (psycopg)", sql_median, 3, runs)
    benchlib.section("geojson_api", "1. GeoJSON API page of 1,000 cases in a bbox vs PostGIS alone",
                     benchlib.table([row]),
                     [f"bbox {','.join(map(str, BBOX))} (central Bangkok); HTTP through gunicorn with keep-alive "
                      "off (a new connection per request), Bearer token of a land_team account; "
                      "the two timed alternately.",
                      f"min/max: API {min(api_times) * 1000:.0f}/{max(api_times) * 1000:.0f} ms, "
                      f"SQL {min(sql_times) * 1000:.0f}/{max(sql_times) * 1000:.0f} ms."])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 21)
