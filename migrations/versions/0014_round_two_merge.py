"""join the heads of this round (agreements, sessions, land, jobs, as-of history, share-link
usage and pilot removal, regional scopes) into one

Revision ID: 0014_round_two_merge
Revises: 0007_agreement_fields, 0008_session_generation, 0009_land, 0010_jobs,
         0011_history_as_of, 0012_share_link_usage, 0013_user_regions
Create Date: 2026-12-01 11:00:00
"""

revision = "0014_round_two_merge"
down_revision = ("0007_agreement_fields", "0008_session_generation", "0009_land", "0010_jobs",
                 "0011_history_as_of", "0012_share_link_usage", "0013_user_regions")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
