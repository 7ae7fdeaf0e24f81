"""The shop as a visitor sees it: the list, search, categories and product pages, in every format."""
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from touchline.catalog.models import Product


def names_on(page):
    return [a.text for a in page.html.select("ul.product-list li a")]


# The list -----------------------------------------------------------------------------


def test_the_shop_lists_products_by_name(testapp, make_product, make_category):
    bags = make_category("Accessories")
    make_product("Water bottle", "4.50", category=bags)
    make_product("away shirt", "24.00", in_stock=False)
    make_product("Home shirt", "24.00")
    page = testapp.get("/catalogs/")
    assert page.html.h1.text == "Club shop"
    assert names_on(page) == ["away shirt", "Home shirt", "Water bottle"]
    items = page.html.select("ul.product-list li")
    assert items[0].select_one(".price").text == "£24.00"
    assert items[0].select_one(".stock").text == "Out of stock"
    assert items[1].select_one(".stock") is None
    assert items[2].select_one(".category").text == "Accessories"
    nav = page.html.find("nav", attrs={"aria-label": "Main"})
    shop = nav.find("a", string="Shop")
    assert shop["href"] == "/catalogs/" and shop.get("aria-current") == "page"


def test_an_empty_shop_says_so(testapp):
    page = testapp.get("/catalogs/")
    assert "The shop has no products yet." in page.html.main.text


def test_without_the_slash_redirects_and_keeps_the_query(testapp):
    response = testapp.get("/catalogs", status=301)
    assert response.location == "http://localhost/catalogs/"
    response = testapp.get("/catalogs?q=shirt&category=match-kit", status=301)
    assert response.location == "http://localhost/catalogs/?q=shirt&category=match-kit"


@pytest.mark.parametrize("path, headers", [
    ("/catalogs/", {"Accept": "application/json"}),
    ("/catalogs/products.json", {}),
    ("/catalogs/products", {"Accept": "application/json"}),
    ("/catalogs/products.json", {"Accept": "application/xml"}),
])
def test_the_list_as_json(testapp, make_product, kit, path, headers):
    shirt = make_product("Home shirt", "24.5", sizes="YS YM S M")
    response = testapp.get(path, headers=headers)
    assert response.content_type == "application/json"
    assert response.json == {
        "products": [{
            "id": shirt.id, "name": "Home shirt", "description": "",
            "category": {"id": kit.id, "name": "Match kit", "slug": "match-kit"},
            "price": "24.50", "currency": "GBP", "sizes": ["YS", "YM", "S", "M"],
            "in_stock": True, "image": None, "image_width": None, "image_height": None,
        }],
        "page": {"number": 1, "size": 20, "next": None, "previous": None},
        "q": "", "category": None,
        "categories": [{"id": kit.id, "name": "Match kit", "slug": "match-kit"}],
        "more_categories": False,
        "message": None,
    }


@pytest.mark.parametrize("path, headers", [
    ("/catalogs/", {"Accept": "application/xml"}),
    ("/catalogs/products.xml", {}),
    ("/catalogs/products", {"Accept": "text/xml"}),
])
def test_the_list_as_xml_has_the_same_fields(testapp, make_product, path, headers):
    shirt = make_product("Home shirt", "24", sizes="S M")
    response = testapp.get(path, headers=headers)
    assert response.content_type == "application/xml"
    root = ET.fromstring(response.body)
    (item,) = root.find("products").findall("item")
    assert item.findtext("id") == str(shirt.id)
    assert item.findtext("price") == "24.00"
    assert item.findtext("currency") == "GBP"
    assert [size.text for size in item.find("sizes")] == ["S", "M"]
    assert item.find("category").findtext("slug") == "match-kit"
    assert item.find("image").get("null") == "true"


def test_unacceptable_format_is_406(testapp):
    testapp.get("/catalogs/", headers={"Accept": "image/png"}, status=406)


# One product -----------------------------------------------------------------------------


