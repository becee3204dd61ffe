"""land cases: the form an agreement takes and when a lease ends

Revision ID: 0007_agreement_fields
Revises: 0006_case_list_indexes
Create Date: 2026-12-01 09:40:00

`agreement_type` (lease, purchase, land sharing, relocation, cooperative lease, other) and
`lease_expires_on`, both optional; the vocabulary is a CHECK constraint named like the others
(`land_cases_<column>_check`), so that a refused value is a 422 naming the field.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_agreement_fields"
down_revision = "0006_case_list_indexes"
branch_labels = None
depends_on = None

AGREEMENT_TYPES = ("lease", "purchase", "land_sharing", "relocation", "cooperative_lease", "other")


def upgrade():
    op.add_column("land_cases", sa.Column("agreement_type", sa.String(length=32), nullable=True))
    op.add_column("land_cases", sa.Column("lease_expires_on", sa.Date(), nullable=True))
    listed = ", ".join(f"'{v}'" for v in AGREEMENT_TYPES)
    op.create_check_constraint("land_cases_agreement_type_check", "land_cases", f"agreement_type IN ({listed})")


def downgrade():
    op.drop_constraint("land_cases_agreement_type_check", "land_cases", type_="check")
    op.drop_column("land_cases", "lease_expires_on")
    op.drop_column("land_cases", "agreement_type")
