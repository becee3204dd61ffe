"""History is append-only: the database refuses updates and deletes, whoever asks."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.extensions import db
from tests.factories import make_user


@pytest.mark.parametrize("statement", [
    "UPDATE history SET note = 'rewritten'",
    "DELETE FROM history",
    "TRUNCATE history",
])
def test_history_cannot_be_rewritten(session, statement):
    db.session.execute(text(
        "INSERT INTO history (entity, entity_id, action, field, old_value, new_value) "
        "VALUES ('land_case', 1, 'update', 'households', '10', '12')"))
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(statement))
    assert db.session.execute(text("SELECT count(*) FROM history WHERE note = 'rewritten'")).scalar() == 0


# history.user_id: a foreign key's rule, checked by statement triggers (migration 0021)
def _add_history(user_ids: list[int | None]) -> None:
    db.session.execute(text(
        "INSERT INTO history (entity, entity_id, action, field, new_value, user_id) "
        "SELECT 'land_case', 1, 'create', 'code', 'x', u FROM unnest(CAST(:ids AS integer[])) u"), {"ids": user_ids})


def test_history_names_only_users_that_exist(session):
    user = make_user("land_team")
    _add_history([user.id, user.id, None])  # many rows of one user (an import), and none
    for ids in ([user.id + 10_000], [user.id, user.id + 10_000]):
        with pytest.raises(IntegrityError, match="history_user_id_fkey") as refused:
            with db.session.begin_nested():
                _add_history(ids)
        assert refused.value.orig.sqlstate == "23503"  # the foreign key's own error


def test_a_user_named_by_history_cannot_be_deleted_nor_renumbered(session):
    named, other = make_user("land_team"), make_user("land_team")
    _add_history([named.id])
    for statement in ("DELETE FROM users WHERE id = :id", "UPDATE users SET id = id + 100000 WHERE id = :id"):
        with pytest.raises(IntegrityError, match="history_user_id_fkey"):
            with db.session.begin_nested():
                db.session.execute(text(statement), {"id": named.id})
    with db.session.begin_nested():
        db.session.execute(text("DELETE FROM api_tokens WHERE user_id = :id"), {"id": other.id})
        db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": other.id})
    assert db.session.execute(text("SELECT count(*) FROM users WHERE id = :id"), {"id": other.id}).scalar() == 0

