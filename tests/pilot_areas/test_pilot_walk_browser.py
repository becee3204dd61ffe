"""Issue 15, point 9, walked in Chromium at desktop and phone size: the land team adds and
removes a pilot area (the heading counts what is there; removal keeps the history and adding
the subdistrict again brings it back); an architect plans and reviews but cannot add or remove."""

from __future__ import annotations

import re
import urllib.error

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.browser.ux import api, hang_outside, shot, sign_in, sized_page

HEADING = re.compile(r"พื้นที่รูปธรรม (\d+) ตำบล")


def _free_subdistrict(app, province: str) -> str:
    with app.app_context():
        code = db.session.execute(text("""SELECT code FROM subdistricts s WHERE province_code = :p AND NOT EXISTS
            (SELECT 1 FROM pilot_areas p WHERE p.subdistrict_code = s.code) ORDER BY code LIMIT 1"""),
                                  {"p": province}).scalar_one()
        db.session.remove()
    return code


def _count(page) -> int:
    found = HEADING.search(page.locator("#pilot-heading").inner_text())
    assert found, page.locator("#pilot-heading").inner_text()
    return int(found.group(1))


@pytest.mark.parametrize("size, province", [("desktop", "57"), ("phone", "58")])
def test_land_team_adds_and_removes_a_pilot_area(app, live_server, committed_user, browser, size, province):
    code = _free_subdistrict(app, province)
    land = committed_user("land_team")
    with sized_page(browser, size) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, land.email)
        page.goto(f"{live_server}/pilot-areas", wait_until="domcontentloaded")
        before = _count(page)
        assert page.locator("#pilot-table tbody tr").count() == before  # the heading counts the list
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        shot(page, f"ux_pilots_list_{size}", full_page=True)
        page.fill("#subdistrict_code", code)
        page.fill("#team", "ทีมทดสอบเดินหน้า")
        page.locator("#new-pilot button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/pilot-areas/\d+$"), wait_until="domcontentloaded")
        pilot_id = int(page.url.rsplit("/", 1)[1])
        page.goto(f"{live_server}/pilot-areas", wait_until="domcontentloaded")
        assert _count(page) == before + 1
        page.goto(f"{live_server}/pilot-areas/{pilot_id}", wait_until="domcontentloaded")
        shot(page, f"ux_pilot_page_land_team_{size}", full_page=True)
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("#pilot-delete button").click()
        page.wait_for_url(re.compile(r".*/pilot-areas$"), wait_until="domcontentloaded")
        assert _count(page) == before
        assert code not in page.locator("#pilot-table").inner_text()
        assert page.locator(".flash.success").count() == 1
        shot(page, f"ux_pilots_after_removal_{size}", full_page=True)
        assert page.goto(f"{live_server}/pilot-areas/{pilot_id}", wait_until="domcontentloaded").status == 404
        # adding the subdistrict again brings the same record back, with its history
        page.goto(f"{live_server}/pilot-areas", wait_until="domcontentloaded")
        page.fill("#subdistrict_code", code)
        page.locator("#new-pilot button[type=submit]").click()
        page.wait_for_url(re.compile(rf".*/pilot-areas/{pilot_id}$"), wait_until="domcontentloaded")
        status, history = api(live_server, land.token, "GET", f"/api/v1/pilot-areas/{pilot_id}/history")
        assert [e["action"] for e in history["history"]][-2:] == ["delete", "restore"]
        assert page.js_errors == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_architect_plans_but_does_not_add_or_remove(live_server, committed_user, browser, size):
    with sized_page(browser, size) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, committed_user("architect").email)
        page.goto(f"{live_server}/pilot-areas", wait_until="domcontentloaded")
        assert page.locator("#new-pilot").count() == 0
        first = page.locator("#pilot-table tbody a").first
        first.click()
        page.wait_for_url(re.compile(r".*/pilot-areas/\d+$"), wait_until="domcontentloaded")
        assert page.locator("#pilot-delete").count() == 0
        assert page.locator("a.button", has_text="แก้ไข").count() == 1  # planning stays theirs
        shot(page, f"ux_pilot_page_architect_{size}", full_page=True)
        pilot_id = page.url.rsplit("/", 1)[1]
        with pytest.raises(urllib.error.HTTPError) as refused:
            api(live_server, committed_user("architect").token, "DELETE", f"/api/v1/pilot-areas/{pilot_id}")
        assert refused.value.code == 403
        assert page.js_errors == []
