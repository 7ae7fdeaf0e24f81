"""Pages by keyset: walking the links, forwards and backwards, shows every product once.

Page links carry the last product shown (``after``) or the first (``before``),
so a page is read from the index where the previous one ended, however deep.
A bare ``?page=N`` (a bookmark) still gives the same page, by offset.
"""
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from touchline.catalog import lists
from touchline.catalog.models import Category, Product

LOCAL = "http://localhost"


@pytest.fixture
def shop(dbsession):
    """95 products in two categories: equal names (ties go by id), mixed case, accents."""
    kit = Category(name="Match kit", slug="match-kit")
    bags = Category(name="Bags", slug="bags")
    dbsession.add_all([kit, bags])
    names = ([f"Shirt {number:02d}" for number in range(40)] + ["scarf"] * 7 + ["SCARF"] * 3
             + [f"Élite bag {number}" for number in range(10)] + [f"bag {number}" for number in range(25)]
             + ["Zebra red cap"] * 10)
    for number, name in enumerate(names):
        dbsession.add(Product(
            name=name, category=kit if number % 3 else bags, price=Decimal("5"),
            description="Bright RED trim." if number % 4 == 0 else "Plain.",
        ))
    dbsession.flush()
    return {"kit": kit, "bags": bags, "count": len(names)}


def in_order(dbsession, *where):
    """The ids in the list's order, as the database sorts them."""
    stmt = select(Product.id).where(*where).order_by(Product.sort_name, Product.id)
    return list(dbsession.scalars(stmt))


def local(url):
    return url.replace(LOCAL, "") if url else None


def walk(testapp, url, direction="next"):
    """Every page from ``url`` following ``direction`` links: ([ids of each page], last URL)."""
    pages = []
    while url:
        response = testapp.get(url)
        data = response.json
        pages.append([product["id"] for product in data["products"]])
        header = response.headers.get("Link", "")
        for rel, key in (("next", "next"), ("prev", "previous")):  # the Link header says the same
            target = data["page"][key]
            assert (f'<{target}>; rel="{rel}"' in header) == (target is not None), header
        last, url = url, local(data["page"][direction])
    return pages, last


def walk_both_ways(testapp, url):
    forwards, last = walk(testapp, url)
    backwards, first = walk(testapp, last, direction="previous")
    assert first == url or first.rstrip("?") == url.split("?")[0] or "page=" not in first
    return forwards, backwards[::-1]


@pytest.mark.parametrize("query, where", [
    ("", lambda shop: ()),
    ("category=match-kit", lambda shop: (Product.category_id == shop["kit"].id,)),
    ("category=bags", lambda shop: (Product.category_id == shop["bags"].id,)),
    ("q=sca", lambda shop: (Product.name.ilike("%sca%") | Product.description.ilike("%sca%"),)),
    ("q=red", lambda shop: (Product.name.ilike("%red%") | Product.description.ilike("%red%"),)),
    ("q=red&category=match-kit", lambda shop: (
        Product.category_id == shop["kit"].id, Product.name.ilike("%red%") | Product.description.ilike("%red%"))),
    ("q=ba", lambda shop: (Product.sort_name.startswith("ba"),)),
    ("q=sh&category=bags", lambda shop: (Product.category_id == shop["bags"].id, Product.sort_name.startswith("sh"))),
], ids=["shop", "category", "small-category", "search", "search-many", "search-in-category", "short",
        "short-in-category"])
