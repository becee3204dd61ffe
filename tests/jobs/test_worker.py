"""The real worker (`flask jobs worker` as a subprocess): runs a job; killed with -9 mid-import it
leaves nothing written, the job ends failed with a message, and its files are swept."""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import text

from tests.jobs.conftest import cases_csv, scalar, wait_for


@pytest.fixture()
def api(app, committed_user, monkeypatch):
    """A test client whose requests commit (the worker is another process), forced to the job path."""
    monkeypatch.setitem(app.config, "JOB_IMPORT_MIN_BYTES", 0)
    monkeypatch.setitem(app.config, "JOB_STALE_SECONDS", 2)
    user = committed_user("land_team")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {user.token}"}

    def post(data: bytes, name: str) -> dict:
        import io

        response = client.post("/api/v1/imports/cases", headers=headers, content_type="multipart/form-data",
                               data={"file": (io.BytesIO(data), name)})
        assert response.status_code == 202, response.get_data(as_text=True)
        return response.json["job"]

    def get(url: str) -> dict:
        return client.get(url, headers=headers).json

    return post, get


@pytest.fixture()
def soft_delete_after(committed):
    """Cases the worker imported are committed: take them out of every list afterwards."""
    names: list[str] = []
    yield names
    with committed.begin() as conn:
        conn.execute(text("UPDATE land_cases SET deleted_at = now() WHERE community_name = ANY(:n)"), {"n": names})


def test_worker_runs_an_import(api, start_worker, committed, soft_delete_after):
    post, get = api
    start_worker()
    names = ["ชุมชนผ่านตัวประมวลผลหนึ่ง", "ชุมชนผ่านตัวประมวลผลสอง"]
    soft_delete_after.extend(names)
    job = post(cases_csv(names), "worker.csv")
    done = wait_for(lambda: (j := get(job["url"]))["state"] in ("done", "failed") and j)
    assert done["state"] == "done", done["errors"]
    assert done["result"]["created"] == 2 and done["progress"] == {"done": 2, "total": 2}
    assert scalar(committed, "SELECT count(*) FROM land_cases WHERE community_name = ANY(:n)", n=names) == 2
    assert scalar(committed, "SELECT count(*) FROM land_cases WHERE code LIKE '~pending~%'") == 0


def test_kill_9_mid_import_leaves_nothing_and_the_job_fails(app, api, start_worker, committed, soft_delete_after):
    post, get = api
    names = [f"ชุมชนที่ถูกตัดกลางคัน {i}" for i in range(50)]
    soft_delete_after.extend(names)
    worker = start_worker()
    with committed.connect() as blocker:
        blocker.execute(text("LOCK TABLE history IN SHARE MODE"))  # the import's history INSERT waits here
        job = post(cases_csv(names), "killed.csv")
        wait_for(lambda: get(job["url"])["phase"] == "writing")
        # the cases are inserted (uncommitted) and the worker's transaction waits for the lock
        wait_for(lambda: scalar(committed, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                           "AND query LIKE 'INSERT INTO history%'"))
        os.kill(worker.pid, signal.SIGKILL)
        worker.process.wait()
        blocker.rollback()
    failed = wait_for(lambda: (j := get(job["url"]))["state"] != "running" and j)
    assert failed["state"] == "failed" and failed["errors"][0]["code"] == "worker_lost"
    assert "ไม่ได้บันทึกข้อมูลใด ๆ" in failed["errors"][0]["message"]
    wait_for(lambda: scalar(committed, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'INSERT INTO history%' "
                                       "AND state <> 'idle'") == 0)
    assert scalar(committed, "SELECT count(*) FROM land_cases WHERE community_name = ANY(:n)", n=names) == 0
    folder = os.path.join(app.config["UPLOAD_DIR"], "jobs", job["id"])
    dead_work = [f for f in os.listdir(os.path.join(app.config["UPLOAD_DIR"], "jobs")) if f.endswith(f"-{worker.pid}")]
    assert os.path.exists(folder) and dead_work  # what the killed process left behind ...
    start_worker()  # ... is swept when the next worker starts
    assert not os.path.exists(folder)
    assert not any(f.endswith(f"-{worker.pid}") for f in os.listdir(os.path.join(app.config["UPLOAD_DIR"], "jobs")))
    status = scalar(committed, "SELECT status::text FROM procrastinate_jobs j JOIN jobs ON jobs.queue_job_id = j.id "
                               "WHERE jobs.id = :id", id=job["id"])
    assert status == "failed"  # not taken up again by the new worker
