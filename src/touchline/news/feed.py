"""The Atom feed of published news, built with feedgen.

Links and ids come from ``touchline.base_url`` (or ``TOUCHLINE_BASE_URL``) when set (a feed is
read by other sites; it must not carry whatever Host a client sent), else
from the request.  Entry ids are tag URIs made of the site's host, the
day the post was created and its id, so they stay the same when a post's
title, slug or text changes.

The feed holds the latest ``FEED_SIZE`` posts.  Its ETag and Last-Modified
come from what its content depends on: which posts, when each last changed
(a change of title, slug or text sets ``updated_at``; a post scheduled for
later counts from its publication time, when it joins the feed) and their
authors' names.  A feed reader that sends ``If-None-Match`` or ``If-Modified-Since``
gets its 304 from one small query of those alone, before any feed is built;
a feed is built (and feedgen imported) only for a 200.
"""
import datetime
import hashlib
import re
from urllib.parse import urlsplit

from pyramid.view import view_config
from sqlalchemy import select

from touchline.mail import public_base_url
from touchline.pagination import read
from touchline.security import VIEW
from touchline.users import User

from .models import PUBLISHED_ORDER, Post, public_condition, utcnow

FEED_SIZE = 20
ATOM = "application/atom+xml"
# Characters XML 1.0 cannot carry, even escaped: lxml refuses them.
_XML_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: The feed's ``updated`` when nothing is published yet (a fixed time keeps the ETag stable).
EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
#: Part of the ETag: change it when the feed's shape changes for the same posts.
FEED_VERSION = "2"


def _latest(*columns):
    return PUBLISHED_ORDER.ordered(
        select(*columns).join_from(Post, User, Post.author_id == User.id, isouter=True)
        .where(public_condition())
    ).limit(FEED_SIZE)


_VERSION_COLUMNS = (Post.id, Post.updated_at, Post.published_at, User.display_name.label("author_name"))
#: What the validators depend on: the latest posts' ids, change times and authors.
FEED_VERSIONS = _latest(*_VERSION_COLUMNS)
#: Everything the feed shows of the latest posts.
FEED_POSTS = _latest(*_VERSION_COLUMNS, Post.slug, Post.title, Post.body_html, Post.created_at)


def _xml(text):
    return _XML_ILLEGAL.sub("\ufffd", text)


def public_url(request, route_name, **kw):
    return public_base_url(request) + request.route_path(route_name, **kw)


def entry_id(request, post):
    host = urlsplit(public_base_url(request)).hostname or "localhost"
    created = post.created_at
    return f"tag:{host},{created:%Y-%m-%d}:news/{post.id}"


def _site_name(request):
    return request.club.name


def _changed(row):
    """When a post last changed in the feed: edited, or published (a scheduled post comes in at its time)."""
    return max(row.updated_at, row.published_at)


def validators(request, rows):
    """The feed's ETag and ``updated`` time for ``rows`` (of ``FEED_VERSIONS`` or ``FEED_POSTS``)."""
    updated = max((_changed(row) for row in rows), default=EPOCH)
    state = (FEED_VERSION, public_base_url(request), _site_name(request),
             [(row.id, row.updated_at.isoformat(), row.author_name) for row in rows])
    return hashlib.sha256(repr(state).encode("utf-8")).hexdigest()[:32], updated


def build_feed(request, posts):
    """The Atom document for ``posts`` (rows of ``FEED_POSTS``), newest first."""
    from feedgen.feed import FeedGenerator

    site_name = _site_name(request)
    feed = FeedGenerator()
    feed.id(public_url(request, "news.list"))
    feed.title(_xml(f"{site_name}: news"))
    feed.link(href=public_url(request, "news.feed"), rel="self", type=ATOM)
    feed.link(href=public_url(request, "news.list"), rel="alternate", type="text/html")
    feed.language(request.dates.language_tag)
    updated = max((_changed(post) for post in posts), default=EPOCH)
    feed.updated(updated)
    if posts:
        base = public_base_url(request)
        path = request.path_for("news.show", "slug")
    for post in posts:
        entry = feed.add_entry(order="append")
        entry.id(entry_id(request, post))
        entry.title(_xml(post.title))
        entry.link(href=base + path(post.slug), rel="alternate", type="text/html")
        entry.updated(_changed(post))
        entry.published(post.published_at)
        entry.author({"name": _xml(post.author_name or site_name)})
        entry.content(_xml(post.body_html), type="html")
    return feed.atom_str(pretty=False)


def _not_modified(request, response):
    """WebOb's rule for a 304: If-None-Match decides when sent, else If-Modified-Since."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.if_none_match:
        return response.etag in request.if_none_match
    if request.if_modified_since:
        return response.last_modified <= request.if_modified_since
    return False


@view_config(route_name="news.feed", request_method="GET", permission=VIEW)
def news_feed(request):
    """The latest published posts as Atom, newest first (one query; a 304 in one small one)."""
    response = request.response
    response.content_type = ATOM
    response.charset = "utf-8"
    response.cache_control = "no-cache"
    response.conditional_response = True
    now = {"now": utcnow()}  # the posts public now: a scheduled one joins the feed at its time
    conditional = "HTTP_IF_NONE_MATCH" in request.environ or "HTTP_IF_MODIFIED_SINCE" in request.environ
    if conditional:
        response.etag, response.last_modified = validators(
            request, read(request, FEED_VERSIONS, now).all())
        if _not_modified(request, response):
            return response  # WebOb sends it as a 304, without a body
    posts = read(request, FEED_POSTS, now).all()
    response.etag, response.last_modified = validators(request, posts)
    response.body = build_feed(request, posts)
    return response
