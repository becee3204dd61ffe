"""Jobs: create one (row + queue entry in one transaction), read it back, record progress,
finish it, fail the dead ones, and remove their files.

A job's files live in `UPLOAD_DIR/jobs/<id>/`: an import's upload (removed when the job
ends or fails), an export's result (kept for download for at most `MAX_AGE` seconds).
The sweep (`sweep()`, at worker start-up and after every job) removes what no live job
needs, including what a killed process left behind.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Engine, select, text, update

from app.auth.permissions import allowed
from app.errors import NotFound
from app.extensions import db
from app.jobs import queue
from app.models import Job, User

MAX_AGE = 24 * 3600  # no job file outlives a day
ORPHAN_AGE = 3600  # a folder or temp folder of nobody's, older than this, is a dead process's
TEMP_PREFIXES = ("import-", "export-")  # app.exchange.uploads and export_views temp folders
MESSAGES = {
    "worker_lost": _l("งานหยุดกลางคันเพราะตัวประมวลผลงานหยุดทำงาน: ไม่ได้บันทึกข้อมูลใด ๆ กรุณาส่งงานใหม่อีกครั้ง"),
    "internal": _l("เกิดข้อผิดพลาดภายในระหว่างทำงาน: ไม่ได้บันทึกข้อมูลใด ๆ"),
    "file_gone": _l("ไม่พบไฟล์ของงานนี้แล้ว (หมดเวลาแล้ว): กรุณาส่งงานใหม่"),
}


@dataclass
class Outcome:
    """What a job's handler produced: the immediate answer's status and body, and its file."""

    status: int
    result: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    download_name: str | None = None
    analyze: tuple[str, ...] = ()  # tables the job wrote in bulk: ANALYZEd before it reports done


def jobs_root() -> Path:
    root = Path(current_app.config["UPLOAD_DIR"]) / "jobs"
    root.mkdir(parents=True, exist_ok=True)
    return root


def new_job(kind: str, owner: User, params: dict[str, Any], *, dedupe_key: str | None = None) -> tuple[Job, Path]:
    """A job row (not yet committed) with its private folder."""
    job = Job(id=secrets.token_hex(16), kind=kind, state="queued", owner_id=owner.id, params=params,
              dedupe_key=dedupe_key, progress_done=0)
    folder = jobs_root() / job.id
    folder.mkdir(mode=0o700)
    job.folder = job.id
    return job, folder


def submit(job: Job) -> Job:
    """Insert the job and its queue entry in one transaction and commit (the folder is ready)."""
    try:
        db.session.add(job)
        db.session.flush()
        job.queue_job_id = queue.enqueue(job.id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        shutil.rmtree(jobs_root() / job.id, ignore_errors=True)
        raise
    return job


def by_dedupe_key(key: str, user: User) -> Job | None:
    return db.session.execute(select(Job).where(Job.dedupe_key == key, Job.owner_id == user.id)).scalar_one_or_none()


def get_for(job_id: str, user: User) -> Job:
    """The job if `user` owns it (admins: any); 404 otherwise, so ids of others' jobs are not confirmed."""
    reap()
    job = db.session.get(Job, job_id) if isinstance(job_id, str) and len(job_id) == 32 else None
    if job is None or (job.owner_id != user.id and not allowed(user.role, "jobs.all")):
        raise NotFound(_("ไม่พบงานนี้"))
    return job


def _message(item: dict[str, Any]) -> dict[str, Any]:
    code = item.get("code")
    return {**item, "message": str(MESSAGES[code])} if code in MESSAGES else item


def download_path(job: Job) -> Path | None:
    if job.state != "done" or not job.download_name or not job.folder:
        return None
    path = jobs_root() / job.folder / job.download_name
    return path if path.is_file() else None


def as_json(job: Job) -> dict[str, Any]:
    """The contract's shape: id, kind, state, progress, result, errors, download (and a little more)."""
    waiting = job.state == "queued" and queue.live_workers(current_app.config["JOB_STALE_SECONDS"]) == 0
    result = dict(job.result) if job.result else None
    if result is not None:
        result.pop("preview_rows", None)
    return {
        "id": job.id, "kind": job.kind, "state": job.state, "phase": job.phase,
        "progress": {"done": job.progress_done, "total": job.progress_total},
        "result": result, "errors": [_message(e) for e in job.errors or []],
        "download": url_for("jobs_api.download", job_id=job.id) if download_path(job) else None,
        "url": url_for("jobs_api.get_job", job_id=job.id), "page": url_for("jobs.job_page", job_id=job.id),
        "waiting_for_worker": waiting, "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def accepted(job: Job) -> dict[str, Any]:
    """The body of a 202 answer."""
    return {"job": {"id": job.id, "state": job.state, "url": url_for("jobs_api.get_job", job_id=job.id),
                    "page": url_for("jobs.job_page", job_id=job.id)}}


# --- the worker's side -----------------------------------------------------------------

def worker_name() -> str:
    return f"{socket.gethostname()[:100]}:{os.getpid()}"


def claim(job_id: str) -> Job | None:
    """queued -> running, once; None when the job is already taken, finished or failed."""
    row = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == "queued")
        .values(state="running", started_at=text("now()"), worker=worker_name(), phase="start")
        .returning(Job.id)).scalar_one_or_none()
    db.session.commit()
    return db.session.get(Job, row) if row else None


