"""Issue 15 point 8 for a large import (a job): its finished page links the cases it made."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.models import LandCase
from tests.factories import PASSWORD
from tests.jobs.conftest import cases_csv


def test_a_finished_import_job_links_its_new_cases(client, users, session, force_jobs, run_job):
    assert client.post("/login", data={"email": users["land_team"].email, "password": PASSWORD}).status_code in (302,
                                                                                                               303)
    data = cases_csv(["ชุมชนงานลิงก์"])
    preview = client.post("/imports/preview", data={"layer": "cases", "file": (io.BytesIO(data), "job.csv")},
                          content_type="multipart/form-data")
    preview_job = preview.headers["Location"].rsplit("/", 1)[1]
    run_job(preview_job)
    token = re.search(r'name="token" value="([^"]+)"', client.get(f"/jobs/{preview_job}").get_data(as_text=True))
    confirm = client.post("/imports/confirm", data={"token": token.group(1)})
    confirm_job = confirm.headers["Location"].rsplit("/", 1)[1]
    run_job(confirm_job)
    done = client.get(f"/jobs/{confirm_job}").get_data(as_text=True)
    made = session.scalars(select(LandCase).where(LandCase.community_name == "ชุมชนงานลิงก์")).one()
    new = re.search(r'id="import-new">(.*?)</ul>', done, re.S).group(1)
    assert f"/cases/code/{made.code}" in new and 'id="import-in-list"' in done
