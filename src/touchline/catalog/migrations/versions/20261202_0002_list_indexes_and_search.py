"""Indexes for every catalog list, and search through the database's own index.

``sort_name`` is ``lower(name)`` kept by the database (a generated column:
stored on PostgreSQL, where ``COLLATE "C"`` makes it compare byte-wise as
SQLite does; virtual on SQLite, where an index holds its values), on
products and categories.  ``(sort_name, id)`` serves the shop and the
categories in name order at any depth, and ``(category_id, sort_name, id)``
each category; it also serves the foreign key, so it replaces the index on
``category_id`` alone.

Search (a substring of the name or the description, whatever the case):

- PostgreSQL: ``pg_trgm`` GIN indexes on ``lower(name)`` and
  ``lower(description)``, which serve ``lower(...) LIKE lower('%...%')`` (what
  ILIKE does, at half the cost).  The extension is created if it is missing
  (``pg_trgm`` is a trusted extension: the database's owner may create it).
- SQLite: ``catalog_products_fts``, an FTS5 table with the trigram tokenizer
  whose content is ``catalog_products`` itself (external content: the text
  is not stored twice), without positions (``detail=none``: a fifth of the
  size; the search rechecks with LIKE).  Triggers keep it current in the same transaction as
  the product; existing products are indexed here ("rebuild").

A later migration that makes SQLite copy ``catalog_products`` (batch mode's
"move and copy") drops these triggers with the old table: it must create
them again (``create_fts_triggers``) and rebuild the index.

Revision ID: catalog_0002
Revises: catalog_0001
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "catalog_0002"
down_revision = "catalog_0001"
branch_labels = None
depends_on = None

FTS = "catalog_products_fts"
TRIGGERS = {
    "catalog_products_fts_insert": (
        "AFTER INSERT ON catalog_products BEGIN "
        f"INSERT INTO {FTS} (rowid, name, description) VALUES (new.id, new.name, new.description); "
        "END"
    ),
    "catalog_products_fts_delete": (
        "AFTER DELETE ON catalog_products BEGIN "
        f"INSERT INTO {FTS} ({FTS}, rowid, name, description) "
        "VALUES ('delete', old.id, old.name, old.description); "
        "END"
    ),
    "catalog_products_fts_update": (
        "AFTER UPDATE OF id, name, description ON catalog_products BEGIN "
        f"INSERT INTO {FTS} ({FTS}, rowid, name, description) "
        "VALUES ('delete', old.id, old.name, old.description); "
        f"INSERT INTO {FTS} (rowid, name, description) VALUES (new.id, new.name, new.description); "
        "END"
    ),
}
TRIGRAM_INDEXES = {
    "ix_catalog_products_name_trgm": "name",
    "ix_catalog_products_description_trgm": "description",
}


def sort_name_column(postgresql):
    return sa.Column(
        "sort_name",
        sa.Text(collation="C") if postgresql else sa.Text(),
        sa.Computed("lower(name)", persisted=postgresql),
        nullable=False,
    )


def _check_sqlite(connection):
    """FTS5's trigram tokenizer needs SQLite 3.34 (generated columns 3.31): say so plainly."""
    version = connection.exec_driver_sql("SELECT sqlite_version()").scalar()
    if tuple(int(part) for part in version.split(".")[:2]) < (3, 34):
        raise RuntimeError(f"The shop's search needs SQLite 3.34 or newer (FTS5 with the trigram "
                           f"tokenizer); this Python uses SQLite {version}.")


def create_fts_triggers():
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        _check_sqlite(op.get_bind())
    with op.batch_alter_table("catalog_categories") as batch:
        batch.add_column(sort_name_column(postgresql))
        batch.create_index("ix_catalog_categories_sort_name", ["sort_name", "id"])
    with op.batch_alter_table("catalog_products") as batch:
        batch.add_column(sort_name_column(postgresql))
        batch.create_index("ix_catalog_products_sort_name", ["sort_name", "id"])
        batch.create_index("ix_catalog_products_category_id_sort_name", ["category_id", "sort_name", "id"])
        batch.drop_index("ix_catalog_products_category_id")
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in TRIGRAM_INDEXES.items():
            op.create_index(name, "catalog_products", [sa.text(f"lower({column}) gin_trgm_ops")],
                            postgresql_using="gin")
    else:
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(name, description, "
            "content='catalog_products', content_rowid='id', tokenize='trigram', detail='none')"
        )
        create_fts_triggers()
        op.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for name in TRIGRAM_INDEXES:
            op.drop_index(name, table_name="catalog_products")
        # pg_trgm stays: other schemas may use it, and it costs nothing unused.
    else:
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    # Not in batch mode: SQLite drops a column in place (3.35+), where batch
    # mode would copy catalog_categories, which the products still point to.
    op.create_index("ix_catalog_products_category_id", "catalog_products", ["category_id"])
    op.drop_index("ix_catalog_products_category_id_sort_name", table_name="catalog_products")
    op.drop_index("ix_catalog_products_sort_name", table_name="catalog_products")
    op.drop_column("catalog_products", "sort_name")
    op.drop_index("ix_catalog_categories_sort_name", table_name="catalog_categories")
    op.drop_column("catalog_categories", "sort_name")
