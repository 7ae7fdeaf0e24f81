"""A product without a photo keeps its place: a placeholder image with its size, not a hole."""


def test_products_without_an_image_show_the_placeholder(testapp, make_product):
    make_product("Scarf")
    page = testapp.get("/catalogs/")
    (item,) = page.html.select(".product-list .product")
    image = item.find("img")
    assert "placeholder" in image["class"] and image["alt"] == ""
    assert image["src"].startswith("/static/img/product-placeholder.svg")
    assert (image["width"], image["height"]) == ("80", "80")
    svg = testapp.get(image["src"].split("?")[0])
    assert svg.content_type == "image/svg+xml" and b'width="240"' in svg.body


def test_a_products_page_without_an_image_shows_the_placeholder(testapp, make_product):
    product = make_product("Scarf")
    image = testapp.get(f"/catalogs/products/{product.id}").html.find("img", class_="product-image")
    assert "placeholder" in image["class"] and image["width"] == "240" and image["height"] == "240"