def test_a_product_page_in_three_formats(testapp, make_product, kit):
    shirt = make_product("Home shirt", "24.00", sizes="YXS YS YM YL S M L XL",
                         description="Red with white sleeves.\nWash at 30.\n\nMade for the club.")
    page = testapp.get(f"/catalogs/products/{shirt.id}")
    main = page.html.main
    assert main.h1.text == "Home shirt"
    assert main.select_one("dd.price").text == "£24.00"
    assert [li.text for li in main.select("ul.sizes li")] == "YXS YS YM YL S M L XL".split()
    assert main.select_one("dd.stock").text == "In stock"
    paragraphs = main.select(".description p")
    assert [str(p) for p in paragraphs] == [
        "<p>Red with white sleeves.<br/>Wash at 30.</p>", "<p>Made for the club.</p>"
    ]
    category_link = main.find("a", string="Match kit")
    assert category_link["href"] == "/catalogs/?category=match-kit"
    assert main.find("section", class_="how-to-order").p.text == (
        "To order, speak to your team's coach or email the club."
    )
    assert "Edit product" not in main.text  # visitors get no edit links

    data = testapp.get(f"/catalogs/products/{shirt.id}.json").json
    assert data["product"]["price"] == "24.00"
    assert data["product"]["sizes"] == "YXS YS YM YL S M L XL".split()
    assert data["how_to_order"] == "To order, speak to your team's coach or email the club."
    assert testapp.get(f"/catalogs/products/{shirt.id}", headers={"Accept": "application/json"}).json == data
    root = ET.fromstring(testapp.get(f"/catalogs/products/{shirt.id}.xml").body)
    assert root.find("product").findtext("name") == "Home shirt"
    assert root.find("product").findtext("price") == "24.00"


def test_out_of_stock_is_shown(testapp, make_product):
    bag = make_product("Kit bag", "18", sizes="", in_stock=False)
    main = testapp.get(f"/catalogs/products/{bag.id}").html.main
    assert main.select_one("dd.stock").text == "Out of stock"
    assert main.select_one("ul.sizes") is None


def test_user_text_is_escaped_everywhere(testapp, make_product, make_category):
    evil = make_category("<b>Kit</b>", "kit")
    product = make_product("<script>alert(1)</script>", "1", category=evil,
                           description="<img src=x onerror=alert(1)>\n<i>x</i>")
    for path in (f"/catalogs/products/{product.id}", "/catalogs/", "/catalogs/?q=<script>",
                 "/catalogs/categories"):
        text = testapp.get(path).text
        assert "<script>alert(1)</script>" not in text
        assert "<img src=x" not in text and "<b>Kit</b>" not in text
    page = testapp.get(f"/catalogs/products/{product.id}")
    assert page.html.select_one(".description p").text == "<img src=x onerror=alert(1)><i>x</i>"
    assert ET.fromstring(testapp.get(f"/catalogs/products/{product.id}.xml").body).find(
        "product").findtext("name") == "<script>alert(1)</script>"


def test_order_instructions_come_from_the_setting_and_are_escaped(app_settings, tm, dbsession, make_product):
    from webtest import TestApp

    from touchline.database import DBSESSION_ENVIRON_KEY
    from touchline.testing import HOST, make_app

    settings = dict(app_settings, **{
        "touchline.addons": "touchline.accounts touchline.catalog:/catalogs",
        "touchline.catalog.order_instructions": "Email <shop@club.example.org> & pay at the bar.",
        "sqlalchemy.url": dbsession.bind.engine.url.render_as_string(hide_password=False),
    })
    app = make_app(settings)
    try:
        client = TestApp(app, extra_environ={"HTTP_HOST": HOST, "tm.active": True, "tm.manager": tm,
                                             DBSESSION_ENVIRON_KEY: dbsession})
        shirt = make_product()
        page = client.get(f"/catalogs/products/{shirt.id}")
        assert page.html.find("section", class_="how-to-order").p.text == (
            "Email <shop@club.example.org> & pay at the bar."
        )
        assert "&lt;shop@club.example.org&gt; &amp; pay" in page.text
    finally:
        app.registry["touchline.engine"].dispose()


