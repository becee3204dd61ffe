"""Run one job in the worker: claim it, replay its request as its owner, store the outcome.

The handler runs in a request context rebuilt from the job (path, query string, language)
with the owner signed in, so it goes through the same code, filters and permissions as the
immediate answer would. Everything it writes is one transaction: committed by the handler
on success, rolled back on any error; a killed process leaves an open transaction that
PostgreSQL rolls back, and `service.reap` fails the job once the worker's heartbeat stops.
"""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_login import login_user

from app.errors import Forbidden, as_service_error
from app.extensions import db
from app.jobs import service
from app.models import Job, User

log = logging.getLogger(__name__)
# kind -> "module:function(job, report_progress) -> Outcome"
HANDLERS = {
    "import": "app.exchange.job_handlers:import_job",
    "export": "app.exchange.job_handlers:export_job",
    "print": "app.prints.jobs:print_job",
}
Progress = Callable[[int, "int | None", "str | None"], None]


def handler(kind: str) -> Callable[[Job, Progress], service.Outcome]:
    module, _sep, name = HANDLERS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def run(app: Flask, job_id: str) -> None:
    """Run `job_id` if it is still queued; never raises (the outcome goes to the job row)."""
    with app.app_context():
        try:
            job = service.claim(job_id)
            if job is None:
                return
            with _heap_frozen():
                _run(app, job)
        finally:
            db.session.remove()
            try:
                service.sweep()
            except OSError:
                log.exception("job file sweep failed")
            db.session.remove()


@contextmanager
def _heap_frozen() -> Iterator[None]:
    """The objects alive before the job (the app, its modules and caches) are left out of the job's
    garbage collections, and given back to them after.

    A bulk job allocates millions of short-lived objects, so the collector runs its full pass
    often; each pass walked the whole loaded app too: 0.8 s of a 4.5 s dry run of 100,000 rows
    (bench/JOBS.md). Unfreezing after (not collecting before) means nothing frozen is kept forever."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _run(app: Flask, job: Job) -> None:
    params: dict[str, Any] = job.params or {}
    owner = db.session.get(User, job.owner_id)
    request = params.get("request") or {}
    headers = {"Accept-Language": params.get("lang") or "th"}
    with app.test_request_context(request.get("path", "/"), query_string=request.get("query", ""),
                                  headers=headers):
        try:
            if owner is None or not owner.active:
                raise Forbidden(_("บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้"))
            login_user(owner)

            def report(done: int, total: int | None = None, phase: str | None = None) -> None:
                service.progress(job.id, done, total, phase)

            outcome = handler(job.kind)(job, report)
            service.finish(job.id, outcome)
        except Exception as exc:
            err = as_service_error(exc)  # what the immediate answer would have said (a 4xx), or an internal error
            if err is None:
                log.exception("job %s (%s) failed", job.id, job.kind)
                service.fail(job.id, 500, [{"code": "internal", "message": str(service.MESSAGES["internal"])}])
            else:
                service.fail(job.id, err.status, [{"code": err.code, "message": err.message, "details": err.details}])
        finally:
            db.session.expire_all()
            done = db.session.get(Job, job.id)
            if done is not None:
                service.remove_inputs(done)
