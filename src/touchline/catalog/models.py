"""The shop catalog: products, each in one category, with an exact price.

Prices are ``Numeric(10, 2)`` and ``Decimal`` everywhere (forms, JSON,
templates): a float never touches money, so 0.10 + 0.20 is 0.30.  Sizes
are kept in order in one validated text column (space separated): a product
and its sizes come back in the same row, so lists cost one query.
"""
import re
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Numeric,
    String,
    Text,
    func,
    select,
)
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


def exact_price(value):
    """``value`` as a Decimal with exactly two places (what the column stores)."""
    value = Decimal(value).quantize(CENT)
    return Decimal("0.00") if value == 0 else value  # no "-0.00"


class Category(Base):
    """A shelf of the shop (match kit, training, accessories), chosen by its slug in URLs."""

    __tablename__ = "catalog_categories"
    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)

    #: Everyone browses; admins (ALL_PERMISSIONS in the base ACL) manage; nobody else.
    __acl__ = BASE_ACL

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(CATEGORY_NAME_MAX_LENGTH))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX_LENGTH), unique=True)

    def __repr__(self):
        return f"<Category {self.id} {self.slug!r}>"

    def __json__(self, request):
        return {"id": self.id, "name": self.name, "slug": self.slug}

    @classmethod
    def ordered(cls):
        return select(cls).order_by(func.lower(cls.name), cls.id)


class Product(Base):
    """Something the club sells; ordering and paying happen outside the site."""

    __tablename__ = "catalog_products"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("price >= 0", name="price_not_negative"),
    )

    #: Everyone browses; admins (ALL_PERMISSIONS in the base ACL) manage; nobody else.
    __acl__ = BASE_ACL

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_categories.id", ondelete="RESTRICT"), index=True
    )
    price: Mapped[Decimal] = mapped_column(Numeric(PRICE_DIGITS, PRICE_PLACES))
    #: The sizes in the order a customer reads them, space separated ("" for none).
    sizes: Mapped[str] = mapped_column(String(SIZES_MAX_LENGTH), default="")
    in_stock: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The stored name of the uploaded image (touchline.uploads), if any.
    image: Mapped[str | None] = mapped_column(String(IMAGE_MAX_LENGTH), nullable=True)

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
        image = None
        if self.image and request is not None:
            image = request.uploads.url(self.image)
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "category": self.category,
            "price": exact_price(self.price),
            "currency": request.currency if request is not None else None,
            "sizes": self.size_list,
            "in_stock": self.in_stock,
            "image": image,
        }

    @classmethod
    def ordered(cls):
        """Products by name (case-insensitive), then id: the order every list uses."""
        return select(cls).order_by(func.lower(cls.name), cls.id)
