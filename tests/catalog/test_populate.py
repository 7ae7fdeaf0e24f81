"""Demo data: a realistic club shop, loaded once, left alone afterwards."""
from types import SimpleNamespace

from sqlalchemy import func, select

from touchline.catalog.models import Category, Product
from touchline.catalog.populate import populate_catalog
from touchline.testing import service
from touchline.uploads import IUploadStore, RequestUploads


def demo_request(app, dbsession):
    request = SimpleNamespace(dbsession=dbsession)
    request.uploads = RequestUploads(service(app, IUploadStore), request)
    return request


def test_the_demo_shop(app, dbsession, testapp):
    populate_catalog(demo_request(app, dbsession))
    categories = dbsession.scalars(Category.ordered()).all()
    assert [c.slug for c in categories] == ["accessories", "match-kit", "supporters", "training-wear"]
    products = dbsession.scalars(Product.ordered()).all()
    names = {p.name for p in products}
    assert {"Home shirt", "Away shirt", "Match shorts", "Match socks", "Training top", "Water bottle",
            "Club scarf", "Kit bag"} <= names
    assert any(not p.in_stock for p in products) and any(p.in_stock for p in products)
    assert all(p.price > 0 for p in products)
    home = next(p for p in products if p.name == "Home shirt")
    assert home.size_list == "YXS YS YM YL S M L XL".split()
    assert home.image and service(app, IUploadStore).exists(home.image)
    assert home.image.endswith("-720x720.png")  # its size in its name, as every upload's
    # The demo image and its copies are served where the product page points.
    page = testapp.get(f"/catalogs/products/{home.id}")
    img = page.html.find("img", class_="product-image")
    testapp.get(img["src"], status=200)
    urls = [candidate.split(" ")[0] for candidate in img["srcset"].split(", ")]
    assert len(urls) == 4 and urls[-1] == img["src"]  # 160, 320 and 640 pixels, and itself
    for url in urls:
        assert testapp.get(url, status=200).content_type == "image/png"
    assert page.html.select_one("dd.price").text == "£24.00"


def test_the_demo_leaves_existing_data_alone(app, dbsession, make_category):
    make_category("Our own")
    populate_catalog(demo_request(app, dbsession))
    assert dbsession.scalar(select(func.count()).select_from(Category)) == 1
    assert dbsession.scalar(select(func.count()).select_from(Product)) == 0


def test_the_demo_runs_twice_without_change(app, dbsession):
    request = demo_request(app, dbsession)
    populate_catalog(request)
    counts = (dbsession.scalar(select(func.count()).select_from(Category)),
              dbsession.scalar(select(func.count()).select_from(Product)))
    populate_catalog(request)
    assert counts == (dbsession.scalar(select(func.count()).select_from(Category)),
                      dbsession.scalar(select(func.count()).select_from(Product)))


def test_the_catalog_is_offered_in_pshell_and_as_demo_data(app):
    from touchline.addons import populators, pshell_variables

    variables = {variable.name: variable.value for variable in pshell_variables(app.registry)}
    assert variables["Product"] is Product and variables["Category"] is Category
    populator = next(p for p in populators(app.registry) if p.name == "catalog")
    assert populator.order == 50 and populator.populate is populate_catalog
