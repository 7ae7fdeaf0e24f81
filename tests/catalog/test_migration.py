"""catalog_0002 on a shop that already has products: sort keys, indexes and the search index.

Existing products get their ``sort_name`` from the database and are in the
search index straight away (SQLite rebuilds the FTS5 table from them);
downgrading gives back catalog_0001's schema with the data untouched.
"""

import warnings

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from webtest import TestApp

from touchline.models import Base
from touchline.scripts.initialize_db import alembic_config
from touchline.testing import _postgresql_database, make_app, migrate

FTS_TABLES = ("catalog_products_fts", "catalog_products_fts_data", "catalog_products_fts_idx",
              "catalog_products_fts_docsize", "catalog_products_fts_config")


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path):
    """An empty database of this test's own, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/before.sqlite"
        return
    server_url = request.config.getoption("postgresql_url")
    if server_url.lower() == "none":
        pytest.skip("PostgreSQL tests switched off with --postgresql-url=none")
    yield from _postgresql_database(server_url)


def indexes(engine, table):
    """{name: its columns, or its expressions for an expression index}."""
    return {index["name"]: [column or expression for column, expression in
                            zip(index["column_names"], index.get("expressions", index["column_names"]))]
            for index in sa.inspect(engine).get_indexes(table) if not index.get("duplicates_constraint")}


def include_name(name, type_, parent_names):
    """What ``tests/test_migrations.py`` must leave out: the FTS5 tables no model describes."""
    return name != "touchline_applied_revisions" and not (
        type_ == "table" and (name in FTS_TABLES or name.startswith("catalog_products_search_fts")))


def include_object(obj, name, type_, reflected, compare_to, dialect):
    """... and the indexes a model declares for one database only (``Index.ddl_if``)."""
    if type_ == "index" and not reflected and obj._ddl_if is not None:
        return obj._ddl_if.dialect in (None, dialect)
    return True


def schema_differences(engine):
    with engine.connect() as connection, warnings.catch_warnings():
        # Alembic cannot compare expression indexes on SQLite, and says so: these are the
        # PostgreSQL-only trigram indexes, which include_object leaves out anyway.
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        dialect = connection.dialect.name
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": include_name,
            "include_object": lambda *args: include_object(*args, dialect=dialect),
        })
        return [diff for diff in compare_metadata(context, Base.metadata)
                if "catalog" in repr(diff)]


def test_upgrade_indexes_what_is_there_and_downgrade_goes_back(fresh_database, app_settings, ini_file):
    settings = dict(app_settings, **{"sqlalchemy.url": fresh_database,
                                     "touchline.addons": "touchline.accounts touchline.catalog:/catalogs"})
    app = make_app(settings)
    engine = app.registry["touchline.engine"]
    sqlite = engine.dialect.name == "sqlite"
    try:
        migrate(ini_file, app.registry, revision="catalog_0001")
        assert indexes(engine, "catalog_products") == {"ix_catalog_products_category_id": ["category_id"]}
        categories = sa.table("catalog_categories", *(sa.column(n) for n in ("id", "name", "slug")))
        products = sa.table("catalog_products", *(sa.column(n) for n in (
            "id", "name", "description", "category_id", "price", "sizes", "in_stock", "image")))
        names = ["Home Shirt", "away shirt", "Élite scarf", "KIT BAG", "Water bottle"]
        with engine.begin() as connection:
            connection.execute(sa.insert(categories), [{"id": 1, "name": "Match kit", "slug": "match-kit"},
                                                       {"id": 2, "name": "bags", "slug": "bags"}])
            connection.execute(sa.insert(products), [
                {"id": number + 1, "name": name, "description": f"Old product {number}.",
                 "category_id": 1 + number % 2, "price": "9.50", "sizes": "", "in_stock": True,
                 "image": None}
                for number, name in enumerate(names)
            ])

        migrate(ini_file, app.registry)
        with engine.connect() as connection:
            keys = connection.execute(sa.text("SELECT name, sort_name FROM catalog_products ORDER BY id")).all()
            category_keys = connection.execute(sa.text("SELECT sort_name FROM catalog_categories ORDER BY id"))
            assert [key for key, in category_keys] == ["match kit", "bags"]
        assert keys[:2] == [("Home Shirt", "home shirt"), ("away shirt", "away shirt")]
        assert keys[3] == ("KIT BAG", "kit bag")
        found = indexes(engine, "catalog_products")
        # The site's search indexes (catalog_search_0001): on PostgreSQL a GIN index (SQLite: FTS5).
        assert ("ix_catalog_products_search" in found) == (not sqlite)
        found.pop("ix_catalog_products_search", None)
        assert ("ix_catalog_products_search_title" in found) == (not sqlite)  # and one on the title alone
        found.pop("ix_catalog_products_search_title", None)
        assert found == {
            "ix_catalog_products_sort_name": ["sort_name", "id"],
            "ix_catalog_products_category_id_sort_name": ["category_id", "sort_name", "id"],
            **({} if sqlite else {"ix_catalog_products_name_trgm": ["lower(name::text)"],
                                  "ix_catalog_products_description_trgm": ["lower(description)"]}),
        }
        assert indexes(engine, "catalog_categories") == {"ix_catalog_categories_sort_name": ["sort_name", "id"]}
        assert schema_differences(engine) == []

        # The products that were there are listed in order and found by search.
        client = TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
        listed = [p["name"] for p in client.get("/catalogs/products.json").json["products"]]
        assert listed == ["away shirt", "Home Shirt", "KIT BAG", "Water bottle", "Élite scarf"]
        found = [p["name"] for p in client.get("/catalogs/products.json?q=SHIRT").json["products"]]
        assert found == ["away shirt", "Home Shirt"]
        assert [p["name"] for p in client.get("/catalogs/products.json?q=product 3").json["products"]] == [
            "KIT BAG"]

        command.downgrade(alembic_config(ini_file, app.registry), "catalog_0001")
        assert indexes(engine, "catalog_products") == {"ix_catalog_products_category_id": ["category_id"]}
        assert indexes(engine, "catalog_categories") == {}
        inspector = sa.inspect(engine)
        assert "sort_name" not in {column["name"] for column in inspector.get_columns("catalog_products")}
        assert not set(FTS_TABLES) & set(inspector.get_table_names())
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM catalog_products")).scalar() == 5

        migrate(ini_file, app.registry)  # and up again (pg_trgm is there already)
        assert [p["name"] for p in client.get("/catalogs/products.json?q=scarf").json["products"]] == [
            "Élite scarf"]
    finally:
        engine.dispose()
