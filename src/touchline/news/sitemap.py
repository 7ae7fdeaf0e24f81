"""The published news in ``/sitemap.xml`` (``config.add_sitemap_source``).

``/news`` and every published post whose publication time has come, newest
first; a post's ``lastmod`` is its last edit or its publication, whichever
is later.  Drafts are never listed: their pages are 404s for visitors.
"""
from sqlalchemy import select

from .models import Post, public_condition


def news_entries(request, limit):
    """``/news`` and the published posts, in one query (the published-news index)."""
    rows = request.dbsession.execute(
        select(Post.slug, Post.published_at, Post.updated_at)
        .where(public_condition())
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(limit)
    ).all()
    yield request.fixed_path("news.list"), rows[0].published_at if rows else None
    show = request.path_for("news.show", "slug")
    for slug, published_at, updated_at in rows[: limit - 1]:
        yield show(slug), max(published_at, updated_at) if updated_at else published_at
