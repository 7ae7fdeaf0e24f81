"""Admins keep the catalog: product and category forms, the JSON API and images.

What a request wrote is checked in the database through ``dbsession``; a
request that fails must leave it as it was.
"""
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from touchline.catalog.models import Category, Product
from touchline.testing import csrf_token_of, post_form

from .conftest import call


def product_count(dbsession):
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(Product))


def product_row(dbsession, product_id):
    """A product as stored, read past the session's cache."""
    dbsession.flush()
    table = Product.__table__
    row = dbsession.execute(select(table).where(table.c.id == product_id)).one()
    return row._asdict()


def png(colour=(200, 0, 0), size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


# Products: the forms ---------------------------------------------------------------------


def test_the_new_product_form(admin_app, kit, make_category):
    make_category("Accessories")
    page = admin_app.get("/catalogs/products/new")
    form = page.html.main.form
    assert form["method"] == "post" and form["enctype"] == "multipart/form-data"
    options = [(o["value"], o.text) for o in form.find("select", attrs={"name": "category"}).find_all("option")]
    assert [text for _value, text in options] == ["Accessories", "Match kit"]
    assert form.find("input", attrs={"name": "in_stock"}).has_attr("checked")
    assert form.find("input", attrs={"name": "image", "type": "file"})
    assert form.find("textarea", attrs={"name": "description"})
    assert "Price (GBP)" in form.text


def test_an_admin_adds_a_product_through_the_form(admin_app, dbsession, kit):
    page = admin_app.get("/catalogs/products/new")
    response = admin_app.post("/catalogs/products/new", {
        "csrf_token": csrf_token_of(page), "name": "  Home shirt ", "description": "Red.\r\nWith crest.",
        "category": str(kit.id), "price": "24.5", "sizes": "YS, YM  YL S", "in_stock": "on",
    }, status=303)
    product = dbsession.scalars(select(Product)).one()
    assert response.location == f"http://localhost/catalogs/products/{product.id}"
    row = product_row(dbsession, product.id)
    assert (row["name"], row["sizes"], str(row["price"]), row["in_stock"], row["image"]) == (
        "Home shirt", "YS YM YL S", "24.50", True, None)
    shown = admin_app.get(response.location)
    assert "The product Home shirt was added to the shop." in shown.html.find("p", class_="flash").text
    assert [li.text for li in shown.html.select("ul.sizes li")] == ["YS", "YM", "YL", "S"]
    links = {a.text: a["href"] for a in shown.html.main.find_all("a")}
    assert links["Edit product"] == f"/catalogs/products/{product.id}/edit"
    assert links["Delete product"] == f"/catalogs/products/{product.id}/delete"


def test_an_unticked_box_means_out_of_stock(admin_app, dbsession, kit):
    post_form(admin_app, "/catalogs/products/new",
              {"name": "Rain jacket", "category": str(kit.id), "price": "34.99", "sizes": ""}, status=303)
    product = dbsession.scalars(select(Product)).one()
    assert product.in_stock is False and product.sizes == ""


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Enter the product's name."),
    ("name", "x" * 81, "Shorten the product's name to 80 characters or fewer."),
    ("name", "two\nlines", "Must be a single line."),
    ("description", "x" * 5001, "Shorten the description to 5000 characters or fewer."),
    ("category", "abc", "Choose the category from the list."),
    ("category", "424242", "The shop has no category with the id 424242."),
    ("sizes", "S M s", "Give each size only once."),
    ("sizes", "S <M>", "Check the sizes: use letters and digits"),
    ("sizes", " ".join(f"S{i}" for i in range(17)), "Give at most 16 sizes."),
])
def test_form_errors_are_shown_beside_the_field(admin_app, dbsession, kit, field, value, message):
    form = {"name": "Home shirt", "category": str(kit.id), "price": "24", "sizes": "S M", "in_stock": "on",
            "description": "Red"}
    form[field] = value
    response = post_form(admin_app, "/catalogs/products/new", form, status=400)
    assert message in response.html.find(id=f"{field}-errors").text
    assert "Please correct the errors below." in response.html.find(class_="form-errors").text
    kept = response.html.find(attrs={"name": field})
    if kept.name == "textarea":
        assert kept.text == value
    elif kept.name == "input":
        assert kept["value"] == value
    assert product_count(dbsession) == 0


