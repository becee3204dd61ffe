"""The past on every surface: API list, map data, dashboard, exports and frozen share links agree."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from app.extensions import db
from app.land_cases import service
from app.models import LandCase
from app.timeline.dates import today
from tests.timeline.helpers import login

YESTERDAY = (today() - timedelta(days=1)).isoformat()


def _moved_today(users) -> LandCase:
    """A live sample case moved to a new status today (so yesterday it had its old status)."""
    from app.land_cases.workflow import TRANSITIONS

    case = db.session.scalars(db.select(LandCase).where(LandCase.deleted_at.is_(None), LandCase.status == "reported")
                              .order_by(LandCase.id)).first()
    service.change_status(case.id, TRANSITIONS["reported"][0], users["land_team"])
    return case


def _statuses(features: list[dict], key: str = "code") -> dict:
    return {f["properties"][key]: f["properties"]["status"] for f in features}


def test_the_api_shows_yesterday_before_todays_move(client, auth, users):
    case = _moved_today(users)
    now = client.get(f"/api/v1/cases?q={case.code}", headers=auth("viewer")).get_json()
    then = client.get(f"/api/v1/cases?q={case.code}&as_of={YESTERDAY}", headers=auth("viewer")).get_json()
    assert _statuses(now["features"])[case.code] == "surveying"
    assert _statuses(then["features"])[case.code] == "reported"
    changes = client.get(f"/api/v1/changes?from={today().isoformat()}", headers=auth("viewer")).get_json()
    assert any(c["case_id"] == case.id and c["from"] == "reported" and c["to"] == "surveying"
               for c in changes["changes"])


def test_map_page_and_data_show_the_day_and_say_so(client, users):
    case = _moved_today(users)
    login(client, users["viewer"])
    page = client.get(f"/map/bangkok?as_of={YESTERDAY}").get_data(as_text=True)
    assert "แสดงข้อมูล ณ วันที่" in page and "data-time-form" in page and "ไตรมาส" in page
    assert f'"asOf": "{YESTERDAY}"' in page or f'"asOf":"{YESTERDAY}"' in page
    data = client.get(f"/map/data?q={case.code}&as_of={YESTERDAY}").get_json()
    assert _statuses(data["features"])[case.code] == "reported"
    live = client.get("/map/bangkok").get_data(as_text=True)
    assert 'data-time-banner hidden' in live


def test_map_changes_view_has_its_table_and_banner(client, users):
    login(client, users["viewer"])
    page = client.get("/map?from=2025-10-01&to=2026-09-30").get_data(as_text=True)
    assert 'id="changes-panel"' in page and "แสดงกรณีที่เปลี่ยนสถานะระหว่าง" in page
    assert "ไตรมาส 1/2569 (ต.ค.-ธ.ค. 2568)" in page


def test_dashboard_as_of(client, auth, users):
    _moved_today(users)
    now = client.get("/api/v1/dashboard", headers=auth("viewer")).get_json()
    then = client.get(f"/api/v1/dashboard?as_of={YESTERDAY}", headers=auth("viewer")).get_json()
    assert then["as_of"] == YESTERDAY and now["as_of"] is None
    by = {s["status"]: s["count"] for s in then["cases_by_status"]}
    by_now = {s["status"]: s["count"] for s in now["cases_by_status"]}
    assert by["reported"] == by_now["reported"] + 1
    old = client.get("/api/v1/dashboard?as_of=2015-01-01", headers=auth("viewer")).get_json()
    assert old["totals"]["cases"] < now["totals"]["cases"]
    assert all(q["fiscal_year"] <= 2558 for q in old["progress_by_quarter"]["quarters"])
    login(client, users["viewer"])
    page = client.get(f"/dashboard?as_of={YESTERDAY}").get_data(as_text=True)
    assert "แสดงข้อมูล ณ วันที่" in page


def test_export_as_of(client, auth, users):
    case = _moved_today(users)
    response = client.get(f"/api/v1/export/cases?format=csv&q={case.code}&as_of={YESTERDAY}", headers=auth("viewer"))
    assert response.status_code == 200
    assert f"as-of-{YESTERDAY}" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["code"]: r["status"] for r in rows}[case.code] == "reported"


def test_a_frozen_share_link_never_shows_later_changes(client, auth, users):
    made = client.post("/api/v1/share-links", json={"label": "เวทีภาค", "as_of": YESTERDAY, "region": "bangkok"},
                       headers=auth("policy"))
    assert made.status_code == 201 and made.get_json()["as_of"] == YESTERDAY
    path = "/" + made.get_json()["url"].split("/", 3)[3]
    case = _moved_today(users)
    page = client.get(path).get_data(as_text=True)
    assert "ไม่แสดงการเปลี่ยนแปลงหลังจากวันนั้น" in page and "แสดงข้อมูล ณ วันที่" in page
    data = client.get(f"{path}/data?q={case.code}").get_json()
    shown = _statuses(data["features"])
    assert shown.get(case.code, "reported") == "reported"
    assert client.get(f"{path}/data?as_of={today().isoformat()}").status_code == 400
    assert client.get(f"{path}?from=2025-01-01").status_code == 400
    listed = client.get("/api/v1/share-links", headers=auth("policy")).get_json()["share_links"]
    assert any(link["as_of"] == YESTERDAY for link in listed)
