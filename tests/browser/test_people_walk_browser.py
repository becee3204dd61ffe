"""Issue 15 points 7, 8, 10, 11 and 6, walked in Chromium at desktop and phone size: dates as people
type them (the status form keeps the note and names the field in Thai), the case list sorted by its
headers, the people's spreadsheet downloaded and imported back (its bad row shown, named by its own
heading), the import's result linking its cases, and the pilot history in people's words."""

from __future__ import annotations

import re
import uuid

import openpyxl
import pytest
from sqlalchemy import text

from app.extensions import db
from tests.browser.ux import api, fits, hang_outside, new_case, shot, sign_in, sized_page, upload_import

NAME = "ชุมชนคนเดิน"


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_dates_people_type_on_the_status_form(live_server, committed_user, browser, size):
    land = committed_user("land_team")
    case = new_case(live_server, land.token, NAME, opened_on="2020-01-01")
    with sized_page(browser, size) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, land.email)
        page.goto(f"{live_server}/cases/{case['id']}", wait_until="domcontentloaded")
        assert page.get_attribute("#date", "placeholder").startswith("วว/ดด/ปปปป")
        page.locator("#status-form select").select_option("surveying")
        page.fill("#note", "ประชุมชุมชนครั้งแรก จดไว้ยาว ๆ")
        page.fill("#date", "31/02/2567")
        page.locator("#status-form button[type=submit]").click()
        page.wait_for_selector("#error-date")
        message = page.inner_text("#error-date")
        assert "31/02/2567" in message and "วว/ดด/ปปปป" in message
        assert "effective_on" not in page.content() and "date (" not in page.inner_text("main")
        assert page.input_value("#note") == "ประชุมชุมชนครั้งแรก จดไว้ยาว ๆ"  # kept
        assert page.input_value("#date") == "31/02/2567"
        assert page.locator("#status-form select").input_value() == "surveying"
        assert fits(page)
        page.locator("#error-date").scroll_into_view_if_needed()
        shot(page, f"people_status_bad_date_{size}")
        page.fill("#date", "15 ม.ค. 2567")  # the app's own display form
        page.locator("#status-form button[type=submit]").click()
        page.wait_for_selector(".flash.success")
        whens = page.locator("#timeline .when").all_inner_texts()
        assert "15 ม.ค. 2567" in whens, whens
        shot(page, f"people_status_thai_date_{size}")
        # the case form takes a two-digit B.E. year
        page.goto(f"{live_server}/cases/{case['id']}/edit", wait_until="domcontentloaded")
        page.fill("#f-opened_on", "1/3/53")
        page.click("#save-case")
        page.wait_for_url(re.compile(rf".*/cases/{case['id']}$"), wait_until="domcontentloaded")
        assert api(live_server, land.token, "GET", f"/api/v1/cases/{case['id']}")[1]["properties"]["opened_on"] \
            == "2010-03-01"
        # the dashboard's day field reads the same ways (its address keeps the API's A.D. as_of)
        page.goto(f"{live_server}/dashboard", wait_until="domcontentloaded")
        page.fill("input[data-be-date]", "30 ก.ย. 2568")
        page.click("form[data-time-form] button[type=submit]")
        page.wait_for_url(re.compile(r".*as_of=2025-09-30"), wait_until="domcontentloaded")
        page.fill("input[data-be-date]", "31/03/67")
        page.click("form[data-time-form] button[type=submit]")
        page.wait_for_url(re.compile(r".*as_of=2024-03-31"), wait_until="domcontentloaded")
        assert page.js_errors == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_case_list_sorts_by_its_headers(live_server, committed_user, browser, size):
    land = committed_user("land_team")
    tag = uuid.uuid4().hex[:6]
    made = [new_case(live_server, land.token, NAME, community_name=f"ชุมชนเรียง {tag} {i}", households=h)
            for i, h in enumerate((40, 900, 5))]
    with sized_page(browser, size) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, land.email)
        page.goto(f"{live_server}/cases?q={tag}", wait_until="domcontentloaded")

        def codes() -> list[str]:
            return page.locator("#case-table tbody tr td:first-child a").all_inner_texts()

        assert codes() == [c["properties"]["code"] for c in reversed(made)]  # what one just did, first
        assert page.get_attribute("th[data-sort-key=updated_at]", "aria-sort") == "descending"
        shot(page, f"people_list_recent_first_{size}", full_page=True)
        if size == "phone":  # one thumb: the sort choice above the list, not the far-right headers
            assert page.locator("#sort").is_visible()
            page.select_option("#sort", "-households")
        else:
            assert not page.locator("#sort").is_visible()
            page.locator("th[data-sort-key=households] a").click()
        page.wait_for_url(re.compile(r".*sort=-households"), wait_until="domcontentloaded")
        assert codes() == [made[1]["properties"]["code"], made[0]["properties"]["code"], made[2]["properties"]["code"]]
        assert f"q={tag}" in page.url
        page.locator("th[data-sort-key=households] a").click()  # again: the other way round
        page.wait_for_url(re.compile(r".*sort=households"), wait_until="domcontentloaded")
        assert page.get_attribute("th[data-sort-key=households]", "aria-sort") == "ascending"
        assert codes()[0] == made[2]["properties"]["code"]
        shot(page, f"people_list_sorted_households_{size}", full_page=True)
        assert page.locator("#case-downloads a", has_text="Excel (ภาษาไทย)").count() == 1
        assert page.js_errors == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_peoples_spreadsheet_round_trip_and_the_import_result(live_server, committed_user, browser, size,
                                                                   tmp_path):
    land = committed_user("land_team")
    tag = uuid.uuid4().hex[:6]
    case = new_case(live_server, land.token, NAME, community_name=f"ชุมชนแผ่นงาน {tag}", opened_on="2023-06-01")
    with sized_page(browser, size, accept_downloads=True) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, land.email)
        page.goto(f"{live_server}/cases?q={tag}", wait_until="domcontentloaded")
        with page.expect_download() as download:
            page.locator("#case-downloads a", has_text="Excel (ภาษาไทย)").click()
        path = tmp_path / "people.xlsx"
        download.value.save_as(path)
        book = openpyxl.load_workbook(path)
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        at = {name: header.index(name) + 1 for name in header}
        assert sheet.freeze_panes == "A2" and sheet.cell(2, at["สถานะ"]).value == "รับเรื่อง"
        assert sheet.cell(2, at["วันที่รับเรื่อง"]).value == "01/06/2566"
        # a person edits it: a status in Thai, a new row with a bad number and one without a point
        sheet.cell(2, at["สถานะ"]).value = "สำรวจข้อมูล"
        for offset, (name, households, lon) in enumerate(((f"ชุมชนใหม่ {tag}", "12", 100.564),
                                                          (f"ชุมชนพิมพ์ผิด {tag}", "สิบสอง", 100.564),
                                                          (f"ชุมชนไม่มีจุด {tag}", "8", None))):
            row = 3 + offset
            sheet.cell(row, at["ชื่อชุมชน"]).value = name
            sheet.cell(row, at["จำนวนครัวเรือน"]).value = households
            sheet.cell(row, at["ลองจิจูด"]).value = lon
            sheet.cell(row, at["ละติจูด"]).value = 13.708 if lon else None
        book.save(path)
        upload_import(page, live_server, path)
        page.wait_for_selector("table.errors")
        errors = page.inner_text("table.errors")
        assert "จำนวนครัวเรือน" in errors and "households" not in errors
        assert "คลิก" not in errors and "ลองจิจูด" in errors
        bad = page.locator("tr.row-error[data-row='4']")
        assert f"ชุมชนพิมพ์ผิด {tag}" in bad.inner_text() and "มีข้อผิดพลาด" in bad.inner_text()
        assert page.locator("tr.row-error[data-row='5']").count() == 1
        shot(page, f"people_import_bad_rows_{size}", full_page=True)
        # fixed: the bad number, and the row without a point taken out
        sheet.cell(4, at["จำนวนครัวเรือน"]).value = 12
        sheet.delete_rows(5)
        book.save(path)
        upload_import(page, live_server, path)
        page.wait_for_selector("form.inline button.primary")
        preview = page.inner_text("table.preview")
        assert "ใหม่" in preview and "LC-" not in preview.split(case["properties"]["code"])[-1]
        shot(page, f"people_import_preview_{size}", full_page=True)
        page.locator("form.inline button.primary").click()
        page.wait_for_selector("#import-result")
        assert page.locator("#import-new a").count() == 2 and page.locator("#import-changed a").count() == 1
        assert fits(page)
        shot(page, f"people_import_result_{size}", full_page=True)
        page.locator("#import-changed a").first.click()
        page.wait_for_url(re.compile(rf".*/cases/{case['id']}$"), wait_until="domcontentloaded")
        assert page.inner_text(".lc-current") == "สำรวจข้อมูล"
        page.go_back(wait_until="domcontentloaded")
        page.locator("#import-in-list").click()
        page.wait_for_url(re.compile(r".*/cases\?.*sort=-updated_at"), wait_until="domcontentloaded")
        top = page.locator("#case-table tbody tr").first.inner_text()
        assert tag in top  # what the import just did is at the top of the list
        assert page.js_errors == []


