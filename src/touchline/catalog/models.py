"""The shop catalog: products, each in one category, with an exact price.

Prices are ``Numeric(10, 2)`` and ``Decimal`` everywhere (forms, JSON,
templates): a float never touches money, so 0.10 + 0.20 is 0.30.  Sizes
are kept in order in one validated text column (space separated): a product
and its sizes come back in the same row, so lists cost one query.

Lists are read in the order of an index, whatever the catalog's size:
``sort_name`` is ``lower(name)`` computed by the database itself (a
generated column, so no write can leave it stale), and the indexes on
``(sort_name, id)`` and ``(category_id, sort_name, id)`` give every page of
the shop, of a category and of the categories as a range.  On PostgreSQL
the column compares byte-wise (``COLLATE "C"``), as SQLite's does: the two
databases list in the same order, and a name prefix is a range of the index.
Search has its own index, one per database (see ``lists.py``): trigram GIN
indexes on PostgreSQL, declared at the end of this module, and an FTS5 table
on SQLite, which only the migration creates (no model describes it).
"""
import re
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    func,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship

from touchline.models import Base
from touchline.security import BASE_ACL

NAME_MAX_LENGTH = 80
DESCRIPTION_MAX_LENGTH = 5000
CATEGORY_NAME_MAX_LENGTH = 60
SLUG_MAX_LENGTH = 60
SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SIZES_MAX_LENGTH = 200
SIZE_MAX_LENGTH = 10
MAX_SIZES = 16
#: A size is one token: "YXS", "L", "34-36", "5-6y", "One-size".
SIZE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9./+-]*"
IMAGE_MAX_LENGTH = 100
PRICE_DIGITS = 10
PRICE_PLACES = 2
CENT = Decimal("0.01")


#: A ``sort_name`` column's type: compared byte-wise (code point order) on both
#: databases, and unbounded, since lower() may lengthen a name ("İ" is two code points).
SORT_KEY = Text().with_variant(Text(collation="C"), "postgresql")


class LowerName(Computed):
    """``GENERATED ALWAYS AS (lower(name))``: STORED on PostgreSQL, VIRTUAL on SQLite.

    PostgreSQL can index only stored generated columns; SQLite indexes a
    virtual one just as well (the index holds the values), and ALTER TABLE
    can add it without copying the table.
    """

    inherit_cache = True

    def __init__(self):
        super().__init__("lower(name)", persisted=True)

    def _copy(self, *, target_table=None, **kw):
        return self._schema_item_copy(LowerName())


@compiles(LowerName, "sqlite")
def _virtual_on_sqlite(element, compiler, **kw):
    sqltext = compiler.sql_compiler.process(element.sqltext, include_table=False, literal_binds=True)
    return f"GENERATED ALWAYS AS ({sqltext}) VIRTUAL"


def sort_name_column():
    """``lower(name)``, kept by the database: the column every list is ordered by."""
    return mapped_column(SORT_KEY, LowerName())


def trigram_index(column):
    """A pg_trgm GIN index on ``lower(column)``, for ``lower(column) LIKE '%...%'``; PostgreSQL only.

    ``lower() LIKE lower()`` is what PostgreSQL's ILIKE does on a UTF-8
    database, at about half the cost when it filters a walk through the
    name order.
    """
    label = f"lower_{column.name}"
    return Index(
        f"ix_{column.table.name}_{column.name}_trgm", func.lower(column).label(label),
        postgresql_using="gin", postgresql_ops={label: "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")


def exact_price(value):
    """``value`` as a Decimal with exactly two places (what the column stores)."""
    value = Decimal(value).quantize(CENT)
    return Decimal("0.00") if value == 0 else value  # no "-0.00"


def category_json(category):
    """A category's JSON (and XML) fields, from the model or a list's plain row."""
    return {"id": category.id, "name": category.name, "slug": category.slug}


def product_json(product, request):
    """A product's JSON (and XML) fields, from the model or a list's plain row.

    ``image`` is the picture's URL; ``image_width`` and ``image_height`` its size in pixels,
    read from the stored name (None without an image, or for one stored before names carried
    the size), so an app can keep the picture's place before it loads.
    """
    image = image_width = image_height = None
    if product.image and request is not None:
        uploaded = request.uploads.image(product.image)
        image, image_width, image_height = uploaded.src, uploaded.width, uploaded.height
    return {
        "id": product.id,
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "price": exact_price(product.price),
        "currency": request.currency if request is not None else None,
        "sizes": product.size_list,
        "in_stock": product.in_stock,
        "image": image,
        "image_width": image_width,
        "image_height": image_height,
    }


class Category(Base):
    """A shelf of the shop (match kit, training, accessories), chosen by its slug in URLs."""

    __tablename__ = "catalog_categories"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        Index("ix_catalog_categories_sort_name", "sort_name", "id"),
    )

    #: Everyone browses; admins (ALL_PERMISSIONS in the base ACL) manage; nobody else.
    __acl__ = BASE_ACL

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(CATEGORY_NAME_MAX_LENGTH))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH), unique=True)
    #: ``lower(name)``, computed by the database: the categories' order.
    sort_name: Mapped[str] = sort_name_column()

    def __repr__(self):
        return f"<Category {self.id} {self.slug!r}>"

    def __json__(self, request):
        return category_json(self)

    @classmethod
    def ordered(cls):
        """Categories by name (case-insensitive), then id: the order every list uses."""
        return select(cls).order_by(cls.sort_name, cls.id)


class Product(Base):
    """Something the club sells; ordering and paying happen outside the site."""

    __tablename__ = "catalog_products"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        # The shop in name order, and each category in name order (also the
        # foreign key's index: category_id comes first).
        Index("ix_catalog_products_sort_name", "sort_name", "id"),
        Index("ix_catalog_products_category_id_sort_name", "category_id", "sort_name", "id"),
    )

    #: Everyone browses; admins (ALL_PERMISSIONS in the base ACL) manage; nobody else.
    __acl__ = BASE_ACL

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("catalog_categories.id", ondelete="RESTRICT"))
    price: Mapped[Decimal] = mapped_column(Numeric(PRICE_DIGITS, PRICE_PLACES))
    #: The sizes in the order a customer reads them, space separated ("" for none).
    sizes: Mapped[str] = mapped_column(String(SIZES_MAX_LENGTH), default="")
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The stored name of the uploaded image (touchline.uploads), if any.
    image: Mapped[str | None] = mapped_column(String(IMAGE_MAX_LENGTH), nullable=True)
    #: ``lower(name)``, computed by the database: the products' order.
    sort_name: Mapped[str] = sort_name_column()

    # Joined: every page that shows a product shows its category, in the same query.
    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self):
        return f"<Product {self.id} {self.name!r}>"

    @property
    def size_list(self):
        return self.sizes.split() if self.sizes else []

    @size_list.setter
    def size_list(self, values):
        self.sizes = " ".join(values)

    @property
    def paragraphs(self):
        """The description as paragraphs (blank lines) of lines, for a template to escape."""
        text = (self.description or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        if not text:
            return []
        return [block.split("\n") for block in re.split(r"\n\s*\n", text)]

    def __json__(self, request):
        return product_json(self, request)

    @classmethod
    def ordered(cls):
        """Products by name (case-insensitive), then id: the order every list uses."""
        return select(cls).order_by(cls.sort_name, cls.id)


# Search (lists.py): trigram indexes on PostgreSQL; SQLite has its FTS5 table instead.
trigram_index(Product.__table__.c.name)
trigram_index(Product.__table__.c.description)
