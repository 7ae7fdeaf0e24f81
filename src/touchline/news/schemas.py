"""What the post form and the news JSON API accept (one schema for both).

The slug may be left empty: it is then made from the title.  One typed by
hand must already be a valid slug; whether another post has it is checked
against the database by the views.
"""
from typing import Annotated

from pydantic import AfterValidator

from touchline.forms import Schema, SingleLine, Text, parse_date, parse_time

from .models import BODY_MAX_LENGTH, SLUG_MAX_LENGTH, TITLE_MAX_LENGTH
from .resources import SLUG_PATTERN

#: Slugs that would clash with the add-on's own pages.
RESERVED_SLUGS = frozenset({"new", "drafts", "feed"})


def _slug(value):
    if value == "":
        return value
    if not SLUG_PATTERN.fullmatch(value):
        raise ValueError(
            "use lower-case letters a-z, digits and single hyphens between words, "
            "like under-9s-win-the-cup"
        )
    if value in RESERVED_SLUGS:
        raise ValueError(f"“{value}” is reserved for a page of the site; choose another")
    return value


def _not_empty(value):
    if not value.strip():
        raise ValueError("write something in the post")
    return value


class PostIn(Schema):
    nouns = {"title": "the post's title", "slug": "the web address", "body": "the post's text"}

    title: SingleLine(TITLE_MAX_LENGTH)
    slug: Annotated[SingleLine(SLUG_MAX_LENGTH, min_length=0), AfterValidator(_slug)] = ""
    body: Annotated[Text(BODY_MAX_LENGTH), AfterValidator(_not_empty)]


# Publishing from the form -------------------------------------------------------------

def _optional_date(value):
    """A ``date`` input's value (year-month-day) as a date; empty is None."""
    return None if value == "" else parse_date(value)


def _optional_time(value):
    """A ``time`` input's value (hours:minutes) as a time; empty is None."""
    return None if value == "" else parse_time(value)


class PostPublishForm(PostIn):
    """The post form of those who may publish (admins): also when it goes public.

    ``publish_date`` and ``publish_time`` are read on the club's clock; both
    empty means "now" (the views turn them into an instant and check that
    both or neither are given).  Which button was pressed (``intent``) is
    not part of the schema: the views read it.
    """

    nouns = {"publish_date": "the publication date", "publish_time": "the publication time"}

    publish_date: Annotated[SingleLine(10, min_length=0), AfterValidator(_optional_date)] = ""
    publish_time: Annotated[SingleLine(8, min_length=0), AfterValidator(_optional_time)] = ""
