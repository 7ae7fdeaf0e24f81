"""The site's search: a full-text index of the teams by name.

SQLite: an FTS5 table kept current by triggers, in the same transaction as
the change; PostgreSQL: a GIN index on the weighted tsvector (see
``touchline.search.FullText``).  Its own branch, so that it stays apart from
the teams add-on's other migrations.

Revision ID: teams_search_0001
Depends on: teams_0003
Create Date: 2026-12-03
"""
from alembic import op

from touchline.search import FullText

revision = "teams_search_0001"
down_revision = None
branch_labels = ("teams_search",)
depends_on = "teams_0003"

# Written out here (not imported from touchline.teams.search): a migration stays as it was made.
TEXT = FullText('teams', ['name'])


def upgrade():
    TEXT.create(op)


def downgrade():
    TEXT.drop(op)
