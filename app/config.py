"""Configuration read from the environment, with safe defaults for a single office."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _instance_secret() -> str:
    """Return the signing key kept in instance/, creating it on first use."""
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def local_database_url() -> str | None:
    """Return the URL of the private cluster that `scripts/localdb.sh` started, if any."""
    path = INSTANCE / "database_url"
    return path.read_text().strip() if path.exists() else None


def boundary_dirs() -> list[Path]:
    """Folders searched for boundary files, in order."""
    dirs = [Path(os.environ["BOUNDARIES_DIR"])] if os.environ.get("BOUNDARIES_DIR") else []
    return dirs + [ROOT / "data" / "boundaries", ROOT.parent / "shared" / "boundaries"]


# JIT compilation cost ~0.5-3 s on map, tile and item queries and never paid back here.
# prepare_threshold None: psycopg would prepare a statement run five times on a connection,
# and five runs later PostgreSQL may give it one generic plan for every value; for a box of
# the map that plan took the 1000-case page from 55 to 125 ms for the rest of the
# connection's life. Unprepared, each run is planned for its values. (Not
# plan_cache_mode=force_custom_plan: that also replans the foreign-key checks' cached
# plans, once a row: an import of 100,000 cases went from 60 to 96 s.)
# temp_buffers 128MB: an import's staging table (100,000 rows) is updated twice, by the derive and
# by the codes; in the default 8 MB of local buffers each update spilled to disk (derive 6.2 -> 5.3 s,
# codes 3.3 -> 1.9 s). Taken only as a session's temp tables grow; settable only before its first.
# (the benchmarks' floors connect with these too: bench/benchlib.py)
CONNECT_ARGS = {"options": "-c jit=off -c temp_buffers=128MB", "prepare_threshold": None}


class Config:
    """Settings for a deployment; every value can come from the environment."""

    def __init__(self) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY") or _instance_secret()
        self.SQLALCHEMY_DATABASE_URI = env.get("DATABASE_URL") or local_database_url()
        # hide_parameters: a database error never logs the row's values (contacts, disputes)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True,
                                          "connect_args": dict(CONNECT_ARGS)}
        self.UPLOAD_DIR = env.get("UPLOAD_DIR") or str(INSTANCE / "uploads")
        self.MAX_CONTENT_LENGTH = int(env.get("MAX_UPLOAD_MB", "50")) * 1024 * 1024
        self.BABEL_DEFAULT_LOCALE = "th"
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "app" / "translations")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = env.get("SESSION_COOKIE_SECURE", "0") == "1"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        # a session ends after this many hours without a request (and at logout, deactivation or a
        # new password: app/auth/security.py); a form's CSRF token lives as long
        self.SESSION_IDLE_HOURS = float(env.get("SESSION_IDLE_HOURS", "12"))
        self.WTF_CSRF_TIME_LIMIT = int(float(env.get("CSRF_TIME_LIMIT_HOURS", self.SESSION_IDLE_HOURS)) * 3600)
        # Counters live in PostgreSQL by default (app/ratelimit.py) so that every
        # worker and host shares them; redis:// or memcached:// work too.
        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI")
        self.RATELIMIT_HEADERS_ENABLED = True
        self.LOGIN_RATE_LIMIT = env.get("LOGIN_RATE_LIMIT", "10 per minute")  # per client address
        # per account named in the form (known or not): behind one proxy every client shares an address
        self.LOGIN_ACCOUNT_RATE_LIMIT = env.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute")
        self.SHARE_RATE_LIMIT = env.get("SHARE_RATE_LIMIT", "120 per minute")
        # /api/v1/boundaries/<level> for callers without an account (signed-in users are not limited)
        self.BOUNDARY_RATE_LIMIT = env.get("BOUNDARY_RATE_LIMIT", "60 per minute")
        self.SEND_FILE_MAX_AGE_DEFAULT = 3600
        # behind a reverse proxy: how many X-Forwarded-* hops to trust (client address
        # for rate limits, host and scheme for share-link URLs)
        # OUTSIDE_BASEMAPS=0: an office without internet; the maps use the boundaries as their
        # base and never ask an outside tile server
        self.OUTSIDE_BASEMAPS = env.get("OUTSIDE_BASEMAPS", "1").strip().lower() not in ("0", "false", "no", "off")
        self.TRUST_PROXY_HOPS = int(env.get("TRUST_PROXY_HOPS", "0"))
        # Long work goes to the job queue (`flask jobs worker`): imports from this many bytes
        # of upload, exports from this many rows; smaller ones are answered at once.
        self.JOB_IMPORT_MIN_BYTES = int(env.get("JOB_IMPORT_MIN_BYTES", str(1_000_000)))
        self.JOB_EXPORT_MIN_ROWS = int(env.get("JOB_EXPORT_MIN_ROWS", "10000"))
        # map prints (PDF) of this many cases or more (the national map at scale) are jobs too
        self.JOB_PRINT_MIN_CASES = int(env.get("JOB_PRINT_MIN_CASES", "20000"))
        # answers about the past (the moves of a period, a case page as of a day) kept in each
        # process while nothing they read has been written since (app/answers.py); 0: none
        self.ANSWER_CACHE_MB = float(env.get("ANSWER_CACHE_MB", "64"))
        # a running job whose worker has sent no heartbeat for this long is failed (worker died)
        self.JOB_STALE_SECONDS = float(env.get("JOB_STALE_SECONDS", "30"))
