"""The shared append-only history writer and reader (land cases, pilot areas, funds).

Write with `record(...)` inside the transaction that makes the change, so the
change and its history commit (or roll back) together. The database refuses
UPDATE and DELETE on the table (a trigger), so nothing here can rewrite history.

    record("land_case", case.id, "update", user, changes={"households": (120, 130)})
    record("land_case", case.id, "status", user, field="status", old="reported",
           new="surveying", note="first visit", effective_on=date(2024, 5, 1))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from app.auth.permissions import allowed
from app.extensions import db
from app.models import HistoryEntry, User

MASK = None  # what a hidden (sensitive) value reads as
# documents are noted in history as field "document": the original file name (often a person's
# name and a deed number) as the value and the description as the note
DOCUMENT_FIELD = "document"


def to_text(value: Any) -> str | None:
    """The text a value is stored as in history: ISO dates, `true`/`false`, plain numbers."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def diff(old: Mapping[str, Any], new: Mapping[str, Any], names: Iterable[str] | None = None
         ) -> dict[str, tuple[Any, Any]]:
    """`{field: (old, new)}` for the fields whose text form differs (all keys of `new` by default)."""
    keys = list(names) if names is not None else list(new)
    return {k: (old.get(k), new.get(k)) for k in keys if to_text(old.get(k)) != to_text(new.get(k))}


def _user_id(user: User | int | None) -> int | None:
    if user is None or isinstance(user, int):
        return user
    return getattr(user, "id", None)


def rows(entity: str, entity_id: int, action: str, user: User | int | None, *,
         changes: Mapping[str, tuple[Any, Any]] | None = None,
         field: str | None = None, old: Any = None, new: Any = None,
         note: str | None = None, effective_on: date | None = None) -> list[dict[str, Any]]:
    """The history rows `record` writes, as dicts (for writers that insert many records' rows at once).

    With `changes` one row per changed field (each carrying `note` and `effective_on`);
    otherwise one row for `field`/`old`/`new` (all may be None for a plain event such as
    `delete`).
    """
    base = {"entity": entity, "entity_id": entity_id, "action": action, "user_id": _user_id(user),
            "note": note, "effective_on": effective_on}
    if changes:
        return [{**base, "field": name, "old_value": to_text(before), "new_value": to_text(after)}
                for name, (before, after) in changes.items()]
    return [{**base, "field": field, "old_value": to_text(old), "new_value": to_text(new)}]


def write(history_rows: list[dict[str, Any]]) -> int:
    """Insert rows built by `rows` in one statement in the current transaction; how many."""
    if history_rows:
        db.session.execute(insert(HistoryEntry), history_rows)
    return len(history_rows)


def record(entity: str, entity_id: int, action: str, user: User | int | None, *,
           changes: Mapping[str, tuple[Any, Any]] | None = None,
           field: str | None = None, old: Any = None, new: Any = None,
           note: str | None = None, effective_on: date | None = None) -> int:
    """Append history rows (see `rows`) in the current transaction; return how many were written.

    Nothing is committed here: the caller commits the change and its history.
    """
    return write(rows(entity, entity_id, action, user, changes=changes, field=field, old=old, new=new,
                      note=note, effective_on=effective_on))


def entries(entity: str, entity_id: int, *, actions: Iterable[str] | None = None
            ) -> list[tuple[HistoryEntry, User | None]]:
    """History rows of one record, oldest first, each with its user (None for system changes)."""
    query = (select(HistoryEntry, User).outerjoin(User, User.id == HistoryEntry.user_id)
             .where(HistoryEntry.entity == entity, HistoryEntry.entity_id == entity_id)
             .order_by(HistoryEntry.id))
    if actions is not None:
        query = query.where(HistoryEntry.action.in_(list(actions)))
    return [(row[0], row[1]) for row in db.session.execute(query).all()]


def hidden_for(role: str | None, sensitive: Iterable[str] = ()) -> set[str]:
    """The history fields `role` may not read: the record's `sensitive` fields (contacts) without
    `case.contacts`, and document names and descriptions without `documents.read`."""
    hidden = set() if allowed(role, "case.contacts") else set(sensitive)
    if not allowed(role, "documents.read"):
        hidden.add(DOCUMENT_FIELD)
    return hidden


def serialise(rows: Iterable[tuple[HistoryEntry, User | None]], *,
              hidden_fields: Iterable[str] = ()) -> list[dict[str, Any]]:
    """JSON-ready history; rows of `hidden_fields` are masked (`masked: true`; values and note null)."""
    hidden = set(hidden_fields)
    out = []
    for entry, user in rows:
        masked = entry.field in hidden
        item = {
            "id": entry.id, "at": entry.at.isoformat() if entry.at else None, "action": entry.action,
            "field": entry.field,
            "old": MASK if masked else entry.old_value, "new": MASK if masked else entry.new_value,
            "note": MASK if masked else entry.note,
            "effective_on": entry.effective_on.isoformat() if entry.effective_on else None,
            "user": ({"id": user.id, "email": user.email, "name": user.display_name} if user else None),
        }
        if masked:
            item["masked"] = True
        out.append(item)
    return out


def history_for(entity: str, entity_id: int, *, role: str | None = None, sensitive: Iterable[str] = (),
                hidden_fields: Iterable[str] = ()) -> list[dict[str, Any]]:
    """`serialise(entries(...))` in one call: what a history endpoint returns, masked for `role`
    (see `hidden_for`; without a role, as for the least trusted reader) and `hidden_fields`."""
    hidden = hidden_for(role, sensitive) | set(hidden_fields)
    return serialise(entries(entity, entity_id), hidden_fields=hidden)
