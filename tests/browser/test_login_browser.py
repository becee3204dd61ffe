"""The login page in a real browser."""

from tests.conftest import login_in_browser


def test_login_in_chromium(live_server, committed_user, page):
    user = committed_user("viewer")
    login_in_browser(page, live_server, user.email)
    assert "ออกจากระบบ" in page.content()
    assert page.js_errors == []
