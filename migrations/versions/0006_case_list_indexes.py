"""land cases: indexes for region and province lists ordered by id

Revision ID: 0006_case_list_indexes
Revises: 0002, 0005 (joins the two branches into one head)
Create Date: 2026-11-25 21:40:00

`?region=south` and `?province=10` pages (API, OGC, exports, tiles) ask for the live cases of
one region or province ordered by id: with these an index scan returns the first page and
the count reads the index only, instead of walking the primary key past every other region
(60 ms per request at 100,000 cases; see bench/RESULTS.md).
"""
from alembic import op

revision = "0006_case_list_indexes"
down_revision = ("0002", "0005")
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""CREATE INDEX IF NOT EXISTS ix_land_cases_live_region_id
                  ON land_cases (region_code, id) WHERE deleted_at IS NULL""")
    op.execute("""CREATE INDEX IF NOT EXISTS ix_land_cases_live_province_id
                  ON land_cases (province_code, id) WHERE deleted_at IS NULL""")


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_land_cases_live_province_id")
    op.execute("DROP INDEX IF EXISTS ix_land_cases_live_region_id")
