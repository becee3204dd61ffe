"""The job page in Chromium: it says the job waits while no worker runs, then follows the job
by itself and shows the download when the worker has done it."""

from __future__ import annotations

import urllib.request

from tests.conftest import login_in_browser
from tests.jobs.conftest import wait_for


def _up(base: str) -> bool:
    try:
        return urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200
    except OSError:
        return False


def test_job_page_waits_then_shows_the_download(app, live_server, page, committed_user, start_worker, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_EXPORT_MIN_ROWS", 0)
    user = committed_user("land_team")
    client = app.test_client()
    response = client.get("/api/v1/export/funds?format=csv", headers={"Authorization": f"Bearer {user.token}"})
    assert response.status_code == 202
    job = response.json["job"]
    wait_for(lambda: _up(live_server), timeout=120)  # a loaded machine starts gunicorn slowly
    login_in_browser(page, live_server, user.email)
    page.goto(f"{live_server}{job['page']}")
    assert page.locator("progress").count() == 1
    page.wait_for_selector("#job-waiting:not([hidden])")  # no worker yet: the page says the job waits
    start_worker()
    page.wait_for_selector("a[download]", timeout=60_000)  # reloaded by itself when the job ended
    assert "funds_" in page.inner_text("a[download]")
    with page.expect_download() as download:
        page.click("a[download]")
    assert download.value.suggested_filename.endswith(".csv")
    assert page.js_errors == []
