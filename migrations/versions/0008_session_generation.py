"""users: session generation, so that logout, deactivation and a new password end every session

Revision ID: 0008_session_generation
Revises: 0006_case_list_indexes
Create Date: 2026-12-01 09:30:00

Session cookies are signed, not stored: a copy of one kept working after its user signed out.
Each cookie now carries the account's generation at sign-in; the user loader refuses a cookie
whose generation is not the account's current one.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_session_generation"
down_revision = "0006_case_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    op.drop_column("users", "session_generation")
