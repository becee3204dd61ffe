"""The dashboard: its JSON totals equal counts taken straight from the database."""

from __future__ import annotations

from datetime import date

import pytest

from app.dashboard.service import quarter_start
from app.i18n import fiscal_quarter_label
from tests.pilot_areas.support import add_case, login, point_in, scalar

LIVE = "FROM land_cases WHERE deleted_at IS NULL"


def _check_totals(body: dict) -> None:
    totals = body["totals"]
    assert totals["cases"] == scalar(f"SELECT count(*) {LIVE}")
    assert totals["households"] == scalar(f"SELECT COALESCE(sum(households), 0) {LIVE}")
    assert totals["cases_secured"] == scalar(f"SELECT count(*) {LIVE} AND status = 'secured'")
    assert totals["households_secured"] == scalar(f"SELECT COALESCE(sum(households), 0) {LIVE} AND status = 'secured'")
    assert totals["pilot_areas"] == scalar("SELECT count(*) FROM pilot_areas")
    assert totals["funds"] == scalar("SELECT count(*) FROM funds")
    capital = scalar("SELECT COALESCE(sum(capital_baht), 0) FROM funds")
    assert totals["fund_capital_baht"] == pytest.approx(float(capital))
    assert totals["fund_members"] == scalar("SELECT COALESCE(sum(members), 0) FROM funds")
    for item in body["cases_by_status"]:
        assert item["count"] == scalar(f"SELECT count(*) {LIVE} AND status = :s", s=item["status"]), item
    for item in body["pilots_by_stage"]:
        assert item["count"] == scalar("SELECT count(*) FROM pilot_areas WHERE stage = :s", s=item["stage"])
    for item in body["fund_capital_by_level"]:
        assert item["capital_baht"] == pytest.approx(float(scalar(
            "SELECT COALESCE(sum(capital_baht), 0) FROM funds WHERE level = :l", l=item["level"])))
    for item in body["cases_by_region"]:
        code = item["code"]
        where = ("province_code IN (SELECT province_code FROM province_regions WHERE zone_code = :r)"
                 if code.startswith("south-") else "region_code = :r")
        assert item["count"] == scalar(f"SELECT count(*) {LIVE} AND {where}", r=code), code
        assert item["households_secured"] == scalar(
            f"SELECT COALESCE(sum(households), 0) {LIVE} AND status = 'secured' AND {where}", r=code), code
    assert sum(r["count"] for r in body["cases_by_region"]) == totals["cases"]
    assert sum(r["capital_baht"] for r in body["fund_capital_by_region"]) == pytest.approx(totals["fund_capital_baht"])


def test_json_totals_match_the_database(client, auth):
    body = client.get("/api/v1/dashboard", headers=auth("viewer")).get_json()
    assert body["totals"]["cases"] >= 300 and body["totals"]["pilot_areas"] >= 30
    _check_totals(body)
    units = [r["code"] for r in body["cases_by_region"]]
    assert {"south-z8", "south-z9", "north-upper", "north-lower", "isan-upper", "isan-middle", "isan-lower",
            "central", "bangkok", "east"} <= set(units)


def test_totals_follow_changes_and_ignore_deleted_cases(client, auth):
    before = client.get("/api/v1/dashboard", headers=auth("viewer")).get_json()["totals"]
    lon, lat = point_in("840101")
    add_case(lon, lat, households=77, status="secured")
    add_case(lon, lat, households=1000, status="secured", deleted=True, code="T-deleted-dash")
    after = client.get("/api/v1/dashboard", headers=auth("viewer")).get_json()
    assert after["totals"]["cases"] == before["cases"] + 1
    assert after["totals"]["households_secured"] == before["households_secured"] + 77
    _check_totals(after)


