"""A database outage is a 503 with Retry-After, one log line per request, and heals itself (issue 16, point 4).

Before: the API answered 500 internal_error, pages fell through to gunicorn's bare error page
(the app's error page needs the database) and each failed request logged ~142 traceback lines.
"""

from __future__ import annotations

import logging
import socket
import threading

import pytest
from sqlalchemy.engine import make_url

from app import create_app

PAGE_TITLE = "ระบบไม่พร้อมให้บริการชั่วคราว"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


class Forwarder:
    """A TCP relay in front of the test database that can be cut (an outage) and restored."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        host = parsed.host or parsed.query.get("host")
        port = parsed.port or int(parsed.query.get("port") or 5432)
        self.target = (host, port) if parsed.host else f"{host}/.s.PGSQL.{port}"
        self.port = _closed_port()
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def _upstream(self) -> socket.socket:
        if isinstance(self.target, tuple):
            return socket.create_connection(self.target)
        upstream = socket.socket(socket.AF_UNIX)
        upstream.connect(self.target)
        return upstream

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen()
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = self._upstream()
            with self.lock:
                self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        """Stop listening and break every open connection, as a stopped server does."""
        assert self.listener is not None
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()
            self.connections.clear()

    def url(self, url: str) -> str:
        parsed = make_url(url)
        return parsed.set(host="127.0.0.1", port=self.port, query={}).render_as_string(hide_password=False)


@pytest.fixture()
def down_app():
    """The app pointed at a port where no database listens."""
    application = create_app({"SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://codi:x@127.0.0.1:{_closed_port()}/codi",
                              "TESTING": True, "SECRET_KEY": "outage"})
    application.logger.disabled = False  # the migrations' logging.config (app fixture) may have switched it off
    return application


def _problems(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING]


@pytest.mark.parametrize("path, headers", [
    ("/api/v1/cases", {"Authorization": "Bearer lc_anything"}),
    ("/ogc/collections/cases/items", {"Authorization": "Bearer lc_anything"}),
    ("/api/v1/share-links", {"Authorization": "Bearer lc_anything"}),
])
def test_the_api_answers_503_with_retry_after_and_one_log_line(down_app, caplog, path, headers):
    caplog.set_level(logging.DEBUG)
    response = down_app.test_client().get(path, headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json["error"]["code"] == "database_unavailable"
    assert response.json["error"]["message"]
    problems = _problems(caplog)
    assert len(problems) == 1, [r.getMessage() for r in problems]
    assert problems[0].exc_info is None and "\n" not in problems[0].getMessage()
    assert f"GET {path} answered 503" in problems[0].getMessage()


@pytest.mark.parametrize("path", ["/", "/cases", "/map", "/login", "/s/sometoken"])
def test_pages_answer_a_static_thai_page(down_app, caplog, path):
    caplog.set_level(logging.DEBUG)
    client = down_app.test_client()
    with client.session_transaction() as cookie:  # a signed-in user: loading them needs the database
        cookie["_user_id"] = "1"
        cookie["_fresh"] = True
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.mimetype == "text/html"
    assert PAGE_TITLE in response.get_data(as_text=True)
    assert len(_problems(caplog)) == 1


def test_sign_in_during_an_outage_is_a_503_page(down_app, caplog):
    caplog.set_level(logging.DEBUG)
    client = down_app.test_client()
    down_app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 12},
                           headers={"Accept": "text/html"})
    assert response.status_code == 503 and PAGE_TITLE in response.get_data(as_text=True)
    assert len(_problems(caplog)) == 1


def test_an_error_page_that_needs_the_database_falls_back_to_the_static_page(down_app, caplog):
    caplog.set_level(logging.DEBUG)
    client = down_app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = "1"
    response = client.post("/login", data={"email": "a@example.org"}, headers={"Accept": "text/html"})  # no CSRF
    assert response.status_code == 503 and PAGE_TITLE in response.get_data(as_text=True)
    assert len(_problems(caplog)) == 1


def test_health_check_reports_the_outage(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unavailable"


def test_the_app_recovers_by_itself_when_the_database_is_back(app, committed_user, caplog):
    user = committed_user("land_team")
    relay = Forwarder(app.config["SQLALCHEMY_DATABASE_URI"])
    relay.start()
    served = create_app({"SQLALCHEMY_DATABASE_URI": relay.url(app.config["SQLALCHEMY_DATABASE_URI"]),
                         "TESTING": True, "RATELIMIT_ENABLED": False})
    client = served.test_client()
    bearer = {"Authorization": f"Bearer {user.token}"}
    try:
        assert client.get("/api/v1/cases?limit=1", headers=bearer).status_code == 200
        relay.cut()
        caplog.set_level(logging.DEBUG)
        served.logger.disabled = False  # the migrations' logging.config (app fixture) switched it off
        for _ in range(3):
            down = client.get("/api/v1/cases?limit=1", headers=bearer)
            assert down.status_code == 503 and down.headers["Retry-After"] == "5"
        assert len(_problems(caplog)) == 3  # one line per failed request
        relay.start()
        assert client.get("/api/v1/cases?limit=1", headers=bearer).status_code == 200  # the first request after
        assert client.get("/healthz").json == {"status": "ok", "database": "ok"}
    finally:
        relay.cut()
        with served.app_context():
            from app.extensions import db

            db.engine.dispose()


def test_a_query_the_database_refused_is_not_called_an_outage(app, caplog):
    import psycopg
    from sqlalchemy.exc import OperationalError

    from app.errors import is_outage

    assert is_outage(OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")))
    assert not is_outage(OperationalError("SELECT 1", {}, psycopg.errors.QueryCanceled("statement timeout")))
    assert not is_outage(OperationalError("SELECT 1", {}, psycopg.errors.DeadlockDetected("deadlock")))
    assert is_outage(OperationalError("SELECT 1", {}, psycopg.errors.AdminShutdown("terminating connection")))
