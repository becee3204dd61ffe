"""history.user_id checked once a statement (one lookup of its distinct users), not once a row

Revision ID: 0021_history_user_check
Revises: 0020_history_indexes
Create Date: 2026-12-02 01:00:00

The foreign key history.user_id -> users.id was checked row by row: an import of 100,000 new
cases writes 1.3 million history rows, all of one user, and the check took about 9 us a row
(11 s of the import; bench/JOBS.md). The same rule is kept by statement triggers instead:

* rows added to history: their distinct users are locked FOR KEY SHARE (as the key's check locks
  them, so that no one deletes them before this commits), and any user that is not there is
  refused with the foreign key's own error (SQLSTATE 23503);
* a user deleted, or its id changed, while history names it: refused the same way (users are
  deactivated, never deleted, by the app; this reads history whole, which a key's check on a
  deleted user does too without an index on user_id).
"""
from alembic import op

revision = "0021_history_user_check"
down_revision = "0020_history_indexes"
branch_labels = None
depends_on = None

FUNCTIONS = """
CREATE OR REPLACE FUNCTION history_users_known() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named integer[];
    found integer;
BEGIN
    SELECT array_agg(DISTINCT a.user_id) INTO named FROM added a WHERE a.user_id IS NOT NULL;
    IF named IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT count(*) INTO found FROM (SELECT 1 FROM users u WHERE u.id = ANY(named) FOR KEY SHARE OF u) k;
    IF found < cardinality(named) THEN
        RAISE EXCEPTION 'insert or update on table "history" violates foreign key constraint "history_user_id_fkey"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = 'Key (user_id) is not present in table "users".';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION users_named_by_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM history h WHERE h.user_id = OLD.id) THEN
        RAISE EXCEPTION 'update or delete on table "users" violates foreign key constraint "history_user_id_fkey" on table "history"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "history".', OLD.id);
    END IF;
    RETURN OLD;
END $$;
"""


def upgrade():
    op.execute(FUNCTIONS)
    op.execute("ALTER TABLE history DROP CONSTRAINT IF EXISTS history_user_id_fkey")
    op.execute("CREATE TRIGGER history_users_known AFTER INSERT ON history REFERENCING NEW TABLE AS added "
               "FOR EACH STATEMENT EXECUTE FUNCTION history_users_known()")
    op.execute("CREATE TRIGGER users_named_by_history BEFORE DELETE ON users FOR EACH ROW "
               "EXECUTE FUNCTION users_named_by_history()")
    op.execute("CREATE TRIGGER users_id_named_by_history BEFORE UPDATE OF id ON users FOR EACH ROW "
               "WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION users_named_by_history()")


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS users_id_named_by_history ON users")
    op.execute("DROP TRIGGER IF EXISTS users_named_by_history ON users")
    op.execute("DROP TRIGGER IF EXISTS history_users_known ON history")
    op.execute("DROP FUNCTION IF EXISTS users_named_by_history()")
    op.execute("DROP FUNCTION IF EXISTS history_users_known()")
    op.execute("ALTER TABLE history ADD CONSTRAINT history_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id)")