@pytest.mark.parametrize("path", [
    "/catalogs/products/abc", "/catalogs/products/1.5", "/catalogs/products/999999",
    "/catalogs/products/99999999999999999999", "/catalogs/products/0", "/catalogs/products/-1",
    "/catalogs/products/999999/edit", "/catalogs/categories/999999/edit", "/catalogs/nothing",
])
def test_bad_ids_are_404(testapp, path):
    testapp.get(path, status=404)


def test_bad_id_in_json_is_a_json_404(testapp):
    assert testapp.get("/catalogs/products/424242.json", status=404).json["error"]["status"] == 404


def test_wrong_methods_are_405(testapp):
    assert testapp.delete("/catalogs/products", status=405).headers["Allow"] == "GET, HEAD, POST"
    response = testapp.patch("/catalogs/products/1.json", status=405)
    assert response.headers["Allow"] == "DELETE, GET, HEAD, PUT"
    testapp.put("/catalogs/categories", status=405)


# Search, category filter and pagination together -------------------------------------------


@pytest.fixture
def big_shop(dbsession, make_category):
    """100 products: 50 red shirts and 25 blue shirts in kit, 25 red caps in accessories."""
    kit = make_category("Match kit", "match-kit")
    caps = make_category("Accessories", "accessories")
    rows = [Product(name=f"Red shirt {i:02d}", category=kit, price=Decimal("20")) for i in range(50)]
    rows += [Product(name=f"Blue shirt {i:02d}", category=kit, price=Decimal("20"),
                     description="Not red at all? It is RED-trimmed.") for i in range(25)]
    rows += [Product(name=f"Red cap {i:02d}", category=caps, price=Decimal("8")) for i in range(25)]
    dbsession.add_all(rows)
    dbsession.flush()
    return {"kit": kit, "caps": caps}


def test_search_and_category_and_pages_work_together(testapp, big_shop):
    page1 = testapp.get("/catalogs/?q=shirt&category=match-kit")
    assert page1.html.h1.text == "Shop: Match kit"
    assert names_on(page1) == [f"Blue shirt {i:02d}" for i in range(20)]
    # The shop's own search (the header's site search has a q too).
    assert page1.html.main.find("input", attrs={"name": "q"})["value"] == "shirt"
    assert page1.html.find("input", attrs={"name": "category"})["value"] == "match-kit"
    next_link = page1.html.find("a", rel="next")["href"]
    # The link carries the last product shown (``after``), so page 2 starts right after it.
    assert next_link.startswith("http://localhost/catalogs/?q=shirt&category=match-kit&page=2&after=")
    assert page1.html.find("a", rel="prev") is None

    page2 = testapp.get(next_link)
    assert names_on(page2) == [f"Blue shirt {i:02d}" for i in range(20, 25)] + [
        f"Red shirt {i:02d}" for i in range(15)]
    assert page2.html.find("a", rel="prev")["href"] == "http://localhost/catalogs/?q=shirt&category=match-kit"

    page3 = testapp.get(page2.html.find("a", rel="next")["href"])
    assert names_on(page3) == [f"Red shirt {i:02d}" for i in range(15, 50)][:20]
    page4 = testapp.get(page3.html.find("a", rel="next")["href"])
    assert names_on(page4) == [f"Red shirt {i:02d}" for i in range(35, 50)]
    assert page4.html.find("a", rel="next") is None
    testapp.get("/catalogs/?q=shirt&category=match-kit&page=5", status=404)


def test_search_is_case_insensitive_on_name_and_description(testapp, big_shop):
    data = testapp.get("/catalogs/products.json?q=RED&category=match-kit&page=3").json
    # 50 red shirts and 25 blue shirts whose description says red: 75, page 3 has 20, then 15.
    assert len(data["products"]) == 20
    assert data["page"]["next"].startswith(
        "http://localhost/catalogs/products.json?q=RED&category=match-kit&page=4&after=")
    assert data["page"]["previous"].startswith(
        "http://localhost/catalogs/products.json?q=RED&category=match-kit&page=2&before=")
    assert data["q"] == "RED" and data["category"]["slug"] == "match-kit"
    caps = testapp.get("/catalogs/products.json?q=red&category=accessories").json
    assert [p["name"] for p in caps["products"]] == [f"Red cap {i:02d}" for i in range(20)]
    assert "?q=red&category=accessories&page=2&after=" in caps["page"]["next"]


