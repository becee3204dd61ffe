"""The region map in Debian's Chromium: markers or clusters, the layer control, the address."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from gis.fields import CASE_STATUSES
from tests.conftest import login_in_browser

MARKERS = ".leaflet-marker-pane .codi-pin, .leaflet-marker-pane .codi-cluster"


def _overlay_labels(page) -> list[str]:
    return [t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()]


def _wait_until(page, predicate: str, timeout: float = 10.0) -> None:
    """Poll a JS predicate (page.wait_for_function would need 'unsafe-eval' under our CSP)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        page.wait_for_timeout(100)


def offline(page, base: str) -> list[str]:
    """Refuse every request that leaves the test server (tiles): the map must work without them."""
    refused: list = []

    def handle(route):
        refused.append(route.request)
        route.abort()

    page.route(lambda url: not url.startswith(base), handle)
    return refused  # the refused requests (url, headers)


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    page.wait_for_selector(MARKERS, timeout=20000)


def test_south_region_map_in_chromium(live_server, committed_user, map_data, page):
    refused = offline(page, live_server)
    login_in_browser(page, live_server, committed_user("viewer").email)
    _open(page, f"{live_server}/map/south")
    assert page.js_errors == []
    assert page.locator(MARKERS).count() > 0
    labels = _overlay_labels(page)
    for thai, _english in CASE_STATUSES.values():
        assert labels.count(thai) == 1, (thai, labels)
    assert "พื้นที่รูปธรรม (ตำบล)" in labels and "กองทุนชุมชน" in labels
    assert len(page.locator(".leaflet-control-layers-base label").all()) == 3
    page.wait_for_selector(".leaflet-marker-pane .codi-fund", timeout=10000)
    page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive", timeout=10000)  # pilot polygons
    for control in (".leaflet-control-zoom-fullscreen", ".codi-measure", ".leaflet-control-minimap",
                    ".leaflet-control-search", ".codi-legend"):
        assert page.locator(control).count() == 1, control
    assert "Royal Thai Survey Department" in page.locator(".leaflet-control-attribution").inner_text()
    assert page.evaluate("window.codiMap.errors") == []
    assert page.js_errors == []
    # tiles could not load (offline), and nothing but tiles left the server
    assert refused and all(any(h in r.url for h in ("openstreetmap", "cartocdn", "arcgisonline")) for r in refused)


def test_toggles_and_moves_are_written_to_the_address(live_server, committed_user, map_data, page):
    offline(page, live_server)
    login_in_browser(page, live_server, committed_user("viewer").email)
    _open(page, f"{live_server}/map/south")
    page.locator(".leaflet-control-layers-overlays label", has_text="ถูกไล่รื้อ").locator("input").uncheck()
    page.locator(".leaflet-control-layers-overlays label", has_text="จำนวนกรณีที่ยังไม่ยุติ").locator("input").check()
    page.evaluate("window.codiMap.map.setView([7.0086, 100.4747], 12)")
    _wait_until(page, "() => location.search.indexOf('z=12') >= 0")
    query = parse_qs(urlsplit(page.url).query)
    assert "evicted" not in query["status"][0].split(",") and "reported" in query["status"][0].split(",")
    assert "choropleth" in query["layers"][0].split(",")
    assert query["z"] == ["12"] and query["c"][0].startswith("7.008")
    # the permalink reproduces the view
    page.goto(page.url)
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    label = page.locator(".leaflet-control-layers-overlays label", has_text="ถูกไล่รื้อ").locator("input")
    assert not label.is_checked()
    assert page.evaluate("window.codiMap.map.getZoom()") == 12
    assert page.js_errors == []


def test_popup_in_thai_links_to_the_case(live_server, committed_user, map_data, page):
    offline(page, live_server)
    login_in_browser(page, live_server, committed_user("viewer").email)
    _open(page, f"{live_server}/map/south?c=7.18970,100.59510&z=16&status=surveying")
    page.locator(".leaflet-marker-pane .codi-pin").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    text = popup.inner_text()
    assert "ชุมชนแหลมสนอ่อน (ทดสอบ)" in text and "สำรวจข้อมูล" in text and "ครัวเรือน" in text
    href = popup.locator("a").get_attribute("href")
    assert href == f"/cases/{map_data['LC-T9002']['id']}"
    assert page.js_errors == []


def test_search_box_and_measuring_tool(live_server, committed_user, map_data, page):
    offline(page, live_server)
    login_in_browser(page, live_server, committed_user("viewer").email)
    _open(page, f"{live_server}/map/south")
    page.locator(".leaflet-control-search .search-button").click()
    page.locator(".leaflet-control-search input.search-input").press_sequentially("แหลมสนอ่อน", delay=20)
    tip = page.locator(".leaflet-control-search .search-tip", has_text="LC-T9002")
    tip.wait_for(timeout=10000)
    tip.click()
    _wait_until(page, "() => window.codiMap.map.getZoom() === 15")
    centre = page.evaluate("() => { const c = window.codiMap.map.getCenter(); return [c.lat, c.lng]; }")
    assert abs(centre[0] - 7.1897) < 0.01 and abs(centre[1] - 100.5951) < 0.01
    # measure two points about 1 km apart
    page.locator(".codi-measure-button").click()
    box = page.locator(".folium-map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x - 100, y)
    page.mouse.click(x + 100, y)
    measured = page.evaluate("window.codiMap.measured")
    expected = page.evaluate(f"""() => {{ const m = window.codiMap.map;
        return m.containerPointToLatLng([{box['width'] / 2 - 100}, {box['height'] / 2}])
                .distanceTo(m.containerPointToLatLng([{box['width'] / 2 + 100}, {box['height'] / 2}])); }}""")
    assert measured > 0 and abs(measured - expected) / expected < 0.05
    assert "ระยะทาง" in page.locator(".codi-measure-info").inner_text()
    assert page.js_errors == []


def test_names_are_shown_as_text_never_as_html(live_server, committed_user, map_data, page):
    offline(page, live_server)
    login_in_browser(page, live_server, committed_user("viewer").email)
    _open(page, f"{live_server}/map/south?c=7.05000,100.70000&z=16&status=reported")
    page.locator(".leaflet-marker-pane .codi-pin").first.click()
    page.locator(".leaflet-popup-content").wait_for(timeout=5000)
    assert 'onerror="window.__xss=1"' in page.locator(".leaflet-popup-content strong").inner_text()
    page.locator(".leaflet-control-search .search-button").click()
    page.locator(".leaflet-control-search input.search-input").press_sequentially("LC-T9012", delay=20)
    page.locator(".leaflet-control-search .search-tip").first.wait_for(timeout=10000)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__xss === undefined")
    assert page.locator(".leaflet-container img[src='x']").count() == 0
    assert page.js_errors == []
