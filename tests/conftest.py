"""Fixtures: one real PostGIS test database per run, one rolled-back transaction per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import local_database_url
from app.extensions import db
from tests.factories import make_user

PASSWORD = "correct horse battery"


def _test_database_url() -> str:
    """TEST_DATABASE_URL, else `<database>_test` beside DATABASE_URL or the local cluster."""
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL") or local_database_url()
    if not base:
        pytest.exit("No database: run `make test` (starts the local cluster) or set DATABASE_URL", 2)
    url = make_url(base)
    # TEST_DB_NAME lets parallel runs (several developers on one cluster) keep apart
    name = os.environ.get("TEST_DB_NAME") or f"{url.database}_test"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app on a freshly migrated test database with boundaries, regions and sample data."""
    from flask_migrate import upgrade

    url = _test_database_url()
    application = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")), "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    })
    with application.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(revision="heads")
        from app.reference import load_default_boundaries, load_regions

        load_default_boundaries()
        load_regions()
        _load_sample_if_available()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


def _load_sample_if_available() -> None:
    try:
        from app import sample_data
    except ImportError:
        return
    sample_data.load_sample()


@pytest.fixture(autouse=True)
def _limiter_off():
    """The suite's app runs without rate limits, but Flask-Limiter's `enabled` is process-wide: an
    app made inside a test (tests/test_rate_limits.py) turns it on for every later test. Each test
    starts with it off and leaves it as it found it; limits are tested in their own apps."""
    from app.extensions import limiter

    enabled, limiter.enabled = limiter.enabled, False
    yield
    limiter.enabled = enabled


@pytest.fixture()
def session(app) -> Iterator:
    """Bind the app's session to one outer transaction that is rolled back after the test."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        # Flask-SQLAlchemy picks binds from db.engines, so the connection stands in there.
        engines = db.engines
        engine = engines[None]
        engines[None] = connection
        scoped = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        original, db.session = db.session, scoped
        try:
            yield scoped
        finally:
            scoped.remove()
            db.session = original
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture(scope="session")
def map_data(app):
    """Map test data (tests/maps/data.py), committed once per session for the map, share-link and
    print tests (their browsers read it through the live server), removed at the end."""
    from tests.maps.data import ensure_map_data, remove_map_data

    made = ensure_map_data(app)
    yield made
    remove_map_data(app)


@pytest.fixture()
def client(app, session):
    return app.test_client()


@pytest.fixture()
def users(session) -> dict:
    """One account per role, with API tokens."""
    return {role: make_user(role) for role in ("admin", "land_team", "architect", "policy", "viewer")}


@pytest.fixture()
def auth(users):
    """`auth("land_team")` gives headers carrying that role's Bearer token."""
    def headers(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {users[role].token}"}

    return headers


@contextmanager
def serve(app, *, workers: int = 2, **env: str) -> Iterator[str]:
    """The app served by a separate gunicorn process on the test database; yields its base URL.

    `env` adds settings (e.g. OUTSIDE_BASEMAPS="0"). The login limits are lifted: the browser
    tests sign in as one account many times a minute.
    """
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                   "UPLOAD_DIR": app.config["UPLOAD_DIR"], "SECRET_KEY": "test-live-server",
                   "LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute", **env}
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "4",
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


@pytest.fixture(scope="session")
def live_server(app):
    """The app served by a separate process (gunicorn) on the test database, for browser tests.

    Data the browser needs must be committed (see `committed_user`), not made in `session`.
    """
    with serve(app) as base:
        yield base


@pytest.fixture(scope="session")
def committed_user(app):
    """`committed_user(role)`: an account committed to the test database (for the live server)."""
    made: dict[str, object] = {}

    def get(role: str):
        if role not in made:
            with app.app_context():
                user = make_user(role, email=f"live-{role}@example.org")
                made[role] = type("LiveUser", (), {"email": user.email, "token": user.token,
                                                   "id": user.id, "role": role})
                db.session.remove()
        return made[role]

    return get


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, headless."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        yield instance
        instance.close()


@pytest.fixture()
def page(browser, request):
    """A fresh browser context (no cookies) and page; JS errors collected in `page.js_errors`.

    A screenshot is kept in tests/artifacts/ as a test artefact.
    """
    context = browser.new_context(locale="th-TH", viewport={"width": 1280, "height": 860})
    new_page = context.new_page()
    new_page.js_errors = []
    new_page.on("pageerror", lambda exc: new_page.js_errors.append(str(exc)))
    yield new_page
    artifacts = os.path.join(os.path.dirname(__file__), "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    try:
        new_page.screenshot(path=os.path.join(artifacts, f"{request.node.name}.png"))
    except Exception:  # a closed page has nothing to show
        pass
    context.close()


def login_in_browser(page, base: str, email: str) -> None:
    """Sign in through the real login form."""
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    # wait for the login's own navigation: a goto right after the click would cancel it (no cookie)
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("button[type=submit]")
    assert "/login" not in page.url, "sign-in failed"
