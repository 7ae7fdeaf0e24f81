"""Every catalog list reads an index in its order: no full scan, no sort, on both databases.

So that a page costs the same with 13 products or 100,000, on page 1 and on
page 4,000.  The statements are the ones the views run (``lists.PRODUCTS``),
built as ``request.paginate`` builds them: the first page, a bare ``?page=N``
(which counts through the index to where the page starts), a page after a
position and a page before one.

Search is the exception that proves the rule: no index gives the matches of a
substring search in name order.  On SQLite the FTS5 table finds them (its
plan, ``SCAN catalog_products_fts VIRTUAL TABLE INDEX 0:M...``, is a lookup
in the full-text index, which ``assert_index_range`` would read as a full
scan) and, when fewer than ``DENSE_MATCHES`` products match
(``lists.search``), the page is read from them by id and sorted: those plans
are checked here by hand.  With more matches, and on PostgreSQL when its
planner expects many, the page walks the name order (no sort), checked by
``assert_index_range``; PostgreSQL's other choice, the trigram GIN indexes,
is checked too.
"""
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from touchline.catalog import lists
from touchline.catalog.lists import (
    CATEGORIES,
    CATEGORY_BY_SLUG,
    CATEGORY_CHOICES,
    CATEGORY_KEYSET,
    CATEGORY_LINKS,
    FTS_MATCHES,
    PRODUCT_KEYSET,
    PRODUCTS,
)
from touchline.catalog.models import Category, Product
from touchline.testing import assert_index_range, query_plan

PRODUCTS_INDEX = "ix_catalog_products_sort_name"
CATEGORY_INDEX = "ix_catalog_products_category_id_sort_name"
CATEGORIES_INDEX = "ix_catalog_categories_sort_name"


@pytest.fixture
def shop(dbsession):
    kit = Category(name="Match kit", slug="match-kit")
    bags = Category(name="Bags", slug="bags")
    dbsession.add_all([kit, bags])
    dbsession.add_all(
        Product(name=f"Shirt {number}", category=kit if number % 2 else bags, price=Decimal("5"),
                description="Red")
        for number in range(30)
    )
    dbsession.flush()
    return kit


def dialect(dbsession):
    return dbsession.get_bind().dialect.name


def pages(keyset, stmt, **params):
    """The statements a list runs, with their parameters bound as a page would."""
    built = keyset.statements(stmt)
    position = {"keyset_0": "shirt 1", "keyset_1": 10}
    return [
        built.first.params(page_limit=21, **params),
        built.after.params(page_limit=21, **position, **params),
        built.before.params(page_limit=21, **position, **params),
    ]


def uses(plan, index):
    return any(index in line for line in plan)


def test_the_shop_reads_its_index_in_order(dbsession, shop):
    for page in pages(PRODUCT_KEYSET, PRODUCTS[dialect(dbsession)]["all", False]):
        assert uses(assert_index_range(dbsession, page), PRODUCTS_INDEX)


def test_a_category_reads_its_index_in_order(dbsession, shop):
    for page in pages(PRODUCT_KEYSET, PRODUCTS[dialect(dbsession)]["all", True], category_id=shop.id):
        assert uses(assert_index_range(dbsession, page), CATEGORY_INDEX)


@pytest.mark.parametrize("in_category", [False, True], ids=["shop", "category"])
def test_a_short_search_is_a_range_of_the_name_order(dbsession, shop, in_category):
    params = {"prefix": "sh", "prefix_end": "sh" + lists.TOP}
    if in_category:
        params["category_id"] = shop.id
    stmt = PRODUCTS[dialect(dbsession)]["prefix", in_category]
    for page in pages(PRODUCT_KEYSET, stmt, **params):
        plan = assert_index_range(dbsession, page)
        assert uses(plan, CATEGORY_INDEX if in_category else PRODUCTS_INDEX)
        if dialect(dbsession) == "sqlite":  # the prefix bounds the range (both ends), not a filter
            assert any("sort_name>" in line and "sort_name<" in line for line in plan), plan


@pytest.mark.parametrize("in_category", [False, True], ids=["shop", "category"])
def test_a_search_with_many_matches_walks_the_name_order(dbsession, shop, in_category):
    """SQLite's "pattern" list (and one of PostgreSQL's two plans): a page is found in the order."""
    params = {"pattern": "%red%"}
    if in_category:
        params["category_id"] = shop.id
    stmt = PRODUCTS[dialect(dbsession)]["pattern", in_category]
    for page in pages(PRODUCT_KEYSET, stmt, **params):
        assert uses(assert_index_range(dbsession, page), CATEGORY_INDEX if in_category else PRODUCTS_INDEX)


def postgresql_plan(dbsession, stmt, **settings):
    """PostgreSQL's EXPLAIN of ``stmt`` with ``settings`` for this statement only."""
    connection = dbsession.connection()
    compiled = stmt.compile(dialect=connection.dialect)
    processors = compiled._bind_processors
    params = {name: processors[name](value) if name in processors else value
              for name, value in compiled.construct_params().items()}
    for name, value in settings.items():
        connection.exec_driver_sql(f"SET LOCAL {name} = {value}")
    try:
        return [row[0] for row in connection.exec_driver_sql("EXPLAIN " + str(compiled), params)]
    finally:
        for name in settings:
            connection.exec_driver_sql(f"RESET {name}")


