"""gunicorn settings for `make run` (see README "Serving")."""

import multiprocessing
import os
import re
from pathlib import Path

# runtime files of this checkout (sockets, pid files): never shared with another checkout or user
# (__file__ is missing when a test exec()s this file: then the working directory is the checkout)
RUN_DIR = Path(globals().get("__file__") or "gunicorn.conf.py").resolve().parent / "instance" / "run"
UNIX_PATH_MAX = 107  # bytes in a Unix socket path (sun_path, less the final NUL)

# Two single-threaded (sync) workers per core: PostGIS does the heavy lifting. A sync worker
# takes a connection only when it is free, so requests queue fairly in the kernel; gthread
# workers accept greedily and keep their keep-alive clients, and at 32 connections on 2 cores
# their p99 was 0.9-1.3 s against 0.37 s for sync at the same throughput (bench/RESULTS.md).
# Serve behind a buffering reverse proxy (nginx) so slow clients never hold a worker.
# WEB_THREADS > 1 switches to gthread workers with that many threads each.
workers = int(os.environ.get("WEB_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
timeout = 120  # a sync worker is killed past this: exports of 100,000 cases take 4-10 s, XLSX about 45 s
graceful_timeout = 20
keepalive = 5
# a worker is replaced after this many requests (a guard against slow leaks); the jitter is half
# of it so that workers started together are not all replaced in the same few seconds: with
# 2000 +/- 200 all four went within 4 s under wrk, and the p99 of that minute rose past 1 s
max_requests = 5000
max_requests_jitter = 2500
accesslog = "-"
# no query strings in the access log: share tokens and filters stay out of logs
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
# share-link tokens (/s/<token>) are masked as /s/*** in the access and error logs
logger_class = "app.logging.TokenMaskingLogger"


def control_socket_path(binds: list[str]) -> Path | None:
    """Where this server's control socket goes: instance/run/, one per listening address.

    gunicorn 27's default is one socket per user (~/.gunicorn/gunicorn.ctl): a second
    server takes it over and stopping either removes the other's. None (no control
    socket) when the path would be too long for a Unix socket.
    """
    name = "+".join(re.sub(r"[^\w.-]+", "-", bind.removeprefix("unix:").rsplit("/", 1)[-1]) for bind in binds)
    path = RUN_DIR / f"gunicorn-{name[:60] or 'default'}.ctl"
    return path if len(os.fsencode(path)) <= UNIX_PATH_MAX else None


def _place_control_socket(server) -> None:
    from gunicorn.config import ControlSocket

    if server.cfg.control_socket_disable or server.cfg.control_socket != ControlSocket.default:
        return  # the operator chose (--control-socket PATH or --no-control-socket)
    path = control_socket_path(list(server.cfg.bind))
    if path is None:
        server.log.info("control socket off: instance/run/ is too deep for a Unix socket path")
        server.cfg.set("control_socket_disable", True)
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    server.cfg.set("control_socket", str(path))


def on_starting(server):
    """Place the control socket (instance/run/); import the app's modules once, in the master.

    pandas, GDAL, folium... are loaded before the fork.
    Workers fork with them loaded: a worker restarted by max_requests is serving again in
    about 0.1 s instead of 3-4 s, the gap that showed in the p99 under load. Only imports run
    here (nothing happens at import time): no app, no database connection is shared by forks.
    """
    import importlib
    import pkgutil

    _place_control_socket(server)

    import app
    import gis

    for package in (app, gis):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
