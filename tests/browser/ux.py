"""Helpers for the walk-through browser tests (issue 15): desktop and phone pages, screenshots,
a tile server that never answers, a second live server with other settings."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

from tests.conftest import PASSWORD

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "artifacts")
SIZES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


@contextmanager
def sized_page(browser, size: str, **options):
    """A fresh context (no cookies) at a desktop or phone size; JS errors in `page.js_errors`."""
    phone = size == "phone"
    context = browser.new_context(locale="th-TH", viewport=SIZES[size], is_mobile=phone, has_touch=phone,
                                  device_scale_factor=1, **options)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()


def shot(page, name: str, *, full_page: bool = False) -> str:
    """Keep a screenshot in tests/artifacts/; return its path (for the report)."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, full_page=full_page)
    return path


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    # wait for the login's own navigation: a goto right after the click would cancel it (no cookie)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("button[type=submit]")
    assert "/login" not in page.url, "sign-in failed"


def hang_outside(page, base: str) -> list:
    """Requests leaving the test server (tiles) are held and never answered, like a slow tile server."""
    held: list = []
    page.route(lambda url: not url.startswith(base), lambda route: held.append(route))
    return held


def wait_until(page, predicate: str, timeout: float = 15.0) -> None:
    """Poll a JS expression (wait_for_function would need 'unsafe-eval' under the CSP)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        page.wait_for_timeout(100)


def api(base: str, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
    request = urllib.request.Request(f"{base}{path}", method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return response.status, json.loads(raw) if raw else None


@contextmanager
def other_server(app, **env: str):
    """The app in one more gunicorn process, with extra environment settings (e.g. OUTSIDE_BASEMAPS=0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                   "UPLOAD_DIR": app.config["UPLOAD_DIR"], "SECRET_KEY": "test-live-server",
                   "LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute", **env}
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    process = subprocess.Popen([gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
                                "--log-level", "warning", "app:create_app()"],
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
