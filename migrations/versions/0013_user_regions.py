"""users: regional team scope (the CODI regions an account may write in; NULL = national)

Revision ID: 0013_user_regions
Revises: 0006_case_list_indexes
Create Date: 2026-12-01 09:50:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013_user_regions"
down_revision = "0006_case_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("regions", postgresql.ARRAY(sa.String(32)), nullable=True))


def downgrade():
    op.drop_column("users", "regions")
