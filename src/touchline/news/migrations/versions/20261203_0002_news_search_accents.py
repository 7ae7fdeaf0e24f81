"""The site's search: accents no longer count in the news posts' titles and text.

``Zoe`` finds "Zoë" and ``zoë`` finds "Zoe": the full-text index is made
again, every row indexed anew (``touchline.search.FullText.rebuild``).
SQLite: the FTS5 table's tokenizer takes diacritics off
(``unicode61 remove_diacritics 2``); PostgreSQL: the GIN indexes use the
``touchline_search`` text search configuration (``simple`` with
``unaccent``), which is made here unless another add-on's index made it.
On a new database the first revision already makes this form (``FullText.create``
makes the current one), and this one makes the empty index again.

The downgrade makes the index as ``news_search_0001`` first made it
(accents count); the ``unaccent`` extension and the configuration stay.

Revision ID: news_search_0002
Revises: news_search_0001
Create Date: 2026-12-03
"""
from alembic import op

from touchline.search import FullText

revision = "news_search_0002"
down_revision = "news_search_0001"
branch_labels = None
depends_on = None

# Written out here (not imported from touchline.news.search): a migration stays as it was made.
TEXT = FullText('news_posts', ['title', 'body'])


def upgrade():
    TEXT.rebuild(op)


def downgrade():
    TEXT.rebuild(op, fold_accents=False)
