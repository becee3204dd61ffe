"""History is append-only: the database refuses updates and deletes, whoever asks."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.extensions import db


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
