"""as_of / from / to on the API, pages, exports and share links: bad input is a 400 in Thai, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.timeline.dates import today

TOMORROW = (today() + timedelta(days=1)).isoformat()
BAD_DAYS = [
    ("2569-09-30", "buddhist era year", "พ.ศ."),
    (TOMORROW, "in the future", "อนาคต"),
    ("2026-02-30", "no such day", "ไม่ใช่วันที่ที่มีจริง"),
    ("30/09/2026", "malformed", "YYYY-MM-DD"),
    ("yesterday", "malformed", "YYYY-MM-DD"),
    ("2026-9-3", "malformed", "YYYY-MM-DD"),
    ("1900-01-01", "too early", "เก่าเกินไป"),
]


def _error(response, field: str, reason: str, words: str) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert words in error["message"]
    assert {"field": field, "message": reason} in error["details"]


@pytest.mark.parametrize(("value", "reason", "words"), BAD_DAYS)
@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/dashboard", "/api/v1/export/cases?format=csv"])
def test_bad_as_of_is_a_400_in_thai(client, auth, path, value, reason, words):
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}as_of={value}", headers=auth("viewer"))
    _error(response, "as_of", reason, words)


@pytest.mark.parametrize(("value", "reason", "words"), BAD_DAYS)
def test_bad_changes_dates_are_400s(client, auth, value, reason, words):
    _error(client.get(f"/api/v1/changes?from={value}", headers=auth("viewer")), "from", reason, words)
    _error(client.get(f"/api/v1/changes?from=2025-01-01&to={value}", headers=auth("viewer")), "to", reason, words)


def test_changes_needs_from_and_from_before_to(client, auth):
    _error(client.get("/api/v1/changes", headers=auth("viewer")), "from", "required", "from")
    _error(client.get("/api/v1/changes?from=2025-06-01&to=2025-05-31", headers=auth("viewer")),
           "from", "after to", "อยู่หลัง")
    response = client.get("/api/v1/changes?from=2025-01-01&what=1", headers=auth("viewer"))
    assert response.status_code == 400 and response.get_json()["error"]["details"][0]["field"] == "what"


@pytest.mark.parametrize("path", ["/map", "/map/south", "/dashboard"])
@pytest.mark.parametrize("value", ["2569-09-30", TOMORROW, "2026-02-30", "abc"])
def test_pages_refuse_bad_days_with_a_thai_page(client, users, path, value):
    from tests.timeline.helpers import login

    login(client, users["viewer"])
    response = client.get(f"{path}?as_of={value}")
    assert response.status_code == 400
    assert "as_of" in response.get_data(as_text=True)


def test_pages_refuse_from_after_to_and_as_of_with_a_period(client, users):
    from tests.timeline.helpers import login

    login(client, users["viewer"])
    assert client.get("/map?from=2025-06-01&to=2025-05-01").status_code == 400
    assert client.get("/map?as_of=2025-06-01&from=2025-05-01").status_code == 400


def test_api_list_as_of_keeps_filters_and_paging(client, auth):
    day = date(2026, 9, 30) if today() > date(2026, 9, 30) else today()
    body = client.get(f"/api/v1/cases?as_of={day}&limit=5&region=bangkok&status=surveying,negotiating",
                      headers=auth("viewer")).get_json()
    assert body["numberReturned"] <= 5 and body["numberMatched"] >= body["numberReturned"]
    assert all(f["properties"]["status"] in ("surveying", "negotiating") for f in body["features"])
    assert all("as_of=" in link["href"] for link in body["links"])


def test_changes_api_lists_moves_oldest_first(client, auth):
    body = client.get("/api/v1/changes?from=2010-01-01", headers=auth("viewer")).get_json()
    assert body["count"] == len(body["changes"]) > 0
    first = body["changes"][0]
    assert set(first) >= {"case_id", "code", "community_name", "from", "to", "date", "region_code"}
    assert "contact_name" not in first and "contact_phone" not in first
    days = [c["date"] for c in body["changes"]]
    assert days == sorted(days)
    south = client.get("/api/v1/changes?from=2010-01-01&region=south", headers=auth("viewer")).get_json()
    assert 0 < south["count"] < body["count"]
    assert client.get("/api/v1/changes?from=2010-01-01&region=nowhere", headers=auth("viewer")).status_code == 400
    assert client.get("/api/v1/changes?from=2010-01-01&province=99", headers=auth("viewer")).status_code == 400


@pytest.mark.parametrize(("value", "reason"), [
    ("2569-09-30", "buddhist era year"), (TOMORROW, "in the future"), ("2026-02-30", "no such day"),
    ("soon", "malformed"), (20260930, "malformed")])
def test_share_link_body_as_of_is_checked(client, auth, value, reason):
    response = client.post("/api/v1/share-links", json={"label": "อบต.", "as_of": value}, headers=auth("policy"))
    assert response.status_code == 400
    assert {"field": "as_of", "message": reason} in response.get_json()["error"]["details"]


def test_changes_go_gzipped_to_a_client_that_accepts_it(client, auth):
    import gzip
    import json

    url = "/api/v1/changes?from=2015-01-01&points=true"
    plain = client.get(url, headers=auth("viewer"))
    packed = client.get(url, headers={**auth("viewer"), "Accept-Encoding": "gzip, deflate"})
    assert plain.status_code == packed.status_code == 200
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(plain.data) > 2048  # the sample cases' moves since 2015
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert json.loads(gzip.decompress(packed.data)) == plain.get_json()
    assert plain.get_json()["count"] == len(plain.get_json()["changes"])
