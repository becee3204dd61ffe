"""Cross-site requests riding a session cookie: refused with 400 csrf, nothing written.

The suite's app runs with CSRF off (so that other tests can post forms); here a second app
with `WTF_CSRF_ENABLED=True` serves the same test transaction (its engine is swapped for the
test's connection), so everything stays rolled back. Every write route of the URL map is
tried by a signed-in admin (who holds every permission): only the token is missing.
"""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.extensions import db
from tests.adversarial.conftest import WRITE_METHODS, fill, refused, unchanged, url_rules
from tests.adversarial.test_permissions import valid_request
from tests.factories import PASSWORD

CSRF_PAGE = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง"
CROSS_SITE = {"Origin": "https://evil.example", "Referer": "https://evil.example/page"}
WRITES = [pytest.param(m, r, e, id=f"{m} {r}") for m, r, e, _p in url_rules()
          if m in WRITE_METHODS and e != "auth.login"]


@pytest.fixture()
def csrf_app(app, session):
    """A second app with CSRF on, bound to the test's connection (rolled back after the test)."""
    second = create_app({
        "TESTING": True, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False, "SERVER_NAME": None,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "UPLOAD_DIR": app.config["UPLOAD_DIR"],
    })
    connection = db.engines[None]  # the session fixture put the test's connection here
    with second.app_context():
        engines = db.engines
        own = engines[None]
        engines[None] = connection
    yield second
    with second.app_context():
        db.engines[None] = own
    own.dispose()


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def signed_in(csrf_app, email: str):
    client = csrf_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def test_login_form_needs_its_token(csrf_app, users):
    client = csrf_app.test_client()
    with unchanged(client):
        response = client.post("/login", data={"email": users["admin"].email, "password": PASSWORD},
                               headers=CROSS_SITE)
        refused(response, 400, page=True)
    assert client.get("/cases").status_code == 302  # still signed out


@pytest.mark.parametrize("method, rule, endpoint", WRITES)
def test_cross_site_write_with_the_session_cookie_is_refused(csrf_app, users, records, method, rule, endpoint):
    client = signed_in(csrf_app, users["admin"].email)
    request = valid_request(endpoint)
    with unchanged(client):
        response = client.open(fill(rule, records), method=method, headers={**request.get("headers", {}),
                                                                           **CROSS_SITE},
                               **{k: v for k, v in request.items() if k != "headers"})
        if rule.startswith("/api/"):
            refused(response, 400, "csrf_failed", message="CSRF")
        else:
            refused(response, 400, page=True, message=CSRF_PAGE)
    assert client.get("/api/v1/cases?limit=1").status_code == 200  # the session is still there


@pytest.mark.parametrize("bad", ["", "not-a-token", "IjEyMyI.ZZZ.forged"])
def test_api_write_with_a_wrong_csrf_header_is_refused(csrf_app, users, bad):
    client = signed_in(csrf_app, users["land_team"].email)
    with unchanged(client):
        response = client.post("/api/v1/cases", json={"community_name": "x", "households": 1, "lon": 100.564,
                                                      "lat": 13.708}, headers={"X-CSRFToken": bad, **CROSS_SITE})
        refused(response, 400, "csrf_failed")


def test_a_text_plain_cross_site_form_cannot_post_json(csrf_app, users):
    """A cross-site <form enctype="text/plain"> can send JSON-looking text, but no token header."""
    client = signed_in(csrf_app, users["land_team"].email)
    with unchanged(client):
        response = client.post("/api/v1/cases", data='{"community_name": "x", "households": 1, "lon": 100.5, '
                                                     '"lat": 13.7, "ignore": "="}', content_type="text/plain",
                               headers=CROSS_SITE)
        refused(response, 400, "csrf_failed")


def test_the_same_request_with_the_token_is_accepted(csrf_app, users):
    """The control: with the page's token the same session may write (so the refusals above are CSRF)."""
    client = signed_in(csrf_app, users["land_team"].email)
    token = _token(client.get("/cases/new").get_data(as_text=True))
    response = client.post("/api/v1/cases", json={"community_name": "ชุมชน CSRF", "households": 1,
                                                  "lon": 100.564, "lat": 13.708}, headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()
