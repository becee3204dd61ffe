"""The share-links page (`/share-links`): policy staff see their own links, admins every link;
each with its scope, dates in B.E. (Thai time), how often and when it was last opened, its
address (copy, QR code) when it can be rebuilt, and a revoke button."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from app import places
from app.auth.security import require
from app.errors import NotFound
from app.extensions import db
from app.i18n import buddhist_date
from app.maps.service import lang
from app.models import ShareLink, User
from app.sharing import service
from gis import fields
from gis.maps import OVERLAYS, reference_id

links = Blueprint("share_links", __name__, url_prefix="/share-links")
THAI_TIME = ZoneInfo("Asia/Bangkok")


class RevokeForm(FlaskForm):
    """CSRF only."""


def _when(value: datetime | None, current: str, with_time: bool = False) -> str:
    if value is None:
        return ""
    local = value.astimezone(THAI_TIME)
    text = buddhist_date(local, current)
    return f"{text} {local:%H:%M}" if with_time else text


def _visible(user: Any) -> Any:
    stmt = (select(ShareLink, User.email).join(User, User.id == ShareLink.created_by_id)
            .order_by(ShareLink.revoked_at.is_not(None), ShareLink.created_at.desc(), ShareLink.id.desc()))
    return stmt if user.role == "admin" else stmt.where(ShareLink.created_by_id == user.id)


def rows_for(user: Any) -> list[dict[str, Any]]:
    """The links `user` may manage here, as the page shows them."""
    current = lang()
    regions = {r.code: (r.name_th if current == "th" else r.name_en or r.name_th)
               for r in places.regions()}
    now = datetime.now(UTC)
    out = []
    rows = db.session.execute(_visible(user)).all()
    from app.land.queries import layers_by_id

    named = {layer.id: layer.name for layer in layers_by_id(
        [i for link, _email in rows for i in (reference_id(x) for x in link.layers) if i is not None])}
    for link, email in rows:
        token = service.address_token(link)
        state = service.state(link, now)
        out.append({
            "id": link.id, "label": link.label, "creator": email, "state": state,
            "region": regions.get(link.region_code or "", link.region_code) if link.region_code else _("ทั้งประเทศ"),
            "statuses": [fields.label(fields.CASE_STATUSES, s, current) for s in fields.CASE_STATUSES
                         if s in link.statuses],
            "all_statuses": set(link.statuses) >= set(fields.CASE_STATUSES),
            "layers": [OVERLAYS[x][0 if current == "th" else 1] for x in OVERLAYS if x in link.layers]
            + [named[i] for i in (reference_id(x) for x in link.layers) if i in named],  # reference land layers
            "created": _when(link.created_at, current), "expires": _when(link.expires_at, current),
            "last_opened": _when(link.last_viewed_at, current, with_time=True), "views": link.view_count or 0,
            "url": url_for("sharing.shared_map", token=token, _external=True) if token and state == "active" else None,
        })
    return out


@links.get("")
@require("share.manage")
def link_list():
    return render_template("sharing/links.html", links=rows_for(current_user), form=RevokeForm(),
                           everyone=current_user.role == "admin")


@links.post("/<int:link_id>/revoke")
@require("share.manage")
def link_revoke(link_id: int):
    form = RevokeForm()
    link = db.session.get(ShareLink, link_id)
    if link is None or (current_user.role != "admin" and link.created_by_id != current_user.id):
        raise NotFound(_("ไม่พบลิงก์แชร์ %(id)s", id=link_id))
    if form.validate_on_submit():
        service.revoke(link_id)
        flash(_("ยกเลิกลิงก์ “%(label)s” แล้ว ผู้ที่เปิดลิงก์นี้จะเห็นว่าลิงก์ถูกยกเลิก", label=link.label), "success")
    return redirect(url_for("share_links.link_list"), 303)
