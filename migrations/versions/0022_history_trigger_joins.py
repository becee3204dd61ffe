"""history's statement triggers look each added row's case up by its key, whatever the statistics say

Revision ID: 0022_history_trigger_joins
Revises: 0021_history_user_check
Create Date: 2026-12-02 01:10:00

`status_moves_add` and `case_edits_add` (migrations 0018, 0019) joined the rows a statement
added to history with `land_cases` as the planner chose. After a large import was rolled back,
autovacuum's ANALYZE saw `land_cases` empty but thousands of pages long (reltuples 0): the next
import's 1.3 million history rows were then joined by a nested loop that read every one of them
(spilled to a temporary file) for each of the 100,000 cases it had just written, for hours.
The case is now looked up per added row that needs one, by its primary key (a LATERAL subquery
behind `OFFSET 0`, which the planner cannot flatten into a join of its own choosing): an import
of new cases has no such row and does no lookup at all.
"""
from alembic import op

revision = "0022_history_trigger_joins"
down_revision = "0021_history_user_check"
branch_labels = None
depends_on = None

CASE_OF_H = ("CROSS JOIN LATERAL (SELECT c.id, c.code, c.community_name, c.region_code, c.province_code, c.geom, "
             "c.deleted_at FROM land_cases c WHERE c.id = h.entity_id OFFSET 0) c")
JOINED = "JOIN land_cases c ON c.id = h.entity_id"
EDITS = """INSERT INTO case_edits (history_id, case_id, at, key, value, geom)
    SELECT h.id, c.id, h.at,
           CASE h.action WHEN 'update' THEN h.field WHEN 'status' THEN '~status' ELSE '~deletion' END,
           CASE h.action WHEN 'update' THEN h.old_value WHEN 'status' THEN 'status' ELSE h.action END,
           c.geom
    FROM added h {case}
    WHERE h.entity = 'land_case'
      AND (h.action IN ('update', 'delete', 'restore')
           OR (h.action = 'status' AND h.effective_on < CAST(timezone('Asia/Bangkok', h.at) AS date)))"""
MOVES = """INSERT INTO status_moves (history_id, case_id, effective_on, region_code, province_code, case_deleted_at,
                          body, move, place)
    SELECT h.id, c.id, h.effective_on, c.region_code, c.province_code, c.deleted_at,
           t.head || m.move || t.tail, m.move, t.place
    FROM added h {case},
         status_move_texts(c.id, c.code, c.community_name, c.region_code, c.province_code, c.geom) t,
         LATERAL (SELECT status_move_text(h.old_value, h.new_value, h.effective_on) AS move) m
    WHERE h.entity = 'land_case' AND h.action = 'status'"""
FUNCTION = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $sql$ {fill} $sql$;
    RETURN NULL;
END $$"""


def _define(case: str) -> None:
    op.execute(FUNCTION.format(name="case_edits_add", fill=EDITS.format(case=case)))
    op.execute(FUNCTION.format(name="status_moves_add", fill=MOVES.format(case=case)))


def upgrade():
    _define(CASE_OF_H)


def downgrade():
    _define(JOINED)
