"""The private cluster of scripts/localdb.sh (issue 16, points 6 and 4).

Two checkouts side by side each start their own throwaway cluster: on a Unix socket inside
their instance/ only (no TCP port, so they never meet), one of them so deep that its socket
must live in /tmp. LOCALDB_PORT still gives TCP. A stopped cluster is a 503 for the app, and
the app serves again as soon as the cluster is back.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app

ROOT = Path(__file__).resolve().parent.parent
UNIX_PATH_MAX = 107

pytestmark = pytest.mark.skipif(not Path("/usr/lib/postgresql/15/bin/initdb").exists(),
                                reason="PostgreSQL 15 server binaries not installed")


def _localdb(checkout: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("LOCALDB_PORT", "DATABASE_URL")}
    result = subprocess.run(["bash", str(checkout / "scripts" / "localdb.sh"), *args], capture_output=True,
                            text=True, env={**environment, **env}, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def _url(checkout: Path) -> str:
    return (checkout / "instance" / "database_url").read_text().strip()


@pytest.fixture(scope="module")
def checkouts():
    # not under pytest's basetemp: pytest resets it to 0700 and the cluster's owner (postgres,
    # when the tests run as root) must reach its checkout
    base = Path(tempfile.mkdtemp(prefix="codi-localdb-", dir="/tmp"))
    made = [base / "a", base / ("deep-" * 18) / "b"]
    for checkout in made:
        (checkout / "scripts").mkdir(parents=True)
        for script in ("localdb.sh", "web-user.sh"):
            shutil.copy(ROOT / "scripts" / script, checkout / "scripts" / script)
    try:
        for checkout in made:
            _localdb(checkout, "start")
        yield made
    finally:
        for checkout in made:
            _localdb(checkout, "stop")
        shutil.rmtree(base, ignore_errors=True)


def _settings(url: str) -> tuple[str, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = (conn.execute(text("SHOW listen_addresses")).scalar(),
                 conn.execute(text("SHOW data_directory")).scalar())
    engine.dispose()
    return found


def test_two_checkouts_run_side_by_side_on_unix_sockets_only(checkouts):
    a, b = checkouts
    urls = [make_url(_url(a)), make_url(_url(b))]
    for checkout, url in zip(checkouts, urls):
        assert url.host is None and url.password is None  # postgresql+psycopg://codi@/codi?host=/abs/...
        host = url.query["host"]
        assert host.startswith("/") and len(f"{host}/.s.PGSQL.5432") <= UNIX_PATH_MAX
        listen, data = _settings(url.render_as_string(hide_password=False))
        assert listen == ""  # no TCP port at all
        assert data == str(checkout / "instance" / "pgdata")
    assert urls[0].query["host"] == str(a / "instance" / "pgsock")
    assert urls[1].query["host"].startswith("/tmp/codi-pg-")  # b is too deep for instance/pgsock
    # stopping one leaves the other serving
    _localdb(a, "stop")
    assert _settings(_url(b))[0] == ""
    _localdb(a, "start")
    assert _settings(_url(a))[0] == ""


def test_localdb_port_keeps_tcp_working(checkouts):
    a = checkouts[0]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _localdb(a, "stop")
    try:
        _localdb(a, "start", LOCALDB_PORT=str(port))
        url = make_url(_url(a))
        assert (url.host, url.port) == ("127.0.0.1", port) and url.password  # TCP needs the password
        assert _settings(_url(a))[0] == "127.0.0.1"
    finally:
        _localdb(a, "stop")
        _localdb(a, "start")
    assert make_url(_url(a)).host is None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_stopped_cluster_is_a_503_and_the_app_recovers_when_it_is_back(checkouts):
    a = checkouts[0]
    url = _url(a)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE EXTENSION postgis"))
    engine.dispose()
    served = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "RATELIMIT_ENABLED": False})
    with served.app_context():
        from flask_migrate import upgrade

        from app.extensions import db
        from tests.factories import make_user

        upgrade(revision="heads")
        token = make_user("land_team").token
    client = served.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/cases?limit=1", headers=bearer).status_code == 200
    _localdb(a, "stop")
    try:
        served.logger.disabled = False  # the migrations' logging.config switched loggers off
        records = _Collect()
        logging.getLogger().addHandler(records)  # every logger: pool and driver too
        down = client.get("/api/v1/cases?limit=1", headers=bearer)
        assert down.status_code == 503 and down.headers["Retry-After"] == "5"
        assert down.json["error"]["code"] == "database_unavailable"
        page = client.get("/", headers={"Accept": "text/html", **bearer})
        assert page.status_code == 503 and "ระบบไม่พร้อมให้บริการชั่วคราว" in page.get_data(as_text=True)
        problems = [r for r in records.records if r.levelno >= logging.WARNING]
        assert len(problems) == 2 and all(r.exc_info is None for r in problems)
    finally:
        logging.getLogger().removeHandler(records)
        _localdb(a, "start")
    assert client.get("/api/v1/cases?limit=1", headers=bearer).status_code == 200
    with served.app_context():
        db.engine.dispose()
