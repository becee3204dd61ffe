"""The queue: procrastinate on the app's own PostgreSQL database (no Redis).

* `enqueue(job_id)` inserts procrastinate's job row on the *current SQLAlchemy transaction's*
  connection, so our `jobs` row and the queue entry commit together or not at all;
* `run_worker(app)` is `flask jobs worker`: procrastinate's worker, one job at a time per
  process (start more processes, on more hosts, for more at once);
* `stalled_queue_jobs()` uses procrastinate's own stalled-job query: jobs in `doing` whose
  worker has sent no heartbeat for `JOB_STALE_SECONDS` (a worker killed with -9, a lost host).
"""

from __future__ import annotations

import logging

import procrastinate
from flask import Flask
from procrastinate import sql as queue_sql
from sqlalchemy.engine import make_url

from app.extensions import db

log = logging.getLogger(__name__)
TASK = "codi:run_job"
QUEUE = "codi"
# The web side never opens this connector: jobs are deferred on the request's own connection.
# The worker runs a copy with a connector of its own (`run_worker`).
queue_app = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())
_worker_app: dict[str, Flask] = {}


@queue_app.task(name=TASK, queue=QUEUE)
def run_job(job_id: str) -> None:
    """Run one of our jobs in the worker (the Flask app is the worker's own)."""
    from app.jobs.runner import run

    run(_worker_app["app"], job_id)


def conninfo(flask_app: Flask) -> str:
    """The libpq URL of the app's database (SQLAlchemy's without the driver name)."""
    url = make_url(flask_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def enqueue(job_id: str) -> int:
    """Queue `job_id` in the open transaction (it becomes visible to workers on commit)."""
    raw = db.session.connection().connection.driver_connection
    return queue_app.configure_task(TASK, allow_unknown=False, connection=raw).defer(job_id=job_id)


def stalled_queue_jobs(seconds: float) -> list[int]:
    """procrastinate jobs in `doing` whose worker is gone or silent for `seconds` (library query)."""
    rows = db.session.connection().exec_driver_sql(
        queue_sql.queries["select_stalled_jobs_by_heartbeat"],
        {"seconds_since_heartbeat": seconds, "queue": None, "task_name": None}).all()
    return [row.id for row in rows]


def fail_queue_jobs(ids: list[int]) -> None:
    """Mark procrastinate's side of dead jobs failed (library query), so no worker takes them again."""
    for job_id in ids:
        db.session.connection().exec_driver_sql(queue_sql.queries["finish_job"],
                                                {"job_id": job_id, "status": "failed", "delete_job": False})


def live_workers(seconds: float) -> int:
    """How many workers sent a heartbeat in the last `seconds`."""
    return int(db.session.connection().exec_driver_sql(
        "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - make_interval(secs => %(s)s)",
        {"s": seconds}).scalar_one())


def run_worker(flask_app: Flask, *, concurrency: int = 1, wait: bool = True) -> None:
    """procrastinate's worker for our queue, heartbeat every third of JOB_STALE_SECONDS."""
    _worker_app["app"] = flask_app
    stale = float(flask_app.config["JOB_STALE_SECONDS"])
    queue = queue_app.with_connector(procrastinate.PsycopgConnector(conninfo=conninfo(flask_app), min_size=1,
                                                                    max_size=3))
    queue.run_worker(queues=[QUEUE], concurrency=concurrency, wait=wait, update_heartbeat_interval=stale / 3,
                     stalled_worker_timeout=stale, delete_jobs="successful")
