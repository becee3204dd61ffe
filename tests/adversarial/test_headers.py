"""Security headers on every kind of response, session cookies, and rate limits shared by workers."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import Config
from tests.adversarial.conftest import PDF, upload
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]

# (path, role or None, expected status)
RESPONSES = [
    ("/login", None, 200), ("/map", "viewer", 200), ("/cases/{case_id}", "viewer", 200), ("/dashboard", "viewer", 200),
    ("/api/v1/cases?limit=1", "viewer", 200), ("/api/v1/cases/999999999", "viewer", 404), ("/healthz", None, 200),
    ("/cases/999999", "viewer", 404), ("/map/data?bbox=x", "viewer", 400), ("/static/css/app.css", None, 200),
    ("/s/{token}", None, 200), ("/s/{token}/data", None, 200), ("/api/v1/openapi.json", None, 200),
    ("/ogc", None, 200), ("/admin/", "viewer", 403),
]


def _directives(csp: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2] for part in csp.split(";") if part.strip()}


@pytest.mark.parametrize("path, role, status", RESPONSES, ids=[p for p, _r, _s in RESPONSES])
def test_security_headers_on_every_kind_of_response(app, client, auth, scene, path, role, status):
    if path == "/ogc" and "ogc.landing" not in app.view_functions:
        pytest.skip("OGC API is not there yet")
    response = client.get(path.format(**scene), headers=auth(role) if role else {})
    assert response.status_code == status
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    csp = _directives(headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'" and csp["base-uri"] == "'self'"
    scripts = csp["script-src"].split()
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts
    assert not any(s.startswith(("http:", "https:")) or s in ("http:", "https:", "data:") for s in scripts)
    assert csp["connect-src"] == "'self'" and csp["form-action"] == "'self'"
    assert "https:" not in csp["img-src"].split()  # only the named tile servers


def test_shared_maps_send_no_referrer(client, scene):
    assert client.get(f"/s/{scene['token']}").headers["Referrer-Policy"] == "no-referrer"


def test_each_response_has_its_own_nonce_and_every_inline_script_carries_it(client, auth):
    pages = [client.get("/map", headers=auth("viewer")) for _ in range(2)]
    nonces = []
    for response in pages:
        html = response.get_data(as_text=True)
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        nonces.append(nonce)
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")([^>]*)>", html)
        assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline), inline
        assert not re.search(r"\son[a-z]+=\"", html), "inline event handlers are blocked by the CSP"
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22
    plain = client.get("/api/v1/regions").headers["Content-Security-Policy"]
    assert "nonce-" not in plain  # no nonce where no page asked for one


def test_documents_are_served_sandboxed_as_attachments(client, auth, records):
    case_id = records["case_id"]
    response = client.get(f"/api/v1/cases/{case_id}/documents/{records['document_id']}", headers=auth("land_team"))
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert upload(client, f"/api/v1/cases/{case_id}/documents", auth("land_team"), PDF, "x.pdf").status_code == 201


def _session_cookie(app_under_test, users) -> str:
    client = app_under_test.test_client()
    response = client.post("/login", data={"email": users["viewer"].email, "password": PASSWORD})
    assert response.status_code == 302
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session=")]
    assert len(cookies) == 1, response.headers
    return cookies[0]


def test_session_cookie_is_httponly_and_samesite_lax(app, client, users):
    cookie = _session_cookie(app, users)
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes and "SameSite=Lax" in cookie
    assert "secure" not in attributes  # plain HTTP on a laptop: Secure would lose the session


def test_session_cookie_is_secure_when_configured(app, session, users, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    config = Config()
    assert config.SESSION_COOKIE_SECURE is True and config.REMEMBER_COOKIE_SECURE is True
    secure = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "SESSION_COOKIE_SECURE": config.SESSION_COOKIE_SECURE})
    from app.extensions import db

    connection = db.engines[None]
    with secure.app_context():
        own, db.engines[None] = db.engines[None], connection
    try:
        cookie = _session_cookie(secure, users)
    finally:
        with secure.app_context():
            db.engines[None] = own
        own.dispose()
    assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# -------------------------------------------------------------- rate limits across processes

_WORKER = """
import json, sys
from app import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": %(url)r, "TESTING": True, "WTF_CSRF_ENABLED": False,
                  "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute", "SHARE_RATE_LIMIT": "3 per minute"})
assert app.config["RATELIMIT_STORAGE_URI"].startswith("pglimits://")
client = app.test_client()
codes = {"login": [], "share": []}
for i in range(%(n)d):
    # a different X-Forwarded-For each time: with no proxy configured it must not make a new client
    spoof = {"X-Forwarded-For": f"203.0.113.{i + %(n)d * 7}"}
    where = {"REMOTE_ADDR": %(addr)r}
    for what, r in (("login", client.post("/login", data={"email": %(email)r, "password": "x"},
                                          environ_base=where, headers=spoof)),
                    ("share", client.get("/s/%(token)s/data", environ_base=where, headers=spoof))):
        codes[what].append([r.status_code, (r.get_json(silent=True) or {}).get("error", {}).get("code"),
                            "บ่อยเกินไป" in r.get_data(as_text=True)])
print(json.dumps(codes))
"""


def _worker(app, addr: str, n: int) -> dict[str, list]:
    """A separate Python process (like another gunicorn worker) with the app's default storage; each
    address names its own account, so that only the per-address limit is seen here."""
    script = _WORKER % {"url": app.config["SQLALCHEMY_DATABASE_URI"], "n": n, "addr": addr, "token": "Q" * 43,
                        "email": f"nobody-{addr}@example.org"}
    env = {k: v for k, v in os.environ.items() if k != "RATELIMIT_STORAGE_URI"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**env, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def two_workers(app) -> dict:
    """Two worker processes, one after the other, from one client address; then another address."""
    addr = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"  # a fresh counter
    return {"first": _worker(app, addr, 2), "second": _worker(app, addr, 2),
            "other": _worker(app, f"10.{secrets.randbelow(250)}.0.{secrets.randbelow(250) + 1}", 1)}


@pytest.mark.parametrize("what, ok", [("login", 401), ("share", 404)])
def test_rate_limits_hold_across_worker_processes(two_workers, what, ok):
    first, second = two_workers["first"][what], two_workers["second"][what]
    assert [c[0] for c in first] == [ok, ok]
    assert second[0][0] == ok and second[1][0] == 429, second  # the third try passed, the fourth did not
    if what == "share":
        assert second[1][1] == "too_many_requests"  # the JSON error shape
    else:
        assert second[1][2]  # a Thai page
    assert two_workers["other"][what][0][0] == ok  # another address has its own counter


@pytest.mark.parametrize("cookie", ["forged", "eyJfdXNlcl9pZCI6IjEifQ.ZZZZZZ.AAAAAAAAAAAAAAAAAAAAAAAAAAA"])
def test_a_forged_session_cookie_gives_no_session(client, cookie):
    client.set_cookie("session", cookie)
    response = client.get("/cases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post("/api/v1/cases", json={"community_name": "x"})
    assert response.status_code == 401


def test_a_session_cookie_signed_with_another_key_gives_no_session(app, client, users):
    from flask.sessions import SecureCookieSessionInterface

    other = create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "SECRET_KEY": "not-the-key",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    serializer = SecureCookieSessionInterface().get_signing_serializer(other)
    client.set_cookie("session", serializer.dumps({"_user_id": str(users["admin"].id), "_fresh": True}))
    assert client.get("/admin/").status_code == 302