def test_progress_by_fiscal_quarter(client, auth):
    body = client.get("/api/v1/dashboard", headers=auth("viewer")).get_json()
    progress = body["progress_by_quarter"]
    quarters = progress["quarters"]
    assert "วันที่รับเรื่อง" in progress["basis"] and "ประวัติ" in progress["basis"]
    assert "opened_on" not in progress["basis"]  # people's words, not a field name
    assert quarters[0]["label"].startswith("ไตรมาส ") and quarters[0]["fiscal_year"] >= 2553
    labels = [q["label"] for q in quarters]
    assert len(labels) == len(set(labels))
    assert sum(q["opened"] for q in quarters) == scalar(f"SELECT count(*) {LIVE} AND opened_on IS NOT NULL")
    first_secured = scalar("""SELECT count(DISTINCT h.entity_id) FROM history h JOIN land_cases c ON c.id = h.entity_id
                              WHERE h.entity = 'land_case' AND h.action = 'status' AND h.new_value = 'secured'
                              AND c.deleted_at IS NULL""")
    assert sum(q["secured"] for q in quarters) == first_secured > 0
    assert quarters[-1]["households_secured_cumulative"] == sum(q["households_secured"] for q in quarters)
    # one quarter checked by hand: the cases opened in October-December 2565 B.E. (2022 A.D.)
    q = next(q for q in quarters if q["label"] == "ไตรมาส 1/2566")
    assert q["opened"] == scalar(f"SELECT count(*) {LIVE} AND opened_on BETWEEN '2022-10-01' AND '2022-12-31'")


def test_quarter_labels_use_the_fiscal_year():
    assert quarter_start(2010, 1) == date(2009, 10, 1)
    assert quarter_start(2010, 4) == date(2010, 7, 1)
    assert fiscal_quarter_label(quarter_start(2010, 1)) == "ไตรมาส 1/2553"
    assert fiscal_quarter_label(quarter_start(2026, 3)) == "ไตรมาส 3/2569"


def test_region_filter_and_english(client, auth):
    body = client.get("/api/v1/dashboard?region=south-z9", headers=auth("viewer")).get_json()
    assert body["region"] == "south-z9"
    assert body["totals"]["cases"] == scalar(
        f"""SELECT count(*) {LIVE} AND province_code IN
            (SELECT province_code FROM province_regions WHERE zone_code = 'south-z9')""")
    assert [r["code"] for r in body["cases_by_region"]] == ["south-z9"]
    south = client.get("/api/v1/dashboard?region=south", headers=auth("viewer")).get_json()
    assert south["totals"]["cases"] == scalar(f"SELECT count(*) {LIVE} AND region_code = 'south'")
    assert client.get("/api/v1/dashboard?region=mars", headers=auth("viewer")).status_code == 400
    assert client.get("/api/v1/dashboard").status_code == 401


def test_english_labels(client, auth):
    from flask_babel import refresh

    refresh()  # the test's app context outlives requests: forget the locale chosen before
    english = client.get("/api/v1/dashboard", headers={**auth("viewer"), "Accept-Language": "en"}).get_json()
    assert english["cases_by_status"][0]["label"] == "Reported"
    assert english["progress_by_quarter"]["quarters"][0]["label"].startswith("Q")
    refresh()


def test_dashboard_page_has_charts_from_vendor_and_thai_labels(client, users):
    login(client, users["policy"])
    response = client.get("/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for canvas in ("chart-status", "chart-region", "chart-secured", "chart-stage", "chart-fund-level",
                   "chart-fund-region", "chart-quarter"):
        assert f'id="{canvas}"' in html
    assert "/static/vendor/chart.js/chart.umd.js" in html and "cdn" not in html.lower()
    assert "ภาพรวมโครงการบ้านมั่นคง" in html and "ไตรมาส 1/2566" in html
    assert "ครัวเรือนที่มั่นคงแล้ว" in html and 'class="badge sample"' in html
    assert 'id="quarter-basis"' in html
    assert client.get("/dashboard?region=mars").status_code == 400


def test_pages_render_in_english(client, users):
    from flask_babel import refresh

    login(client, users["admin"])
    for url in ("/dashboard?lang=en", "/pilot-areas?lang=en", "/funds?lang=en", "/funds/new?lang=en"):
        refresh()
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'lang="en"' in response.get_data(as_text=True), url
    client.get("/dashboard?lang=th")
    refresh()
