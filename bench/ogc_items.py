"""OGC API items vs pygeoapi's PostgreSQL provider (issue 7): same table, query, gunicorn workers.

Ours: GET /ogc/collections/cases/items?bbox=...&limit=1000 (Bearer token, land_team).
pygeoapi: its PostgreSQL provider on the view `bench_pygeoapi_cases` (land_cases without the
deleted ones, with the same columns as our `cases` properties), GET
/collections/cases/items?bbox=...&limit=1000&f=json. Both under gunicorn with the worker class,
workers and threads of gunicorn.conf.py, both connections with JIT off (the app sets it).
pygeoapi lives in its own venv, bench/.venv-pygeoapi (created here with pip if missing); its
config is written to bench/out/pygeoapi.config.yml at run time. Timed alternately, medians of
RUNS. Target: ours faster than pygeoapi.

Usage: .venv/bin/python bench/ogc_items.py [RUNS=21]   (writes bench/out/ogc_items.md)
"""

from __future__ import annotations

import json
import os
import runpy
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
import benchlib  # noqa: E402

from gis.fields import CASE_FIELDS, visible_fields  # noqa: E402

PORT, PYGEOAPI_PORT = 5104, 5105
BBOX = "100.45,13.65,100.65,13.85"
LIMIT = 1000
VENV = HERE / ".venv-pygeoapi"
VIEW = "bench_pygeoapi_cases"


def install() -> str:
    """pygeoapi's version, installing it into its own venv first when needed."""
    if not (VENV / "bin" / "pygeoapi").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "pygeoapi", "gunicorn", "psycopg2-binary",
                        "SQLAlchemy", "GeoAlchemy2", "pygeofilter"], check=True)
    return subprocess.run([str(VENV / "bin" / "python"), "-c", "import pygeoapi; print(pygeoapi.__version__)"],
                          check=True, capture_output=True, text=True).stdout.strip()


