"""Jobs: the job path forced by thresholds of 0, run in this process or by a worker subprocess."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from app.jobs import runner

HEADER = ["code", "community_name", "households", "lon", "lat"]
PLACES = [(100.564, 13.708), (98.985, 18.788), (100.474, 7.007), (102.835, 16.43)]


def cases_csv(names: list[str], codes: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i, name in enumerate(names):
        lon, lat = PLACES[i % len(PLACES)]
        writer.writerow([(codes or [""] * len(names))[i], name, str(10 + i), str(lon), str(lat)])
    return out.getvalue().encode("utf-8-sig")


@pytest.fixture()
def force_jobs(app, monkeypatch):
    """Every import and export takes the job path."""
    monkeypatch.setitem(app.config, "JOB_IMPORT_MIN_BYTES", 0)
    monkeypatch.setitem(app.config, "JOB_EXPORT_MIN_ROWS", 0)


@pytest.fixture()
def run_job(app):
    """`run_job(id)`: what the worker does, in this process (inside the test's transaction)."""
    return lambda job_id: runner.run(app, job_id)


class Worker:
    """`flask jobs worker` as a subprocess on the test database."""

    def __init__(self, app, env: dict[str, str]) -> None:
        flask = os.path.join(os.path.dirname(sys.executable), "flask")
        self.process = subprocess.Popen(
            [flask, "--app", "app", "jobs", "worker"],
            env={**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                 "UPLOAD_DIR": app.config["UPLOAD_DIR"], "SECRET_KEY": "test-worker", **env},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.pid = self.process.pid
        first = self.process.stdout.readline()  # "jobs worker host:pid: ..." once it has swept
        if "jobs worker" not in first:
            raise RuntimeError(first + self.process.stdout.read()[-3000:])
        self.banner = first

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture()
def start_worker(app) -> Iterator:
    """`start_worker(**env)`: a worker subprocess (stopped after the test)."""
    started: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(app, {"JOB_STALE_SECONDS": "2", **env})
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture()
def committed(app):
    """A separate engine on the test database for checks outside any test transaction."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


def wait_for(predicate, timeout: float = 60.0, every: float = 0.2):
    """Poll until `predicate()` is truthy (returns it); a generous timeout, never a timing assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("gave up waiting")


def scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()
