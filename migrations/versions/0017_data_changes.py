"""data_changes: one row per transaction that wrote the land data (answers of the past kept while it holds)

Revision ID: 0017_data_changes
Revises: 0016_round_three_merge
Create Date: 2026-12-01 15:30:00

A statement-level trigger on every table the maps, lists and reports read notes the writing
transaction's id in `data_changes` (one row a transaction, however many statements or rows).
`app/answers.py` compares the rows visible to two snapshots to know, in one index range scan,
whether anything was written in between; it keeps the answers of the past (`/api/v1/changes`,
a case page as of a day) while nothing was. Rows older than a day are removed by the job
worker's sweep.

Also: ix_history_case_moves includes the field and its old value, so the cases moved out of a
map's box since a day are found from the index alone (app/timeline/asof.py).
"""
from alembic import op

revision = "0017_data_changes"
down_revision = "0016_round_three_merge"
branch_labels = None
depends_on = None

WATCHED = ("land_cases", "history", "case_land", "footprint_overlaps", "land_overlaps", "reference_layers",
           "reference_parcels", "provinces", "districts", "subdistricts", "regions", "region_provinces",
           "funds", "pilot_areas")
MOVES = "entity = 'land_case' AND action = 'update' AND field IN ('lon', 'lat')"


def upgrade():
    op.execute("""CREATE TABLE data_changes (
                      xid xid8 PRIMARY KEY,
                      at timestamptz NOT NULL DEFAULT now())""")
    op.execute("""CREATE FUNCTION note_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN
                      INSERT INTO data_changes (xid) VALUES (pg_current_xact_id()) ON CONFLICT (xid) DO NOTHING;
                      RETURN NULL;
                  END $$""")
    for table in WATCHED:
        op.execute(f"""CREATE TRIGGER {table}_noted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION note_data_change()""")
    op.execute("DROP INDEX IF EXISTS ix_history_case_moves")
    op.execute(f"""CREATE INDEX ix_history_case_moves ON history (at, entity_id)
                   INCLUDE (field, old_value) WHERE {MOVES}""")


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_history_case_moves")
    op.execute(f"CREATE INDEX ix_history_case_moves ON history (at, entity_id) WHERE {MOVES}")
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_noted ON {table}")
    op.execute("DROP FUNCTION IF EXISTS note_data_change()")
    op.execute("DROP TABLE IF EXISTS data_changes")
