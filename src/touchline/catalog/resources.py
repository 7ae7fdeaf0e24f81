"""Resource factories for the catalog routes: the row named by ``{id}``, or 404.

The rows carry the base ACL (everyone views; admins, through ALL_PERMISSIONS,
create, edit and delete; nobody else writes).
"""
from touchline.resources import get_or_404

from .models import Category, Product


def product_factory(request):
    return get_or_404(request, Product)


def category_factory(request):
    return get_or_404(request, Category)
