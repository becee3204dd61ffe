"""rate-limit counters shared by all workers

Revision ID: 0005
Revises: 0001
"""
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    # UNLOGGED: counters need no crash safety and should cost no WAL
    op.execute("""
        CREATE UNLOGGED TABLE rate_limits (
            key text PRIMARY KEY,
            count integer NOT NULL,
            expires_at double precision NOT NULL
        )
    """)


def downgrade():
    op.execute("DROP TABLE rate_limits")
