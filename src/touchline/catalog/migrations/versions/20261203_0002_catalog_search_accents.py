"""The site's search: accents no longer count in the shop's products' names and descriptions.

``Zoe`` finds "Zoë" and ``zoë`` finds "Zoe": the full-text index is made
again, every row indexed anew (``touchline.search.FullText.rebuild``).
SQLite: the FTS5 table's tokenizer takes diacritics off
(``unicode61 remove_diacritics 2``); PostgreSQL: the GIN indexes use the
``touchline_search`` text search configuration (``simple`` with
``unaccent``), which is made here unless another add-on's index made it.
On a new database the first revision already makes this form (``FullText.create``
makes the current one), and this one makes the empty index again.

The downgrade makes the index as ``catalog_search_0001`` first made it
(accents count); the ``unaccent`` extension and the configuration stay.

Revision ID: catalog_search_0002
Revises: catalog_search_0001
Create Date: 2026-12-03
"""
from alembic import op

from touchline.search import FullText

revision = "catalog_search_0002"
down_revision = "catalog_search_0001"
branch_labels = None
depends_on = None

# Written out here (not imported from touchline.catalog.search): a migration stays as it was made.
TEXT = FullText('catalog_products', ['name', 'description'])


def upgrade():
    TEXT.rebuild(op)


def downgrade():
    TEXT.rebuild(op, fold_accents=False)
