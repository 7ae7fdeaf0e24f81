"""The shop's public pages in ``/sitemap.xml`` (``config.add_sitemap_source``).

The shop, its categories page and every product.  A product has no
timestamp of its own, so its ``lastmod`` is its latest change in the
history.  The category filters (``?category=``) are variants of the shop's
page (their canonical URL is the shop), so they are not listed apart.
"""
from sqlalchemy import select

from touchline.seo import last_changed

from .models import Product


def catalog_entries(request, limit):
    """The shop, its categories and each product, newest first, in one query."""
    yield request.fixed_path("catalog.index"), None
    yield request.fixed_path("catalog.categories"), None
    show = request.path_for("catalog.product", "id")
    rows = request.dbsession.execute(
        select(Product.id, last_changed("products", Product.id))
        .order_by(Product.id.desc())
        .limit(limit)
    )
    for product_id, changed in rows:
        yield show(product_id), changed
