"""case_edits: the history rows that rewind a land case, each with the case's point now

Revision ID: 0019_case_edits
Revises: 0018_status_moves
Create Date: 2026-12-01 21:30:00

The map of a past day reads, per case, what the history recorded after the day (app/timeline/
asof.py): field edits, deletions and restores, and status changes back-dated after the day. A
page of a box (`bbox=`) needs those of the cases in the box only, and the history has no point:
the cases in the box had to be gathered into a hashed set first, and every edit since the day
probed against it (five years back: 26,000 edits, a set of 8,000 cases, 25 ms of a 118 ms page).
Here each such row carries its case's point now, so one spatial index scan gives the box's edits.

The database keeps the table true by itself (triggers below, as status_moves of migration 0018),
whoever writes: a history row added, a case's point changed, a case removed. A restore brings the
rows in the dump (the triggers are created after the data).

`key` and `value` are what the page's rebuild reads: a field edit is (field, old value), a delete
or restore is ('~deletion', the action), a back-dated status change is ('~status', 'status').
"""
from alembic import op

revision = "0019_case_edits"
down_revision = "0018_status_moves"
branch_labels = None
depends_on = None

COLUMNS = "history_id, case_id, at, key, value, geom"
# (the predicate of history's partial indexes ix_history_case_edits_at and ix_history_case_backdated)
FILL = f"""INSERT INTO case_edits ({COLUMNS})
    SELECT h.id, c.id, h.at,
           CASE h.action WHEN 'update' THEN h.field WHEN 'status' THEN '~status' ELSE '~deletion' END,
           CASE h.action WHEN 'update' THEN h.old_value WHEN 'status' THEN 'status' ELSE h.action END,
           c.geom
    FROM {{source}} h JOIN land_cases c ON c.id = h.entity_id
    WHERE h.entity = 'land_case'
      AND (h.action IN ('update', 'delete', 'restore')
           OR (h.action = 'status' AND h.effective_on < CAST(timezone('Asia/Bangkok', h.at) AS date)))"""
# statement-level on the rows the statement wrote, each planned for its own rows (see 0018)
ADDED = f"""
CREATE FUNCTION case_edits_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $sql$ {FILL.format(source="added")} $sql$;
    RETURN NULL;
END $$"""
# (the cases whose point changed first: most bulk updates move none)
MOVED = """
CREATE FUNCTION case_edits_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $sql$ WITH c AS MATERIALIZED (SELECT c.id, c.geom FROM changed c JOIN unchanged o ON o.id = c.id
                                          WHERE o.geom IS DISTINCT FROM c.geom)
    UPDATE case_edits e SET geom = c.geom FROM c WHERE e.case_id = c.id $sql$;
    RETURN NULL;
END $$"""
GONE = """
CREATE FUNCTION case_edits_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'DELETE FROM case_edits e USING gone g WHERE e.case_id = g.id';
    RETURN NULL;
END $$"""
FUNCTIONS = ("case_edits_gone()", "case_edits_moved()", "case_edits_add()")


def upgrade():
    op.execute("""CREATE TABLE case_edits (
                      history_id bigint PRIMARY KEY,
                      case_id integer NOT NULL,
                      at timestamptz NOT NULL,
                      key text,
                      value text,
                      geom geometry(Point, 4326) NOT NULL)""")
    for ddl in (ADDED, MOVED, GONE):
        op.execute(ddl)
    op.execute(FILL.format(source="history") + " ORDER BY h.at, h.id")
    op.execute("CREATE INDEX ix_case_edits_at ON case_edits (at)")
    op.execute("CREATE INDEX ix_case_edits_geom ON case_edits USING gist (geom)")
    op.execute("CREATE INDEX ix_case_edits_case ON case_edits (case_id)")
    op.execute("""CREATE TRIGGER history_case_edits AFTER INSERT ON history REFERENCING NEW TABLE AS added
                  FOR EACH STATEMENT EXECUTE FUNCTION case_edits_add()""")
    op.execute("""CREATE TRIGGER land_cases_case_edits AFTER UPDATE ON land_cases
                  REFERENCING OLD TABLE AS unchanged NEW TABLE AS changed
                  FOR EACH STATEMENT EXECUTE FUNCTION case_edits_moved()""")
    op.execute("""CREATE TRIGGER land_cases_case_edits_gone AFTER DELETE ON land_cases REFERENCING OLD TABLE AS gone
                  FOR EACH STATEMENT EXECUTE FUNCTION case_edits_gone()""")
    op.execute("ANALYZE case_edits")


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS land_cases_case_edits_gone ON land_cases")
    op.execute("DROP TRIGGER IF EXISTS land_cases_case_edits ON land_cases")
    op.execute("DROP TRIGGER IF EXISTS history_case_edits ON history")
    op.execute("DROP TABLE IF EXISTS case_edits")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