def test_unknown_fields_and_repeated_fields_are_refused(admin_app, dbsession, kit):
    form = {"name": "Shirt", "category": str(kit.id), "price": "1", "id": "7"}
    response = post_form(admin_app, "/catalogs/products/new", form, status=400)
    assert "id: This field cannot be set." in response.html.find(class_="form-errors").text
    page = admin_app.get("/catalogs/products/new")
    admin_app.post("/catalogs/products/new", [("csrf_token", csrf_token_of(page)), ("name", "a"), ("name", "b"),
                                             ("category", str(kit.id)), ("price", "1")], status=400)
    assert product_count(dbsession) == 0


def test_an_admin_edits_a_product(admin_app, dbsession, make_product, make_category):
    product = make_product("Home shirt", "24", sizes="S M", description="Old")
    caps = make_category("Accessories")
    page = admin_app.get(f"/catalogs/products/{product.id}/edit")
    form = page.html.main.form
    assert page.html.h1.text == "Edit Home shirt"
    assert form.find("input", attrs={"name": "sizes"})["value"] == "S M"
    assert form.find("textarea").text == "Old"
    assert form.find("select").find("option", selected=True).text == "Match kit"
    response = admin_app.post(f"/catalogs/products/{product.id}/edit", {
        "csrf_token": csrf_token_of(page), "name": "Cap", "description": "New", "category": str(caps.id),
        "price": "9.99", "sizes": "", "in_stock": "on",
    }, status=303)
    assert response.location == f"http://localhost/catalogs/products/{product.id}"
    row = product_row(dbsession, product.id)
    assert (row["name"], row["description"], row["category_id"], str(row["price"]), row["sizes"]) == (
        "Cap", "New", caps.id, "9.99", "")
    assert "The product Cap was saved." in admin_app.get(response.location).text


def test_a_failed_edit_changes_nothing(admin_app, dbsession, make_product):
    product = make_product("Home shirt", "24")
    before = product_row(dbsession, product.id)
    post_form(admin_app, f"/catalogs/products/{product.id}/edit",
              {"name": "Renamed", "category": "424242", "price": "1"}, status=400)
    post_form(admin_app, f"/catalogs/products/{product.id}/edit",
              {"name": "Renamed", "category": str(product.category_id), "price": "-1"}, status=400)
    assert product_row(dbsession, product.id) == before


def test_an_admin_deletes_a_product_after_confirming(admin_app, dbsession, make_product):
    product = make_product("Home shirt")
    page = admin_app.get(f"/catalogs/products/{product.id}/delete")
    assert page.html.h1.text == "Delete Home shirt?"
    assert product_count(dbsession) == 1
    response = admin_app.post(f"/catalogs/products/{product.id}/delete",
                              {"csrf_token": csrf_token_of(page)}, status=303)
    assert response.location == "http://localhost/catalogs/"
    assert product_count(dbsession) == 0
    assert "The product Home shirt was removed from the shop." in admin_app.get(response.location).text
    admin_app.get(f"/catalogs/products/{product.id}", status=404)


def test_admins_see_the_management_links(admin_app, make_product):
    page = admin_app.get("/catalogs/")
    links = {a.text: a["href"] for a in page.html.select("p.actions a")}
    assert links == {"New product": "/catalogs/products/new", "Categories": "/catalogs/categories"}


def test_a_coach_and_a_member_cannot_write(testapp, login, make_user, dbsession, make_product):
    product = make_product()
    for username, role in (("casey", "coach"), ("morgan", "member")):
        make_user(username, role)
        login(testapp, username)
        assert "New product" not in testapp.get("/catalogs/").text
        assert "Edit product" not in testapp.get(f"/catalogs/products/{product.id}").text
        testapp.get("/catalogs/products/new", status=403)
        call(testapp, "PUT", f"/catalogs/products/{product.id}", {"name": "Mine"}, status=403)
        testapp.reset()
    assert product_row(dbsession, product.id)["name"] == "Home shirt"


def test_anonymous_visitors_are_sent_to_log_in(testapp, make_product):
    response = testapp.get("/catalogs/products/new", status=303)
    assert response.location == "http://localhost/login?next=%2Fcatalogs%2Fproducts%2Fnew"


