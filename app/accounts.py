"""Creating accounts, issuing tokens, signing in and out (used by the CLI, the admin and login pages)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.auth.security import end_sessions, hash_password, issue_api_token, start_session
from app.extensions import db
from app.models import ApiToken, User
from gis.fields import ROLES

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """An account request that cannot be carried out."""


def checked_regions(role: str, regions: list[str] | tuple[str, ...] | None) -> list[str] | None:
    """Region codes of a team scope, checked against the region table (None: national)."""
    from app.models import Region

    codes = sorted({c.strip().lower() for c in regions or () if c and c.strip()})
    if not codes:
        return None
    if role == "admin":
        raise AccountError("admin accounts are national: an admin cannot be limited to regions")
    known = {r.code: r for r in db.session.scalars(select(Region).where(Region.code.in_(codes)))}
    unknown = [c for c in codes if c not in known]
    if unknown:
        all_codes = db.session.scalars(select(Region.code).where(Region.kind == "region").order_by(Region.code))
        raise AccountError(f"unknown region {', '.join(unknown)}; use one of {', '.join(all_codes)}")
    zones = [c for c in codes if known[c].kind != "region"]
    if zones:
        raise AccountError(f"{', '.join(zones)} is a zone; a team scope is a region "
                           f"({', '.join(sorted({known[z].parent_code or '?' for z in zones}))})")
    return codes


def set_scope(email: str, regions: list[str] | tuple[str, ...] | None) -> User:
    """Limit an account to regions, or make it national (`regions` empty or None); nothing
    changes when a code is wrong. Takes effect on the account's next request."""
    user = _user(email)
    user.regions = checked_regions(user.role, regions)
    db.session.commit()
    return user


def create_user(email: str, password: str, role: str, name: str | None = None,
                regions: list[str] | tuple[str, ...] | None = None) -> User:
    """Create an active account with a hashed password (optionally limited to regions)."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError(f"not an e-mail address: {email}")
    if role not in ROLES:
        raise AccountError(f"unknown role {role}; use one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise AccountError("the password must have at least 8 characters")
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(f"{email} already has an account")
    scope = checked_regions(role, regions)
    user = User(email=email, password_hash=hash_password(password), role=role, name=name, regions=scope)
    db.session.add(user)
    db.session.commit()
    return user


def token_for(email: str, label: str | None = None) -> str:
    """Issue a new API token for an existing account and return it."""
    token = issue_api_token(_user(email), label)
    db.session.commit()
    return token


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise AccountError(f"no account for {email}")
    return user


def tokens_of(email: str) -> list[ApiToken]:
    """The account's API tokens, newest first (revoked ones too): id, label, created, last used."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == _user(email).id)
                                   .order_by(ApiToken.id.desc())))


def revoke_token(token_id: int) -> ApiToken:
    """Revoke one API token for good (a lost laptop, a QGIS project shared by mistake)."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise AccountError(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        db.session.commit()
    return token


def set_active(email: str, active: bool) -> User:
    """Switch an account on or off: an inactive account can neither sign in nor use its tokens, and
    its sessions end (switching it back on does not revive them)."""
    user = _user(email)
    user.active = active
    if not active:
        end_sessions(user)
    db.session.commit()
    return user


def set_password(email: str, password: str) -> User:
    """A new password for EMAIL; every session of the account ends (a stolen cookie too)."""
    if len(password) < 8:
        raise AccountError("the password must have at least 8 characters")
    user = _user(email)
    user.password_hash = hash_password(password)
    end_sessions(user)
    db.session.commit()
    return user


def end_all_sessions(user: User) -> None:
    """Sign the account out everywhere (logout does this for the caller's own account)."""
    end_sessions(user)
    db.session.commit()


def sign_in(user: User) -> None:
    """Start a session for `user` on this browser (the login page) and note when it signed in."""
    start_session(user)
    user.last_login_at = datetime.now(UTC)
    db.session.commit()
