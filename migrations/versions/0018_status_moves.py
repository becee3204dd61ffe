"""status_moves: each status move of a land case as the JSON text `/api/v1/changes` gives for it

Revision ID: 0018_status_moves
Revises: 0017_data_changes
Create Date: 2026-12-01 19:00:00

A fiscal year holds tens of thousands of moves, and building their JSON at every request (the
join with the cases, the sort, `json_agg` member by member) took 260-430 ms. Each move's text is
made once, when its history row is written, and made again when the case's code, name, region,
province, point or deletion changes (or a province's name): the answer is then one index range
scan and a concatenation. The database keeps the table true by itself (triggers below), whoever
writes: the web app, an import, the sample loader, the generator, a restore (pg_dump carries the
rows; the triggers are created after the data).

A move's `body` is its JSON object without the closing brace, members in the contract's order:
case_id, code, community_name (from the case), from, to, date (`move`, from the history row, kept
to remake the body), region_code (the case); `place` adds province_code, province, lon and lat
(the map's changes view). The rows of a period are read in the order of `ix_status_moves_on` and
joined with `},` (no text is made per row at read time).
"""
from alembic import op

revision = "0018_status_moves"
down_revision = "0017_data_changes"
branch_labels = None
depends_on = None

# the parts of a move that come from its case (and the case's province); a table function of
# plain columns, so that PostgreSQL inlines it into the set-based statements below
CASE_TEXTS = """
CREATE FUNCTION status_move_texts(case_id integer, code text, community_name text, region_code text,
                                  province_code text, geom geometry)
RETURNS TABLE (head text, tail text, place text) LANGUAGE sql STABLE AS $$
    SELECT '{"case_id":' || case_id
               || ',"code":' || coalesce(to_json(code)::text, 'null')
               || ',"community_name":' || coalesce(to_json(community_name)::text, 'null'),
           ',"region_code":' || coalesce(to_json(region_code)::text, 'null'),
           ',"province_code":' || coalesce(to_json(province_code)::text, 'null')
               || ',"province":' || coalesce((SELECT to_json(p.name_th)::text FROM provinces p
                                               WHERE p.code = province_code), 'null')
               || ',"lon":' || coalesce(round(ST_X(geom)::numeric, 5)::text, 'null')
               || ',"lat":' || coalesce(round(ST_Y(geom)::numeric, 5)::text, 'null')
$$"""
# the part that comes from the history row (never changed: history is append-only)
MOVE_TEXT = """
CREATE FUNCTION status_move_text(old_value text, new_value text, effective_on date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT ',"from":' || coalesce(to_json(old_value)::text, 'null')
        || ',"to":' || coalesce(to_json(new_value)::text, 'null')
        || ',"date":' || coalesce(to_json(effective_on)::text, 'null')
$$"""
COLUMNS = "history_id, case_id, effective_on, region_code, province_code, case_deleted_at, body, move, place"
TEXTS_OF_C = "status_move_texts(c.id, c.code, c.community_name, c.region_code, c.province_code, c.geom) t"
# the moves of `source` (history rows: the table, or the rows a statement added)
FILL = f"""INSERT INTO status_moves ({COLUMNS})
    SELECT h.id, c.id, h.effective_on, c.region_code, c.province_code, c.deleted_at,
           t.head || m.move || t.tail, m.move, t.place
    FROM {{source}} h JOIN land_cases c ON c.id = h.entity_id, {TEXTS_OF_C},
         LATERAL (SELECT status_move_text(h.old_value, h.new_value, h.effective_on) AS move) m
    WHERE h.entity = 'land_case' AND h.action = 'status'"""
