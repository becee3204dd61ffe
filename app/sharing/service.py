"""Share links: create (token shown once, only its SHA-256 kept), list, revoke, resolve.

A link's scope is a region (or the whole country), a set of statuses and a set of
overlays. The shared map shows public fields only (see `app.maps.queries`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.auth.scope import check_scope
from app.auth.security import hash_token
from app.errors import Conflict, Gone, NotFound, ValidationError
from app.extensions import db
from app.filters import region_provinces
from app.maps.state import Scope
from app.models import Region, ShareLink, User
from app.timeline.dates import parse_day
from gis.fields import CASE_STATUSES
from gis.maps import OVERLAYS, reference_id, reference_key

MAX_DAYS = 90
DEFAULT_DAYS = 30
FIELDS = {"region", "statuses", "layers", "expires_in_days", "label", "if_new", "as_of"}
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


def new_token() -> str:
    """256 bits from the operating system's generator, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def _token_of(seed: str) -> str:
    """A link's token: HMAC-SHA256(SECRET_KEY, seed), URL-safe (43 characters, like `new_token`)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, b"share-link:" + seed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def address_token(link: ShareLink) -> str | None:
    """The token of `link` again (for its creator's links page), or None when it cannot be
    rebuilt (a link made before seeds, or the key has changed since)."""
    if not link.token_seed:
        return None
    token = _token_of(link.token_seed)
    return token if hmac.compare_digest(hash_token(token), link.token_hash) else None


def _problem(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def _string_list(body: dict, name: str, allowed: dict | list, default: list[str],
                 errors: list[dict]) -> list[str]:
    value = body.get(name)
    if value is None:
        return list(default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(_problem(name, "must be a list of names"))
        return []
    unknown = [v for v in value if v not in allowed]
    if unknown:
        errors.append(_problem(name, f"unknown: {', '.join(v[:40] for v in unknown[:5])}; "
                                     f"allowed: {', '.join(allowed)}"))
    elif not value:
        errors.append(_problem(name, "must name at least one"))
    return [v for v in allowed if v in value]


def _layers(body: dict, errors: list[dict]) -> list[str]:
    """`layers`: overlay names and reference land layers, each given by its id (`12`) or as
    `"reference:12"`; stored as the overlay names then `reference:<id>`, in a fixed order."""
    value = body.get("layers")
    if value is None:
        return list(OVERLAYS)
    if not isinstance(value, list) or not all(isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))
                                              for v in value):
        errors.append(_problem("layers", "must be a list of layer names (or ids of reference land layers)"))
        return []
    others = [v for v in value if not (isinstance(v, str) and v in OVERLAYS)]
    ids = [(v if 0 < v < 2**31 else None) if isinstance(v, int) else reference_id(v) for v in others]
    from app.land.queries import existing_layers

    known = existing_layers([i for i in ids if i is not None])
    unknown = [str(v)[:40] for v, i in zip(others, ids, strict=True) if i is None or i not in known]
    if unknown:
        errors.append(_problem("layers", f"unknown: {', '.join(unknown[:5])}; allowed: {', '.join(OVERLAYS)}, "
                                         "or a reference land layer as its id or reference:<id>"))
    elif not value:
        errors.append(_problem("layers", "must name at least one"))
    return [v for v in OVERLAYS if v in value] + [reference_key(i) for i in sorted({i for i in ids if i})]


def validate(body: Any) -> dict[str, Any]:
    """Check a create request; every problem is reported at once as a 422."""
    if not isinstance(body, dict):
        raise ValidationError(_("ต้องส่ง JSON object"), [_problem("body", "must be a JSON object")])
    errors: list[dict] = []
    extra = sorted(set(body) - FIELDS)
    if extra:
        errors.append(_problem(extra[0], f"unknown field; allowed: {', '.join(sorted(FIELDS))}"))
    days = body.get("expires_in_days", DEFAULT_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors.append(_problem("expires_in_days", f"must be a whole number of days from 1 to {MAX_DAYS}"))
    label = body.get("label")
    if not isinstance(label, str) or not label.strip() or len(label.strip()) > 200 or "\x00" in label:
        errors.append(_problem("label", "required text, at most 200 characters (no NUL)"))
    region = body.get("region")
    # (PostgreSQL text cannot hold NUL: such a code is unknown without asking the database)
    if region is not None and (not isinstance(region, str) or "\x00" in region
                               or db.session.get(Region, region[:32]) is None
                               or not region_provinces(region)):
        errors.append(_problem("region", "unknown region or zone code (or null for the whole country)"))
    statuses = _string_list(body, "statuses", CASE_STATUSES, list(CASE_STATUSES), errors)
    layers = _layers(body, errors)
    if errors:
        raise ValidationError(_("ข้อมูลลิงก์แชร์ไม่ถูกต้อง"), errors)
    # a frozen link: the same date rules (and 400s, in Thai) as `as_of=` everywhere
    as_of = parse_day("as_of", body.get("as_of")) if body.get("as_of") is not None else None
    return {"region": region, "statuses": statuses, "layers": layers, "days": days, "label": label.strip(),
            "as_of": as_of}


def create(user: User, body: Any) -> tuple[ShareLink, str]:
    """Store a new link for `user`; return it and its token (the only time the token exists)."""
    checked = validate(body)
    # a limited policy account shares only its own regions (a zone counts as its region)
    region = checked["region"]
    check_scope(user, (db.session.get(Region, region).parent_code or region) if region else None)
    if isinstance(body, dict) and body.get("if_new") is True:
        refuse_duplicate(user, checked)
    seed = new_token()
    token = _token_of(seed)
    link = ShareLink(token_hash=hash_token(token), token_seed=seed, label=checked["label"],
                     region_code=checked["region"], statuses=checked["statuses"], layers=checked["layers"],
                     created_by_id=user.id, as_of=checked["as_of"],
                     expires_at=datetime.now(UTC) + timedelta(days=checked["days"]), view_count=0)
    db.session.add(link)
    db.session.commit()
    return link, token


def same_scope(user: User, checked: dict[str, Any]) -> list[ShareLink]:
    """`user`'s live links that show exactly this scope (region, statuses, layers, frozen day)."""
    now = datetime.now(UTC)
    rows = db.session.scalars(select(ShareLink).where(
        ShareLink.created_by_id == user.id, ShareLink.revoked_at.is_(None), ShareLink.expires_at > now,
        (ShareLink.region_code == checked["region"]) if checked["region"] else ShareLink.region_code.is_(None),
    ).order_by(ShareLink.created_at.desc())).all()
    return [link for link in rows
            if set(link.statuses) == set(checked["statuses"]) and set(link.layers) == set(checked["layers"])
            and link.as_of == checked.get("as_of")]


def refuse_duplicate(user: User, checked: dict[str, Any]) -> None:
    """With `"if_new": true`: a live link of the same scope already exists -> 409 naming it."""
    existing = same_scope(user, checked)
    if existing:
        raise Conflict(_("มีลิงก์แชร์ที่ยังใช้ได้สำหรับขอบเขตเดียวกันนี้อยู่แล้ว"),
                       [{"field": "scope", "message": "a live link with the same scope exists",
                         "id": link.id, "label": link.label, "expires_at": link.expires_at.isoformat()}
                        for link in existing])


def state(link: ShareLink, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= now else "active"


def describe(link: ShareLink, creator: str | None = None) -> dict[str, Any]:
    """A link as the API lists it: never the token, never its hash."""
    return {"id": link.id, "label": link.label, "region": link.region_code, "statuses": list(link.statuses),
            "layers": list(link.layers), "as_of": link.as_of.isoformat() if link.as_of else None,
            "created_at": link.created_at.isoformat(),
            "created_by": creator, "expires_at": link.expires_at.isoformat(),
            "revoked_at": link.revoked_at.isoformat() if link.revoked_at else None,
            "state": state(link), "view_count": link.view_count,
            "last_viewed_at": link.last_viewed_at.isoformat() if link.last_viewed_at else None}


def list_links() -> list[dict[str, Any]]:
    rows = db.session.execute(select(ShareLink, User.email).join(User, User.id == ShareLink.created_by_id)
                              .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())).all()
    return [describe(link, email) for link, email in rows]


def revoke(link_id: int) -> None:
    """Revoke a link (idempotent: a revoked link keeps its first revocation time)."""
    link = db.session.get(ShareLink, link_id)
    if link is None:
        raise NotFound(_("ไม่พบลิงก์แชร์ %(id)s", id=link_id))
    if link.revoked_at is None:
        link.revoked_at = datetime.now(UTC)
        db.session.commit()


def resolve(token: str) -> ShareLink:
    """The live link of `token`: 404 when unknown or malformed, 410 when expired or revoked."""
    if not TOKEN_SHAPE.match(token or ""):
        raise NotFound(_("ไม่พบลิงก์นี้"))
    link = db.session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_token(token)))
    if link is None:
        raise NotFound(_("ไม่พบลิงก์นี้"))
    current = state(link)
    if current == "revoked":
        raise Gone(_("ลิงก์นี้ถูกยกเลิกแล้ว"))
    if current == "expired":
        raise Gone(_("ลิงก์นี้หมดอายุแล้ว"))
    return link


def count_view(link: ShareLink) -> None:
    """Count one view of the shared page (atomic increment)."""
    db.session.execute(update(ShareLink).where(ShareLink.id == link.id)
                       .values(view_count=ShareLink.view_count + 1, last_viewed_at=datetime.now(UTC)))
    db.session.commit()


def scope_of(link: ShareLink) -> Scope:
    """The map scope a link grants; query parameters can only narrow it."""
    provinces = region_provinces(link.region_code) if link.region_code else None
    return Scope(statuses=[s for s in CASE_STATUSES if s in link.statuses],
                 layers=[x for x in OVERLAYS if x in link.layers],
                 provinces=provinces, region_code=link.region_code, public=True, as_of=link.as_of,
                 reference_layers=[i for i in (reference_id(x) for x in link.layers) if i is not None])
