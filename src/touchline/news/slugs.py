"""Slugs: made from titles with python-slugify, unique by a -2, -3 suffix."""
from slugify import slugify
from sqlalchemy import select

from .models import SLUG_MAX_LENGTH, Post
from .resources import SLUG_PATTERN
from .schemas import RESERVED_SLUGS

FALLBACK = "post"


def base_slug(title):
    """The slug a title gives, before making it unique (never empty, never reserved)."""
    slug = slugify(title, max_length=SLUG_MAX_LENGTH, word_boundary=True)
    if not SLUG_PATTERN.fullmatch(slug):
        slug = FALLBACK
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-post"
    return slug


def _escape_like(value):
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def unique_slug(dbsession, title, exclude_id=None):
    """A slug for ``title`` that no other post has: ``cup-final``, then ``cup-final-2``..."""
    base = base_slug(title)
    # Every candidate (the base, or a prefix of it with a suffix of up to
    # seven characters) starts with this: one query finds all that are taken.
    prefix = base[:SLUG_MAX_LENGTH - 8]
    stmt = select(Post.slug).where(Post.slug.like(_escape_like(prefix) + "%", escape="\\"))
    if exclude_id is not None:
        stmt = stmt.where(Post.id != exclude_id)
    taken = set(dbsession.scalars(stmt))
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[:SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def slug_taken(dbsession, slug, exclude_id=None):
    stmt = select(Post.id).where(Post.slug == slug)
    if exclude_id is not None:
        stmt = stmt.where(Post.id != exclude_id)
    return dbsession.scalar(stmt.limit(1)) is not None
