"""In a real browser: log in, create a case by clicking the map, edit it, find it in the list.

Map tiles come from the internet; here every outside request is refused, as offline,
and the pages must still work (the marker over the province outlines).
"""

from __future__ import annotations

import re
import uuid

from tests.conftest import login_in_browser


def _offline(page, base: str) -> list[str]:
    blocked: list[str] = []

    def route(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return blocked


def test_create_by_clicking_the_map_edit_and_list(live_server, committed_user, page):
    user = committed_user("land_team")
    blocked = _offline(page, live_server)
    login_in_browser(page, live_server, user.email)
    name = f"ชุมชนทดสอบเบราว์เซอร์ {uuid.uuid4().hex[:6]}"

    page.goto(f"{live_server}/cases/new")
    page.fill("#f-community_name", name)
    page.fill("#f-households", "85")
    page.select_option("#f-land_owner_type", "state_railway")
    page.wait_for_selector("#pick-map.leaflet-container")
    box = page.locator("#pick-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # Bangkok, the map's centre
    lon, lat = float(page.input_value("#f-lon")), float(page.input_value("#f-lat"))
    assert 100 < lon < 101 and 13 < lat < 14.5
    assert page.locator("#pick-map path.leaflet-interactive").count() >= 1  # the marker
    page.click("#save-case")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    case_url = page.url
    assert name in page.content()
    assert re.fullmatch(r"10\d{4}.*", page.inner_text("#value-subdistrict_code").strip())
    page.wait_for_selector("#case-map.leaflet-container")

    page.click("#edit-case")
    page.wait_for_url(re.compile(r".*/cases/\d+/edit$"))
    assert page.input_value("#f-households") == "85"
    page.fill("#f-households", "92")
    page.fill("#f-community_name_en", "Browser test community")
    page.click("#save-case")
    page.wait_for_url(case_url)
    assert page.inner_text("#value-households").strip() == "92"
    assert "Browser test community" in page.content()

    page.goto(f"{live_server}/cases")
    page.fill("#q", name)
    page.click("form.lc-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    row = page.locator("#case-table tbody tr", has_text=name)
    assert row.count() == 1
    assert "92" in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_url(case_url)
    assert page.js_errors == []
    assert all("openstreetmap" in url for url in blocked)  # only the tiles were out of reach
    # committed data outlives the test: delete the case through the page (lists and counts forget it)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[action$='/delete'] button")
    page.wait_for_url(re.compile(r".*/cases$"))
    assert page.locator("#case-table tbody tr", has_text=name).count() == 0
    assert page.js_errors == []


def test_form_shows_thai_errors_next_to_fields(live_server, committed_user, page):
    user = committed_user("land_team")
    _offline(page, live_server)
    login_in_browser(page, live_server, user.email)
    page.goto(f"{live_server}/cases/new")
    page.fill("#f-households", "-3")
    page.fill("#f-lon", "13.7")
    page.fill("#f-lat", "100.5")
    page.click("#save-case")
    page.wait_for_selector("#error-households")
    assert page.inner_text("#error-households") == "ต้องไม่ติดลบ"
    assert page.inner_text("#error-community_name") == "จำเป็นต้องกรอก"
    assert "สลับกัน" in page.inner_text("#error-location")
    assert page.js_errors == []
