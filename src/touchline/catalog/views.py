"""The shop pages and API: lists and products answer HTML, JSON and XML.

Forms and JSON writes share one schema (``schemas.py``), so a product that
cannot be saved from the page cannot be saved through the API either.  Only
admins write (the base ACL gives them every permission); everyone browses.
"""
import re

from pyramid.httpexceptions import HTTPBadRequest, HTTPMovedPermanently
from pyramid.view import view_config
from sqlalchemy import func, select

from touchline.crud import Editor
from touchline.forms import validate_form
from touchline.pagination import read
from touchline.security import VIEW

from . import ORDER_INSTRUCTIONS
from .lists import (
    CATEGORY_CHOICES,
    category_by_slug,
    category_links,
    category_page,
    dialect_of,
    product_page,
    search,
)
from .models import SLUG_MAX_LENGTH, SLUG_PATTERN, Category, Product, exact_price
from .schemas import CategoryIn, ProductFormIn, ProductIn

LIST_TEMPLATE = "touchline.catalog:templates/products.jinja2"
PRODUCT_FORM = "touchline.catalog:templates/product_form.jinja2"
CATEGORY_FORM = "touchline.catalog:templates/category_form.jinja2"
#: Longest search a visitor may type; a longer one is a 400, not a slow query.
MAX_SEARCH_LENGTH = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# Browsing ---------------------------------------------------------------------------


def _search_term(request):
    q = request.GET.get("q", "")
    if len(q) > MAX_SEARCH_LENGTH:
        raise HTTPBadRequest(f"Search for at most {MAX_SEARCH_LENGTH} characters.")
    if _CONTROL.search(q):
        raise HTTPBadRequest("The search cannot contain control characters.")
    return q.strip()


def _chosen_category(request, categories, more, slug):
    """The category the ``category`` parameter names, or None if there is none."""
    for category in categories:
        if category.slug == slug:
            return category
    if not more or len(slug) > SLUG_MAX_LENGTH:
        return None
    if not re.fullmatch(SLUG_PATTERN, slug):
        return None
    return category_by_slug(request, slug)


@view_config(route_name="catalog.index", request_method="GET", permission=VIEW, renderer=LIST_TEMPLATE)
@view_config(route_name="catalog.products", request_method="GET", permission=VIEW, renderer=LIST_TEMPLATE)
def product_list(request):
    """The products a page at a time, searched (``q``) and filtered (``category``) together.

    Two queries whatever the catalog's size: the categories (for the
    filter links) and one page of products with their categories, each an
    index range (``lists.py``); on SQLite a search counts its matches first.
    """
    q = _search_term(request)
    slug = request.GET.get("category", "").strip()
    categories, more_categories = category_links(request)
    category, message, kind, params = None, None, "all", {}
    if slug:
        category = _chosen_category(request, categories, more_categories, slug)
        if category is None:
            message = f"The shop has no category “{slug}”."
            kind = "none"
        else:
            params["category_id"] = category.id
    if q and kind != "none":
        kind, found = search(request, dialect_of(request), q)
        params.update(found)
    page = product_page(request, kind, category is not None, params)
    return {
        "products": page.items,
        "page": page,
        "q": q,
        "category": category,
        "categories": categories,
        "more_categories": more_categories,
        "message": message,
    }


def index_redirect(request):
    """Registered by ``routes.py`` only when the catalog is mounted under a prefix."""
    return HTTPMovedPermanently(location=request.route_url("catalog.index", _query=request.GET))


@view_config(
    route_name="catalog.product", request_method="GET", permission=VIEW,
    renderer="touchline.catalog:templates/product.jinja2",
)
def product_show(context, request):
    # "Email the club" gives the address: the club's contact email from its settings, if any.
    return {"product": context, "how_to_order": request.registry[ORDER_INSTRUCTIONS],
            "contact_email": request.club.email or None}


@view_config(
    route_name="catalog.categories", request_method="GET", permission=VIEW,
    renderer="touchline.catalog:templates/categories.jinja2",
)
def category_list(request):
    page = category_page(request)
    return {"categories": page.items, "page": page}


# Writing products -------------------------------------------------------------------


def _category_choices(request):
    return [(str(row.id), row.name) for row in read(request, CATEGORY_CHOICES)]




def _product_values(product):
    return {
        "name": product.name,
        "description": product.description,
        "category": str(product.category_id),
        "price": str(exact_price(product.price)),
        "sizes": product.sizes,
        "in_stock": product.in_stock,
    }


