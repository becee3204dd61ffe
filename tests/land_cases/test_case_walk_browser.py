"""Issue 15, points 3, 1 and 11 on the case pages, walked in Chromium at desktop and phone size:
the case page without sideways scrolling, the status change with one thumb (closing asks first),
a new case placed by "use my location", a stale save that shows both versions and saves on top,
and the English and small things (note vs save, placeholders, upload error, dashboard numbers)."""

from __future__ import annotations

import io
import re
import urllib.request
import uuid

import pytest

from tests.browser.ux import api, fits, hang_outside, new_case, shot, sign_in, sized_page

NAME = "ชุมชนเดินทดสอบ"

NUMBER_WITH_SEPARATOR = re.compile(r"^\d{1,3}(,\d{3})+$")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_case_page_fits_and_the_status_changes_with_one_thumb(live_server, committed_user, browser, size):
    land = committed_user("land_team")
    case = new_case(live_server, land.token, NAME, notes="บันทึกยาว " * 40)
    for status in ("surveying", "negotiating"):  # some history rows to fill the table
        assert api(live_server, land.token, "POST", f"/api/v1/cases/{case['id']}/status",
                   {"status": status, "note": "ลงพื้นที่สำรวจ " * 6})[0] == 200
    with sized_page(browser, size) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, land.email)
        page.goto(f"{live_server}/cases/{case['id']}", wait_until="domcontentloaded")
        assert fits(page), page.evaluate("document.documentElement.scrollWidth")
        history = page.locator("#history .lc-table-box")
        assert history.bounding_box()["width"] <= page.viewport_size["width"]
        shot(page, f"ux_case_page_{size}", full_page=True)
        form = page.locator("#status-form")
        form.scroll_into_view_if_needed()
        submit = form.locator("button[type=submit]")
        if size == "phone":  # thumb-sized and as wide as the screen allows
            box = submit.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 0.8 * (390 - 40), box
            assert form.locator("select").bounding_box()["height"] >= 44
        assert page.locator("label[for=note]").inner_text() == "บันทึกประกอบ"
        # closing asks first: dismissed, nothing changes
        form.locator("select").select_option("closed")
        page.fill("#note", "ชุมชนย้ายออกแล้ว")
        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        submit.click()
        assert asked and "ปิดเรื่อง" in asked[0]
        assert page.input_value("#note") == "ชุมชนย้ายออกแล้ว"
        assert api(live_server, land.token, "GET", f"/api/v1/cases/{case['id']}")[1]["properties"]["status"] \
            == "negotiating"
        shot(page, f"ux_case_status_form_{size}")
        # another status is not asked about; then closing, accepted
        form.locator("select").select_option("agreed")
        page.once("dialog", lambda dialog: pytest.fail(f"asked: {dialog.message}"))
        submit.tap() if size == "phone" else submit.click()
        page.wait_for_selector(".flash.success")
        shot(page, f"ux_case_status_changed_{size}", full_page=True)
        assert page.locator(".lc-current").inner_text() == "ได้ข้อตกลง"
        assert fits(page), page.evaluate("""Array.from(document.querySelectorAll('main *')).filter(
            e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.leaflet-container, .lc-table-box'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)""")
        assert page.js_errors == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_new_case_placed_by_use_my_location(live_server, committed_user, browser, size):
    land = committed_user("land_team")
    name = f"ชุมชนตำแหน่งโทรศัพท์ {uuid.uuid4().hex[:6]}"
    with sized_page(browser, size, geolocation={"latitude": 13.7083, "longitude": 100.5641, "accuracy": 12},
                    permissions=["geolocation"]) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, land.email)
        page.goto(f"{live_server}/cases/new", wait_until="domcontentloaded")
        assert fits(page)
        page.fill("#f-community_name", name)
        page.fill("#f-households", "40")
        button = page.locator("#use-location")
        assert button.is_visible()
        button.tap() if size == "phone" else button.click()
        page.wait_for_selector("#location-status:has-text('12')")
        assert abs(float(page.input_value("#f-lon")) - 100.5641) < 1e-5
        assert abs(float(page.input_value("#f-lat")) - 13.7083) < 1e-5
        assert page.locator("#pick-map path.leaflet-interactive").count() >= 1  # the marker is there
        shot(page, f"ux_new_case_my_location_{size}", full_page=True)
        page.click("#save-case")
        page.wait_for_url(re.compile(r".*/cases/\d+$"), wait_until="domcontentloaded")
        assert name in page.content()
        assert page.inner_text("#value-province_code").strip().startswith("10")  # Bangkok, from the point
        assert page.js_errors == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_stale_save_shows_both_versions_and_saves_on_top(live_server, committed_user, browser, size):
    land = committed_user("land_team")
    case = new_case(live_server, land.token, NAME, households=120)
    with sized_page(browser, size) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, land.email)
        page.goto(f"{live_server}/cases/{case['id']}/edit", wait_until="domcontentloaded")
        shot(page, f"ux_edit_before_conflict_{size}")
        # meanwhile someone else saves the case (another tab, another person)
        url = f"{live_server}/api/v1/cases/{case['id']}"
        with urllib.request.urlopen(urllib.request.Request(
                url, headers={"Authorization": f"Bearer {land.token}"}), timeout=10) as answer:
            etag = answer.headers["ETag"]
        with urllib.request.urlopen(urllib.request.Request(
                url, method="PATCH", data=b'{"households": 150, "community_name_en": "Saved by the other person"}',
                headers={"Authorization": f"Bearer {land.token}", "Content-Type": "application/json",
                         "If-Match": etag}), timeout=10) as answer:
            assert answer.status == 200
        page.fill("#f-households", "135")
        page.fill("#f-notes", "พิมพ์ไว้ยาว ๆ ไม่อยากพิมพ์ใหม่")
        page.click("#save-case")
        page.wait_for_selector("#conflict")
        rows = {r.get_attribute("data-field"): (r.locator("td.theirs").inner_text(), r.locator("td.mine").inner_text())
                for r in page.locator("#conflict tbody tr").all()}
        assert rows["households"] == ("150", "135")
        assert rows["community_name_en"] == ("Saved by the other person", "–")
        assert rows["notes"][1] == "พิมพ์ไว้ยาว ๆ ไม่อยากพิมพ์ใหม่"
        # the user's input is kept, and the form now carries the new version
        assert page.input_value("#f-households") == "135"
        assert page.input_value("#f-notes") == "พิมพ์ไว้ยาว ๆ ไม่อยากพิมพ์ใหม่"
        assert page.locator("input[name=version]").input_value() == "2"
        assert fits(page)
        shot(page, f"ux_edit_conflict_{size}", full_page=True)
        page.fill("#f-community_name_en", "Saved by the other person")  # keeps one of theirs
        page.click("#save-case")
        page.wait_for_url(re.compile(rf".*/cases/{case['id']}$"), wait_until="domcontentloaded")
        saved = api(live_server, land.token, "GET", f"/api/v1/cases/{case['id']}")[1]["properties"]
        assert (saved["households"], saved["community_name_en"], saved["version"]) == \
            (135, "Saved by the other person", 3)
        assert page.js_errors == []


