"""Slugs: made from titles with python-slugify, unique by a -2, -3 suffix.

python-slugify is imported when a slug is first made, not by a process that only reads news.
"""
from sqlalchemy import bindparam, select

from .models import SLUG_MAX_LENGTH, Post
from .resources import SLUG_PATTERN
from .schemas import RESERVED_SLUGS

FALLBACK = "post"
#: Slugs that start with a prefix (a LIKE pattern), with their post's id.
_SLUGS_LIKE = select(Post.slug, Post.id).where(Post.slug.like(bindparam("pattern"), escape="\\"))
#: The post that has a slug (slugs are unique).
_SLUG_OWNER = select(Post.id).where(Post.slug == bindparam("slug"))


def base_slug(title):
    """The slug a title gives, before making it unique (never empty, never reserved)."""
    from slugify import slugify

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
    rows = dbsession.execute(_SLUGS_LIKE, {"pattern": _escape_like(prefix) + "%"})
    taken = {slug for slug, post_id in rows if post_id != exclude_id}
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
    owner = dbsession.scalar(_SLUG_OWNER, {"slug": slug})
    return owner is not None and owner != exclude_id
