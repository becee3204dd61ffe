"""Serving: two servers on one host keep apart (issue 16, point 5).

gunicorn 27 keeps one control socket per user by default (~/.gunicorn/gunicorn.ctl): a second
server took it over and stopping either removed the other's. gunicorn.conf.py puts one per
listening address under instance/run/.
"""

from __future__ import annotations

import os
import re
import shutil
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


def test_make_run_on_a_taken_port_says_so_in_one_line_and_starts_nothing():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(["make", "-s", "run", f"PORT={port}"], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
    assert ours == [f"make run: port {port} is already in use on 127.0.0.1 (another server?): "
                    "stop it, or choose another with PORT=5001 make run"]
    assert "installing" not in result.stdout  # refused before any set-up


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


@pytest.mark.skipif(not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()),
                    reason="nginx not installed (make run / make test install it)")
def test_make_run_server_starts_nginx_and_gunicorn_together_and_stops_them_together(app):
    run_dir = ROOT / "instance" / "run"
    pidfile = run_dir / "serve.pid"
    if pidfile.exists() and pidfile.read_text().strip() and Path(f"/proc/{pidfile.read_text().strip()}").exists():
        pytest.skip("`make run` is serving from this checkout")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "PORT": str(port),
           "WEB_WORKERS": "1", "SECRET_KEY": "test-serving"}
    serve = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", serve)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            assert answer.headers["Server"] == "nginx"  # the front answers; gunicorn is on a Unix socket
        assert (run_dir / "web.sock").is_socket()
        members = _processes_mentioning(str(run_dir))
        assert len(members) >= 3  # nginx master and worker, gunicorn master and worker
        started = _children(serve.pid)  # gunicorn, nginx and whatever else serve.sh starts
        assert len(started) >= 2
        if os.geteuid() == 0:  # as root, the server itself runs as the unprivileged web user
            assert all(os.stat(f"/proc/{pid}").st_uid != 0 for pid in members + started)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
    assert _processes_mentioning(str(run_dir)) == []
    assert [pid for pid in started if Path(f"/proc/{pid}").exists()] == []  # every one stopped with it
    assert not (run_dir / "web.sock").exists()
