"""The site's search: a full-text index of the news posts by title and text.

SQLite: an FTS5 table kept current by triggers, in the same transaction as
the change; PostgreSQL: a GIN index on the weighted tsvector (see
``touchline.search.FullText``).  Its own branch, so that it stays apart from
the news add-on's other migrations.

Revision ID: news_search_0001
Depends on: news_0002
Create Date: 2026-12-03
"""
from alembic import op

from touchline.search import FullText

revision = "news_search_0001"
down_revision = None
branch_labels = ("news_search",)
depends_on = "news_0002"

# Written out here (not imported from touchline.news.search): a migration stays as it was made.
TEXT = FullText('news_posts', ['title', 'body'])


def upgrade():
    TEXT.create(op)


def downgrade():
    TEXT.drop(op)
