"""The shop in the site's search: products by name (first) or description (``touchline.search``).

The shop's own list search (``lists.py``) finds substrings through trigram
indexes; the site's search finds words, through this word index.
"""
from touchline.club import format_money
from touchline.search import FullText, SearchResult

from .models import Product

#: The migration ``catalog_search_0001`` creates it; the model declares its PostgreSQL index.
PRODUCTS_TEXT = FullText("catalog_products", ["name", "description"])

P = Product.__table__
#: Its PostgreSQL index, on the model's table, so that the models describe what the migration made.
PRODUCTS_TEXT.model_index(P)


def search_products(request, query, limit):
    """Products whose name or description holds every word, by name among equals."""
    rows = PRODUCTS_TEXT.search(request, P, (P.c.id, P.c.name, P.c.price, P.c.in_stock), query, limit,
                                order_by=(P.c.sort_name,))
    url = request.url_for("catalog.product", "id")
    return [SearchResult(row.name, url(row.id), summary=format_money(row.price, request.currency),
                         label=None if row.in_stock else "Out of stock")
            for row in rows]
