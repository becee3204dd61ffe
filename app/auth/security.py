"""Password and token hashing, the current user, and the `require` decorator."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload
from wtforms.validators import ValidationError as CSRFValidationError

from app.auth.permissions import allowed
from app.errors import BadRequest, Forbidden, Unauthorized, wants_json
from app.extensions import db, login_manager
from app.models import ApiToken, User

_hasher = PasswordHasher()
TOKEN_PREFIX = "lc_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(user: User, password: str) -> bool:
    return _verify(user.password_hash, password)


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of a random password with the same argon2 parameters as real ones (made once)."""
    if "hash" not in _DUMMY:
        _DUMMY["hash"] = _hasher.hash(secrets.token_urlsafe(24))
    return _DUMMY["hash"]


def authenticate(email: str, password: str) -> User | None:
    """The active account with this e-mail and password, or None. The same work either way: an unknown
    or inactive account has a dummy hash verified, so the answer's timing does not tell which accounts exist."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    usable = user is not None and user.active
    matches = _verify(user.password_hash if usable else _dummy_hash(), password)
    return user if usable and matches else None


def hash_token(token: str) -> str:
    """Tokens are random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """256 bits from the OS generator, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def issue_api_token(user: User, label: str | None = None) -> str:
    """Store the hash of a new personal token and return the token itself (shown once)."""
    token = new_token()
    db.session.add(ApiToken(user=user, token_hash=hash_token(token), label=label))
    return token


def _presented_token() -> tuple[str, str | None] | None:
    """(token, e-mail or None) from `Authorization: Bearer <token>` or `Authorization: Basic` with the
    account's e-mail as user name and the personal API token as password (desktop GIS clients such as
    QGIS can only send Basic); None without such a header. The account password is never accepted here."""
    scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return value.strip(), None
    if scheme.lower() != "basic":
        return None
    try:
        email, colon, token = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        email, colon, token = "", "", ""
    if not colon or not email.strip():
        _refuse_credentials(_("ข้อมูล Basic ไม่ถูกต้อง: ใช้อีเมลเป็นชื่อผู้ใช้และโทเคน API เป็นรหัสผ่าน"))
    return token.strip(), email.strip().lower()


def _refuse_credentials(message: str) -> None:
    # anonymous from here on: the error page asks for current_user again, which must not
    # run this loader a second time (an Unauthorized inside the error handler is a 500)
    g._login_user = login_manager.anonymous_user()
    raise Unauthorized(message)


def _user_from_bearer() -> User | None:
    presented = _presented_token()
    if presented is None:
        return None
    token, email = presented
    row = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user))  # one round trip per API request, not two
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active or (email is not None and row.user.email.lower() != email):
        _refuse_credentials(_("โทเคนไม่ถูกต้องหรือถูกยกเลิกแล้ว"))
    _record_use(row)
    g.auth_by_token = True
    return row.user


def challenge(response: Any) -> None:
    """On a 401, say how to authenticate: Bearer, and Basic (e-mail + API token) for clients that
    send no cookies (QGIS, GDAL; a browser's script with an ended session gets no login dialog)."""
    if response.status_code != 401 or "WWW-Authenticate" in response.headers:
        return
    area = (request.blueprint or "").split("_")[0]
    realm = f"CODI {area if area in ('ogc', 'tiles') else 'api'}"
    response.headers.add("WWW-Authenticate", f'Bearer realm="{realm}"')
    if "Cookie" not in request.headers or request.headers.get("Authorization", "").lower().startswith("basic"):
        response.headers.add("WWW-Authenticate", f'Basic realm="{realm}", charset="UTF-8"')


# at most once a minute, and never waiting: a request that finds the row locked by another skips it
_TOUCH = text("""UPDATE api_tokens SET last_used_at = now() WHERE id = (
                     SELECT id FROM api_tokens WHERE id = :id
                     AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
                     FOR UPDATE SKIP LOCKED)""")


def _record_use(row: ApiToken) -> None:
    """Note the token's last use in a short transaction of its own (committed even when the request
    only reads). Set in the request's own transaction, the row stayed locked until the request ended,
    so concurrent requests with one token queued behind each other (and reads never kept it)."""
    if row.last_used_at is not None and datetime.now(UTC) - row.last_used_at < timedelta(minutes=1):
        return
    try:
        with db.session.connection().engine.begin() as conn:  # the Engine, also when tests bind one connection
            conn.execute(_TOUCH, {"id": row.id})
    except SQLAlchemyError as exc:  # bookkeeping: never the reason a good request fails
        current_app.logger.warning("token last-use not recorded: %s", type(exc).__name__)


SESSION_GENERATION = "_gen"
SESSION_SEEN = "_seen"
SEEN_RESOLUTION = 300  # the last-seen time is written back at most every 5 minutes


def session_fields(user: User) -> dict[str, int]:
    """What a new session cookie carries besides Flask-Login's user id (also for tests that make one)."""
    return {SESSION_GENERATION: user.session_generation or 0, SESSION_SEEN: int(time.time())}


def start_session(user: User) -> None:
    """Sign `user` in on this browser: Flask-Login's id, the account's session generation, now."""
    from flask_login import login_user

    login_user(user)
    session.update(session_fields(user))


def end_sessions(user: User) -> None:
    """End every session of `user` (every copy of every cookie): the next request with one is anonymous.
    Not committed here: the caller commits (logout, deactivation, a new password)."""
    user.session_generation = (user.session_generation or 0) + 1


def _session_is_current(user: User) -> bool:
    """A cookie session is valid while it carries the account's generation and was used within the idle
    lifetime (`SESSION_IDLE_HOURS`); a valid one has its last-use time refreshed."""
    now = time.time()
    seen = session.get(SESSION_SEEN)
    idle = float(current_app.config.get("SESSION_IDLE_HOURS", 12)) * 3600
    if session.get(SESSION_GENERATION) != (user.session_generation or 0) or not isinstance(seen, int) \
            or not 0 <= now - seen <= idle:
        return False
    if now - seen > SEEN_RESOLUTION:
        session[SESSION_SEEN] = int(now)
    return True


def init_login(app: Flask) -> None:
    """Wire Flask-Login to sessions and Bearer tokens."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @app.before_request
    def _forget_previous_user() -> None:
        # a request inside an already-pushed app context (tests, CLI) must not
        # inherit the previous request's user
        g.pop("_login_user", None)
        g.pop("auth_by_token", None)

    @login_manager.user_loader
    def _load(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.active or not _session_is_current(user):
            session.clear()  # ended, idle or forged: the cookie is worth nothing from here on
            return None
        return user

    @login_manager.request_loader
    def _from_request(_req) -> User | None:
        return _user_from_bearer()

    @login_manager.unauthorized_handler
    def _unauthorized():
        if wants_json():
            raise Unauthorized(_("ต้องเข้าสู่ระบบหรือส่งโทเคน (Authorization: Bearer ... หรือ Basic อีเมล:โทเคน)"))
        from flask import redirect, url_for

        return redirect(url_for("auth.login", next=request.full_path))


def _check_api_csrf() -> None:
    """A cookie session writing to the API must prove same origin with the CSRF header."""
    if request.method in ("GET", "HEAD", "OPTIONS") or g.get("auth_by_token"):
        return
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except CSRFValidationError:
        raise BadRequest(_("ขาด CSRF token: ส่ง X-CSRFToken หรือใช้ Bearer token"), code="csrf_failed") from None


def require(permission: str) -> Callable:
    """Allow the view only to signed-in users (session or token) whose role has `permission`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if request.blueprint == "api" or (request.blueprint or "").endswith("_api"):
                _check_api_csrf()
            if not allowed(current_user.role, permission):
                raise Forbidden(_("บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้"))
            return view(*args, **kwargs)

        return wrapper

    return decorate


def current_role() -> str | None:
    """The signed-in user's role, or None for anonymous callers."""
    return current_user.role if current_user.is_authenticated else None
