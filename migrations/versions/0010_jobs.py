"""jobs: long work run by the worker, and procrastinate's own queue schema

Revision ID: 0010_jobs
Revises: 0006_case_list_indexes
Create Date: 2026-12-01 09:20:00

`jobs` is ours (state, progress, result, errors, owner, files); the queue tables and
functions are procrastinate's, created from the SQL the pinned version ships
(`procrastinate.schema.SchemaManager.get_schema()`). A later procrastinate version brings
SQL files in `procrastinate/sql/migrations/`: apply them in a new migration.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_jobs"
down_revision = "0006_case_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    from procrastinate.schema import SchemaManager

    # on the driver's own connection, without parameters: the SQL holds literal % signs
    op.get_bind().connection.driver_connection.execute(SchemaManager.get_schema())
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("state", sa.String(12), nullable=False, server_default="queued"),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("params", postgresql.JSONB, nullable=False, server_default="{}"),
        sa.Column("phase", sa.String(20)),
        sa.Column("progress_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("progress_total", sa.Integer),
        sa.Column("status_code", sa.Integer),
        sa.Column("result", postgresql.JSONB),
        sa.Column("errors", postgresql.JSONB),
        sa.Column("folder", sa.String(200)),
        sa.Column("download_name", sa.String(255)),
        sa.Column("dedupe_key", sa.String(64), unique=True),
        sa.Column("queue_job_id", sa.BigInteger),
        sa.Column("worker", sa.String(120)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="jobs_state_check"),
    )
    op.create_index("ix_jobs_owner_created", "jobs", ["owner_id", "created_at"])
    op.create_index("ix_jobs_unfinished", "jobs", ["state"], postgresql_where=sa.text("state IN ('queued', 'running')"))


def downgrade():
    op.drop_table("jobs")
    op.execute("""
        DO $$
        DECLARE r record;
        BEGIN
          FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname LIKE 'procrastinate\\_%' LOOP
            EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.relname);
          END LOOP;
          FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
            EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.sig);
          END LOOP;
          FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%' AND t.typtype IN ('e', 'c')
                   AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid AND c.relkind <> 'c') LOOP
            EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
          END LOOP;
        END $$""")
