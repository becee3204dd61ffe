"""Rate-limit counters kept in PostgreSQL, so every gunicorn worker and host shares them.

Flask-Limiter's memory storage counts per process; with several workers a login
limit of 10/min would really be 10 per worker. This storage keeps fixed-window
counters in an UNLOGGED table of the app's own database (no Redis to run).
Select it with `RATELIMIT_STORAGE_URI=pglimits://user:pw@host:port/db`
(the default derives it from the database URL).
"""

from __future__ import annotations

import random
import threading

import psycopg
from limits.storage import Storage
from sqlalchemy.engine import make_url

_INCR = """
INSERT INTO rate_limits AS r (key, count, expires_at)
VALUES (%(key)s, %(amount)s, extract(epoch FROM clock_timestamp()) + %(expiry)s)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN r.expires_at <= extract(epoch FROM clock_timestamp())
               THEN EXCLUDED.count ELSE r.count + EXCLUDED.count END,
  expires_at = CASE WHEN r.expires_at <= extract(epoch FROM clock_timestamp())
                    THEN EXCLUDED.expires_at ELSE r.expires_at END
RETURNING count
"""
_LIVE = "expires_at > extract(epoch FROM clock_timestamp())"


def storage_uri_for(database_url: str) -> str:
    """The rate-limit storage URI for the app's database URL."""
    url = make_url(database_url)
    return url.set(drivername="pglimits").render_as_string(hide_password=False)


class PostgresStorage(Storage):
    """A `limits` storage (fixed window) on the table `rate_limits`."""

    STORAGE_SCHEME = ["pglimits"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        url = make_url(uri)
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return psycopg.Error

    def _run(self, sql: str, params: dict | None = None) -> list[tuple]:
        # one autocommit connection per thread, opened lazily (after gunicorn forks)
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5)
            self._local.conn = conn
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params or {})
                return cursor.fetchall() if cursor.description else [(cursor.rowcount,)]
        except psycopg.OperationalError:
            conn.close()
            raise

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        if random.random() < 0.01:  # keep the table small without a cron job
            self._run(f"DELETE FROM rate_limits WHERE NOT {_LIVE}")
        return self._run(_INCR, {"key": key, "amount": amount, "expiry": expiry})[0][0]

    def get(self, key: str) -> int:
        rows = self._run(f"SELECT count FROM rate_limits WHERE key = %(key)s AND {_LIVE}", {"key": key})
        return rows[0][0] if rows else 0

    def get_expiry(self, key: str) -> float:
        rows = self._run(f"SELECT expires_at FROM rate_limits WHERE key = %(key)s AND {_LIVE}", {"key": key})
        if rows:
            return float(rows[0][0])
        return float(self._run("SELECT extract(epoch FROM clock_timestamp())")[0][0])

    def check(self) -> bool:
        try:
            self._run("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def reset(self) -> int | None:
        return self._run("DELETE FROM rate_limits")[0][0]

    def clear(self, key: str) -> None:
        self._run("DELETE FROM rate_limits WHERE key = %(key)s", {"key": key})