def _apply(request, product, data):
    """Copy valid ``data`` onto ``product``; field errors instead if the category is unknown.

    Nothing is changed unless everything is valid: a 4xx must leave the row as it was.
    """
    category = request.dbsession.get(Category, data.category)
    if category is None:
        return {"category": [f"The shop has no category with the id {data.category}."]}
    product.name = data.name
    product.description = data.description
    product.category = category
    product.price = data.price
    product.size_list = data.sizes
    product.in_stock = data.in_stock
    return None


def _upload(request):
    """Store the form's image, if one was chosen: ``(name, error)``."""
    upload = request.POST.get("image")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        return None, None
    # Pillow's side of the site, imported when an image comes, not with every page.
    from touchline.uploads import InvalidImage

    try:
        return request.uploads.save_image(upload), None
    except InvalidImage as exc:
        return None, str(exc)


# The products: forms and JSON API ----------------------------------------------------------------


class ProductEditor(Editor):
    """The products' forms and JSON API writes: ``_apply`` refuses an unknown category.

    A form may bring an image (stored through ``request.uploads``) or ask to remove one.
    """

    key = "product"
    collection_route = "catalog.products"
    item_route = "catalog.product"
    new_route = "catalog.product_new"
    edit_route = "catalog.product_edit"
    delete_route = "catalog.product_delete"
    form_template = PRODUCT_FORM
    delete_template = "touchline.catalog:templates/product_delete.jinja2"
    created_message = "The product {record.name} was added to the shop."
    saved_message = "The product {record.name} was saved."
    deleted_message = "The product {record.name} was removed from the shop."
    after_delete_route = "catalog.index"
    schema_class = ProductIn

    def new(self):
        return Product()

    def current(self, product):
        return {
            "name": product.name,
            "description": product.description,
            "category": product.category_id,
            "price": exact_price(product.price),
            "sizes": product.size_list,
            "in_stock": product.in_stock,
        }

    def apply(self, product, data):
        return _apply(self.request, product, data)

    def validate_form(self):
        data, form = validate_form(self.request, ProductFormIn, ignore=("csrf_token", "image"))
        image, image_error = _upload(self.request)
        if image_error:
            form.errors = {**form.errors, "image": [image_error]}
        if form.errors:
            return None, form
        return (data, image), form

    def apply_form(self, product, validated):
        data, image = validated
        errors = _apply(self.request, product, data)
        if errors:
            return errors
        if image:
            product.image = image
        elif data.remove_image:
            product.image = None
        return None

    def new_values(self):
        return {"in_stock": True}

    def form_values(self, product):
        return _product_values(product)

    def form_page(self, form, product=None):
        return {"form": form, "product": product, "categories": _category_choices(self.request)}






# Categories: forms only ------------------------------------------------------------------


def _apply_category(request, category, data):
    """Copy valid data onto ``category``; field errors instead if its slug cannot be had."""
    from slugify import slugify

    slug = data.slug or slugify(data.name, max_length=SLUG_MAX_LENGTH, word_boundary=True)
    if not slug:
        return {"slug": ["Give a slug: the name has no letters or digits to make one from."]}
    taken = request.dbsession.scalar(
        select(Category.id).where(Category.slug == slug, Category.id != (category.id or 0))
    )
    if taken is not None:
        return {"slug": [f"Another category already has the slug {slug}."]}
    category.name = data.name
    category.slug = slug
    return None


def _products_in(request, category):
    return request.dbsession.scalar(
        select(func.count()).select_from(Product).where(Product.category_id == category.id)
    )


class CategoryEditor(Editor):
    """The categories' forms; a category that still has products is not deleted (409)."""

    key = "category"
    new_route = "catalog.category_new"
    edit_route = "catalog.category_edit"
    delete_route = "catalog.category_delete"
    form_template = CATEGORY_FORM
    delete_template = "touchline.catalog:templates/category_delete.jinja2"
    schema_class = CategoryIn
    created_message = "The category {record.name} was added."
    saved_message = "The category {record.name} was saved."
    deleted_message = "The category {record.name} was deleted."
    after_delete_route = "catalog.categories"

    def new(self):
        return Category()

    def apply(self, category, data):
        return _apply_category(self.request, category, data)

    def form_values(self, category):
        return {"name": category.name, "slug": category.slug}

    def after_save(self, category):
        return self.request.route_url("catalog.categories")

    def delete_page(self, category):
        return {"category": category, "products": _products_in(self.request, category)}

    def delete_refused(self, category):
        page = self.delete_page(category)
        if page["products"]:  # they would have no shelf
            self.request.response.status_int = 409
            return page
        return None