@pytest.mark.parametrize("dense", [False, True], ids=["few-matches", "many-matches"])
def test_walking_the_links_shows_every_product_once(testapp, dbsession, shop, monkeypatch, query, where, dense):
    # SQLite reads a search's matches from FTS5 or walks the name order (lists.search):
    # both ways give the same list, the same pages.
    monkeypatch.setattr(lists, "DENSE_MATCHES", 1 if dense else 10_000)
    expected = in_order(dbsession, *where(shop))
    assert expected, "the case must list something"
    url = "/catalogs/products.json" + ("?" + query if query else "")
    forwards, backwards = walk_both_ways(testapp, url)
    shown = [product_id for page in forwards for product_id in page]
    assert shown == expected  # every product once, in order
    assert [len(page) for page in forwards[:-1]] == [20] * (len(forwards) - 1)
    assert backwards == forwards  # the previous links give back the very same pages
    # A bookmark of page N without a position shows the same page.
    for number, page in enumerate(forwards, 1):
        separator = "&" if query else "?"
        bare = testapp.get(url + (f"{separator}page={number}" if number > 1 else "")).json
        assert [product["id"] for product in bare["products"]] == page


def test_the_html_pager_follows_the_same_links(testapp, shop):
    names, url, pages = [], "/catalogs/?q=bag", 0
    while url:
        page = testapp.get(url)
        names += [a.text for a in page.html.select("ul.product-list li a")]
        link = page.html.find("a", rel="next")
        url = local(link["href"]) if link else None
        pages += 1
    assert pages == 2
    assert names == [f"bag {number}" for number in sorted(range(25), key=str)] + [
        f"Élite bag {number}" for number in range(10)]


def test_page_links_carry_the_position_and_keep_the_other_parameters(testapp, shop):
    data = testapp.get("/catalogs/products.json?category=match-kit&q=shirt").json
    next_url = urlsplit(data["page"]["next"])
    assert next_url.path == "/catalogs/products.json"
    params = parse_qs(next_url.query)
    assert params.keys() == {"category", "q", "page", "after"}
    assert params["page"] == ["2"] and params["q"] == ["shirt"]
    second = testapp.get(local(data["page"]["next"])).json
    assert second["page"]["previous"] == f"{LOCAL}/catalogs/products.json?category=match-kit&q=shirt"


def test_a_link_still_works_when_its_product_is_gone(testapp, dbsession, shop):
    first = testapp.get("/catalogs/products.json").json
    last_shown = dbsession.get(Product, first["products"][-1]["id"])
    dbsession.delete(last_shown)
    dbsession.flush()
    second = testapp.get(local(first["page"]["next"])).json
    assert second["products"][0]["id"] == in_order(dbsession)[20 - 1]


@pytest.mark.parametrize("position", ["after=nonsense", "after=WyJhIl0", "before=WzEsMl0", "after=W10",
                                      "after=" + "A" * 300])
def test_a_damaged_page_link_is_400(testapp, shop, position):
    testapp.get(f"/catalogs/?page=2&{position}", status=400)
    testapp.get(f"/catalogs/products.json?page=2&{position}", status=400)


def test_a_position_past_the_end_is_404(testapp, shop):
    data = testapp.get("/catalogs/products.json?q=zebra").json
    assert data["page"]["next"] is None
    # Past "zebra red cap" and "élite bag 9" too: names sort by code point, "é" after "z".
    token = lists.PRODUCT_KEYSET.encode(type("Row", (), {"sort_name": lists.TOP, "id": 10**6})())
    testapp.get(f"/catalogs/products.json?page=2&after={token}", status=404)


def test_the_categories_page_by_keyset_too(testapp, dbsession):
    dbsession.add_all(Category(name=f"Category {number:02d}", slug=f"c-{number}") for number in range(45))
    dbsession.flush()
    pages = []
    url = "/catalogs/categories.json"
    while url:
        data = testapp.get(url).json
        pages.append([category["name"] for category in data["categories"]])
        url = local(data["page"]["next"])
    names = [name for page in pages for name in page]
    assert names == [f"Category {number:02d}" for number in range(45)] and len(pages) == 3
    data = testapp.get("/catalogs/categories.json").json
    assert "?page=2&after=" in data["page"]["next"]
    html = testapp.get("/catalogs/categories")
    assert html.html.find("a", rel="next")["href"] == data["page"]["next"].replace(".json", "")
