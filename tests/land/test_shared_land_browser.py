"""In Chromium: a share link naming a reference land layer draws it (parcels, legend) for someone
without an account, geometry only; the signed-in map keeps a switched-on layer in its address."""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import login_in_browser
from tests.land.conftest import feature_collection, square

LON, LAT = 99.9500, 12.5700  # Prachuap Khiri Khan coast, away from the other land tests


def _wait_until(page, predicate: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        page.wait_for_timeout(100)


@pytest.fixture(scope="module")
def shared_layer(app, committed_user):
    """A committed reference layer and a share link (no region) naming it."""
    client = app.test_client()
    land_team = {"Authorization": f"Bearer {committed_user('land_team').token}"}
    data = feature_collection(square(LON, LAT, 0.004), square(LON + 0.01, LAT, 0.003))
    layer = client.post("/api/v1/reference-layers", headers=land_team, content_type="multipart/form-data",
                        data={"name": "ทางรถไฟในลิงก์แชร์", "owner_type": "state_railway",
                              "file": (io.BytesIO(data), "rail.geojson")}).get_json()
    policy = {"Authorization": f"Bearer {committed_user('policy').token}"}
    link = client.post("/api/v1/share-links", headers=policy,
                       json={"label": "test: ลิงก์ชั้นข้อมูลที่ดิน", "layers": ["provinces", layer["id"]],
                             "expires_in_days": 2}).get_json()
    yield {"layer": layer, "link": link}
    client.delete(f"/api/v1/share-links/{link['id']}", headers=policy)
    client.delete(f"/api/v1/reference-layers/{layer['id']}", headers=land_team)


def test_shared_map_draws_the_links_reference_layer(live_server, shared_layer, page):
    layer_id = shared_layer["layer"]["id"]
    page.route(lambda url: not url.startswith(live_server), lambda route: route.abort())
    bodies: list[str] = []
    page.on("response", lambda r: bodies.append(r.text()) if "layer=reference" in r.url else None)
    assert page.context.cookies() == []
    path = urlsplit(shared_layer["link"]["url"]).path   # (made by the test client: its host is not the server's)
    response = page.goto(f"{live_server}{path}?c={LAT:.5f},{LON:.5f}&z=15")
    assert response.status == 200
    _wait_until(page, f"window.codiLand && (window.codiLand.parcels[{layer_id}] || 0) > 0")
    control = page.locator("#land-control").inner_text()
    assert "ทางรถไฟในลิงก์แชร์" in control and "การรถไฟแห่งประเทศไทย" in control   # the layer and its legend
    assert page.locator("input[data-land=footprints]").count() == 0                 # no footprints on a link
    assert page.locator(f"input[data-land='{layer_id}']").is_checked()
    assert page.locator("#land-control").evaluate("e => getComputedStyle(e).display") != "none"
    assert page.locator(".leaflet-pane path.leaflet-interactive").count() >= 2
    assert bodies and all("P-1" not in b and "attributes" not in b for b in bodies)
    page.screenshot(path="tests/artifacts/land_shared_layer.png")
    # switched off, the address says so (and the print links carry it)
    page.locator(f"input[data-land='{layer_id}']").uncheck()
    _wait_until(page, f"(window.codiLand.parcels[{layer_id}] || 0) === 0")
    assert f"reference:{layer_id}" not in parse_qs(urlsplit(page.url).query).get("layers", [""])[0]
    assert page.js_errors == []


def test_signed_in_map_keeps_a_reference_layer_in_its_address(live_server, committed_user, shared_layer, page):
    layer_id = shared_layer["layer"]["id"]
    page.route(lambda url: not url.startswith(live_server), lambda route: route.abort())
    login_in_browser(page, live_server, committed_user("viewer").email)
    page.goto(f"{live_server}/map?c={LAT:.5f},{LON:.5f}&z=15")
    _wait_until(page, "window.codiLand && window.codiLand.layers.length > 0")
    page.evaluate(f"window.codiLand.show({layer_id})")
    _wait_until(page, f"(window.codiLand.parcels[{layer_id}] || 0) > 0")
    assert f"reference:{layer_id}" in parse_qs(urlsplit(page.url).query)["layers"][0]
    # the print button asks for the same layers (static/print/print_links.js reads the address)
    page.evaluate("window.addEventListener('click', function (e) { e.preventDefault(); })")
    page.click("#print-a4")
    href = page.get_attribute("#print-a4", "href")
    assert f"reference:{layer_id}" in parse_qs(urlsplit(href).query)["layers"][0]
    printed = page.request.get(f"{live_server}{href}")
    assert printed.status == 200 and printed.body().startswith(b"%PDF-")
    page.reload()   # the address brings it back switched on
    _wait_until(page, f"(window.codiLand.parcels[{layer_id}] || 0) > 0")
    assert page.locator(f"input[data-land='{layer_id}']").is_checked()
    assert page.js_errors == []
