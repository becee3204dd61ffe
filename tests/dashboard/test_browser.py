"""The dashboard, a pilot page and the fund form in headless Chromium (live server on the test database)."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db
from tests.conftest import login_in_browser

CANVASES = ("chart-status", "chart-region", "chart-secured", "chart-stage", "chart-fund-level",
            "chart-fund-region", "chart-quarter")

# how many pixels of a canvas are painted (not transparent)
PAINTED = """id => { const c = document.getElementById(id); const ctx = c.getContext('2d');
  const d = ctx.getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }"""


def test_dashboard_charts_are_drawn_without_js_errors(live_server, committed_user, page):
    user = committed_user("policy")
    login_in_browser(page, live_server, user.email)
    page.goto(f"{live_server}/dashboard")
    page.wait_for_function("document.body.dataset.chartsReady === '7'", timeout=15000)
    assert page.js_errors == []
    for canvas in CANVASES:
        assert page.evaluate("id => !!Chart.getChart(document.getElementById(id))", canvas), canvas
        box = page.locator(f"#{canvas}").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 150, canvas
        assert page.evaluate(PAINTED, canvas) > 2000, canvas
    labels = page.evaluate("Chart.getChart(document.getElementById('chart-quarter')).data.labels")
    assert labels[0].startswith("ไตรมาส ") and "ไตรมาส 1/2566" in labels
    assert page.evaluate("Chart.getChart(document.getElementById('chart-status')).data.labels[0]") == "รับเรื่อง"
    assert "ข้อมูลตัวอย่าง" in page.inner_text("header")


def test_pilot_page_map_draws_the_polygon(app, live_server, committed_user, page):
    with app.app_context():
        pilot_id = db.session.execute(text("SELECT id FROM pilot_areas WHERE subdistrict_code = '103301'")).scalar()
        db.session.remove()
    user = committed_user("architect")
    login_in_browser(page, live_server, user.email)
    page.goto(f"{live_server}/pilot-areas/{pilot_id}")
    page.wait_for_selector("#pilot-map[data-ready='1']", timeout=15000)
    assert page.locator("#pilot-map path.leaflet-interactive").count() >= 2  # polygon and case markers
    assert page.locator("form.review-form").count() == 1
    assert page.js_errors == []


def test_fund_form_map_click_places_the_point(live_server, committed_user, page):
    user = committed_user("land_team")
    login_in_browser(page, live_server, user.email)
    page.goto(f"{live_server}/funds")
    page.wait_for_selector("#fund-map[data-ready='1']", timeout=15000)
    assert page.locator("#fund-map path.leaflet-interactive").count() >= 50
    page.goto(f"{live_server}/funds/new")
    page.wait_for_selector("#fund-form-map[data-ready='1']", timeout=15000)
    page.click("#fund-form-map", position={"x": 200, "y": 200})
    lon, lat = float(page.input_value("#lon")), float(page.input_value("#lat"))
    assert 97 < lon < 106 and 5 < lat < 21
    assert page.js_errors == []
