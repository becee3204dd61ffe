"""A share link in a fresh browser (no cookies): the read-only map opens; once revoked it does not."""

from __future__ import annotations

import json
import urllib.request

from tests.maps.data import SECRET_CONTACT, SECRET_OWNER, SECRET_PHONE
from tests.maps.test_map_browser import MARKERS, offline


def _api(base: str, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
    request = urllib.request.Request(f"{base}{path}", method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return response.status, json.loads(raw) if raw else None


def test_share_link_opens_without_account_and_dies_when_revoked(live_server, committed_user, map_data, page,
                                                                browser):
    policy = committed_user("policy")
    status, created = _api(live_server, policy.token, "POST", "/api/v1/share-links",
                           {"region": "south", "statuses": ["reported", "surveying", "negotiating"],
                            "layers": ["funds", "pilot-areas", "provinces"], "expires_in_days": 3,
                            "label": "test: สำนักงานเขตหาดใหญ่"})
    assert status == 201
    url = created["url"]
    assert url.startswith(live_server + "/s/")

    refused = offline(page, live_server)
    assert page.context.cookies() == []  # a fresh browser: no session, no account
    response = page.goto(url)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)
    page.wait_for_selector(MARKERS, timeout=20000)
    labels = [t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
    assert labels[:3] == ["รับเรื่อง", "สำรวจข้อมูล", "เจรจา"]
    assert "ถูกไล่รื้อ" not in labels and "จำนวนกรณีที่ยังไม่ยุติ" not in labels
    assert page.locator('meta[name="robots"]').get_attribute("content").startswith("noindex")
    html = page.content()
    for secret in (SECRET_CONTACT, SECRET_PHONE, SECRET_OWNER):
        assert secret not in html
    assert "ออกจากระบบ" not in html  # nobody is signed in
    assert page.evaluate("window.codiMap.errors") == []
    assert page.js_errors == []
    # tile requests carry no referrer, so the token cannot leak to tile servers
    assert refused and all("referer" not in r.headers for r in refused)
    assert all(created["url"].split("/s/")[1] not in r.url for r in refused)

    assert _api(live_server, policy.token, "DELETE", f"/api/v1/share-links/{created['id']}")[0] == 204
    context = browser.new_context(locale="th-TH")
    try:
        fresh = context.new_page()
        gone = fresh.goto(url)
        assert gone.status == 410
        assert "ยกเลิก" in fresh.content()
        assert fresh.locator(".leaflet-container").count() == 0
    finally:
        context.close()