# statement-level, on the rows the statement wrote (transition tables): one set-based statement
# however many rows (an import, the generator), nothing for the rows that are not moves; EXECUTE,
# so that each is planned for its own rows (a plan kept from a bulk write would scan every move
# for a single edit: 0.8 s)
ADDED = f"""
CREATE FUNCTION status_moves_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $sql$ {FILL.format(source="added")} $sql$;
    RETURN NULL;
END $$"""
WATCHED_CASE_COLUMNS = ("code", "community_name", "region_code", "province_code", "geom", "deleted_at")
CHANGED = " OR ".join(f"o.{c} IS DISTINCT FROM c.{c}" for c in WATCHED_CASE_COLUMNS)
# (the cases whose listed fields changed first: a bulk update that changes none of them, such as
# an import's status or households, then makes no text)
CASE_CHANGED = f"""
CREATE FUNCTION status_moves_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $sql$ WITH c AS MATERIALIZED (SELECT c.id, c.code, c.community_name, c.region_code, c.province_code, c.geom,
                                   c.deleted_at
                            FROM changed c JOIN unchanged o ON o.id = c.id WHERE {CHANGED})
    UPDATE status_moves m SET region_code = c.region_code, province_code = c.province_code,
                              case_deleted_at = c.deleted_at, body = t.head || m.move || t.tail, place = t.place
    FROM c, {TEXTS_OF_C}
    WHERE m.case_id = c.id $sql$;
    RETURN NULL;
END $$"""
CASE_GONE = """
CREATE FUNCTION status_moves_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'DELETE FROM status_moves m USING gone g WHERE m.case_id = g.id';
    RETURN NULL;
END $$"""
# a boundary load renames or replaces provinces: the places that now read differently (rare)
PROVINCES_CHANGED = f"""
CREATE FUNCTION status_moves_provinces() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE status_moves m SET place = t.place
    FROM land_cases c, {TEXTS_OF_C}
    WHERE c.id = m.case_id AND m.place IS DISTINCT FROM t.place;
    RETURN NULL;
END $$"""
FUNCTIONS = ("status_moves_provinces()", "status_moves_gone()", "status_moves_case()", "status_moves_add()",
             "status_move_text(text, text, date)",
             "status_move_texts(integer, text, text, text, text, geometry)")


def upgrade():
    op.execute("""CREATE TABLE status_moves (
                      history_id bigint PRIMARY KEY,
                      case_id integer NOT NULL,
                      effective_on date,
                      region_code varchar(32),
                      province_code varchar(2),
                      case_deleted_at timestamptz,
                      body text NOT NULL,
                      move text NOT NULL,
                      place text NOT NULL)""")
    for ddl in (CASE_TEXTS, MOVE_TEXT, ADDED, CASE_CHANGED, CASE_GONE, PROVINCES_CHANGED):
        op.execute(ddl)
    # in the index's order, so that a period's moves lie together on disk (new ones are added near today)
    op.execute(FILL.format(source="history") + " ORDER BY h.effective_on, c.id, h.id")
    op.execute("CREATE INDEX ix_status_moves_on ON status_moves (effective_on, case_id, history_id)")
    op.execute("CREATE INDEX ix_status_moves_case ON status_moves (case_id)")
    op.execute("""CREATE TRIGGER history_status_moves AFTER INSERT ON history REFERENCING NEW TABLE AS added
                  FOR EACH STATEMENT EXECUTE FUNCTION status_moves_add()""")
    op.execute("""CREATE TRIGGER land_cases_status_moves AFTER UPDATE ON land_cases
                  REFERENCING OLD TABLE AS unchanged NEW TABLE AS changed
                  FOR EACH STATEMENT EXECUTE FUNCTION status_moves_case()""")
    op.execute("""CREATE TRIGGER land_cases_status_moves_gone AFTER DELETE ON land_cases REFERENCING OLD TABLE AS gone
                  FOR EACH STATEMENT EXECUTE FUNCTION status_moves_gone()""")
    op.execute("""CREATE TRIGGER provinces_status_moves AFTER INSERT OR UPDATE OR DELETE ON provinces
                  FOR EACH STATEMENT EXECUTE FUNCTION status_moves_provinces()""")
    op.execute("ANALYZE status_moves")


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS provinces_status_moves ON provinces")
    op.execute("DROP TRIGGER IF EXISTS land_cases_status_moves_gone ON land_cases")
    op.execute("DROP TRIGGER IF EXISTS land_cases_status_moves ON land_cases")
    op.execute("DROP TRIGGER IF EXISTS history_status_moves ON history")
    op.execute("DROP TABLE IF EXISTS status_moves")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
