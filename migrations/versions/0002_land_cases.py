"""land cases: case-code sequence and name search indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:00:00

Case codes `LC-000123` come from the sequence `land_case_code_seq`; the column
default uses it too, so set-based inserts (imports, demo data) get codes.
Text search on names uses trigram indexes when pg_trgm can be installed; without
it the search still works (ILIKE), only slower.
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE SEQUENCE IF NOT EXISTS land_case_code_seq START 1")
    op.execute("""ALTER TABLE land_cases ALTER COLUMN code
                  SET DEFAULT 'LC-' || lpad(nextval('land_case_code_seq')::text, 6, '0')""")
    op.execute("""
        DO $$ BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'pg_trgm not available: name search runs without a trigram index';
        END $$
    """)
    op.execute("""
        DO $$ BEGIN
            IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                CREATE INDEX IF NOT EXISTS ix_land_cases_name_trgm
                    ON land_cases USING gin (community_name gin_trgm_ops);
                CREATE INDEX IF NOT EXISTS ix_land_cases_name_en_trgm
                    ON land_cases USING gin (community_name_en gin_trgm_ops);
                CREATE INDEX IF NOT EXISTS ix_land_cases_code_trgm
                    ON land_cases USING gin (code gin_trgm_ops);
            END IF;
        END $$
    """)
    op.execute("CREATE INDEX IF NOT EXISTS ix_land_cases_updated_at ON land_cases (updated_at)")


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_land_cases_updated_at")
    op.execute("DROP INDEX IF EXISTS ix_land_cases_code_trgm")
    op.execute("DROP INDEX IF EXISTS ix_land_cases_name_en_trgm")
    op.execute("DROP INDEX IF EXISTS ix_land_cases_name_trgm")
    op.execute("ALTER TABLE land_cases ALTER COLUMN code DROP DEFAULT")
    op.execute("DROP SEQUENCE IF EXISTS land_case_code_seq")
