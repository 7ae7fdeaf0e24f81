"""The catalog's URLs follow the prefix the ini mounts it under: nothing hard-codes /catalogs."""
import pytest
from webtest import TestApp

from touchline.database import DBSESSION_ENVIRON_KEY
from touchline.ratelimit import LOGIN, IThrottle
from touchline.testing import HOST, csrf_token_of, make_app, service


@pytest.fixture
def shop(app_settings, tm, dbsession):
    """A second app, the catalog mounted at /shop, sharing the test's session."""
    settings = dict(app_settings, **{
        "touchline.addons": "touchline.accounts touchline.catalog:/shop",
        "sqlalchemy.url": dbsession.bind.engine.url.render_as_string(hide_password=False),
    })
    application = make_app(settings)
    service(application, IThrottle, LOGIN).reset()
    yield TestApp(application, extra_environ={
        "HTTP_HOST": HOST, "tm.active": True, "tm.manager": tm, DBSESSION_ENVIRON_KEY: dbsession,
    })
    application.registry["touchline.engine"].dispose()


def _links(page):
    """Every link and form target on the page's main part and navigation."""
    html = page.html
    urls = [a["href"] for a in html.find_all("a", href=True)]
    urls += [form["action"] for form in html.find_all("form", action=True)]
    urls += [img["src"] for img in html.find_all("img", src=True)]
    return urls


def test_every_catalog_page_and_link_moves_with_the_prefix(shop, login, make_user, make_product, make_category):
    make_user("alex", "admin")
    product = make_product("Home shirt", sizes="S M")
    category = product.category
    make_category("Accessories")
    for _ in range(25):
        make_product("Scarf", "10")
    login(shop, "alex")
    pages = [
        "/shop/", "/shop/?q=scarf&category=match-kit", "/shop/products", f"/shop/products/{product.id}",
        "/shop/products/new", f"/shop/products/{product.id}/edit", f"/shop/products/{product.id}/delete",
        "/shop/categories", "/shop/categories/new", f"/shop/categories/{category.id}/edit",
        f"/shop/categories/{category.id}/delete",
    ]
    seen = set()
    for path in pages:
        page = shop.get(path, status=200)
        for url in _links(page):
            local = url.replace(f"http://{HOST}", "")
            assert not local.startswith("/catalogs"), (path, url)
            if local.startswith("/shop"):
                seen.add(local.split("?")[0])
    # The navigation, the list's links, the pager, the product's links and the forms all moved.
    assert {"/shop/", f"/shop/products/{product.id}", "/shop/products/new", "/shop/categories",
            f"/shop/products/{product.id}/edit", f"/shop/products/{product.id}/delete",
            "/shop/categories/new", f"/shop/categories/{category.id}/edit"} <= seen
    nav = shop.get("/shop/").html.find("nav", attrs={"aria-label": "Main"})
    assert nav.find("a", string="Shop")["href"] == "/shop/"
    pager = shop.get("/shop/?q=scarf&category=match-kit").html.find("a", rel="next")["href"]
    assert pager.startswith(f"http://{HOST}/shop/?q=scarf&category=match-kit&page=2&after=")
    assert shop.get(pager.replace(f"http://{HOST}", "")).html.find("a", rel="prev")["href"] == (
        f"http://{HOST}/shop/?q=scarf&category=match-kit")

    for path in ("/shop/products.json", "/shop/products.xml", f"/shop/products/{product.id}.json",
                 "/shop/categories.json"):
        shop.get(path, status=200)
    assert shop.get("/shop", status=301).location == f"http://{HOST}/shop/"
    created = shop.post_json("/shop/products", {"name": "Cap", "category": category.id, "price": "5"},
                             headers={"X-CSRF-Token": csrf_token_of(shop.get("/login.json")),
                                      "Accept": "application/json"}, status=201)
    assert created.location == f"http://{HOST}/shop/products/{created.json['product']['id']}"
    form = {"csrf_token": csrf_token_of(shop.get("/shop/products/new")), "name": "Bag",
            "category": str(category.id), "price": "18"}
    assert shop.post("/shop/products/new", form, status=303).location.startswith(f"http://{HOST}/shop/products/")


@pytest.mark.parametrize("path", ["/catalogs/", "/catalogs", "/catalogs/products", "/catalogs/products.json",
                                  "/catalogs/categories"])
def test_the_default_prefix_is_gone(shop, path):
    shop.get(path, status=404)
