"""history: indexes for the map as it stood on a day; share links may be frozen at a day

Revision ID: 0011_history_as_of
Revises: 0006_case_list_indexes
Create Date: 2026-12-01 10:00:00

`app/timeline/asof.py` rebuilds every case at the end of a day from its current row and the
history recorded after that day. These partial indexes give, for land cases only:
* ix_history_case_at: the rows recorded after a moment (field edits, deletions, status rows);
* ix_history_case_by_case: the same rows case by case (the cases of a map's box);
* ix_history_case_moves: the point moves recorded after a moment (cases that may have been in
  a box then);
* ix_history_case_status_on: the status rows dated after a day, and the moves of a period
  (`GET /api/v1/changes`), with the values they carry;
* ix_history_case_status_by_case: one case's status rows in date order (its status on a day).
`share_links.as_of`: a link frozen at that day (null: the live map).
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_history_as_of"
down_revision = "0006_case_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""CREATE INDEX IF NOT EXISTS ix_history_case_at ON history (at, entity_id)
                  INCLUDE (effective_on, action, field, old_value)
                  WHERE entity = 'land_case' AND action IN ('update', 'delete', 'restore', 'status')""")
    op.execute("""CREATE INDEX IF NOT EXISTS ix_history_case_by_case ON history (entity_id, at)
                  INCLUDE (effective_on, action, field, old_value)
                  WHERE entity = 'land_case' AND action IN ('update', 'delete', 'restore', 'status')""")
    op.execute("""CREATE INDEX IF NOT EXISTS ix_history_case_moves ON history (at, entity_id)
                  WHERE entity = 'land_case' AND action = 'update' AND field IN ('lon', 'lat')""")
    op.execute("""CREATE INDEX IF NOT EXISTS ix_history_case_status_on ON history (effective_on, entity_id, id)
                  INCLUDE (old_value, new_value) WHERE entity = 'land_case' AND action = 'status'""")
    op.execute("""CREATE INDEX IF NOT EXISTS ix_history_case_status_by_case
                  ON history (entity_id, effective_on, id) INCLUDE (old_value, new_value)
                  WHERE entity = 'land_case' AND action = 'status'""")
    op.add_column("share_links", sa.Column("as_of", sa.Date(), nullable=True))


def downgrade():
    op.drop_column("share_links", "as_of")
    op.execute("DROP INDEX IF EXISTS ix_history_case_status_by_case")
    op.execute("DROP INDEX IF EXISTS ix_history_case_status_on")
    op.execute("DROP INDEX IF EXISTS ix_history_case_moves")
    op.execute("DROP INDEX IF EXISTS ix_history_case_by_case")
    op.execute("DROP INDEX IF EXISTS ix_history_case_at")
