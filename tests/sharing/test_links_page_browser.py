"""Issue 15, point 2: policy staff find their share links again, copy them, show a QR code and
revoke them; admins see every link; making the same link again warns. Desktop and phone."""

from __future__ import annotations

import re

import pytest

from tests.browser.ux import api, hang_outside, shot, sign_in, sized_page, wait_until

BE_DATE = re.compile(r"\d{1,2} [ก-๙.]+ 25\d\d")  # 31 ธ.ค. 2569


def _make(base: str, token: str, label: str, **extra) -> dict:
    body = {"region": "south", "statuses": ["reported", "surveying"], "layers": ["provinces"],
            "expires_in_days": 5, "label": label, **extra}
    status, created = api(base, token, "POST", "/api/v1/share-links", body)
    assert status == 201
    return created


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_policy_finds_copies_and_revokes_a_link(live_server, committed_user, map_data, browser, size):
    policy = committed_user("policy")
    created = _make(live_server, policy.token, f"test: อบต.ทดสอบ {size}")
    with sized_page(browser, size, permissions=["clipboard-read", "clipboard-write"]) as page:
        hang_outside(page, live_server)
        page.goto(created["url"], wait_until="domcontentloaded")  # opened once by its recipient
        sign_in(page, live_server, policy.email)
        page.goto(f"{live_server}/map", wait_until="domcontentloaded")
        page.locator(".topbar nav a", has_text="ลิงก์แชร์").click()
        page.wait_for_url("**/share-links")
        card = page.locator(f"#link-{created['id']}")
        assert card.locator("h2").inner_text() == f"test: อบต.ทดสอบ {size}"
        assert "รับเรื่อง, สำรวจข้อมูล" in card.locator(".share-scope").inner_text()
        assert BE_DATE.search(card.locator(".share-expires").inner_text())
        assert "T" not in card.locator(".share-expires").inner_text()  # not an ISO timestamp
        assert BE_DATE.search(card.locator(".share-created").inner_text())
        views = card.locator(".share-views").inner_text()
        assert views.startswith("1 ครั้ง") and BE_DATE.search(views), views
        assert card.locator(".share-url").input_value() == created["url"]
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        card.locator(".share-copy").click()
        wait_until(page, "document.documentElement.dataset.copied !== undefined")
        assert page.evaluate("document.documentElement.dataset.copied") == created["url"]
        card.locator(".share-qr-toggle").click()
        qr = card.locator(".share-qr svg")
        assert qr.is_visible() and qr.bounding_box()["width"] >= 150
        shot(page, f"ux_share_links_{size}", full_page=True)
        page.once("dialog", lambda dialog: dialog.accept())
        card.locator(".share-revoke button").click()
        page.wait_for_url("**/share-links")
        assert "ยกเลิกแล้ว" in page.locator(f"#link-{created['id']} .share-state").inner_text()
        assert page.locator(f"#link-{created['id']} .share-url").count() == 0
        shot(page, f"ux_share_links_revoked_{size}", full_page=True)
        assert page.goto(created["url"]).status == 410
        assert page.js_errors == []


def test_admin_sees_every_link_policy_only_theirs(live_server, committed_user, map_data, browser):
    mine = _make(live_server, committed_user("admin").token, "test: ของผู้ดูแล")
    theirs = _make(live_server, committed_user("policy").token, "test: ของฝ่ายนโยบาย")
    with sized_page(browser, "desktop") as page:
        sign_in(page, live_server, committed_user("admin").email)
        page.goto(f"{live_server}/share-links")
        assert page.locator(f"#link-{mine['id']}").count() == 1
        assert page.locator(f"#link-{theirs['id']}").count() == 1
        assert "live-policy@example.org" in page.locator(f"#link-{theirs['id']} .share-created").inner_text()
    with sized_page(browser, "desktop") as page:
        sign_in(page, live_server, committed_user("policy").email)
        page.goto(f"{live_server}/share-links")
        assert page.locator(f"#link-{mine['id']}").count() == 0
        assert page.locator(f"#link-{theirs['id']}").count() == 1
        # another's link cannot be revoked through this page either
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        answer = page.request.post(f"{live_server}/share-links/{mine['id']}/revoke", form={"csrf_token": token})
        assert answer.status == 404
    with sized_page(browser, "desktop") as page:
        sign_in(page, live_server, committed_user("viewer").email)
        assert page.goto(f"{live_server}/share-links").status == 403
        assert page.locator(".topbar nav a", has_text="ลิงก์แชร์").count() == 0


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_making_the_same_link_again_warns(live_server, committed_user, map_data, browser, size):
    policy = committed_user("policy")
    with sized_page(browser, size) as page:
        hang_outside(page, live_server)
        sign_in(page, live_server, policy.email)
        statuses = "reported,closed" if size == "desktop" else "surveying,closed"  # one scope per run
        page.goto(f"{live_server}/map/south?status={statuses}&layers=provinces", wait_until="commit")
        page.wait_for_selector("html[data-cases-loaded]", state="attached", timeout=20000)

        def create(label: str) -> None:
            page.locator("#share-open").click()
            page.fill("#share-label", label)
            page.fill("#share-days", "7")
            page.locator("#share-create").click()

        create(f"test: เทศบาลทดสอบ {size}")
        page.wait_for_selector("#share-result:not([hidden])")
        first = page.locator("#share-url").input_value()
        assert BE_DATE.search(page.locator("#share-expiry").inner_text())
        page.locator("#share-close").click()
        create(f"test: เทศบาลทดสอบ {size} อีกครั้ง")
        page.wait_for_selector("#share-duplicate:not([hidden])")
        assert f"test: เทศบาลทดสอบ {size}" in page.locator("#share-duplicate-list").inner_text()
        assert page.locator("#share-result").is_hidden()
        shot(page, f"ux_share_duplicate_warning_{size}")
        status, listed = api(live_server, policy.token, "GET", "/api/v1/share-links")
        live = [x for x in listed["share_links"] if x["label"].startswith(f"test: เทศบาลทดสอบ {size}")
                and x["state"] == "active"]
        assert len(live) == 1  # no second live link was made silently
        page.locator("#share-again").click()  # the user really wants another one
        page.wait_for_selector("#share-result:not([hidden])")
        assert page.locator("#share-url").input_value() != first
        assert page.js_errors == []