def sqlite_found_plan(dbsession, stmt):
    """SQLite's plan for a page among the products FTS5 found: each read by its id, then sorted.

    (``query_plan`` cannot render the expanding list of ids; this does, as
    the statement runs.)
    """
    connection = dbsession.connection()
    state = stmt.compile(dialect=connection.dialect).construct_expanded_state()
    params = tuple(state.parameters[name] for name in state.positiontup)
    plan = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + state.statement, params)]
    joined = "\n".join(plan)
    assert plan[0].startswith("SEARCH catalog_products USING INTEGER PRIMARY KEY (rowid=?)"), joined
    assert not [line for line in plan if line.startswith("SCAN ")], joined  # no scan of anything
    return plan


@pytest.mark.parametrize("in_category", [False, True], ids=["shop", "category"])
def test_a_search_with_few_matches_reads_the_trigram_index(dbsession, shop, in_category):
    params = {"pattern": "%shirt 1%"}
    if in_category:
        params["category_id"] = shop.id
    if dialect(dbsession) == "sqlite":
        params["found"] = [1, 2, 3]
        stmt = PRODUCTS["sqlite"]["fts", in_category]
        for page in pages(PRODUCT_KEYSET, stmt, **params):
            sqlite_found_plan(dbsession, page)
        return
    # PostgreSQL: the planner weighs the GIN indexes against walking the name order (which
    # assert_index_range checks above); here, that the GIN indexes can answer the ILIKE
    # that every search page has, for name and description alike (in a category too, where
    # on this small table the category's index would win).
    stmt = select(Product.id).where(PRODUCTS["postgresql"]["pattern", False].whereclause)
    plan = postgresql_plan(dbsession, stmt.params(pattern=params["pattern"]), enable_seqscan="off",
                           enable_indexscan="off")
    joined = "\n".join(plan)
    assert "Bitmap Index Scan on ix_catalog_products_name_trgm" in joined, joined
    assert "Bitmap Index Scan on ix_catalog_products_description_trgm" in joined, joined
    assert "Seq Scan on catalog_products" not in joined, joined


def test_finding_the_matches_reads_only_the_full_text_index(dbsession, shop):
    if dialect(dbsession) != "sqlite":
        pytest.skip("SQLite only: PostgreSQL's planner makes this choice itself")
    plan = query_plan(dbsession, FTS_MATCHES.params(match=lists.fts_query("shirt"), cap=lists.DENSE_MATCHES))
    assert len(plan) == 1, plan
    assert any(re.match(r"SCAN catalog_products_fts VIRTUAL TABLE INDEX \d+:M", line) for line in plan), plan
    assert not any(re.search(r"\bcatalog_products\b(?!_fts)", line) for line in plan), plan


def test_the_categories_read_their_index_in_order(dbsession, shop):
    for page in pages(CATEGORY_KEYSET, CATEGORIES):
        assert uses(assert_index_range(dbsession, page), CATEGORIES_INDEX)
    assert uses(assert_index_range(dbsession, CATEGORY_LINKS), CATEGORIES_INDEX)
    assert uses(assert_index_range(dbsession, CATEGORY_CHOICES), CATEGORIES_INDEX)


def test_a_category_is_found_by_its_slug_index(dbsession, shop):
    plan = assert_index_range(dbsession, CATEGORY_BY_SLUG.params(slug="bags"))
    assert uses(plan, "uq_catalog_categories_slug") or uses(plan, "sqlite_autoindex_catalog_categories")


def test_the_statements_are_built_once():
    """The views pick a prebuilt statement; what a request changes is a bound parameter."""
    for statements in PRODUCTS.values():
        assert ("all", False) in statements and ("prefix", True) in statements
        for stmt in statements.values():
            assert stmt._order_by_clauses == ()  # the keyset orders it
    assert CATEGORY_LINKS._limit_clause is not None


@pytest.mark.parametrize("in_category", [False, True], ids=["shop", "category"])
def test_a_bare_page_number_counts_through_the_index_alone(dbsession, shop, in_category):
    """``?page=4000``: the rows before the page are counted in the index, never read or joined."""
    params = {"category_id": shop.id} if in_category else {}
    stmt = PRODUCTS[dialect(dbsession)]["all", in_category]
    skipping = PRODUCT_KEYSET.statements(stmt).skipping.params(page_limit=21, page_offset=40, **params)
    plan = assert_index_range(dbsession, skipping)
    text = "\n".join(plan)
    if dialect(dbsession) == "sqlite":
        # The (uncorrelated) subquery that counts; the categories are read by the correlated
        # ones, which SQLite runs for the page's rows only.
        start = next(number for number, line in enumerate(plan) if line.startswith("SCALAR SUBQUERY"))
        assert plan[start + 1].startswith(("SCAN catalog_products USING INDEX ix_catalog_products_",
                                           "SEARCH catalog_products USING INDEX ix_catalog_products_")), text
        for number, line in enumerate(plan):
            if "catalog_categories" in line:
                assert plan[number - 1].startswith("CORRELATED SCALAR SUBQUERY"), text
    else:
        # The InitPlan finds the page's first row: the products' index alone, the join left out.
        start = next(number for number, line in enumerate(plan) if "InitPlan" in line)
        depth = len(plan[start]) - len(plan[start].lstrip())
        end = next(number for number in range(start + 1, len(plan))
                   if len(plan[number]) - len(plan[number].lstrip()) <= depth)
        initplan = "\n".join(plan[start:end])
        assert "using ix_catalog_products_" in initplan, text
        assert "catalog_categories" not in initplan, text
