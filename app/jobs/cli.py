"""`flask jobs worker` runs queued jobs; `flask jobs sweep` fails dead jobs and removes old job files."""

from __future__ import annotations

import logging
import tempfile

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs (long imports and exports).")


def _reap_and_sweep() -> tuple[int, int]:
    from app import answers
    from app.extensions import db
    from app.jobs import service

    dead = service.reap()
    removed = service.sweep()
    answers.prune()  # the notes of old writers (app/answers.py)
    db.session.commit()
    db.session.remove()
    return len(dead), removed


@jobs_cli.command("worker")
@click.option("--concurrency", default=1, show_default=True, help="Jobs at once in this process.")
def worker(concurrency: int) -> None:
    """Run queued jobs until stopped (SIGTERM/SIGINT finish the current job first)."""
    import threading

    from app.jobs import queue, service

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = current_app._get_current_object()
    dead, removed = _reap_and_sweep()
    click.echo(f"jobs worker {service.worker_name()}: {dead} dead job(s) failed, {removed} leftover folder(s) removed")
    tempfile.tempdir = str(service.work_dir())  # every temp file of a job lands where the sweep finds it
    stop = threading.Event()
    every = max(float(app.config["JOB_STALE_SECONDS"]) / 2, 1.0)

    def watch() -> None:  # fail the jobs of workers that died (here or on another host)
        while not stop.wait(every):
            with app.app_context():
                try:
                    _reap_and_sweep()
                except Exception:  # the database may be restarting: try again next round
                    logging.getLogger(__name__).exception("reaping stalled jobs failed")

    threading.Thread(target=watch, name="jobs-reaper", daemon=True).start()
    try:
        queue.run_worker(app, concurrency=concurrency)
    finally:
        stop.set()


@jobs_cli.command("sweep")
def sweep() -> None:
    """Fail jobs whose worker died and remove job files nobody needs (also done by every worker)."""
    dead, removed = _reap_and_sweep()
    click.echo(f"{dead} dead job(s) failed, {removed} folder(s) removed")
