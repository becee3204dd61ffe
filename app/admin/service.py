"""Read-only views of the audit trail and reference-data conflicts."""

from __future__ import annotations

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
