"""The shop's products and categories in the admin: stock marked in bulk."""
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from touchline.admin.registry import BooleanFilter, Column, DeleteAction, ModelAdmin, RelatedFilter, SetAction, Todo

from .models import Category, Product


class ProductAdmin(ModelAdmin):
    name = "products"
    model = Product
    title, singular = "Products", "product"
    editor = "touchline.catalog.views.ProductEditor"
    columns = (
        Column("name", "Name", Product.sort_name, lambda product, request: product.name),
        Column("category", "Category", Category.sort_name, lambda product, request: product.category.name),
        Column("price", "Price", Product.price, lambda product, request: f"{product.price:.2f}"),
        Column("in_stock", "In stock", Product.in_stock),
        Column("sizes", "Sizes", None),
    )
    search = (Product.name, Product.description)
    filters = (
        RelatedFilter("category", "Category", Product.category_id, Category, Category.name),
        BooleanFilter("in_stock", "In stock", lambda request: Product.in_stock.is_(True)),
    )
    ordering = ("name",)
    actions = (
        SetAction("in_stock", "Mark in stock", "in_stock", True, "{count} marked in stock."),
        SetAction("out_of_stock", "Mark out of stock", "in_stock", False, "{count} marked out of stock."),
        DeleteAction(),
    )
    todos = (Todo("Products out of stock", {"in_stock": "no"}),)

    def query(self, request):
        return select(Product).join(Product.category).options(contains_eager(Product.category))


class CategoryAdmin(ModelAdmin):
    name = "categories"
    model = Category
    title, singular = "Shop categories", "shop category"
    editor = "touchline.catalog.views.CategoryEditor"
    columns = (
        Column("name", "Name", Category.sort_name, lambda category, request: category.name),
        Column("slug", "Web address", Category.slug),
    )
    search = (Category.name,)
    ordering = ("name",)
    actions = (DeleteAction(),)


def includeme(config):
    config.add_admin_model(ProductAdmin)
    config.add_admin_model(CategoryAdmin)
