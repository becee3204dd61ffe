"""the case list's default order, recently changed first: an index on the live cases' updated_at

Revision ID: 0015_people
Revises: 0014_round_two_merge
Create Date: 2026-12-01 12:45:00
"""

from alembic import op

revision = "0015_people"
down_revision = "0014_round_two_merge"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE INDEX IF NOT EXISTS ix_land_cases_live_updated ON land_cases "
               "(updated_at DESC NULLS LAST, id) WHERE deleted_at IS NULL")


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_land_cases_live_updated")
