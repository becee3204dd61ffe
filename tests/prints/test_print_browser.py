"""The print buttons in a browser: the PDF asked for is the view the map shows now."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.conftest import login_in_browser
from tests.maps.test_map_browser import offline


def test_print_button_carries_the_current_view(live_server, committed_user, map_data, page):
    login_in_browser(page, live_server, committed_user("viewer").email)
    offline(page, live_server)
    page.goto(f"{live_server}/map/south?status=reported,secured&layers=provinces,funds")
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    # keep the click from opening the PDF: only the address it was given matters here
    page.evaluate("window.addEventListener('click', function (e) { e.preventDefault(); })")
    page.click("#print-a3")
    href = page.get_attribute("#print-a3", "href")
    path, query = urlsplit(href).path, parse_qs(urlsplit(href).query)
    assert path == "/map/south.pdf"
    assert query["size"] == ["A3"] and query["status"] == ["reported,secured"]
    assert query["layers"] == ["provinces,funds"]
    assert "c" not in query and "z" not in query
    response = page.request.get(f"{live_server}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    assert page.js_errors == []
