"""Prices are exact: Decimal in, Decimal stored, "12.50" out; a float never touches them."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from touchline.catalog.models import Product
from touchline.testing import post_form

from .conftest import call


def stored_price(dbsession, product_id):
    dbsession.expire_all()
    return dbsession.scalar(select(Product.price).where(Product.id == product_id))


def test_ten_pence_and_twenty_pence_make_thirty(admin_app, dbsession, kit):
    ten = call(admin_app, "POST", "/catalogs/products",
               {"name": "Sticker", "category": kit.id, "price": 0.1}, status=201).json["product"]
    twenty = call(admin_app, "POST", "/catalogs/products",
                  {"name": "Badge", "category": kit.id, "price": "0.20"}, status=201).json["product"]
    assert (ten["price"], twenty["price"]) == ("0.10", "0.20")
    total = dbsession.scalar(select(func.sum(Product.price)).where(Product.id.in_([ten["id"], twenty["id"]])))
    assert total == Decimal("0.30") and str(total) == "0.30"
    both = call(admin_app, "POST", "/catalogs/products",
                {"name": "Sticker and badge", "category": kit.id, "price": str(total)}, status=201)
    page = admin_app.get(f"/catalogs/products/{both.json['product']['id']}")
    assert page.html.select_one("dd.price").text == "£0.30"


@pytest.mark.parametrize("sent, shown", [
    ("12.5", "12.50"), ("12.50", "12.50"), (12.5, "12.50"), (12, "12.00"), ("0", "0.00"),
    ("-0", "0.00"), ("99999999.99", "99999999.99"), ("1e1", "10.00"), ("12.500", "12.50"),
])
def test_prices_accepted_by_the_api(admin_app, dbsession, kit, sent, shown):
    response = call(admin_app, "POST", "/catalogs/products",
                    {"name": "Scarf", "category": kit.id, "price": sent}, status=201)
    assert response.json["product"]["price"] == shown
    assert f'"price":"{shown}"' in response.text  # a JSON string, never a number
    assert stored_price(dbsession, response.json["product"]["id"]) == Decimal(shown)


@pytest.mark.parametrize("raw", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_numbers_are_not_json(admin_app, dbsession, kit, raw):
    body = b'{"name": "Scarf", "category": %d, "price": %s}' % (kit.id, raw)
    response = call(admin_app, "POST", "/catalogs/products", raw=body, status=400)
    assert response.json["error"]["detail"] == "The body is not valid JSON."


@pytest.mark.parametrize("raw", [
    b'"19.999"', b"19.999", b'"-1"', b"-0.01", b'"NaN"', b'"Infinity"', b"1e400",
    b'"100000000"', b'"twelve"', b'""', b"true", b"null", b"[]",
    # A float would round this to 12.5 and accept it; the exact decimal has 15 places.
    b"12.500000000000001",
])
def test_prices_refused_by_the_api(admin_app, dbsession, kit, raw):
    before = dbsession.scalar(select(func.count()).select_from(Product))
    body = b'{"name": "Scarf", "category": %d, "price": %s}' % (kit.id, raw)
    response = call(admin_app, "POST", "/catalogs/products", raw=body, status=422)
    assert list(response.json["error"]["fields"]) == ["price"]
    assert dbsession.scalar(select(func.count()).select_from(Product)) == before


def test_a_price_change_through_put_is_exact(admin_app, dbsession, make_product):
    product = make_product("Scarf", "10.00")
    response = call(admin_app, "PUT", f"/catalogs/products/{product.id}",
                    raw=b'{"price": 10.10}', status=200)
    assert response.json["product"]["price"] == "10.10"
    assert stored_price(dbsession, product.id) == Decimal("10.10")


@pytest.mark.parametrize("price, message", [
    ("19.999", "Enter the price with at most 2 digits after the decimal point."),
    ("-5", "Enter a price of 0 or more."),
    ("5,00", "Enter the price as a number, such as 12.50."),
    ("", "Enter the price."),
])
def test_prices_refused_by_the_form(admin_app, dbsession, kit, price, message):
    form = {"name": "Scarf", "category": str(kit.id), "price": price, "sizes": ""}
    response = post_form(admin_app, "/catalogs/products/new", form, status=400)
    field = response.html.find("input", attrs={"name": "price"})
    assert field["value"] == price and field["aria-invalid"] == "true"
    assert message in response.html.find(id="price-errors").text
    assert dbsession.scalar(select(func.count()).select_from(Product)) == 0


def test_the_form_shows_a_stored_price_with_two_places(admin_app, make_product):
    product = make_product("Socks", "7.5")
    page = admin_app.get(f"/catalogs/products/{product.id}/edit")
    assert page.html.find("input", attrs={"name": "price"})["value"] == "7.50"


def test_money_is_shown_in_the_club_currency(admin_app, make_product):
    make_product("Kit bag", "1234.5")
    assert admin_app.get("/catalogs/").html.select_one(".price").text == "£1,234.50"
