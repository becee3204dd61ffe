"""Ten imports at once from ten users while `wrk` loads `/map/south` (issue 14, "Bad input and load").

    DATABASE_URL=... .venv/bin/python bench/imports_load.py [ROWS_EACH=10000] [CONNECTIONS=8]

In the database BENCH_IMPORTS_DB (default `codi_bench_imports`, made afresh: boundaries,
regions and the sample data): gunicorn with gunicorn.conf.py on BENCH_PORT (5107) and ONE
`flask jobs worker` (concurrency 1: the jobs run one after another, in the order they were
queued). Ten land-team accounts each POST a CSV of ROWS_EACH new cases (above
JOB_IMPORT_MIN_BYTES: each is a job) at the same moment; meanwhile wrk asks for `/map/south`
(signed in) in windows of 15 s until every job has ended, then once more with no import
running. Checked: every job is done, each created its rows, and they started in the order they
were queued. Target: wrk p99 under 1 s in every window.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
DB = os.environ.get("BENCH_IMPORTS_DB", "codi_bench_imports")
os.environ["BENCH_DB"] = DB  # benchlib.serve serves this database
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
import benchlib  # noqa: E402
from import_job import database, flask, make_csv  # noqa: E402

BIN = ROOT / ".venv" / "bin"
ROWS_EACH = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
CONNECTIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 8
USERS = 10
PORT = int(os.environ.get("BENCH_PORT", "5107"))
WINDOW = "15s"


def sign_in(base: str, email: str, password: str) -> str:
    """The session cookie of a form sign-in."""
    web = requests.Session()
    page = web.get(f"{base}/login").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    web.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": csrf})
    return web.cookies["session"]


def wrk(base: str, session: str) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{WINDOW}", "--latency", "-H",
                          f"Cookie: session={session}", f"{base}/map/south"], capture_output=True, text=True).stdout
    from wrk_summary import to_ms

    non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": to_ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
            "p99": to_ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
            "errors": non2xx + (sum(int(g) for g in socket.groups()) if socket else 0)}


def main() -> None:
    url = database(DB)
    flask(url, "db", "upgrade", "heads")
    flask(url, "setup")
    from app import create_app
    from app.extensions import db
    from tests.factories import PASSWORD, make_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        users = [make_user("land_team", email=f"importer{i}@example.org") for i in range(USERS)]
        tokens = [u.token for u in users]
        reader = make_user("land_team", email="reader@example.org").email
        db.session.remove()
    folder = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    files = []
    for i in range(USERS):
        path = folder / f"cases-{i}.csv"
        make_csv(url, path, ROWS_EACH, prefix=f"ชุมชนนำเข้าพร้อมกัน {i}-")
        files.append(path)
    uploads = Path(tempfile.mkdtemp(prefix="bench-imports-uploads-"))
    env = {**os.environ, "DATABASE_URL": url, "UPLOAD_DIR": str(uploads)}
    worker = subprocess.Popen([BIN / "flask", "--app", "app", "jobs", "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    worker.stdout.readline()
    windows: list[dict[str, float]] = []
    try:
        with benchlib.serve(PORT, {"UPLOAD_DIR": str(uploads)}) as base:
            session = sign_in(base, reader, PASSWORD)
            idle = wrk(base, session)
            jobs: list[dict] = [{} for _ in range(USERS)]

            def post(i: int) -> None:
                with files[i].open("rb") as handle:
                    response = requests.post(f"{base}/api/v1/imports/cases", files={"file": (files[i].name, handle)},
                                             headers={"Authorization": f"Bearer {tokens[i]}"})
                jobs[i] = response.json()["job"] | {"posted": time.perf_counter()}

            started = time.perf_counter()
            threads = [threading.Thread(target=post, args=(i,)) for i in range(USERS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            engine = create_engine(url)

            def states() -> list[tuple]:
                with engine.connect() as conn:
                    return conn.execute(text(
                        "SELECT id, state, owner_id, created_at, started_at, finished_at, result->>'created' "
                        "FROM jobs WHERE id = ANY(:ids) ORDER BY queue_job_id"), {"ids": [j["id"] for j in jobs]}).all()

            while any(s[1] in ("queued", "running") for s in states()):
                windows.append(wrk(base, session))
            elapsed = time.perf_counter() - started
            after = wrk(base, session)
            final = states()
            engine.dispose()
    finally:
        worker.terminate()
        worker.wait()
    in_order = [s[0] for s in sorted(final, key=lambda s: s[4])] == [s[0] for s in final]
    done = sum(s[1] == "done" and int(s[6] or 0) == ROWS_EACH for s in final)
    worst = max(windows, key=lambda w: w["p99"]) if windows else idle
    rows = [["no import running (before)", f"{idle['rps']:.0f}", f"{idle['p50']:.0f} ms", f"{idle['p99']:.0f} ms",
             str(int(idle["errors"])), "yes" if idle["p99"] < 1000 else "**no**"]]
    for n, w in enumerate(windows, 1):
        rows.append([f"imports running, window {n}", f"{w['rps']:.0f}", f"{w['p50']:.0f} ms", f"{w['p99']:.0f} ms",
                     str(int(w["errors"])), "yes" if w["p99"] < 1000 and not w["errors"] else "**no**"])
    rows.append(["after the imports", f"{after['rps']:.0f}", f"{after['p50']:.0f} ms", f"{after['p99']:.0f} ms",
                 str(int(after["errors"])), "yes" if after["p99"] < 1000 else "**no**"])
    spans = ", ".join(f"{(s[5] - s[4]).total_seconds():.1f}" for s in final if s[4] and s[5])
    notes = [f"{USERS} land-team accounts, one CSV of {ROWS_EACH:,} new cases each "
             f"({files[0].stat().st_size / 1e6:.1f} MB), POSTed at once; one `flask jobs worker` (concurrency 1)",
             f"all {USERS} jobs ended in {elapsed:.0f} s; done with every row created: {done} of {USERS}; "
             f"started in the order queued (procrastinate's job ids): {'yes' if in_order else '**no**'}",
             f"time of each job in the worker, in queue order (s): {spans}",
             f"worst window while importing: p99 {worst['p99']:.0f} ms; wrk -t2 -c{CONNECTIONS}, {WINDOW} windows "
             f"on `/map/south` signed in (a land-team session), gunicorn.conf.py defaults "
             f"({benchlib.bash('bench_gunicorn')})"]
    benchlib.section("imports_load", f"Ten imports at once ({USERS} x {ROWS_EACH:,} cases) while wrk loads /map/south",
                     benchlib.table(rows, ["wrk window", "req/s", "p50", "p99", "errors", "p99 < 1 s"]), notes)


if __name__ == "__main__":
    main()
