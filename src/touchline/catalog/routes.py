"""The catalog's routes, relative to the prefix the ini mounts it under (``/catalogs``).

Views and templates find these by name, so moving the prefix in the ini
moves every catalog URL and link.
"""
from touchline.security import VIEW


def includeme(config):
    product = "touchline.catalog.resources.product_factory"
    category = "touchline.catalog.resources.category_factory"
    config.add_resource_route("catalog.index", "/")
    if config.route_prefix:
        # "/catalogs" (no slash) is where people type; it redirects to "/catalogs/".
        config.add_route("catalog.index_redirect", "", inherit_slash=True)
        config.add_view(
            "touchline.catalog.views.index_redirect", route_name="catalog.index_redirect",
            request_method="GET", permission=VIEW,
        )
    config.add_resource_route("catalog.products", "/products")
    config.add_route("catalog.product_new", "/products/new")
    config.add_resource_route("catalog.product", "/products/{id:\\d+}", factory=product)
    config.add_route("catalog.product_edit", "/products/{id:\\d+}/edit", factory=product)
    config.add_route("catalog.product_delete", "/products/{id:\\d+}/delete", factory=product)
    config.add_resource_route("catalog.categories", "/categories")
    config.add_route("catalog.category_new", "/categories/new")
    config.add_route("catalog.category_edit", "/categories/{id:\\d+}/edit", factory=category)
    config.add_route("catalog.category_delete", "/categories/{id:\\d+}/delete", factory=category)
