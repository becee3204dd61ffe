"""share links shown again (address seed); pilot areas removed softly

Revision ID: 0012_share_link_usage
Revises: 0006_case_list_indexes
Create Date: 2026-12-01 09:30:00

- `share_links.token_seed`: a random seed; the link's token is HMAC(SECRET_KEY, seed), so the
  links page can show a link's address (copy, QR code) again while the database alone still
  holds no token (only its SHA-256 and a seed that is useless without the key). Links made
  before have no seed: their address was shown once, as before. The usage counters
  (`view_count`, `last_viewed_at`) exist since the first schema; added here if missing.
- `pilot_areas.deleted_at`, `deleted_by_id`: removing a pilot area is a soft delete (history kept;
  adding the same subdistrict again brings it back).
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_share_link_usage"
down_revision = "0006_case_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("share_links", sa.Column("token_seed", sa.String(64), nullable=True))
    op.execute("ALTER TABLE share_links ADD COLUMN IF NOT EXISTS view_count integer NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE share_links ADD COLUMN IF NOT EXISTS last_viewed_at timestamp with time zone")
    op.add_column("pilot_areas", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("pilot_areas", sa.Column("deleted_by_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True))


def downgrade():
    op.drop_column("pilot_areas", "deleted_by_id")
    op.drop_column("pilot_areas", "deleted_at")
    op.drop_column("share_links", "token_seed")
