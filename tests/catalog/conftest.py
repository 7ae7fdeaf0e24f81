"""Fixtures for the catalog tests: categories, products and the accounts that manage them."""
import json
from decimal import Decimal

import pytest

from touchline.catalog.models import Category, Product

JSON = {"Accept": "application/json"}


@pytest.fixture
def make_category(dbsession):
    def make(name="Match kit", slug=None):
        category = Category(name=name, slug=slug or name.lower().replace(" ", "-"))
        dbsession.add(category)
        dbsession.flush()
        return category

    return make


@pytest.fixture
def kit(make_category):
    return make_category("Match kit", "match-kit")


@pytest.fixture
def make_product(dbsession, kit):
    def make(name="Home shirt", price="24.00", category=None, sizes="S M L", in_stock=True,
             description="", image=None):
        product = Product(name=name, price=Decimal(price), category=category or kit, sizes=sizes,
                          in_stock=in_stock, description=description, image=image)
        dbsession.add(product)
        dbsession.flush()
        return product

    return make


@pytest.fixture
def admin_app(testapp, login, admin):
    login(testapp, "alex")
    return testapp


def api_token(testapp):
    """The CSRF token of the logged-in session, as a JSON client gets it."""
    return testapp.get("/account.json").json["account"]["csrf_token"]


def call(testapp, method, url, body=None, status=None, raw=None, content_type="application/json"):
    """A JSON API call with the session's CSRF token; ``raw`` sends bytes as they are."""
    headers = dict(JSON, **{"X-CSRF-Token": api_token(testapp)})
    if raw is None:
        raw = b"" if body is None else json.dumps(body).encode("utf-8")
    send = getattr(testapp, method.lower())
    return send(url, params=raw, headers=headers, content_type=content_type, status=status)
