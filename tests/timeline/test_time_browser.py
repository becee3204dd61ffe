"""The map of the past in Debian's Chromium: a B.E. day, the quarter picker, the slider, the changes view."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from tests.conftest import login_in_browser

MARKERS = ".leaflet-marker-pane .codi-pin, .leaflet-marker-pane .codi-cluster"


def _wait_until(page, predicate: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        page.wait_for_timeout(100)


def _query(page) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def _offline(page, base: str) -> None:
    page.route(lambda url: not url.startswith(base), lambda route: route.abort())


def test_map_as_of_a_quarter_in_chromium(live_server, committed_user, page):
    _offline(page, live_server)
    login_in_browser(page, live_server, committed_user("viewer").email)
    page.goto(f"{live_server}/map/bangkok")
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    assert page.locator("[data-time-banner]").is_hidden()
    # the quarter picker: ไตรมาส 4/2568 = ก.ค.-ก.ย. 2568 (A.D. 2025), the map as of 30 September 2568
    option = page.locator("select[data-quarter] option", has_text="ไตรมาส 4/2568 (ก.ค.-ก.ย. 2568)")
    assert option.count() == 1
    page.select_option("select[data-quarter]", option.get_attribute("value"))
    page.wait_for_url("**as_of=2025-09-30**", timeout=15000)
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    page.wait_for_selector(MARKERS, timeout=20000)
    banner = page.locator("[data-time-banner]")
    assert banner.is_visible() and "30 กันยายน 2568" in banner.inner_text()
    assert page.locator("select[data-quarter]").input_value() == "2025-09-30"
    assert page.locator("input[data-be-date]").input_value() == "30/09/2568"
    page.screenshot(path="tests/artifacts/time_map_quarter.png")
    # the address keeps the day: a reload shows the same day
    page.reload()
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    assert _query(page)["as_of"] == "2025-09-30"
    # a day typed in B.E.; a day that does not exist is refused on the page, in Thai
    page.fill("input[data-be-date]", "31/02/2569")
    page.click("form[data-time-form] button[type=submit]")
    assert page.locator("#time-error").is_visible() and "พ.ศ." in page.locator("#time-error").inner_text()
    assert _query(page)["as_of"] == "2025-09-30"
    page.fill("input[data-be-date]", "31/03/2567")
    page.click("form[data-time-form] button[type=submit]")
    page.wait_for_url("**as_of=2024-03-31**", timeout=15000)
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    assert page.js_errors == []


def test_quarter_slider_redraws_in_place(live_server, committed_user, page):
    _offline(page, live_server)
    login_in_browser(page, live_server, committed_user("viewer").email)
    page.goto(f"{live_server}/map/bangkok")
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    slider = page.locator("input[data-slider]")
    assert slider.count() == 1
    loads = int(page.get_attribute("html", "data-cases-loaded"))
    page.evaluate("window.__same_page = true")
    slider.fill(str(int(slider.get_attribute("max")) - 4))  # a year back
    _wait_until(page, f"Number(document.documentElement.getAttribute('data-cases-loaded')) > {loads}")
    assert page.evaluate("window.__same_page") is True  # no reload
    as_of = _query(page)["as_of"]
    assert as_of and page.evaluate("window.codiMap.asOf()") == as_of
    assert page.locator("[data-time-banner]").is_visible()
    page.screenshot(path="tests/artifacts/time_map_slider.png")
    assert page.js_errors == []


def test_changes_in_this_period_view(live_server, committed_user, page):
    _offline(page, live_server)
    login_in_browser(page, live_server, committed_user("viewer").email)
    page.goto(f"{live_server}/map")
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    option = page.locator("select[data-changes] option", has_text="ไตรมาส 4/2569")
    page.select_option("select[data-changes]", option.first.get_attribute("value"))
    page.wait_for_url("**from=2026-07-01**", timeout=15000)
    page.wait_for_selector("html[data-changes-loaded]", state="attached", timeout=20000)
    moves = int(page.get_attribute("html", "data-changes-loaded"))
    assert moves > 0
    assert page.locator("#changes-table tbody tr").count() == min(moves, 2000)
    page.screenshot(path="tests/artifacts/time_map_changes.png", full_page=True)
    # the from -> to labels stay on once zoomed in (on hover before)
    page.evaluate("window.codiMap.map.setZoom(10)")
    page.wait_for_selector(".codi-move", state="attached", timeout=10000)
    assert "→" in page.locator(".codi-move").first.inner_text()
    assert "แสดงกรณีที่เปลี่ยนสถานะระหว่าง 1 กรกฎาคม 2569 ถึง 30 กันยายน 2569" in page.locator(
        "[data-time-banner]").inner_text()
    assert page.js_errors == []