def _pilot(app, base: str, land, architect) -> int:
    # committed for the live server: never in province 50, whose 500102 other tests expect free
    with app.app_context():
        code = db.session.execute(text("""SELECT code FROM subdistricts s WHERE province_code = '56' AND NOT EXISTS
            (SELECT 1 FROM pilot_areas p WHERE p.subdistrict_code = s.code) ORDER BY code LIMIT 1""")).scalar_one()
        db.session.remove()
    status, made = api(base, land.token, "POST", "/api/v1/pilot-areas", {"subdistrict_code": code, "team": "ทีมเหนือ"})
    assert status == 201
    pilot_id = made["id"]
    assert api(base, architect.token, "POST", f"/api/v1/pilot-areas/{pilot_id}/reviews",
               {"verdict": "needs_changes", "comment": "ขอปรับผัง"})[0] == 201
    return pilot_id


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_pilot_history_in_peoples_words(app, live_server, committed_user, browser, size):
    pilot_id = _pilot(app, live_server, committed_user("land_team"), committed_user("architect"))
    with sized_page(browser, size) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, committed_user("viewer").email)
        page.goto(f"{live_server}/pilot-areas/{pilot_id}", wait_until="domcontentloaded")
        table = page.inner_text("#history table")
        for raw in ("create", "review", "verdict", "needs_changes"):
            assert raw not in table, raw
        assert "ความเห็นสถาปนิก" in table and "ต้องปรับปรุง" in table and "เพิ่มพื้นที่รูปธรรม" in table
        assert re.search(r"\d{1,2} [ก-๙.]+ 25\d\d", table)  # B.E. dates
        page.locator("#history").scroll_into_view_if_needed()
        shot(page, f"people_pilot_history_{size}")
        assert page.js_errors == []

