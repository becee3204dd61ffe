"""join this session's heads (as-of history indexes, the case list's default-order index) into one

Revision ID: 0016_round_three_merge
Revises: 0015_asof_speed, 0015_people
Create Date: 2026-12-01 13:35:00
"""

revision = "0016_round_three_merge"
down_revision = ("0015_asof_speed", "0015_people")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
