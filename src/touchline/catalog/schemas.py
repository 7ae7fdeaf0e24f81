"""What the catalog forms and JSON API accept (one schema for both).

The price is a ``Decimal`` from the text or number the client sent: the
JSON API parses numbers as decimals (see ``views.read_exact_json``), so
``12.5`` and ``"12.50"`` are the same price and never a float on the way.
"""
import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from touchline.forms import Id, Schema, SingleLine, Text

from .models import (
    CATEGORY_NAME_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    MAX_SIZES,
    NAME_MAX_LENGTH,
    PRICE_DIGITS,
    PRICE_PLACES,
    SIZE_MAX_LENGTH,
    SIZE_PATTERN,
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    exact_price,
)

Price = Annotated[
    Decimal,
    Field(ge=0, max_digits=PRICE_DIGITS, decimal_places=PRICE_PLACES, allow_inf_nan=False),
    AfterValidator(exact_price),
]


def _split_sizes(value):
    """A form sends "YS YM YL" (or "YS, YM"); a JSON client may send that or a list."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return value  # pydantic says what is wrong with it
    sizes = []
    for item in value:
        if isinstance(item, str):
            sizes.extend(part for part in re.split(r"[\s,]+", item) if part)
        else:
            sizes.append(item)
    return sizes


def _distinct(sizes):
    if len(sizes) > MAX_SIZES:
        raise ValueError(f"give at most {MAX_SIZES} sizes")
    seen = set()
    for size in sizes:
        if size.upper() in seen:
            raise ValueError("give each size only once")
        seen.add(size.upper())
    return sizes


Size = Annotated[str, Field(min_length=1, max_length=SIZE_MAX_LENGTH, pattern=f"^{SIZE_PATTERN}$")]
Sizes = Annotated[
    list[Size],
    BeforeValidator(_split_sizes),
    AfterValidator(_distinct),
]


class ProductIn(Schema):
    """A product as the JSON API takes it; ``category`` is the category's id."""

    nouns = {"name": "the product's name", "description": "the description", "category": "the category",
             "price": "the price", "sizes": "the sizes", "in_stock": "in stock"}

    name: SingleLine(NAME_MAX_LENGTH)
    description: Text(DESCRIPTION_MAX_LENGTH) = ""
    category: Id
    price: Price
    sizes: Sizes = Field(default_factory=list)
    in_stock: bool = True


class ProductFormIn(ProductIn):
    """The form: an unticked box is simply not sent, so absent means out of stock."""

    nouns = {"remove_image": "removing the image"}

    in_stock: bool = False
    #: Tick to take the current image off the product.
    remove_image: bool = False


class CategoryIn(Schema):
    """A category; a blank slug is made from the name."""

    nouns = {"name": "the category's name", "slug": "the web address"}

    name: SingleLine(CATEGORY_NAME_MAX_LENGTH)
    slug: SingleLine(SLUG_MAX_LENGTH, min_length=0) = ""

    @field_validator("slug")
    @classmethod
    def _slug(cls, value):
        if value and not re.fullmatch(SLUG_PATTERN, value):
            raise ValueError("use lower-case letters, digits and single hyphens, like match-kit")
        return value
