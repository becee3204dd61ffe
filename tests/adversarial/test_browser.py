"""In Chromium: the pages work under the Content-Security-Policy, and hostile names stay text.

The live server (gunicorn) reads committed rows, so this module commits its own case (every
text field hostile) and share link, and removes them at the end.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.auth.security import hash_token
from app.extensions import db
from app.models import LandCase, ShareLink
from gis.spatial import derive_admin_areas
from tests.conftest import login_in_browser
from tests.maps.test_map_browser import offline

SCRIPT = "<script>alert('ADVXSS')</script>"
IMG = '"><img src=x onerror=alert(\'ADVXSS\')>'
TOKEN = "advbrowser_" + "A" * 40


@pytest.fixture(scope="module")
def hostile_case(app, committed_user):
    """A committed case whose every text field is HTML, in a subdistrict with no other case."""
    with app.app_context():
        lon, lat = db.session.execute(text("""
            SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(s.geom) AS p FROM subdistricts s
            WHERE s.province_code = '60' AND NOT EXISTS (SELECT 1 FROM land_cases c WHERE c.subdistrict_code = s.code)
            ORDER BY s.code LIMIT 1) q""")).one()
        case = LandCase(code="ADV-XSS-1", community_name=SCRIPT, community_name_en=IMG, land_owner=IMG, team=SCRIPT,
                        contact_name=IMG, contact_phone="<b>1</b>", notes=SCRIPT, households=7, status="reported",
                        geom=f"SRID=4326;POINT({lon} {lat})", is_sample=False, version=1)
        link = ShareLink(token_hash=hash_token(TOKEN), label="test: adversarial browser", region_code=None,
                         statuses=["reported"], layers=["funds"], created_by_id=committed_user("policy").id,
                         expires_at=datetime.now(UTC) + timedelta(days=1), view_count=0)
        db.session.add_all([case, link])
        db.session.flush()
        derive_admin_areas(db.session.connection(), "land_cases", [case.id])
        db.session.commit()
        made = {"id": case.id, "lon": lon, "lat": lat,
                "pilot_id": db.session.scalar(text("SELECT min(id) FROM pilot_areas")),
                "fund_id": db.session.scalar(text("SELECT min(id) FROM funds"))}
        db.session.remove()
    yield made
    with app.app_context():
        db.session.execute(text("DELETE FROM land_cases WHERE code = 'ADV-XSS-1'"))
        db.session.execute(text("DELETE FROM share_links WHERE label = 'test: adversarial browser'"))
        db.session.commit()
        db.session.remove()


def _watch(page) -> dict[str, list]:
    """Collect dialogs (an alert would be XSS) and CSP violations reported on the console."""
    seen: dict[str, list] = {"dialogs": [], "csp": []}

    def dialog(d):
        seen["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.on("console", lambda m: "Content Security Policy" in m.text and seen["csp"].append(m.text))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error("
                         "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
    return seen


PAGES = ["/map", "/map/south", "/cases", "/cases/{id}", "/cases/new", "/cases/{id}/edit", "/funds",
         "/funds/{fund_id}", "/pilot-areas/{pilot_id}", "/dashboard", "/admin/", "/s/" + TOKEN]


def test_pages_run_under_the_csp_without_violations(live_server, committed_user, hostile_case, page):
    offline(page, live_server)
    seen = _watch(page)
    login_in_browser(page, live_server, committed_user("admin").email)
    for path in PAGES:
        response = page.goto(live_server + path.format(**hostile_case))
        assert response.status == 200, path
        csp = response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], csp
        page.wait_for_load_state("networkidle")
        assert seen["csp"] == [], (path, seen["csp"])
        assert page.js_errors == [], (path, page.js_errors)
    assert seen["dialogs"] == []
    # the map really drew: its inline (nonce) script ran and the page script loaded data
    page.goto(f"{live_server}/map")
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    assert page.evaluate("window.codiMap && window.codiMap.errors.length === 0")


def test_hostile_names_on_the_case_page_and_in_the_map_popup_stay_text(live_server, committed_user,
                                                                       hostile_case, page):
    offline(page, live_server)
    seen = _watch(page)
    login_in_browser(page, live_server, committed_user("land_team").email)
    page.goto(f"{live_server}/cases/{hostile_case['id']}")
    page.wait_for_load_state("networkidle")
    assert SCRIPT in page.locator("h1").inner_text()
    assert page.locator("main img[src='x']").count() == 0
    page.goto(f"{live_server}/map?c={hostile_case['lat']:.5f},{hostile_case['lon']:.5f}&z=17&status=reported")
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    page.wait_for_selector(".leaflet-marker-pane .codi-pin", timeout=20000)
    page.locator(".leaflet-marker-pane .codi-pin").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert SCRIPT in popup.inner_text()
    assert popup.locator("script, img[src='x']").count() == 0
    page.wait_for_timeout(300)
    assert seen["dialogs"] == [] and seen["csp"] == [] and page.js_errors == []


def test_the_delete_confirmation_still_asks(live_server, committed_user, hostile_case, page):
    """The confirm() moved out of an inline handler (CSP) into static/app.js: it must still ask."""
    seen = _watch(page)
    login_in_browser(page, live_server, committed_user("land_team").email)
    page.goto(f"{live_server}/cases/{hostile_case['id']}")
    page.locator("form[data-confirm] button[type=submit]").click()
    page.wait_for_timeout(300)
    assert seen["dialogs"] == ["ลบกรณีนี้?"]  # dismissed: the case stays
    assert page.url.endswith(f"/cases/{hostile_case['id']}")
    assert page.locator(".lc-actions form[data-confirm]").count() == 1
