"""Drop the history indexes that `case_edits` (migration 0019) superseded

Revision ID: 0020_history_indexes
Revises: 0019_case_edits
Create Date: 2026-12-01 22:30:00

The map of a past day read field edits, deletions and back-dated status changes from history
through three partial indexes of migration 0015; it reads them from `case_edits` now, and nothing
else reads by them (a record's history goes by ix_history_entity). Each history row they held was
written into them for nothing.
"""
from alembic import op

revision = "0020_history_indexes"
down_revision = "0019_case_edits"
branch_labels = None
depends_on = None

EDITS = "entity = 'land_case' AND action IN ('update', 'delete', 'restore')"
BACKDATED = ("entity = 'land_case' AND action = 'status' "
             "AND effective_on < CAST(timezone('Asia/Bangkok', at) AS date)")


def upgrade():
    op.execute("DROP INDEX IF EXISTS ix_history_case_backdated")
    op.execute("DROP INDEX IF EXISTS ix_history_case_edits_by_case")
    op.execute("DROP INDEX IF EXISTS ix_history_case_edits_at")


def downgrade():
    op.execute(f"""CREATE INDEX IF NOT EXISTS ix_history_case_edits_at ON history (at, entity_id)
                   INCLUDE (id, action, field, old_value) WHERE {EDITS}""")
    op.execute(f"""CREATE INDEX IF NOT EXISTS ix_history_case_edits_by_case ON history (entity_id, at)
                   INCLUDE (id, action, field, old_value) WHERE {EDITS}""")
    op.execute(f"CREATE INDEX IF NOT EXISTS ix_history_case_backdated ON history (at, entity_id) WHERE {BACKDATED}")
