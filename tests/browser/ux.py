"""Helpers for the walk-through browser tests (issue 15): desktop and phone pages, screenshots,
a tile server that never answers, a second live server with other settings. Starting a server
and signing in are tests/conftest.py's own (`serve`, `login_in_browser`, here as `sign_in`)."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from contextlib import contextmanager

from tests.conftest import login_in_browser as sign_in  # noqa: F401  (the walk-through tests import it here)
from tests.conftest import serve

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "artifacts")
SIZES = {"desktop": {"width": 1280, "height": 860}, "laptop": {"width": 1366, "height": 768},
         "phone": {"width": 390, "height": 844}}


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
    with serve(app, workers=1, **env) as base:
        yield base


def new_case(base: str, token: str, name: str, **overrides) -> dict:
    """A case made through the API of a live server, named `name` plus a unique tag."""
    import uuid

    from tests.factories import case_payload

    body = case_payload(**{"community_name": f"{name} {uuid.uuid4().hex[:6]}", **overrides})
    status, created = api(base, token, "POST", "/api/v1/cases", body)
    assert status == 201
    return created


def fits(page) -> bool:
    """True when the page needs no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def upload_import(page, base: str, path) -> None:
    """Send a file through the import page's form."""
    page.goto(f"{base}/imports", wait_until="domcontentloaded")
    page.set_input_files("#file", str(path))
    page.locator("form.card button[type=submit]").click()

