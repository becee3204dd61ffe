"""A session ends for good: a copy of the cookie is worthless after logout, deactivation, a new password
or the idle lifetime; a form's CSRF token has a lifetime too.

The copied cookie is tried on every route of the URL map that needs a signed-in user (pages are sent
to the login page, the API answers 401), so a new route is covered at once.
"""

from __future__ import annotations

import time

import pytest

from app.auth.security import SESSION_SEEN
from tests.adversarial.conftest import fill, login, url_rules
from tests.factories import PASSWORD

GUARDED_READS = [(r, e) for m, r, e, p in url_rules() if m == "GET" and p is not None]


def _stolen(app, client):
    """A copy of `client`'s session cookie in another browser (the attacker's)."""
    value = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def _signed_out(response) -> bool:
    if response.status_code == 302:
        return "/login" in response.headers["Location"]
    return response.status_code == 401


def _signed_in_client(app, users, role: str = "admin"):
    client = app.test_client()
    login(client, users[role].email)
    assert client.get("/cases").status_code == 200
    return client


def test_a_copied_cookie_works_before_logout(app, users):
    """The control: the copy is a working session until the user signs out."""
    client = _signed_in_client(app, users)
    assert _stolen(app, client).get("/cases").status_code == 200


def test_logout_ends_every_copy_of_the_cookie_on_every_route(app, users, records):
    client = _signed_in_client(app, users)
    thief = _stolen(app, client)
    assert client.post("/logout").status_code == 302
    still_open = []
    for rule, endpoint in GUARDED_READS:
        response = thief.get(fill(rule, {**records, "region_code": "central"}))
        if not _signed_out(response):
            still_open.append(f"{rule} ({endpoint}): {response.status_code}")
    assert not still_open, f"the copied cookie still works after logout: {still_open}"
    assert _signed_out(thief.post("/api/v1/cases", json={"community_name": "x"}))


def test_logout_with_a_token_does_not_end_the_browser_sessions(app, users, auth):
    client = _signed_in_client(app, users, "land_team")
    app.test_client().post("/logout", headers=auth("land_team"))
    assert client.get("/cases").status_code == 200


@pytest.mark.parametrize("command", [["users", "deactivate"], ["users", "password"]])
def test_deactivation_and_a_new_password_end_sessions(app, users, command):
    client = _signed_in_client(app, users, "land_team")
    email = users["land_team"].email
    result = app.test_cli_runner().invoke(args=[*command, email], input="a-new-password-123\n")
    assert result.exit_code == 0, result.output
    assert _signed_out(client.get("/cases"))
    if command[1] == "deactivate":  # switching the account back on does not revive the old cookie
        assert app.test_cli_runner().invoke(args=["users", "deactivate", "--activate", email]).exit_code == 0
        assert _signed_out(client.get("/cases"))
    else:
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 401


def test_an_idle_session_ends(app, users):
    client = _signed_in_client(app, users)
    idle = app.config["SESSION_IDLE_HOURS"]
    assert idle == 12  # the default
    with client.session_transaction() as cookie:
        cookie[SESSION_SEEN] = int(time.time() - idle * 3600 + 120)
    assert client.get("/cases").status_code == 200  # two minutes short of the limit: still on
    with client.session_transaction() as cookie:
        cookie[SESSION_SEEN] = int(time.time() - idle * 3600 - 60)
    assert _signed_out(client.get("/cases"))
    assert _signed_out(client.get("/cases"))  # and the cookie was cleared, not only refused once


def test_the_idle_lifetime_is_configurable(app, users, monkeypatch):
    client = _signed_in_client(app, users)
    monkeypatch.setitem(app.config, "SESSION_IDLE_HOURS", 0.5)
    with client.session_transaction() as cookie:
        cookie[SESSION_SEEN] = int(time.time() - 3600)
    assert _signed_out(client.get("/cases"))


def test_the_idle_lifetime_comes_from_the_environment(monkeypatch):
    from app.config import Config

    monkeypatch.setenv("SESSION_IDLE_HOURS", "2")
    config = Config()
    assert config.SESSION_IDLE_HOURS == 2 and config.WTF_CSRF_TIME_LIMIT == 7200


def test_a_session_without_a_generation_is_refused(app, users):
    """A cookie made before this check (or by hand with the key) carries no generation: no session."""
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(users["admin"].id)
        cookie["_fresh"] = True
    assert _signed_out(client.get("/cases"))


def test_csrf_tokens_expire(app, monkeypatch):
    from flask_wtf.csrf import generate_csrf, validate_csrf
    from wtforms.validators import ValidationError

    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    assert limit == 12 * 3600
    with app.test_request_context("/"):
        real = time.time
        monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real() - limit - 60)
        old = generate_csrf()
        monkeypatch.setattr("itsdangerous.timed.time.time", real)
        with pytest.raises(ValidationError, match="expired"):
            validate_csrf(old)
    with app.test_request_context("/"):
        validate_csrf(generate_csrf())  # a fresh one passes
