"""The shop catalog add-on: what the club sells, by category, with prices.

Enable it by naming ``touchline.catalog`` in ``touchline.addons``, usually
mounted under a prefix (``touchline.catalog:/catalogs``).  Paying is out of
scope: a product page says how to order, from the setting
``touchline.catalog.order_instructions``.
"""
from .models import Category, Product

ORDER_INSTRUCTIONS = "touchline.catalog.order_instructions"
DEFAULT_ORDER_INSTRUCTIONS = "To order, speak to your team's coach or email the club."


def includeme(config):
    settings = config.registry.settings
    config.registry[ORDER_INSTRUCTIONS] = (
        (settings.get(ORDER_INSTRUCTIONS) or "").strip() or DEFAULT_ORDER_INSTRUCTIONS
    )
    config.include(".routes")
    config.add_migrations("touchline.catalog:migrations/versions")
    config.add_search_source("catalog", "touchline.catalog.search.search_products", title="Shop", order=40)
    config.add_navigation_entry("catalog", "Shop", "catalog.index", order=40)
    config.add_pshell_variable("Product", Product, "The Product model: an item of the club shop.")
    config.add_pshell_variable("Category", Category, "The shop's product categories.")
    config.add_demo_populator("catalog", "touchline.catalog.populate.populate_catalog", order=50)
    config.add_sitemap_source("catalog", "touchline.catalog.sitemap.catalog_entries", order=40)
    config.add_history(Product, "products", label=lambda product: product.name)
    config.add_history(Category, "categories", label=lambda category: category.name)
    config.scan(".views")
    # Its models in the admin (shown when the touchline.admin add-on is on).
    config.include(".admin")
    config.add_editor("touchline.catalog.views.ProductEditor")
    config.add_editor("touchline.catalog.views.CategoryEditor")