def config(url: str) -> Path:
    u = make_url(url)
    provider = {"type": "feature", "name": "PostgreSQL", "id_field": "id", "table": VIEW, "geom_field": "geom",
                "data": {"host": u.host or u.query.get("host"), "port": u.port or 5432, "dbname": u.database,
                         "user": u.username, "password": u.password, "search_path": ["public"]},
                "options": {"options": benchlib.PG_OPTIONS}}
    cfg = {
        "server": {"bind": {"host": "127.0.0.1", "port": PYGEOAPI_PORT}, "url": f"http://127.0.0.1:{PYGEOAPI_PORT}",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "languages": ["en-US"],
                   "limits": {"default_items": 10, "max_items": 10000},
                   "map": {"url": "http://127.0.0.1/none/{z}/{x}/{y}.png", "attribution": "none"}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "bench", "description": "bench", "keywords": ["bench"],
                               "keywords_type": "theme", "terms_of_service": "", "url": "http://127.0.0.1"},
            "license": {"name": "none", "url": "http://127.0.0.1"},
            "provider": {"name": "bench", "url": "http://127.0.0.1"},
            "contact": {"name": "bench", "email": "bench@example.org", "role": "pointOfContact"}},
        "resources": {"cases": {
            "type": "collection", "title": "cases", "description": "land cases", "keywords": ["cases"],
            "extents": {"spatial": {"bbox": [97, 5, 106, 21], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "providers": [provider]}},
    }
    path = benchlib.OUT / "pygeoapi.config.yml"
    path.write_text(json.dumps(cfg, indent=1), encoding="utf-8")  # JSON is YAML
    path.chmod(0o600)  # it holds the database password
    return path


def create_view(url: str) -> None:
    columns = ", ".join([f.name for f in visible_fields(CASE_FIELDS, with_sensitive=True)] + ["location_note", "geom"])
    sql = f"CREATE OR REPLACE VIEW {VIEW} AS SELECT {columns} FROM land_cases WHERE deleted_at IS NULL"
    subprocess.run(["psql", "-qX", "-v", "ON_ERROR_STOP=1", benchlib.libpq(url), "-c", sql], check=True)


def serve_pygeoapi(cfg: Path) -> subprocess.Popen:
    settings = runpy.run_path(str(HERE.parent / "gunicorn.conf.py"))
    env = dict(os.environ, PYGEOAPI_CONFIG=str(cfg), PYGEOAPI_OPENAPI=str(benchlib.OUT / "pygeoapi.openapi.yml"))
    with open(env["PYGEOAPI_OPENAPI"], "w") as out:
        subprocess.run([str(VENV / "bin" / "pygeoapi"), "openapi", "generate", str(cfg)], env=env, stdout=out,
                       check=True)
    log = open(benchlib.OUT / "pygeoapi.log", "w")
    server = subprocess.Popen(
        [str(VENV / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{PYGEOAPI_PORT}", "--worker-class",
         settings["worker_class"], "--workers", str(settings["workers"]), "--threads", str(settings["threads"]),
         "--timeout", str(settings["timeout"]), "--keep-alive", str(settings["keepalive"]), "pygeoapi.flask_app:APP"],
        env=env, stdout=log, stderr=log, cwd=benchlib.OUT)  # not beside our gunicorn.conf.py, which gunicorn reads
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PYGEOAPI_PORT}/collections/cases?f=json", timeout=5)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("pygeoapi did not start: see bench/out/pygeoapi.log")


def getter(url: str, headers: dict[str, str]):
    request = urllib.request.Request(url, headers=headers)

    def get() -> bytes:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.read()
    return get


def main(runs: int) -> None:
    version = install()
    url = benchlib.database()
    token = benchlib.token("land_team")
    create_view(url)
    server = serve_pygeoapi(config(url))
    try:
        with benchlib.serve(PORT) as base:
            ours = getter(f"{base}/ogc/collections/cases/items?bbox={BBOX}&limit={LIMIT}",
                          {"Authorization": f"Bearer {token}"})
            theirs = getter(f"http://127.0.0.1:{PYGEOAPI_PORT}/collections/cases/items?bbox={BBOX}&limit={LIMIT}&f=json",
                            {})
            a, b = json.loads(ours()), json.loads(theirs())
            assert [f["id"] for f in a["features"]] == [f["id"] for f in b["features"]], "different pages"
            assert a["numberMatched"] == b["numberMatched"]
            sizes = (len(json.dumps(a)), len(json.dumps(b)))
            for _ in range(8):  # warm every worker of both
                ours(), theirs()
            times: dict[str, list[float]] = {"ours": [], "theirs": []}
            for _ in range(runs):
                for name, fn in (("ours", ours), ("theirs", theirs)):
                    started = time.perf_counter()
                    fn()
                    times[name].append(time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(timeout=30)
    m_ours, m_theirs = statistics.median(times["ours"]), statistics.median(times["theirs"])
    settings = runpy.run_path(str(HERE.parent / "gunicorn.conf.py"))
    row = [f"GET /ogc/collections/cases/items?bbox=…&limit={LIMIT} ({len(a['features'])} of {a['numberMatched']})",
           benchlib.fmt(m_ours), f"pygeoapi {version} PostgreSQL provider, same page: {benchlib.fmt(m_theirs)}",
           f"{m_ours / m_theirs:.2f}", "< 1 (faster)", "yes" if m_ours < m_theirs else "**no**", str(runs)]
    benchlib.section("ogc_items", "4. OGC API items vs pygeoapi (PostgreSQL provider)", benchlib.table([row]), [
        f"bbox {BBOX}; both under gunicorn, {settings['worker_class']}, {settings['workers']} workers x "
        f"{settings['threads']} threads; pygeoapi on the view {VIEW} (land_cases less deleted ones, the same "
        "columns); both connections with jit=off; ours with a Bearer token, pygeoapi without authentication.",
        f"same features (ids checked) and numberMatched; JSON sizes re-serialised: ours {sizes[0] / 1e6:.2f} MB, "
        f"pygeoapi {sizes[1] / 1e6:.2f} MB.",
        f"min/max: ours {min(times['ours']) * 1000:.0f}/{max(times['ours']) * 1000:.0f} ms, pygeoapi "
        f"{min(times['theirs']) * 1000:.0f}/{max(times['theirs']) * 1000:.0f} ms."])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 21)