# Products: the JSON API ----------------------------------------------------------------------


def test_the_api_creates_a_product(admin_app, dbsession, kit):
    response = call(admin_app, "POST", "/catalogs/products", {
        "name": "Training top", "description": "Quarter zip", "category": kit.id, "price": "22",
        "sizes": ["YS", "YM", "S"],
    }, status=201)
    product = response.json["product"]
    assert response.location == f"http://localhost/catalogs/products/{product['id']}"
    assert product == {
        "id": product["id"], "name": "Training top", "description": "Quarter zip",
        "category": {"id": kit.id, "name": "Match kit", "slug": "match-kit"}, "price": "22.00",
        "currency": "GBP", "sizes": ["YS", "YM", "S"], "in_stock": True, "image": None,
        "image_width": None, "image_height": None,
    }
    assert admin_app.get(f"/catalogs/products/{product['id']}.json").json["product"] == product


def test_the_api_takes_sizes_as_text_too(admin_app, kit):
    response = call(admin_app, "POST", "/catalogs/products",
                    {"name": "Socks", "category": kit.id, "price": "7.5", "sizes": "J12-2 3-6 7-11"}, status=201)
    assert response.json["product"]["sizes"] == ["J12-2", "3-6", "7-11"]


@pytest.mark.parametrize("body, fields", [
    ({}, {"name", "category", "price"}),
    ({"name": "", "category": 1, "price": "1"}, {"name"}),
    ({"name": "x", "category": "one", "price": "1"}, {"category"}),
    ({"name": "x", "category": 424242, "price": "1"}, {"category"}),
    ({"name": "x", "category": 0, "price": "1"}, {"category"}),
    ({"name": "x", "category": 1, "price": "1", "sizes": [1, 2]}, {"sizes"}),
    ({"name": "x", "category": 1, "price": "1", "sizes": {"a": 1}}, {"sizes"}),
    ({"name": "x", "category": 1, "price": "1", "in_stock": "maybe"}, {"in_stock"}),
    ({"name": "x", "category": 1, "price": "1", "image": "../../etc/passwd"}, {"image"}),
    ({"name": "x", "category": 1, "price": "1", "id": 5}, {"id"}),
    ({"name": 12, "category": 1, "price": "1"}, {"name"}),
])
def test_bad_api_bodies_are_422_with_fields(admin_app, dbsession, kit, body, fields):
    body = {key: (kit.id if key == "category" and value == 1 else value) for key, value in body.items()}
    response = call(admin_app, "POST", "/catalogs/products", body, status=422)
    assert set(response.json["error"]["fields"]) == fields
    assert product_count(dbsession) == 0