def test_category_links_keep_the_search(testapp, big_shop):
    page = testapp.get("/catalogs/?q=cap")
    links = {a.text: a["href"] for a in page.html.find("nav", class_="categories").find_all("a")}
    assert links == {
        "All products": "/catalogs/?q=cap",
        "Accessories": "/catalogs/?category=accessories&q=cap",
        "Match kit": "/catalogs/?category=match-kit&q=cap",
    }
    assert names_on(testapp.get(links["Match kit"])) == []
    assert "No products match your search." in testapp.get(links["Match kit"]).html.main.text


def test_a_dozen_category_links_then_one_to_all_of_them(testapp, make_category, make_product):
    categories = [make_category(f"Range {number:02d}") for number in range(15)]
    make_product("Last range cap", category=categories[-1])
    page = testapp.get("/catalogs/")
    links = [(a.text, a["href"]) for a in page.html.find("nav", class_="categories").find_all("a")]
    assert links[0] == ("All products", "/catalogs/")
    # The product's "Match kit" (from the fixtures) comes first in name order.
    assert [text for text, _ in links[1:-1]] == ["Match kit"] + [f"Range {number:02d}" for number in range(11)]
    assert links[-1] == ("All categories", "/catalogs/categories")
    data = testapp.get("/catalogs/.json").json
    assert len(data["categories"]) == 12 and data["more_categories"] is True
    # A category beyond the links still filters, and its page names it.
    beyond = testapp.get("/catalogs/?category=range-14")
    assert names_on(beyond) == ["Last range cap"]
    assert beyond.html.h1.text == "Shop: Range 14"


def test_an_unknown_category_says_so(testapp, big_shop):
    page = testapp.get("/catalogs/?category=no-such-thing")
    assert page.status_int == 200
    assert page.html.find("p", class_="notice").text == "The shop has no category “no-such-thing”."
    assert names_on(page) == []
    data = testapp.get("/catalogs/products.json?category=%00%27").json
    assert data["products"] == [] and data["message"] == "The shop has no category “\x00'”."


@pytest.mark.parametrize("q, expected", [
    ("100%", ["100% cotton tee"]),
    ("0% c", ["100% cotton tee"]),
    ("a_b", ["Bag a_b"]),
    ("1/2", ["1/2 zip top"]),
    ('"x"', ['Quote "x" tee']),
    ('"x" t', ['Quote "x" tee']),
    ("x) OR (1", []),
    ("'; drop table catalog_products; --", []),
    # Shorter than three characters: the names that begin with it, literally too.
    ("%", ["% sale bag"]),
    ("_", []),
    ("1/", ["1/2 zip top"]),
    ("1x", ["1x2 zip top"]),
    ('"', []),
])
def test_wildcards_in_the_search_match_literally(testapp, make_product, q, expected):
    for name in ("100% cotton tee", "1000 cotton tee", "Bag a_b", "Bag axb", "1/2 zip top", "1x2 zip top",
                 "% sale bag", 'Quote "x" tee', "Quote x tee"):
        make_product(name, "5")
    data = testapp.get("/catalogs/products.json", {"q": q}).json
    assert [p["name"] for p in data["products"]] == expected


@pytest.mark.parametrize("q, expected", [
    ("ba", ["Bag", "BAT", "ball"]),
    ("BA", ["Bag", "BAT", "ball"]),
    ("b", ["Bag", "BAT", "ball", "Blue bib"]),
    ("g", []),  # "Bag" and "Big bag" have a g, but no name begins with one
])
def test_a_search_of_one_or_two_characters_finds_names_that_begin_with_it(testapp, make_product, q, expected):
    for name in ("ball", "Bag", "BAT", "Blue bib", "A bag"):
        make_product(name, "5")
    data = testapp.get("/catalogs/products.json", {"q": q}).json
    assert sorted(p["name"] for p in data["products"]) == sorted(expected)


