"""history: narrower indexes for the map as it stood on a day (issue 17's speed targets)

Revision ID: 0015_asof_speed
Revises: 0014_round_two_merge
Create Date: 2026-12-01 12:30:00

`app/timeline/asof.py` no longer reads every status change recorded after the day (the bulk
of the history): status changes dated after the day are asked for case by case
(ix_history_case_status_by_case, migration 0011), and only what else history rewinds is
gathered per case. These partial indexes give, for land cases only:
* ix_history_case_edits_at: field edits, deletions and restorations recorded after a moment;
* ix_history_case_edits_by_case: the same, case by case (the cases of a map's box);
* ix_history_case_backdated: status changes recorded after the day they are dated (a status
  dated on or before a day but recorded after it); the predicate is the expression of
  `app.timeline.asof.recorded_day`.
They replace ix_history_case_at and ix_history_case_by_case of migration 0011, which also held
every status row.
"""
from alembic import op

revision = "0015_asof_speed"
down_revision = "0014_round_two_merge"
branch_labels = None
depends_on = None

EDITS = "entity = 'land_case' AND action IN ('update', 'delete', 'restore')"
BACKDATED = ("entity = 'land_case' AND action = 'status' "
             "AND effective_on < CAST(timezone('Asia/Bangkok', at) AS date)")
OLD = "entity = 'land_case' AND action IN ('update', 'delete', 'restore', 'status')"


def upgrade():
    op.execute(f"""CREATE INDEX IF NOT EXISTS ix_history_case_edits_at ON history (at, entity_id)
                   INCLUDE (id, action, field, old_value) WHERE {EDITS}""")
    op.execute(f"""CREATE INDEX IF NOT EXISTS ix_history_case_edits_by_case ON history (entity_id, at)
                   INCLUDE (id, action, field, old_value) WHERE {EDITS}""")
    op.execute(f"CREATE INDEX IF NOT EXISTS ix_history_case_backdated ON history (at, entity_id) WHERE {BACKDATED}")
    op.execute("DROP INDEX IF EXISTS ix_history_case_at")
    op.execute("DROP INDEX IF EXISTS ix_history_case_by_case")


def downgrade():
    op.execute(f"""CREATE INDEX IF NOT EXISTS ix_history_case_at ON history (at, entity_id)
                   INCLUDE (effective_on, action, field, old_value) WHERE {OLD}""")
    op.execute(f"""CREATE INDEX IF NOT EXISTS ix_history_case_by_case ON history (entity_id, at)
                   INCLUDE (effective_on, action, field, old_value) WHERE {OLD}""")
    op.execute("DROP INDEX IF EXISTS ix_history_case_backdated")
    op.execute("DROP INDEX IF EXISTS ix_history_case_edits_by_case")
    op.execute("DROP INDEX IF EXISTS ix_history_case_edits_at")
