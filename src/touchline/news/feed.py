"""The Atom feed of published news, built with feedgen.

Links and ids come from ``touchline.base_url`` (or ``TOUCHLINE_BASE_URL``) when set (a feed is
read by other sites; it must not carry whatever Host a client sent), else
from the request.  Entry ids are tag URIs made of the site's host, the
day the post was created and its id, so they stay the same when a post's
title, slug or text changes.  The response carries an ETag and
Last-Modified, so feed readers polling it get a 304 while nothing changed.
"""
import datetime
import hashlib
import re
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from pyramid.view import view_config

from touchline.mail import public_base_url
from touchline.security import VIEW

from .models import Post

FEED_SIZE = 20
ATOM = "application/atom+xml"
# Characters XML 1.0 cannot carry, even escaped: lxml refuses them.
_XML_ILLEGAL = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: The feed's ``updated`` when nothing is published yet (a fixed time keeps the ETag stable).
EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def _xml(text):
    return _XML_ILLEGAL.sub("\ufffd", text)


def public_url(request, route_name, **kw):
    return public_base_url(request) + request.route_path(route_name, **kw)


def entry_id(request, post):
    host = urlsplit(public_base_url(request)).hostname or "localhost"
    created = post.created_at
    return f"tag:{host},{created:%Y-%m-%d}:news/{post.id}"


def build_feed(request, posts):
    site_name = request.registry.settings.get("touchline.site_name") or "Touchline"
    feed = FeedGenerator()
    feed.id(public_url(request, "news.list"))
    feed.title(_xml(f"{site_name}: news"))
    feed.link(href=public_url(request, "news.feed"), rel="self", type=ATOM)
    feed.link(href=public_url(request, "news.list"), rel="alternate", type="text/html")
    feed.language("en")
    updated = max((post.updated_at for post in posts), default=EPOCH)
    feed.updated(updated)
    for post in posts:
        entry = feed.add_entry(order="append")
        url = public_url(request, "news.show", slug=post.slug)
        entry.id(entry_id(request, post))
        entry.title(_xml(post.title))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.updated(post.updated_at)
        entry.published(post.published_at)
        entry.author({"name": _xml(post.author_name or site_name)})
        entry.content(_xml(str(post.html)), type="html")
    return feed.atom_str(pretty=False), updated


@view_config(route_name="news.feed", request_method="GET", permission=VIEW)
def news_feed(request):
    """The latest published posts as Atom, newest first (one query)."""
    posts = request.dbsession.scalars(Post.published_newest_first().limit(FEED_SIZE)).unique().all()
    body, updated = build_feed(request, posts)
    response = request.response
    response.body = body
    response.content_type = ATOM
    response.charset = "utf-8"
    response.etag = hashlib.sha256(body).hexdigest()[:32]
    response.last_modified = updated
    response.cache_control = "no-cache"
    response.conditional_response = True
    return response