def progress(job_id: str, done: int, total: int | None, phase: str | None = None) -> None:
    """Record progress on a connection of its own: the job's transaction stays open and unseen."""
    values: dict[str, Any] = {"progress_done": done, "progress_total": total}
    if phase:
        values["phase"] = phase
    stmt = update(Job).where(Job.id == job_id, Job.state == "running").values(**values)
    if isinstance(db.engine, Engine):
        with db.engine.begin() as conn:
            conn.execute(stmt)
    else:  # the tests' single rolled-back connection stands in for the engine
        db.session.execute(stmt)


def finish(job_id: str, outcome: Outcome) -> None:
    """Store the outcome: done when the immediate answer would have been 2xx, failed otherwise."""
    state = "done" if outcome.status < 400 else "failed"
    for table in outcome.analyze:  # fresh planner statistics before anyone is told the data is there
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.execute(update(Job).where(Job.id == job_id).values(
        state=state, status_code=outcome.status, result=outcome.result, errors=outcome.errors,
        download_name=outcome.download_name if state == "done" else None, finished_at=text("now()"),
        phase="finished"))
    db.session.commit()


def fail(job_id: str, status: int, errors: list[dict[str, Any]]) -> None:
    db.session.rollback()
    db.session.execute(update(Job).where(Job.id == job_id).values(
        state="failed", status_code=status, errors=errors, finished_at=text("now()"), phase="finished"))
    db.session.commit()


def reap() -> list[str]:
    """Fail the jobs whose worker died (procrastinate's stalled-job query) or whose queue entry is gone."""
    stale = float(current_app.config["JOB_STALE_SECONDS"])
    stalled = queue.stalled_queue_jobs(stale)
    errors = [{"code": "worker_lost", "message": str(MESSAGES["worker_lost"])}]
    ids = db.session.execute(text(
        """UPDATE jobs SET state = 'failed', status_code = 500, errors = CAST(:errors AS jsonb),
                  finished_at = now(), phase = 'finished'
           WHERE state IN ('queued', 'running')
             AND (queue_job_id = ANY(:stalled)
                  OR NOT EXISTS (SELECT 1 FROM procrastinate_jobs q WHERE q.id = jobs.queue_job_id
                                 AND q.status IN ('todo', 'doing')))
           RETURNING id"""), {"errors": _json(errors), "stalled": stalled}).scalars().all()
    if stalled:
        queue.fail_queue_jobs(stalled)
    db.session.commit()
    for job_id in ids:
        current_app.logger.warning("job %s failed: its worker stopped", job_id)
    return list(ids)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def work_dir() -> Path:
    """This worker process's temp folder (set as `tempfile.tempdir`): swept when the process is gone."""
    folder = jobs_root() / f".work-{socket.gethostname()[:60]}-{os.getpid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def sweep() -> int:
    """Remove job files no live job needs; returns how many folders went."""
    root, now, removed = jobs_root(), time.time(), 0
    folders = [p for p in root.iterdir() if p.is_dir()]
    names = [p.name for p in folders if not p.name.startswith(".")]
    jobs = {row.id: row for row in db.session.execute(
        select(Job.id, Job.state, Job.download_name).where(Job.id.in_(names))).all()} if names else {}
    db.session.rollback()
    host = socket.gethostname()[:60]
    for folder in folders:
        try:
            age = now - folder.stat().st_mtime
        except OSError:
            continue
        if folder.name.startswith(".work-"):
            owner, _sep, pid = folder.name[len(".work-"):].rpartition("-")
            gone = owner == host and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid))
        else:
            job = jobs.get(folder.name)
            gone = (age > MAX_AGE or (job is None and age > ORPHAN_AGE)
                    or (job is not None and job.state in ("done", "failed") and not (job.state == "done"
                                                                                      and job.download_name)))
        if gone:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed + _sweep_temp(now)


def _sweep_temp(now: float) -> int:
    """Temp folders of the import/export code older than ORPHAN_AGE: no request lives that long."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).iterdir():
        try:
            if folder.name.startswith(TEMP_PREFIXES) and folder.is_dir() and now - folder.stat().st_mtime > ORPHAN_AGE:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


def remove_inputs(job: Job) -> None:
    """An ended job keeps only its download, if any."""
    if not job.folder:
        return
    folder = jobs_root() / job.folder
    if job.state == "done" and job.download_name:
        for path in folder.iterdir():
            if path.name != job.download_name:
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    else:
        shutil.rmtree(folder, ignore_errors=True)
