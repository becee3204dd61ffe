"""Issue 15 points 7 and 8 on the case pages (test client): the status form keeps what was typed and
names its fields in Thai; the case list sorts by its headers, newest change first by default."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from app.extensions import db
from app.models import LandCase


def test_a_bad_effective_date_keeps_the_note_and_names_the_field_in_thai(login, make_case):
    case = make_case()
    client = login("land_team")
    note = "ประชุมกับเจ้าของที่ดิน บันทึกยาวที่ไม่อยากพิมพ์ใหม่"
    answer = client.post(f"/cases/{case['id']}/status", data={"status": "surveying", "note": note,
                                                               "date": "31/02/2567"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert note in html  # the note is still in the form
    assert 'value="31/02/2567"' in html and re.search(r'<option selected value="surveying"|<option value="surveying" '
                                                      r'selected', html)
    error = re.search(r'id="error-date">([^<]+)<', html).group(1)
    assert "31/02/2567" in error and "วว/ดด/ปปปป" in error
    assert "effective_on" not in html and "ข้อมูลไม่ถูกต้อง: date" not in html
    assert db.session.get(LandCase, case["id"]).status == "reported"  # nothing changed


def test_the_status_form_takes_the_dates_people_write(login, make_case, client, auth):
    case = make_case(opened_on="2020-01-01")
    answer = login("land_team").post(f"/cases/{case['id']}/status",
                                     data={"status": "surveying", "note": "", "date": "15 ม.ค. 2567"})
    assert answer.status_code == 303
    history = client.get(f"/api/v1/cases/{case['id']}/history", headers=auth("viewer")).get_json()
    entries = history.get("history", history) if isinstance(history, dict) else history
    assert any(e.get("effective_on") == "2024-01-15" for e in entries), entries


def test_a_refused_move_keeps_the_note_too(login, make_case):
    case = make_case()
    answer = login("land_team").post(f"/cases/{case['id']}/status",
                                     data={"status": "secured", "note": "ข้ามขั้นตอน", "date": ""})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "ข้ามขั้นตอน" in html
    assert 'id="status-form-error"' in html or 'id="error-status"' in html


def _codes(html: str) -> list[str]:
    return re.findall(r'<td><a href="/cases/\d+">([A-Z0-9-]+)</a>', html)


def test_the_list_sorts_by_its_headers_and_shows_recent_changes_first(login, make_case):
    tag = uuid.uuid4().hex[:8]  # the browser walk commits cases named like these: keep to our own
    made = [make_case(community_name=f"ชุมชนเรียง {tag} {i}", households=h, opened_on=o)
            for i, (h, o) in enumerate([(30, "2019-05-01"), (500, "2021-05-01"), (7, "2020-05-01")])]
    now = datetime.now(UTC)
    for i, case in enumerate(made):  # the first made is the one changed last
        db.session.execute(update(LandCase).where(LandCase.id == case["id"])
                           .values(updated_at=now + timedelta(days=3 - i)))
    client = login("viewer")
    q = f"q={tag}"
    codes = [c["properties"]["code"] for c in made]
    default = client.get(f"/cases?{q}").get_data(as_text=True)
    assert _codes(default) == codes  # recently changed first
    assert 'data-sort-key="updated_at" aria-sort="descending"' in default
    by_households = client.get(f"/cases?{q}&sort=-households").get_data(as_text=True)
    assert _codes(by_households) == [codes[1], codes[0], codes[2]]
    # the header link turns the order round and keeps the filters; exports take no sort
    link = re.search(r'data-sort-key="households"[^>]*>\s*<a href="([^"]+)"', by_households).group(1)
    assert "sort=households" in link and "q=" in link
    assert not re.search(r'export/cases\?[^"]*sort=', by_households)
    assert _codes(client.get(f"/cases?{q}&sort=opened_on").get_data(as_text=True)) == [codes[0], codes[2], codes[1]]
    assert client.get(f"/cases?{q}&sort=contact_phone").status_code == 400
    paging = client.get("/cases?sort=-households").get_data(as_text=True)
    next_link = re.search(r'href="([^"]+)" rel="next"', paging)
    assert next_link is None or "sort=-households" in next_link.group(1)


def test_status_sorts_in_workflow_order(login, make_case, auth, client):
    a, b = make_case(community_name="ชุมชนสถานะ ก"), make_case(community_name="ชุมชนสถานะ ข")
    client.post(f"/api/v1/cases/{b['id']}/status", json={"status": "surveying"}, headers=auth("land_team"))
    html = login("viewer").get("/cases?q=ชุมชนสถานะ&sort=-status").get_data(as_text=True)
    assert _codes(html) == [b["properties"]["code"], a["properties"]["code"]]  # surveying after reported


def test_the_list_date_filter_takes_buddhist_era_ranges(login, make_case):
    inside = make_case(community_name="ชุมชนสัญญา ใน", lease_expires_on="2024-06-01")
    make_case(community_name="ชุมชนสัญญา นอก", lease_expires_on="2026-06-01")
    html = login("viewer").get("/cases?q=ชุมชนสัญญา&lease_expires_on=1/1/2567 - 31/12/2567").get_data(as_text=True)
    assert _codes(html) == [inside["properties"]["code"]]
    assert 'value="1/1/2567 - 31/12/2567"' in html  # what was typed stays in the box
    client = login("viewer")
    for hostile in ("1/1/2567'; DROP TABLE land_cases--", "/" * 5000, "31/12/2567 - 1/1/2567"):
        refused = client.get("/cases", query_string={"lease_expires_on": hostile})
        assert refused.status_code == 400 and "วว/ดด/ปปปป" in refused.get_data(as_text=True)


def test_a_code_leads_to_its_case(login, make_case):
    case = make_case()
    client = login("viewer")
    answer = client.get(f"/cases/code/{case['properties']['code']}")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/cases/{case['id']}")
    assert client.get("/cases/code/LC-NOPE").status_code == 404


def test_today_is_no_future_date(login, make_case):
    case = make_case()
    tomorrow_week = date.today() + timedelta(days=9)
    answer = login("land_team").post(f"/cases/{case['id']}/status", data={
        "status": "surveying", "note": "ล่วงหน้า", "date": f"{tomorrow_week.day}/{tomorrow_week.month}/"
                                                          f"{tomorrow_week.year + 543}"})
    assert answer.status_code == 422
    assert "อนาคต" in re.search(r'id="error-date">([^<]+)<', answer.get_data(as_text=True)).group(1)