@pytest.mark.parametrize("raw, content_type, status", [
    (b"{not json", "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (b"name=x", "application/x-www-form-urlencoded", 415),
])
def test_bad_api_requests(admin_app, dbsession, kit, raw, content_type, status):
    response = call(admin_app, "POST", "/catalogs/products", raw=raw, content_type=content_type, status=status)
    assert response.json["error"]["status"] == status
    assert product_count(dbsession) == 0


def test_the_api_updates_only_what_it_is_sent(admin_app, dbsession, make_product, make_category):
    product = make_product("Home shirt", "24", sizes="S M", description="Red")
    caps = make_category("Accessories")
    response = call(admin_app, "PUT", f"/catalogs/products/{product.id}.json",
                    {"category": caps.id, "in_stock": False}, status=200)
    assert response.json["product"]["category"]["slug"] == "accessories"
    row = product_row(dbsession, product.id)
    assert (row["name"], row["description"], row["sizes"], str(row["price"]), row["in_stock"]) == (
        "Home shirt", "Red", "S M", "24.00", False)
    call(admin_app, "PUT", f"/catalogs/products/{product.id}", {"price": "-1"}, status=422)
    call(admin_app, "PUT", f"/catalogs/products/{product.id}", {"category": 424242}, status=422)
    assert product_row(dbsession, product.id) == row


def test_the_api_deletes_a_product(admin_app, dbsession, make_product):
    product = make_product()
    call(admin_app, "DELETE", f"/catalogs/products/{product.id}", status=204)
    assert product_count(dbsession) == 0
    call(admin_app, "DELETE", f"/catalogs/products/{product.id}", status=404)


def test_the_api_needs_the_csrf_token(admin_app, kit):
    admin_app.post_json("/catalogs/products", {"name": "x", "category": kit.id, "price": "1"},
                        headers={"Accept": "application/json"}, status=400)


# Categories -----------------------------------------------------------------------------------


def test_categories_in_three_formats(testapp, kit, make_category):
    make_category("Accessories")
    page = testapp.get("/catalogs/categories")
    links = {a.text: a["href"] for a in page.html.select("ul.category-list a")}
    assert links == {"Accessories": "/catalogs/?category=accessories", "Match kit": "/catalogs/?category=match-kit"}
    assert page.html.find("form") is None or page.html.find("input", attrs={"name": "slug"}) is None
    data = testapp.get("/catalogs/categories.json").json
    assert [c["slug"] for c in data["categories"]] == ["accessories", "match-kit"]
    assert data["page"]["number"] == 1
    assert testapp.get("/catalogs/categories.xml").content_type == "application/xml"


def test_an_admin_adds_a_category_from_the_list(admin_app, dbsession):
    page = admin_app.get("/catalogs/categories")
    form = page.html.find("section", attrs={"aria-labelledby": "new-category"}).form
    assert form["action"] == "/catalogs/categories/new"
    response = admin_app.post(form["action"], {"csrf_token": csrf_token_of(page), "name": " Supporters' Gear! ",
                                               "slug": ""}, status=303)
    assert response.location == "http://localhost/catalogs/categories"
    category = dbsession.scalars(select(Category)).one()
    assert (category.name, category.slug) == ("Supporters' Gear!", "supporters-gear")
    flash = admin_app.get(response.location).html.find("p", class_="flash")
    assert flash.text == "The category Supporters' Gear! was added."


@pytest.mark.parametrize("form, field, message", [
    ({"name": "", "slug": ""}, "name", "Enter the category's name."),
    ({"name": "Kit", "slug": "Match Kit"}, "slug", "Use lower-case letters, digits and single hyphens"),
    ({"name": "Kit", "slug": "match-kit"}, "slug", "Another category already has the slug match-kit."),
    ({"name": "Match kit", "slug": ""}, "slug", "Another category already has the slug match-kit."),
    ({"name": "!!!", "slug": ""}, "slug", "Give a slug"),
])
def test_category_form_errors(admin_app, dbsession, kit, form, field, message):
    response = post_form(admin_app, "/catalogs/categories/new", form, status=400)
    assert message in response.html.find(id=f"{field}-errors").text
    assert response.html.find("input", attrs={"name": "name"})["value"] == form["name"]
    assert dbsession.scalar(select(func.count()).select_from(Category)) == 1


def test_an_admin_renames_a_category(admin_app, dbsession, kit):
    page = admin_app.get(f"/catalogs/categories/{kit.id}/edit")
    assert page.html.find("input", attrs={"name": "slug"})["value"] == "match-kit"
    post_form(admin_app, f"/catalogs/categories/{kit.id}/edit", {"name": "Kit", "slug": "match-kit"}, status=303)
    post_form(admin_app, f"/catalogs/categories/{kit.id}/edit", {"name": "Kit", "slug": "kit"}, status=303)
    dbsession.expire_all()
    assert (kit.name, kit.slug) == ("Kit", "kit")


def test_a_category_in_use_cannot_be_deleted(admin_app, dbsession, kit, make_product):
    make_product("Home shirt")
    make_product("Away shirt")
    page = admin_app.get(f"/catalogs/categories/{kit.id}/delete")
    assert page.html.h1.text == "Match kit cannot be deleted"
    assert "2 products are in this category." in page.html.main.text
    assert page.html.main.find("form") is None
    token = csrf_token_of(admin_app.get("/catalogs/categories"))
    response = admin_app.post(f"/catalogs/categories/{kit.id}/delete", {"csrf_token": token}, status=409)
    assert "2 products are in this category." in response.html.main.text
    assert dbsession.get(Category, kit.id) is not None and product_count(dbsession) == 2


def test_an_empty_category_is_deleted(admin_app, dbsession, make_category):
    empty = make_category("Old stock")
    page = admin_app.get(f"/catalogs/categories/{empty.id}/delete")
    assert page.html.h1.text == "Delete Old stock?"
    response = admin_app.post(f"/catalogs/categories/{empty.id}/delete", {"csrf_token": csrf_token_of(page)},
                              status=303)
    assert response.location == "http://localhost/catalogs/categories"
    dbsession.expire_all()
    assert dbsession.scalar(select(func.count()).select_from(Category)) == 0


# Images -------------------------------------------------------------------------------------------


def test_an_image_upload_round_trip(admin_app, dbsession, kit):
    page = admin_app.get("/catalogs/products/new")
    response = admin_app.post("/catalogs/products/new", {
        "csrf_token": csrf_token_of(page), "name": "Home shirt", "category": str(kit.id), "price": "24",
        "sizes": "S M", "in_stock": "on",
    }, upload_files=[("image", "shirt.png", png())], status=303)
    product = dbsession.scalars(select(Product)).one()
    assert product.image and product.image.endswith(".png")
    shown = admin_app.get(response.location)
    src = shown.html.find("img", class_="product-image")["src"]
    image = admin_app.get(src, status=200)
    assert image.content_type == "image/png"
    assert Image.open(io.BytesIO(image.body)).size == (40, 30)
    listed = admin_app.get("/catalogs/").html.select_one("ul.product-list img")["src"]
    assert listed == src
    data = admin_app.get(f"/catalogs/products/{product.id}.json").json
    assert data["product"]["image"] == src

    # Editing without choosing a file keeps the image; ticking "remove" takes it off.
    edit = admin_app.get(f"/catalogs/products/{product.id}/edit")
    assert edit.html.find("input", attrs={"name": "remove_image"})
    form = {"csrf_token": csrf_token_of(edit), "name": "Home shirt", "category": str(kit.id), "price": "24"}
    admin_app.post(f"/catalogs/products/{product.id}/edit", form, status=303)
    assert product_row(dbsession, product.id)["image"] == product.image
    admin_app.post(f"/catalogs/products/{product.id}/edit", dict(form, remove_image="on"), status=303)
    assert product_row(dbsession, product.id)["image"] is None


def test_a_new_image_replaces_the_old_one(admin_app, dbsession, make_product, kit):
    product = make_product("Home shirt")
    form = {"name": "Home shirt", "category": str(kit.id), "price": "24"}
    post_form(admin_app, f"/catalogs/products/{product.id}/edit", form,
              upload_files=[("image", "red.png", png((255, 0, 0)))], status=303)
    first = product_row(dbsession, product.id)["image"]
    post_form(admin_app, f"/catalogs/products/{product.id}/edit", form,
              upload_files=[("image", "blue.png", png((0, 0, 255)))], status=303)
    second = product_row(dbsession, product.id)["image"]
    assert first and second and first != second


@pytest.mark.parametrize("filename, content", [
    ("shirt.png", b"<html><script>alert(1)</script></html>"),
    ("shirt.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("shirt.png", png()[:60]),
])
def test_a_bad_image_is_refused_and_nothing_is_saved(admin_app, dbsession, kit, filename, content):
    page = admin_app.get("/catalogs/products/new")
    response = admin_app.post("/catalogs/products/new", {
        "csrf_token": csrf_token_of(page), "name": "Home shirt", "category": str(kit.id), "price": "24",
    }, upload_files=[("image", filename, content)], status=400)
    assert response.html.find(id="image-errors").text.strip() in (
        "Upload a PNG, JPEG, GIF or WebP image.", "The image file is damaged or incomplete.")
    assert response.html.find("input", attrs={"name": "name"})["value"] == "Home shirt"
    assert product_count(dbsession) == 0


def test_a_file_in_a_text_field_is_400(admin_app, dbsession, kit):
    page = admin_app.get("/catalogs/products/new")
    admin_app.post("/catalogs/products/new", {
        "csrf_token": csrf_token_of(page), "category": str(kit.id), "price": "24",
    }, upload_files=[("name", "name.txt", b"Home shirt")], status=400)
    assert product_count(dbsession) == 0
