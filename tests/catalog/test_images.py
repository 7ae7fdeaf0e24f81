"""Product pictures on the shop's pages: their size known before they load, and copies to fit.

A picture uploaded through the product form is shown with ``width``,
``height`` and a ``srcset`` of the smaller copies the upload store wrote:
the page does not jump while it loads, and a phone fetches a copy fitting
240 (the product page) or 80 (the list) CSS pixels, not the whole photo.
"""
import io

from PIL import Image
from sqlalchemy import select

from touchline.catalog.models import Product
from touchline.testing import post_form

HASH = "0123456789abcdef0123456789abcdef"


def jpeg(size):
    out = io.BytesIO()
    Image.new("RGB", size, (20, 40, 90)).save(out, "JPEG")
    return out.getvalue()


def candidates(img):
    """``[(url, width)]`` of an ``<img>``'s srcset."""
    pairs = [candidate.rsplit(" ", 1) for candidate in img["srcset"].split(", ")]
    return [(url, int(width.removesuffix("w"))) for url, width in pairs]


def test_an_uploaded_photo_is_shown_with_its_size_and_its_copies(admin_app, dbsession, kit):
    response = post_form(admin_app, "/catalogs/products/new", {
        "name": "Away shirt", "category": str(kit.id), "price": "24",
    }, page_url="/catalogs/products/new", upload_files=[("image", "away.jpg", jpeg((900, 600)))], status=303)
    product = dbsession.scalars(select(Product)).one()
    assert product.image.endswith("-900x600.jpg")

    # The product page: its main picture, 240 pixels wide, fetched first.
    img = admin_app.get(response.location).html.find("img", class_="product-image")
    assert (img["width"], img["height"], img["sizes"]) == ("240", "160", "240px")
    assert (img["alt"], img["loading"], img["fetchpriority"]) == ("Away shirt", "eager", "high")
    srcset = candidates(img)
    assert [width for _, width in srcset] == [160, 320, 640, 900]
    assert srcset[-1][0] == img["src"]
    for url, width in srcset:
        served = admin_app.get(url, status=200)
        assert served.content_type == "image/jpeg"
        assert Image.open(io.BytesIO(served.body)).size == (width, round(width * 2 / 3))

    # The list: an 80-pixel thumbnail from the same copies.
    thumbnail = admin_app.get("/catalogs/").html.select_one("ul.product-list img")
    assert (thumbnail["width"], thumbnail["height"], thumbnail["sizes"]) == ("80", "53", "80px")
    assert (thumbnail["src"], thumbnail["srcset"]) == (img["src"], img["srcset"])

    # The form's preview of the current image, and the JSON: the same picture, its size.
    preview = admin_app.get(f"/catalogs/products/{product.id}/edit").html.find("img", alt="The current image")
    assert (preview["width"], preview["height"], preview["srcset"]) == ("120", "80", img["srcset"])
    data = admin_app.get(f"/catalogs/products/{product.id}.json").json["product"]
    assert (data["image"], data["image_width"], data["image_height"]) == (img["src"], 900, 600)


def test_the_first_thumbnails_load_first_the_others_lazily(testapp, make_product):
    for number in range(6):
        make_product(f"Shirt {number}", image=f"{HASH}-{400 + number}x400.png")
    images = testapp.get("/catalogs/").html.select("ul.product-list img")
    assert [img["loading"] for img in images] == ["eager"] * 4 + ["lazy"] * 2
    assert [img.get("fetchpriority") for img in images] == ["high"] + [None] * 5  # a phone's LCP
    assert images[5]["src"].endswith(f"/uploads/{HASH}-405x400.png")
    assert images[5]["srcset"].startswith(f"http://localhost/uploads/{HASH}-405x400-160w.png 160w, ")


def test_a_picture_stored_under_an_old_name_is_shown_without_a_size(testapp, make_product):
    """Names from before sizes were added (``<hash>.<ext>``): the same pages, no srcset."""
    product = make_product("Home shirt", image=HASH + ".png")
    img = testapp.get(f"/catalogs/products/{product.id}").html.find("img", class_="product-image")
    assert img["src"] == f"http://localhost/uploads/{HASH}.png"
    assert img["width"] == "240"  # the width the page gives it; the height is not known
    assert not any(img.has_attr(attribute) for attribute in ("height", "srcset", "sizes"))
    thumbnail = testapp.get("/catalogs/").html.select_one("ul.product-list img")
    assert thumbnail["src"] == img["src"] and thumbnail["width"] == "80"
    assert not any(thumbnail.has_attr(attribute) for attribute in ("height", "srcset", "sizes"))


def test_the_alt_text_is_the_products_name_escaped(testapp, make_product):
    name = '"><img src=x onerror=alert(1)>'
    product = make_product(name, image=HASH + "-300x300.png")
    page = testapp.get(f"/catalogs/products/{product.id}")
    (img,) = page.html.find_all("img", class_="product-image")
    assert img["alt"] == name
    assert "<img src=x" not in page.text
