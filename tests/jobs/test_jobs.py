"""Jobs in this process: 202 + Location, GET /api/v1/jobs/<id>, owners, results, pages, codes, files."""

from __future__ import annotations

import io
import os
import re
import tempfile
import time

from sqlalchemy import func, select, text

from app.extensions import db
from app.jobs import service
from app.models import Job, LandCase
from tests.exchange.conftest import counts, upload
from tests.factories import PASSWORD, make_user
from tests.jobs.conftest import cases_csv


def _seq() -> int:
    return db.session.execute(text("SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END "
                                   "FROM land_case_code_seq")).scalar()


def _login(client, user) -> None:
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code in (302, 303)


def test_small_import_stays_immediate(client, auth):
    response = upload(client, auth("land_team"), cases_csv(["ชุมชนงานเล็ก"]), "small.csv", dry_run="true")
    assert response.status_code == 200 and response.json["dry_run"] is True


def test_large_import_is_a_job_with_progress_and_result(client, auth, users, force_jobs, run_job):
    db.session.execute(text("DELETE FROM procrastinate_workers"))  # a worker an earlier test killed is no worker
    before = counts()
    response = upload(client, auth("land_team"), cases_csv(["ชุมชนงานหนึ่ง", "ชุมชนงานสอง"]), "big.csv")
    assert response.status_code == 202
    job = response.json["job"]
    assert job["state"] == "queued" and response.headers["Location"].endswith(f"/api/v1/jobs/{job['id']}")
    queued = client.get(job["url"], headers=auth("land_team")).json
    assert queued["state"] == "queued" and queued["waiting_for_worker"] is True and queued["result"] is None
    assert counts() == before
    queued_as = db.session.execute(text("SELECT queue_name, task_name, status::text FROM procrastinate_jobs q "
                                        "JOIN jobs ON jobs.queue_job_id = q.id WHERE jobs.id = :id"),
                                   {"id": job["id"]}).one()
    assert tuple(queued_as) == ("codi", "codi:run_job", "todo")  # where `flask jobs worker` takes it
    run_job(job["id"])
    done = client.get(job["url"], headers=auth("land_team")).json
    assert done["state"] == "done" and done["kind"] == "import", done["errors"]
    assert done["progress"] == {"done": 2, "total": 2}
    assert done["result"]["created"] == 2 and done["errors"] == [] and done["download"] is None
    assert counts()[0] == before[0] + 2
    assert not os.path.exists(os.path.join(service.jobs_root(), job["id"]))  # the upload went with the job


def test_another_users_job_is_404_and_admins_see_all(client, auth, users, force_jobs):
    job = upload(client, auth("land_team"), cases_csv(["ชุมชนของคนอื่น"]), "x.csv").json["job"]
    other = make_user("land_team")
    assert client.get(job["url"], headers={"Authorization": f"Bearer {other.token}"}).status_code == 404
    assert client.get(job["url"], headers=auth("viewer")).status_code == 404
    assert client.get(job["url"], headers=auth("admin")).status_code == 200
    for bad in ("0" * 32, "nope", "../../etc/passwd", "x" * 500):
        missing = client.get(f"/api/v1/jobs/{bad}", headers=auth("land_team"))
        assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert client.get(job["url"]).status_code == 401


def test_import_job_with_row_errors_fails_and_writes_nothing(client, auth, force_jobs, run_job):
    before, seq = counts(), _seq()
    data = cases_csv(["ชุมชนดี", ""])  # the second row has no name
    job = upload(client, auth("land_team"), data, "bad.csv").json["job"]
    run_job(job["id"])
    failed = client.get(job["url"], headers=auth("land_team")).json
    assert failed["state"] == "failed" and failed["result"]["error"]["code"] == "validation_error"
    assert [e["row"] for e in failed["errors"]] == [3]
    assert counts() == before and _seq() == seq  # no row, no history, no case code used


