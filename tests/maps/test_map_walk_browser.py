"""Issue 15, points 5, 4 and 3 (the map): walked in Chromium at desktop and phone size.

5. markers are drawn as soon as the data arrives while every tile request hangs (the page's
   load event never comes), and an office without internet can turn the outside base maps off;
4. one cluster layer whose icons are ring charts of the statuses, filtered by the check boxes,
   on the signed-in and the shared maps;
3. on a phone the map has the screen: compact header, layer panel and legend closed, no minimap.
"""

from __future__ import annotations

import pytest

from tests.browser.ux import api, hang_outside, other_server, shot, sign_in, sized_page, wait_until

MARKERS = ".leaflet-marker-pane .codi-pin, .leaflet-marker-pane .codi-cluster"
RINGS = ".leaflet-marker-pane .codi-cluster svg"


def _rings(page) -> list[dict]:
    """Every cluster icon: its total and the count of each status drawn around it."""
    return page.evaluate("""Array.from(document.querySelectorAll('.leaflet-marker-pane .codi-cluster')).map(el => ({
        total: Number(el.querySelector(':scope > span').textContent.replace(/[^0-9]/g, '')),
        parts: Object.fromEntries(Array.from(el.querySelectorAll('circle[data-status]'))
                                  .map(c => [c.dataset.status, Number(c.dataset.count)]))}))""")


def _pins(page) -> int:
    return page.locator(".leaflet-marker-pane .codi-pin").count()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_markers_come_with_the_data_while_tiles_hang(live_server, committed_user, map_data, browser, size):
    with sized_page(browser, size) as page:
        held = hang_outside(page, live_server)
        sign_in(page, live_server, committed_user("viewer").email)
        page.goto(f"{live_server}/map/south", wait_until="commit")
        page.wait_for_selector(MARKERS, timeout=20000)
        # the tiles still hang, so the load event has not come: the markers did not wait for it
        assert page.evaluate("document.readyState") != "complete"
        assert page.evaluate("document.documentElement.dataset.casesBeforeLoad") == "1"
        assert held, "the test needs tile requests that hang"
        assert page.evaluate("window.codiMap.errors") == []
        shot(page, f"ux_map_tiles_hanging_{size}")
        assert page.js_errors == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_no_outside_base_maps_in_an_office_without_internet(app, committed_user, map_data, browser, size):
    with other_server(app, OUTSIDE_BASEMAPS="0") as base, sized_page(browser, size) as page:
        outside: list = []
        page.route(lambda url: not url.startswith(base), lambda route: (outside.append(route.request.url),
                                                                         route.abort()))
        sign_in(page, base, committed_user("viewer").email)
        page.goto(f"{base}/map/south")
        page.wait_for_selector(MARKERS, timeout=20000)
        wait_until(page, "window.codiMap.baseDrawn === true")
        assert page.locator(".leaflet-control-layers-base label").count() == 0  # no base-map choice
        assert page.locator(".leaflet-control-minimap").count() == 0
        assert "Royal Thai Survey Department" in page.locator(".leaflet-control-attribution").inner_text()
        shot(page, f"ux_map_no_basemap_{size}")
        assert outside == []  # nothing was asked of a server outside
        page.goto(f"{base}/cases/new")  # the small maps of the case pages too
        page.wait_for_timeout(500)
        assert outside == []
        assert page.js_errors == []


def test_one_cluster_layer_with_ring_charts_filtered_by_status(live_server, committed_user, map_data, browser):
    with sized_page(browser, "desktop") as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, committed_user("viewer").email)
        page.goto(f"{live_server}/map/south", wait_until="commit")
        page.wait_for_selector(RINGS, timeout=20000)
        assert page.evaluate("typeof window.codiMap.cases.getVisibleParent") == "function"  # one cluster group
        rings = _rings(page)
        assert rings and all(r["total"] == sum(r["parts"].values()) for r in rings)
        assert any(len(r["parts"]) > 1 for r in rings), rings  # a cluster shows several statuses' shares
        everything = sum(r["total"] for r in rings) + _pins(page)
        shot(page, "ux_map_clusters_desktop")
        # the status check boxes filter the one layer: no ring or pin of that status remains
        page.locator(".leaflet-control-layers-overlays label", has_text="รับเรื่อง").locator("input").uncheck()
        wait_until(page, "!document.querySelector('.leaflet-marker-pane circle[data-status=reported]')")
        after = sum(r["total"] for r in _rings(page)) + _pins(page)
        assert after < everything
        assert all("reported" not in r["parts"] for r in _rings(page))
        shot(page, "ux_map_clusters_filtered_desktop")
        assert page.js_errors == []


