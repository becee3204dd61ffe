"""Share tokens never reach the logs; /s/ lookups are rate-limited."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from app.logging import TokenFilter, TokenMaskingLogger, mask_tokens

TOKEN = "Zx9_-abcdefghijklmnopqrstuvwxyz0123456789ABCD"
ROOT = Path(__file__).resolve().parents[2]


def test_mask_tokens_in_paths_request_lines_and_referrers():
    assert mask_tokens(f"/s/{TOKEN}") == "/s/***"
    assert mask_tokens(f"/s/{TOKEN}/data") == "/s/***/data"
    assert mask_tokens(f"GET /s/{TOKEN}/data?status=reported HTTP/1.1") == "GET /s/***/data?status=reported HTTP/1.1"
    assert mask_tokens(f"https://maps.example.org/s/{TOKEN}?c=7,100") == "https://maps.example.org/s/***?c=7,100"
    assert mask_tokens("/static/maps/map.js") == "/static/maps/map.js"
    assert mask_tokens("/api/v1/share-links/3") == "/api/v1/share-links/3"
    assert mask_tokens("/map/south") == "/map/south"


def test_gunicorn_access_log_masks_the_token():
    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(U)s %(s)s %(f)s')
    logger = TokenMaskingLogger(config)
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logger.access_log.addHandler(Keep())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/s/{TOKEN}/data?bbox=1,2,3,4", "PATH_INFO": f"/s/{TOKEN}/data",
               "QUERY_STRING": "bbox=1,2,3,4", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.1",
               "HTTP_REFERER": f"http://maps.example.org/s/{TOKEN}"}
    response = SimpleNamespace(status="200 OK", sent=123, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=5))
    assert records and TOKEN not in records[0]
    assert "/s/***/data" in records[0]


def test_gunicorn_conf_selects_the_masking_logger():
    namespace: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)
    assert namespace["logger_class"] == "app.logging.TokenMaskingLogger"


def test_app_log_filter_masks_the_token(app, client, map_data):
    client.get(f"/s/{TOKEN}")  # the sharing blueprint installs the filter
    assert any(isinstance(f, TokenFilter) for f in app.logger.filters)
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler, disabled = Keep(), app.logger.disabled
    app.logger.addHandler(handler)
    app.logger.disabled = False  # alembic's fileConfig (run by the test set-up) disables existing loggers
    try:
        app.logger.warning("unhandled error on %s %s", "GET", f"/s/{TOKEN}/data")
    finally:
        app.logger.removeHandler(handler)
        app.logger.disabled = disabled
    assert records == ["unhandled error on GET /s/***/data"]


def test_share_lookups_are_rate_limited(app):
    """A separate process (the limiter is process-wide) with SHARE_RATE_LIMIT=3 per minute."""
    script = f"""
import json
from app import create_app
app = create_app({{"SQLALCHEMY_DATABASE_URI": {app.config["SQLALCHEMY_DATABASE_URI"]!r}, "TESTING": True,
                   "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                   "SHARE_RATE_LIMIT": "3 per minute"}})
client = app.test_client()
codes = [client.get("/s/{TOKEN}").status_code for _ in range(4)]
codes.append(client.get("/s/{TOKEN}/data").status_code)
codes.append(client.get("/api/v1/regions").status_code)
print(json.dumps(codes))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    codes = json.loads(result.stdout.strip().splitlines()[-1])
    assert codes[:3] == [404, 404, 404]
    assert codes[3] == 429 and codes[4] == 429
    assert codes[5] == 200  # other endpoints are not limited by the share limit