def test_english_words_and_small_things(live_server, committed_user, browser):
    land = committed_user("land_team")
    case = new_case(live_server, land.token, NAME)
    assert api(live_server, land.token, "POST", f"/api/v1/cases/{case['id']}/status",
               {"status": "surveying", "note": "first visit"})[0] == 200
    with sized_page(browser, "desktop") as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, land.email)
        page.goto(f"{live_server}/cases/new?lang=en", wait_until="domcontentloaded")
        placeholders = page.evaluate("Array.from(document.querySelectorAll('[placeholder]')).map(e => e.placeholder)")
        assert placeholders and not any(re.search(r"[ก-๙]", p) for p in placeholders), placeholders
        assert page.locator("#use-location").inner_text() == "Use my location"
        shot(page, "ux_new_case_english_desktop")
        page.goto(f"{live_server}/cases/{case['id']}", wait_until="domcontentloaded")
        assert page.locator("label[for=note]").inner_text() == "Note"
        headers = page.locator("#history thead th").all_inner_texts()
        assert "Note" in headers and "Save" not in headers
        assert page.locator("#status-form button[type=submit]").inner_text() != "Note"
        shot(page, "ux_case_english_desktop", full_page=True)
        # an upload the service refuses: the Thai message has no English tail
        page.goto(f"{live_server}/cases/{case['id']}?lang=th", wait_until="domcontentloaded")
        page.set_input_files("#file", files=[{"name": "เอกสาร.pdf", "mimeType": "application/pdf",
                                              "buffer": io.BytesIO(b"not a pdf at all").getvalue()}])
        page.locator("#document-form button[type=submit]").click()
        page.wait_for_selector(".flash.error")
        message = page.locator(".flash.error").inner_text()
        assert "unsupported" not in message and not re.search(r"[A-Za-z]{4,} [a-z]{4,}", message.replace(
            "PDF, JPEG, PNG, DOCX", "")), message
        shot(page, "ux_upload_error_thai_desktop")
        page.goto(f"{live_server}/dashboard", wait_until="domcontentloaded")
        text = page.locator("main").inner_text()
        assert "opened_on" not in text
        households = page.locator("[data-total=households]").inner_text().strip()
        assert NUMBER_WITH_SEPARATOR.match(households), households  # the sample data alone holds 17,855
        shot(page, "ux_dashboard_desktop", full_page=True)
        assert page.js_errors == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_history_in_peoples_words(live_server, committed_user, browser, size):
    land = committed_user("land_team")
    case = new_case(live_server, land.token, NAME, opened_on="2023-06-01")
    for status, when in (("surveying", "2026-01-10"), ("negotiating", "2024-05-01")):
        answer = api(live_server, land.token, "POST", f"/api/v1/cases/{case['id']}/status",
                     {"status": status, "note": f"มีผล {when}", "date": when})
        assert answer[0] == 200
    with sized_page(browser, size) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, land.email)
        page.goto(f"{live_server}/cases/{case['id']}", wait_until="domcontentloaded")
        table = page.locator("#history table").inner_text()
        for code in ("community_name", "create", "reported", "treasury", "false", "2023-06-01"):
            assert code not in table, code
        assert page.locator("#history tr.action-create").count() == 1  # one folded "created" entry
        created = page.locator("#history tr.action-create details")
        created.locator("summary").click()
        assert "กรมธนารักษ์" in created.inner_text() and "1 มิ.ย. 2566" in created.inner_text()
        assert "สำรวจข้อมูล" in table and "เปลี่ยนสถานะ" in table
        # the status timeline follows the effective dates: 2567 before 2569
        whens = page.locator("#timeline .when").all_inner_texts()[1:]  # after the first status
        years = [int(w.split()[-1]) for w in whens]
        assert years == [2567, 2569], whens
        assert page.locator("#timeline li .status").all_inner_texts() == ["รับเรื่อง", "เจรจา", "สำรวจข้อมูล"]
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        shot(page, f"ux_case_history_{size}", full_page=True)
        assert page.js_errors == []
