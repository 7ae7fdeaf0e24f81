"""The catalog's rows in the role-by-route matrix (see tests/test_permissions.py).

Everyone browses the shop; only admins (the base ACL's ALL_PERMISSIONS)
create, edit and delete products and categories.  Targets:
"shop-product" a product; "shop-product*" a fresh product for one request
(deletes); "shop-category" a category that holds a product (cannot be
deleted: 409); "shop-empty*" a fresh category with no products.
"""
from decimal import Decimal

from touchline.catalog.models import Category, Product

LOGIN = "303 login"

PUBLIC = set()

MATRIX = [
    # route                      method    target                   anonymous member coach admin
    ("catalog.index",            "GET",    None,                    (200,      200,   200,  200)),
    ("catalog.index",            "GET",    ".json",                 (200,      200,   200,  200)),
    ("catalog.index_redirect",   "GET",    None,                    (301,      301,   301,  301)),
    ("catalog.products",         "GET",    None,                    (200,      200,   200,  200)),
    ("catalog.products",         "GET",    ".json",                 (200,      200,   200,  200)),
    ("catalog.products",         "POST",   ".json",                 (401,      403,   403,  201)),
    ("catalog.product",          "GET",    "shop-product",          (200,      200,   200,  200)),
    ("catalog.product",          "GET",    "shop-product.json",     (200,      200,   200,  200)),
    ("catalog.product",          "PUT",    "shop-product.json",     (401,      403,   403,  200)),
    ("catalog.product",          "DELETE", "shop-product*.json",    (401,      403,   403,  204)),
    ("catalog.product_new",      "GET",    None,                    (LOGIN,    403,   403,  200)),
    ("catalog.product_new",      "POST",   None,                    (401,      403,   403,  303)),
    ("catalog.product_edit",     "GET",    "shop-product",          (LOGIN,    403,   403,  200)),
    ("catalog.product_edit",     "POST",   "shop-product",          (401,      403,   403,  303)),
    ("catalog.product_delete",   "GET",    "shop-product",          (LOGIN,    403,   403,  200)),
    ("catalog.product_delete",   "POST",   "shop-product*",         (401,      403,   403,  303)),
    ("catalog.categories",       "GET",    None,                    (200,      200,   200,  200)),
    ("catalog.categories",       "GET",    ".json",                 (200,      200,   200,  200)),
    ("catalog.category_new",     "GET",    None,                    (LOGIN,    403,   403,  200)),
    ("catalog.category_new",     "POST",   None,                    (401,      403,   403,  303)),
    ("catalog.category_edit",    "GET",    "shop-category",         (LOGIN,    403,   403,  200)),
    ("catalog.category_edit",    "POST",   "shop-category",         (401,      403,   403,  303)),
    ("catalog.category_delete",  "GET",    "shop-category",         (LOGIN,    403,   403,  200)),
    ("catalog.category_delete",  "POST",   "shop-category",         (401,      403,   403,  409)),
    ("catalog.category_delete",  "POST",   "shop-empty*",           (401,      403,   403,  303)),
]


def _product_form(world, role):
    return {"name": "Away shirt", "category": str(world["catalog"]["category"].id),
            "price": "24.00", "sizes": "S M L", "in_stock": "on"}


BODIES = {
    ("catalog.products", "POST"): (
        "json", lambda world, role: {"name": "Water bottle", "category": world["catalog"]["category"].id,
                                     "price": "4.50"}),
    ("catalog.product", "PUT"): ("json", lambda world, role: {"price": "25.00"}),
    ("catalog.product", "DELETE"): ("json", None),
    ("catalog.product_new", "POST"): ("form", _product_form),
    ("catalog.product_edit", "POST"): ("form", _product_form),
    ("catalog.product_delete", "POST"): ("form", lambda world, role: {}),
    ("catalog.category_new", "POST"): ("form", lambda world, role: {"name": "Supporters", "slug": ""}),
    ("catalog.category_edit", "POST"): ("form", lambda world, role: {"name": "Kit", "slug": "kit"}),
    ("catalog.category_delete", "POST"): ("form", lambda world, role: {}),
}


def extend_world(world, dbsession):
    category = Category(name="Match kit", slug="match-kit")
    product = Product(name="Home shirt", category=category, price=Decimal("24.00"), sizes="S M L")
    dbsession.add_all([category, product])
    dbsession.flush()

    def fresh_product():
        made = Product(name="Fresh socks", category=category, price=Decimal("7.50"))
        dbsession.add(made)
        dbsession.flush()
        return made

    def fresh_category():
        made = Category(name="Empty shelf", slug=f"empty-{fresh_category.count}")
        fresh_category.count += 1
        dbsession.add(made)
        dbsession.flush()
        return made

    fresh_category.count = 0
    world["catalog"] = {"category": category, "product": product,
                        "fresh_product": fresh_product, "fresh_category": fresh_category}


def route_kw(world, target):
    catalog = world.get("catalog")
    if catalog is None:
        return None
    if target == "shop-product":
        return {"id": str(catalog["product"].id)}
    if target == "shop-product*":
        return {"id": str(catalog["fresh_product"]().id)}
    if target == "shop-category":
        return {"id": str(catalog["category"].id)}
    if target == "shop-empty*":
        return {"id": str(catalog["fresh_category"]().id)}
    return None