def test_shared_map_has_the_ring_clusters_too(live_server, committed_user, map_data, browser):
    status, created = api(live_server, committed_user("policy").token, "POST", "/api/v1/share-links",
                          {"region": "south", "statuses": ["reported", "surveying", "evicted", "closed"],
                           "layers": ["provinces"], "expires_in_days": 2, "label": "test: ring clusters"})
    assert status == 201
    for size in ("desktop", "phone"):
        with sized_page(browser, size) as page:
            hang_outside(page, live_server)
            page.goto(created["url"], wait_until="commit")
            page.wait_for_selector(RINGS, timeout=20000)
            rings = _rings(page)
            assert rings and all(set(r["parts"]) <= {"reported", "surveying", "evicted", "closed"} for r in rings)
            shot(page, f"ux_shared_map_clusters_{size}")
            assert page.js_errors == []


def test_phone_map_gives_the_screen_to_the_map(live_server, committed_user, map_data, browser):
    with sized_page(browser, "phone") as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, committed_user("land_team").email)
        page.goto(f"{live_server}/map", wait_until="commit")
        page.wait_for_selector(MARKERS, timeout=20000)
        frame = page.locator(".map-frame").bounding_box()
        assert frame["y"] < 844 * 0.2, frame  # the header and toolbar take under a fifth of the height
        assert frame["height"] > 844 * 0.75, frame
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        panel = page.locator(".leaflet-control-layers")
        assert "leaflet-control-layers-expanded" not in panel.get_attribute("class")
        assert not page.locator(".leaflet-control-minimap").is_visible()
        legend = page.locator(".codi-legend").bounding_box()
        assert legend["height"] < 60, legend  # folded to its heading
        page.wait_for_selector("#land-control .land-toggle")
        land = page.locator("#land-control").bounding_box()
        assert land["height"] < 60, land  # the land layers panel too
        shot(page, "ux_map_phone")
        # one tap opens the layer panel, a check box works, a tap on the map closes it
        page.locator(".leaflet-control-layers-toggle").tap()
        assert "leaflet-control-layers-expanded" in panel.get_attribute("class")
        shot(page, "ux_map_phone_layers_open")
        page.locator(".leaflet-control-layers-overlays label", has_text="ปิดเรื่อง").locator("input").tap()
        wait_until(page, "location.search.indexOf('status=') >= 0")
        page.locator(".codi-legend-toggle").tap()
        assert page.locator(".codi-legend li").first.is_visible()
        page.locator("#land-control .land-toggle").tap()
        assert page.locator("#land-control input[data-land]").first.is_visible()
        page.mouse.click(200, 600)
        assert "leaflet-control-layers-expanded" not in panel.get_attribute("class")
        assert page.js_errors == []


@pytest.mark.parametrize(("size", "path"), [("laptop", "/map/south"),
                                            ("desktop", "/map/south?from=2025-07-01&to=2025-09-30")])
def test_the_land_panel_never_covers_the_map_buttons(live_server, committed_user, map_data, browser, size, path):
    """On a map too short for it (a 768 px laptop screen, the changes view with its table) the land
    layers panel starts folded: open, it covered the search and measure buttons."""
    with sized_page(browser, size) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, committed_user("land_team").email)
        page.goto(f"{live_server}{path}", wait_until="commit")
        page.wait_for_selector("#land-control .land-toggle", timeout=20000)
        page.wait_for_timeout(300)
        land = page.locator("#land-control").bounding_box()
        buttons = page.locator(".leaflet-top.leaflet-left > .leaflet-control").last.bounding_box()
        assert land["y"] >= buttons["y"] + buttons["height"], (land, buttons)
        layers = page.locator(".leaflet-control-layers").bounding_box()
        overview = page.locator(".leaflet-control-minimap")
        assert not overview.is_visible() or overview.bounding_box()["y"] >= layers["y"] + layers["height"]
        shot(page, f"ux_map_land_panel_{size}")
        page.locator("#land-control .land-toggle").click()
        assert page.locator("#land-control input[data-land]").first.is_visible()
        assert page.js_errors == []

