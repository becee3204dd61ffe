"""Read-only views of the audit trail and reference-data conflicts."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, select

from app.extensions import db
from app.models import HistoryEntry, User


def recent_changes_query(limit: int = 200, entity: str | None = None) -> Select:
    """The newest history entries first, with the author's e-mail."""
    query = (select(HistoryEntry, User.email).outerjoin(User, User.id == HistoryEntry.user_id)
             .order_by(HistoryEntry.id.desc()).limit(limit))
    if entity:
        query = query.where(HistoryEntry.entity == entity)
    return query


def recent_changes(limit: int = 200, entity: str | None = None) -> list[dict]:
    """Recent changes as plain dicts for the page and the API."""
    rows = db.session.execute(recent_changes_query(limit, entity)).all()
    return [{
        "id": h.id, "entity": h.entity, "entity_id": h.entity_id, "action": h.action,
        "field": h.field, "old_value": h.old_value, "new_value": h.new_value, "note": h.note,
        "user": email, "at": h.at.isoformat(),
    } for h, email in rows]


def accounts() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def region_choices() -> list[tuple[str, str]]:
    """The CODI regions (not zones) a team scope may name: code and Thai name, in map order."""
    from app import places

    return [(r.code, r.name_th) for r in places.regions() if r.kind == "region"]


def change_scope(user_id: int, regions: list[str]) -> User:
    """Set an account's team scope from the admin page (400 in Thai for a wrong code; nothing changes)."""
    from app.accounts import AccountError, set_scope
    from app.errors import BadRequest, NotFound

    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise NotFound(_("ไม่พบบัญชีผู้ใช้นี้"))
    try:
        return set_scope(user.email, regions)
    except AccountError as exc:
        db.session.rollback()
        raise BadRequest(_("เปลี่ยนขอบเขตไม่ได้: %(reason)s", reason=str(exc)),
                         [{"field": "region", "message": str(exc)}]) from None
