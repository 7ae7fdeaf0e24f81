"""The site's search: a full-text index of the players by first and last name.

SQLite: an FTS5 table kept current by triggers, in the same transaction as
the change; PostgreSQL: a GIN index on the weighted tsvector (see
``touchline.search.FullText``).  Its own branch, so that it stays apart from
the rosters add-on's other migrations.

Revision ID: rosters_search_0001
Depends on: rosters_0001
Create Date: 2026-12-03
"""
from alembic import op

from touchline.search import FullText

revision = "rosters_search_0001"
down_revision = None
branch_labels = ("rosters_search",)
depends_on = "rosters_0001"

# Written out here (not imported from touchline.rosters.search): a migration stays as it was made.
TEXT = FullText('players', ['first_name', 'last_name'])


def upgrade():
    TEXT.create(op)


def downgrade():
    TEXT.drop(op)