def test_dry_run_uses_no_case_code_and_says_new(client, auth, users, force_jobs, run_job):
    seq = _seq()
    immediate = client.post("/api/v1/imports/cases?dry_run=true", headers=auth("land_team"),
                            data={"file": (io.BytesIO(cases_csv(["ชุมชนลองดู"])), "a.csv")},
                            content_type="multipart/form-data")
    assert immediate.status_code == 202  # forced to a job
    run_job(immediate.json["job"]["id"])
    assert _seq() == seq
    _login(client, users["land_team"])
    page = client.get(f"/jobs/{immediate.json['job']['id']}").get_data(as_text=True)
    assert "ใหม่" in page and "LC-" not in page


def test_import_codes_come_only_with_a_real_import(client, auth, session):
    seq = _seq()
    dry = upload(client, auth("land_team"), cases_csv(["ชุมชนก", "ชุมชนข"]), "a.csv", dry_run="true")
    assert dry.status_code == 200 and _seq() == seq
    sea = cases_csv(["ชุมชนกลางทะเล"]).replace(b"100.564,13.708", b"101.0,10.0")
    assert upload(client, auth("land_team"), sea, "sea.csv").status_code == 422 and _seq() == seq
    real = upload(client, auth("land_team"), cases_csv(["ชุมชนจริงหนึ่ง", "ชุมชนจริงสอง"]), "b.csv")
    assert real.status_code == 200 and _seq() == seq + 2
    codes = session.execute(select(LandCase.code).where(LandCase.community_name.like("ชุมชนจริง%"))).scalars().all()
    assert sorted(codes) == [f"LC-{seq:06d}", f"LC-{seq + 1:06d}"]


def test_large_export_is_a_job_with_a_download(client, auth, force_jobs, run_job):
    immediate_csv = None
    response = client.get("/api/v1/export/cases?format=csv&region=south", headers=auth("viewer"))
    assert response.status_code == 202
    job = response.json["job"]
    run_job(job["id"])
    done = client.get(job["url"], headers=auth("viewer")).json
    assert done["state"] == "done" and done["download"] and done["result"]["rows"] == done["progress"]["total"]
    file = client.get(done["download"], headers=auth("viewer"))
    assert file.status_code == 200 and file.headers["X-Contacts-Included"] == "false"
    assert "attachment" in file.headers["Content-Disposition"]
    client.application.config["JOB_EXPORT_MIN_ROWS"] = 10**9
    immediate_csv = client.get("/api/v1/export/cases?format=csv&region=south", headers=auth("viewer")).data
    assert file.data == immediate_csv
    assert client.get(done["download"], headers=auth("policy")).status_code == 404


def test_every_export_format_runs_as_a_job(client, auth, force_jobs, run_job):
    for fmt in ("shp", "gpkg", "geojson", "kml", "xlsx"):
        job = client.get(f"/api/v1/export/funds?format={fmt}", headers=auth("viewer")).json["job"]
        run_job(job["id"])
        done = client.get(job["url"], headers=auth("viewer")).json
        assert done["state"] == "done", (fmt, done["errors"])
        assert client.get(done["download"], headers=auth("viewer")).status_code == 200


def test_bad_export_is_refused_at_once(client, auth, force_jobs):
    before = db.session.scalar(select(func.count()).select_from(Job))
    assert client.get("/api/v1/export/cases?format=doc", headers=auth("viewer")).status_code == 400
    assert client.get("/api/v1/export/cases?colour=red", headers=auth("viewer")).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Job)) == before


