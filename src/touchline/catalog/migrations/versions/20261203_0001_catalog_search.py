"""The site's search: a full-text index of the shop's products by name and description.

SQLite: an FTS5 table kept current by triggers, in the same transaction as
the change; PostgreSQL: a GIN index on the weighted tsvector (see
``touchline.search.FullText``).  Its own branch, so that it stays apart from
the catalog add-on's other migrations.

Revision ID: catalog_search_0001
Depends on: catalog_0002
Create Date: 2026-12-03
"""
from alembic import op

from touchline.search import FullText

revision = "catalog_search_0001"
down_revision = None
branch_labels = ("catalog_search",)
depends_on = "catalog_0002"

# Written out here (not imported from touchline.catalog.search): a migration stays as it was made.
TEXT = FullText('catalog_products', ['name', 'description'])


def upgrade():
    TEXT.create(op)


def downgrade():
    TEXT.drop(op)
