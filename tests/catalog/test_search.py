"""Search through the database's own index: what it finds, and that it follows every write.

On SQLite the FTS5 table is kept by triggers, so a product is findable (or
gone) in the same transaction that writes it; on PostgreSQL the GIN indexes
are ordinary indexes.  Either way of reading a search on SQLite (from FTS5,
or walking the name order when many products match) finds the same products.
"""
from decimal import Decimal

import pytest
from sqlalchemy import text

from touchline.catalog import lists
from touchline.catalog.models import Product

from .conftest import call


def found(testapp, q, **params):
    data = testapp.get("/catalogs/products.json", dict(params, q=q)).json
    return [product["name"] for product in data["products"]]


@pytest.fixture(params=["few-matches", "many-matches"])
def either_way(request, monkeypatch):
    """SQLite reads the matches from FTS5 (few) or walks the name order (many): both must agree."""
    monkeypatch.setattr(lists, "DENSE_MATCHES", 10_000 if request.param == "few-matches" else 1)


def test_a_product_is_found_as_soon_as_it_is_written(admin_app, dbsession, kit, either_way):
    assert found(admin_app, "windbreaker") == []
    created = call(admin_app, "POST", "/catalogs/products",
                   {"name": "Club windbreaker", "category": kit.id, "price": "30"}, status=201)
    product_id = created.json["product"]["id"]
    assert found(admin_app, "windbreaker") == ["Club windbreaker"]
    assert found(admin_app, "WINDBREAK") == ["Club windbreaker"]

    call(admin_app, "PUT", f"/catalogs/products/{product_id}",
         {"name": "Club anorak", "description": "Keeps the wind out."}, status=200)
    assert found(admin_app, "windbreaker") == []
    assert found(admin_app, "anorak") == ["Club anorak"]
    assert found(admin_app, "the wind") == ["Club anorak"]  # the description too

    call(admin_app, "DELETE", f"/catalogs/products/{product_id}", status=204)
    assert found(admin_app, "anorak") == []
    assert found(admin_app, "the wind") == []


def test_the_index_follows_writes_made_outside_the_views(dbsession, kit, testapp, either_way):
    """The triggers (SQLite) see every write, the ORM's and plain SQL alike."""
    product = Product(name="Goal nets", category=kit, price=Decimal("80"), description="")
    dbsession.add(product)
    dbsession.flush()
    assert found(testapp, "nets") == ["Goal nets"]
    dbsession.execute(text("UPDATE catalog_products SET name = 'Corner flags' WHERE id = :id"),
                      {"id": product.id})
    assert found(testapp, "nets") == [] and found(testapp, "corner") == ["Corner flags"]
    dbsession.execute(text("DELETE FROM catalog_products WHERE id = :id"), {"id": product.id})
    assert found(testapp, "corner") == []


@pytest.mark.parametrize("q, expected", [
    ("shirt", ["Away shirt", "HOME SHIRT", "T-shirt"]),
    ("SHIRT", ["Away shirt", "HOME SHIRT", "T-shirt"]),
    ("e sh", ["HOME SHIRT"]),
    ("crest", ["HOME SHIRT", "Kit bag"]),  # in the description
    ("crest badge", []),
    ("ay sh", ["Away shirt"]),
    ("   away   ", ["Away shirt"]),  # stripped
])
def test_search_finds_a_substring_of_name_or_description_whatever_the_case(
        testapp, make_product, either_way, q, expected):
    make_product("HOME SHIRT", description="With the club crest.")
    make_product("Away shirt")
    make_product("T-shirt")
    make_product("Kit bag", description="Crest on the side")
    make_product("Scarf")
    assert found(testapp, q) == expected


def test_non_ascii_letters(testapp, dbsession, make_product, either_way):
    """Accented letters match themselves; their other case only where the database folds it.

    PostgreSQL's ILIKE folds every letter; SQLite's LIKE (as before this
    index) folds ASCII letters only, and the FTS5 index, which folds more,
    finds no more than LIKE does.
    """
    make_product("Élite shirt")
    make_product("Zürich scarf")
    assert found(testapp, "Élite") == ["Élite shirt"]
    assert found(testapp, "zürich") == ["Zürich scarf"]
    assert found(testapp, "ürich") == ["Zürich scarf"]
    if dbsession.get_bind().dialect.name == "postgresql":
        assert found(testapp, "élite") == ["Élite shirt"]
        assert found(testapp, "ZÜRICH") == ["Zürich scarf"]
    else:
        assert found(testapp, "élite") == []
        assert found(testapp, "ZÜRICH") == []


def test_a_search_keeps_to_its_category(testapp, make_product, make_category, kit, either_way):
    bags = make_category("Bags")
    make_product("Red shirt", category=kit)
    make_product("Red bag", category=bags)
    assert found(testapp, "red", category="match-kit") == ["Red shirt"]
    assert found(testapp, "red", category="bags") == ["Red bag"]
    assert found(testapp, "re", category="bags") == ["Red bag"]
    assert found(testapp, "red", category="nothing") == []


def test_a_long_name_lower_cased_is_no_longer_a_problem(testapp, make_product):
    """lower() can lengthen a name ("İ" is two code points in lower case): sort_name has no limit."""
    make_product("İ" * 80)
    assert len(testapp.get("/catalogs/products.json").json["products"]) == 1


@pytest.mark.parametrize("q", ['"', '""', '"a" OR "b"', "a*", "NEAR(a b)", "col:val", "-x", "^ab", "{a b}: c",
                               "a AND b", "(", ")", "'", "\\", "%_%", "🙂🙂🙂"])
def test_search_syntax_is_searched_for_literally(testapp, make_product, q):
    """FTS5 query syntax in ``q`` is text to find, never a query: the term is a quoted string."""
    make_product(f"x {q} y")
    make_product("Plain bag")
    assert found(testapp, q) == [f"x {q} y"] or len(q) < 3 and found(testapp, q) == []


@pytest.mark.parametrize("term, query", [
    ("shirt", '"shi" AND "irt"'),
    ("aaaa", '"aaa"'),
    ('a"b"c', '"a""b" AND "b""c"'),
    ("abc", '"abc"'),
    ("abcdef", '"abc" AND "def"'),
    ("home shirt", '"hom" AND "e s" AND "hir" AND "irt"'),
])
def test_the_full_text_query_is_trigrams_covering_the_term_each_a_quoted_string(term, query):
    assert lists.fts_query(term) == query


def test_trigrams_apart_are_not_a_match(testapp, make_product, either_way):
    """The index keeps no positions, so it offers "hirt shi" for "shirt": LIKE turns it down."""
    make_product("hirt shi")  # has "shi", "hir" and "irt", but not "shirt"
    make_product("Home shirt")
    assert found(testapp, "shirt") == ["Home shirt"]