def test_a_browser_link_to_a_large_export_opens_the_job_page(client, users, force_jobs):
    _login(client, users["viewer"])
    response = client.get("/api/v1/export/cases?format=xlsx", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<progress" in html and "jobs/job.js" in html
    assert "flask jobs worker" in html  # no worker runs in this test: the page says the job waits


def test_page_preview_and_confirm_as_jobs_double_click_imports_once(client, users, force_jobs, run_job):
    _login(client, users["land_team"])
    before = counts()
    data = cases_csv(["ชุมชนหน้าเว็บงานใหญ่"])
    preview = client.post("/imports/preview", data={"layer": "cases", "file": (io.BytesIO(data), "web.csv")},
                          content_type="multipart/form-data")
    assert preview.status_code == 303
    preview_job = preview.headers["Location"].rsplit("/", 1)[1]
    run_job(preview_job)
    html = client.get(f"/jobs/{preview_job}").get_data(as_text=True)
    assert "ชุมชนหน้าเว็บงานใหญ่" in html and "ยืนยันนำเข้า" in html and counts() == before
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    first = client.post("/imports/confirm", data={"token": token})
    second = client.post("/imports/confirm", data={"token": token})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    confirm_job = first.headers["Location"].rsplit("/", 1)[1]
    run_job(confirm_job)
    assert counts()[0] == before[0] + 1
    done = client.get(f"/jobs/{confirm_job}").get_data(as_text=True)
    assert "นำเข้าแล้ว" in done
    assert db.session.scalar(select(func.count()).select_from(Job).where(
        Job.kind == "import", Job.id.in_([preview_job, confirm_job]))) == 2
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.dedupe_key == token)) == 1


def test_a_job_whose_worker_died_ends_failed(client, auth, force_jobs):
    job = upload(client, auth("land_team"), cases_csv(["ชุมชนที่ค้าง"]), "x.csv").json["job"]
    row = db.session.get(Job, job["id"])
    worker = db.session.execute(text("INSERT INTO procrastinate_workers (last_heartbeat) "
                                     "VALUES (now() - interval '1 hour') RETURNING id")).scalar()
    db.session.execute(text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w WHERE id = :j"),
                       {"w": worker, "j": row.queue_job_id})
    db.session.execute(text("UPDATE jobs SET state = 'running' WHERE id = :j"), {"j": job["id"]})
    failed = client.get(job["url"], headers=auth("land_team")).json
    assert failed["state"] == "failed" and failed["errors"][0]["code"] == "worker_lost"
    assert "ไม่ได้บันทึกข้อมูลใด ๆ" in failed["errors"][0]["message"]
    status = db.session.execute(text("SELECT status FROM procrastinate_jobs WHERE id = :j"),
                                {"j": row.queue_job_id}).scalar()
    assert status == "failed"


def test_sweep_removes_leftovers_and_keeps_live_files(app, session):
    root = service.jobs_root()
    orphan, fresh = root / ("a" * 32), root / ("b" * 32)
    dead_work = root / f".work-{service.socket.gethostname()[:60]}-999999"
    for folder in (orphan, fresh, dead_work):
        folder.mkdir(exist_ok=True)
        (folder / "upload.csv").write_text("x")
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))
    temp_old = tempfile.mkdtemp(prefix="import-")
    temp_new = tempfile.mkdtemp(prefix="import-")
    os.utime(temp_old, (old, old))
    service.sweep()
    assert not orphan.exists() and not dead_work.exists() and not os.path.exists(temp_old)
    assert fresh.exists() and os.path.exists(temp_new)  # may belong to a job or request being set up
    for path in (fresh, temp_new):
        import shutil

        shutil.rmtree(path)


def test_a_file_refused_in_the_worker_fails_with_the_immediate_message(client, auth, force_jobs, run_job):
    job = upload(client, auth("land_team"), b"colour,size\r\nred,1\r\n", "odd.csv").json["job"]
    run_job(job["id"])
    failed = client.get(job["url"], headers=auth("land_team")).json
    assert failed["state"] == "failed" and failed["errors"][0]["code"] != "internal"
    client.application.config["JOB_IMPORT_MIN_BYTES"] = 10**9
    immediate = upload(client, auth("land_team"), b"colour,size\r\nred,1\r\n", "odd.csv")
    assert 400 <= immediate.status_code < 500
    assert failed["errors"][0]["message"] == immediate.json["error"]["message"]


def test_job_page_in_english(client, users, force_jobs):
    _login(client, users["viewer"])
    response = client.get("/api/v1/export/funds?format=csv&lang=en", headers={"Accept": "text/html"})
    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Queued" in page and "No job worker is running" in page
    assert not re.search("[\u0e00-\u0e7f]", re.sub(r"<[^>]+>", "", page.split("<main", 1)[-1]).split("</main>")[0])
