"""The national PDF at scale runs as a job (issue 19), like large exports: 202 + the job's URL for
programs, its progress page for people; small prints stay immediate; a shared link's PDF never queues."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from app.jobs import runner
from tests.factories import PASSWORD


@pytest.fixture()
def force_print_jobs(app, monkeypatch):
    """Every signed-in map print takes the job path."""
    monkeypatch.setitem(app.config, "JOB_PRINT_MIN_CASES", 0)


def _login(client, user) -> None:
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code in (302, 303)


def test_small_prints_stay_immediate(client, auth):
    response = client.get("/map.pdf", headers=auth("viewer"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_a_large_print_is_a_job_with_a_pdf_to_download(app, client, auth, force_print_jobs):
    response = client.get("/map.pdf?size=A3&status=reported", headers={**auth("viewer"), "Accept": "application/json"})
    assert response.status_code == 202, response.get_data(as_text=True)
    job = response.get_json()["job"]
    assert response.headers["Location"].endswith(job["url"]) and job["state"] == "queued"
    runner.run(app, job["id"])
    done = client.get(job["url"], headers=auth("viewer")).get_json()
    assert done["kind"] == "print" and done["state"] == "done", done
    assert done["result"]["size"] == "A3" and done["result"]["file"].endswith(".pdf") and done["download"]
    file = client.get(done["download"], headers=auth("viewer"))
    assert file.status_code == 200 and file.mimetype == "application/pdf" and file.data.startswith(b"%PDF-")
    assert "attachment" in file.headers["Content-Disposition"] and "A3" in file.headers["Content-Disposition"]
    assert client.get(done["download"], headers=auth("policy")).status_code == 404   # another user's job


def test_a_region_print_job_keeps_its_region_and_query(app, client, auth, force_print_jobs):
    response = client.get("/map/south.pdf?layers=provinces", headers=auth("policy"))
    job = response.get_json()["job"]
    runner.run(app, job["id"])
    done = client.get(job["url"], headers=auth("policy")).get_json()
    assert done["state"] == "done" and "south" in done["result"]["file"]


def test_a_browser_asking_for_a_large_print_opens_the_job_page(client, users, force_print_jobs):
    _login(client, users["viewer"])
    response = client.get("/map.pdf", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 303 and "/jobs/" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "พิมพ์แผนที่ (PDF)" in html and "<progress" in html


def test_the_print_job_page_in_english(client, users, force_print_jobs):
    _login(client, users["viewer"])
    response = client.get("/map.pdf?lang=en", headers={"Accept": "text/html"})
    english = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Map print (PDF)" in english
    assert not re.search("[\u0e00-\u0e7f]", re.sub(r"<[^>]+>", "", english.split("<main", 1)[-1]).split("</main>")[0])


@pytest.mark.parametrize("url, status", [("/map.pdf?size=A0", 400), ("/map.pdf?status=bogus", 400),
                                         ("/map/atlantis.pdf", 404)])
def test_bad_input_is_refused_at_once_not_queued(client, auth, force_print_jobs, url, status):
    assert client.get(url, headers=auth("viewer")).status_code == status


def test_a_shared_links_pdf_is_never_a_job(client, auth, force_print_jobs):
    created = client.post("/api/v1/share-links", headers=auth("policy"),
                          json={"label": "test: shared print", "region": "south"}).get_json()
    token = urlsplit(created["url"]).path.removeprefix("/s/")
    response = client.get(f"/s/{token}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