@pytest.mark.parametrize("query", ["page=0", "page=abc", "q=" + "x" * 101, "q=a%00b"])
def test_bad_parameters_are_400(testapp, query):
    testapp.get("/catalogs/?" + query, status=400)


# Constant query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 120])
def test_the_list_runs_constant_queries(testapp, dbsession, count_queries, make_category, count):
    kit = make_category("Match kit", "match-kit")
    other = make_category("Accessories", "accessories")
    dbsession.add_all(
        Product(name=f"Shirt {i}", category=kit if i % 2 else other, price=Decimal("9.99"),
                description="Red", sizes="S M L")
        for i in range(count)
    )
    dbsession.flush()
    sqlite = dbsession.get_bind().dialect.name == "sqlite"
    for path in ("/catalogs/", "/catalogs/products.json", "/catalogs/?q=shirt&category=match-kit",
                 "/catalogs/products.xml?q=red&category=accessories", "/catalogs/?category=nope",
                 "/catalogs/?q=sh", "/catalogs/?category=match-kit&page=2" if count > 40 else "/catalogs/?page=1"):
        dbsession.expunge_all()  # as in a real request: nothing loaded yet
        with count_queries() as queries:
            testapp.get(path)
        # SQLite counts a search's matches first, to choose how to read them (lists.search).
        searches = sqlite and "q=" in path and not path.endswith("q=sh")
        assert len(queries) == (3 if searches else 2), (path, queries.statements)
    with count_queries() as queries:
        testapp.get("/catalogs/categories")
    assert len(queries) == 1


@pytest.mark.parametrize("sizes", ["", "YXS YS YM YL S M L XL"])
def test_a_product_page_is_one_query(testapp, dbsession, count_queries, make_product, sizes):
    product_id = make_product("Home shirt", "24", sizes=sizes).id
    for suffix in ("", ".json", ".xml"):
        dbsession.expunge_all()  # as in a real request: nothing loaded yet
        with count_queries() as queries:
            testapp.get(f"/catalogs/products/{product_id}{suffix}")
        assert len(queries) == 1, queries.statements


def test_the_list_gives_each_product_as_its_own_page_does(testapp, make_product, make_category):
    """The list reads plain rows; JSON and XML still carry exactly the model's fields and values."""
    bags = make_category("Bags & <bottles>")
    make_product("Home shirt", "24.5", sizes="YS YM S M", description="Red.\n\nWash at 30.",
                 image="0123456789abcdef0123456789abcdef.png")
    make_product("Water bottle", "4", category=bags, sizes="", in_stock=False)
    listed = testapp.get("/catalogs/products.json").json["products"]
    assert len(listed) == 2
    for product in listed:
        assert product == testapp.get(f"/catalogs/products/{product['id']}.json").json["product"]
    # A name stored before names carried sizes: its URL, and no size.
    assert listed[0]["image"] == "http://localhost/uploads/0123456789abcdef0123456789abcdef.png"
    assert (listed[0]["image_width"], listed[0]["image_height"]) == (None, None)
    def content(element):
        return [(child.tag, child.attrib, child.text, content(child)) for child in element]

    root = ET.fromstring(testapp.get("/catalogs/products.xml").body)
    for item, product in zip(root.find("products").findall("item"), listed):
        one = ET.fromstring(testapp.get(f"/catalogs/products/{product['id']}.xml").body).find("product")
        assert content(item) == content(one)
    page = testapp.get("/catalogs/")
    links = [a["href"] for a in page.html.select("ul.product-list li a")]
    assert links == [f"/catalogs/products/{product['id']}" for product in listed]
    assert page.html.select_one("ul.product-list img")["src"] == listed[0]["image"]
