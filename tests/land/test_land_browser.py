"""In Chromium: draw a footprint on the case page with Leaflet-Geoman and save it; the map's land overlay."""

from __future__ import annotations

import io
import time

import pytest

from tests.conftest import login_in_browser
from tests.land.conftest import feature_collection, square

LON, LAT = 102.8330, 16.4420  # Khon Kaen, away from the sample layers


def _wait_until(page, predicate: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        page.wait_for_timeout(100)


def _offline(page, base: str) -> None:
    page.route(lambda url: not url.startswith(base), lambda route: route.abort())


@pytest.fixture(scope="module")
def land_data(app, committed_user):
    """A committed case (no footprint yet), a neighbour with one, and a reference layer under them."""
    user = committed_user("land_team")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {user.token}"}
    body = {"community_name": "ชุมชนทดสอบวาดขอบเขต", "households": 80, "land_owner_type": "private",
            "lon": LON, "lat": LAT}
    case = client.post("/api/v1/cases", json=body, headers=headers).get_json()
    neighbour = client.post("/api/v1/cases", json={**body, "community_name": "ชุมชนข้างเคียง", "lon": LON + 0.002,
                                                  "footprint": square(LON + 0.002, LAT, 0.0008)},
                            headers=headers).get_json()
    data = feature_collection(square(LON, LAT, 0.01))
    layer = client.post("/api/v1/reference-layers", headers=headers, content_type="multipart/form-data",
                        data={"name": "ทางรถไฟทดสอบเบราว์เซอร์", "owner_type": "state_railway",
                              "file": (io.BytesIO(data), "rail.geojson")}).get_json()
    yield {"case": case, "neighbour": neighbour, "layer": layer}
    client.delete(f"/api/v1/reference-layers/{layer['id']}", headers=headers)
    for feature in (case, neighbour):
        client.delete(f"/api/v1/cases/{feature['id']}", headers=headers)


def test_draw_footprint_on_case_page(live_server, committed_user, land_data, page):
    _offline(page, live_server)
    login_in_browser(page, live_server, committed_user("land_team").email)
    case_id = land_data["case"]["id"]
    page.goto(f"{live_server}/cases/{case_id}#land")
    page.wait_for_selector("#footprint-map .leaflet-pm-toolbar", timeout=20000)
    assert page.locator("#land-overlaps").count() == 1  # the point lies on the railway layer
    page.locator("#footprint-map").scroll_into_view_if_needed()
    page.click("#footprint-map .leaflet-pm-icon-polygon")
    box = page.locator("#footprint-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(-60, -50), (60, -50), (70, 40), (-50, 55)]
    for dx, dy in corners:  # apart in time, so that no two clicks make a double click
        page.mouse.move(cx + dx, cy + dy)
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(600)
    page.click("#footprint-map .leaflet-pm-actions-container .action-finish")  # Geoman's "Finish"
    _wait_until(page, "window.codiFootprint.dirty === true")
    drawn = page.evaluate("window.codiFootprint.footprint()")
    assert drawn["type"] == "MultiPolygon" and len(drawn["coordinates"][0][0]) >= 5
    page.screenshot(path="tests/artifacts/land_footprint_drawn.png")
    with page.expect_navigation(timeout=20000):
        page.click("#footprint-save")
    page.wait_for_selector("#land-area", timeout=20000)
    assert "ไร่" in page.locator("#land-area").inner_text() and "งาน" in page.locator("#land-area").inner_text()
    assert page.locator("#owner-conflict").count() == 1  # recorded private, the layer says State Railway
    page.wait_for_selector("#footprint-map path.leaflet-interactive", timeout=10000)
    page.locator("#land").screenshot(path="tests/artifacts/land_case_section.png")
    assert page.js_errors == []


def test_map_shows_reference_layer_and_footprints(live_server, committed_user, land_data, page):
    _offline(page, live_server)
    login_in_browser(page, live_server, committed_user("viewer").email)
    page.goto(f"{live_server}/map?c={LAT:.5f},{LON:.5f}&z=15")
    page.wait_for_selector("#land-control .land-toggle", timeout=20000)
    if not page.locator("#land-control input[data-land]").first.is_visible():
        page.locator("#land-control .land-toggle").click()  # folded: open it did not fit below the buttons
    page.wait_for_selector("#land-control input[data-land]", timeout=20000)
    _wait_until(page, "window.codiLand && window.codiLand.layers.length > 0")
    page.evaluate(f"window.codiLand.show({land_data['layer']['id']})")
    _wait_until(page, f"(window.codiLand.parcels[{land_data['layer']['id']}] || 0) > 0")
    _wait_until(page, "window.codiLand.footprints > 0")
    text = page.locator("#land-control").inner_text()
    assert "ทางรถไฟทดสอบเบราว์เซอร์" in text and "การรถไฟแห่งประเทศไทย" in text
    page.wait_for_timeout(300)
    page.screenshot(path="tests/artifacts/land_map_overlay.png")
    assert page.js_errors == []
