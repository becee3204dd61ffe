"""Serving: two servers on one host keep apart (issue 16, point 5).

gunicorn 27 keeps one control socket per user by default (~/.gunicorn/gunicorn.ctl): a second
server took it over and stopping either removed the other's. gunicorn.conf.py puts one per
listening address under instance/run/.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(base: str, process: subprocess.Popen) -> None:
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not answer")


@pytest.fixture()
def two_servers(app, tmp_path):
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "WEB_WORKERS": "1",
           "HOME": str(tmp_path), "SECRET_KEY": "test-serving"}
    env.pop("XDG_RUNTIME_DIR", None)
    started = []
    for _ in range(2):
        port = _free_port()
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", "--access-logfile", "/dev/null", "app:create_app()"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append((port, process))
    for port, process in started:
        _wait_healthy(f"http://127.0.0.1:{port}", process)
    yield started
    for _port, process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_each_server_has_its_own_control_socket_under_instance(two_servers, tmp_path):
    (port_a, server_a), (port_b, _server_b) = two_servers
    socket_a = ROOT / "instance" / "run" / f"gunicorn-127.0.0.1-{port_a}.ctl"
    socket_b = ROOT / "instance" / "run" / f"gunicorn-127.0.0.1-{port_b}.ctl"
    for _ in range(50):  # gunicorn opens it just after the first workers are up
        if socket_a.exists() and socket_b.exists():
            break
        time.sleep(0.1)
    assert socket_a.exists() and socket_b.exists()
    assert not (tmp_path / ".gunicorn").exists()  # nothing in the user's home
    server_a.send_signal(signal.SIGTERM)
    server_a.wait(timeout=30)
    assert not socket_a.exists()
    assert socket_b.exists()  # stopping one server leaves the other's socket alone
    shown = subprocess.run([str(BIN / "gunicornc"), "-s", str(socket_b), "-c", "show workers", "-j"],
                           capture_output=True, text=True, timeout=30)
    assert shown.returncode == 0, shown.stderr
    assert '"pid"' in shown.stdout or "workers" in shown.stdout


def test_a_control_socket_path_too_long_for_unix_sockets_is_turned_off():
    namespace: dict = {"__file__": str(ROOT / "gunicorn.conf.py")}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    assert namespace["control_socket_path"](["127.0.0.1:5000"]).name == "gunicorn-127.0.0.1-5000.ctl"
    namespace["RUN_DIR"] = Path("/tmp") / ("d" * 120)
    assert namespace["control_socket_path"](["127.0.0.1:5000"]) is None
