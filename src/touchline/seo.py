"""Being found and shared: robots.txt, sitemap.xml, /favicon.ico and every page's head tags.

Search engines and link previews see the site through what this module
serves and what the layout's ``<head>`` says:

- ``/robots.txt`` lets crawlers into the public site and keeps them out of
  what the add-ons declare private with ``config.add_robots_disallow(*patterns)``
  (the accounts pages, the rosters, the admin), and names the sitemap.
- ``/sitemap.xml`` lists the public pages the add-ons offer through
  ``config.add_sitemap_source(name, source)``, with their last-modified
  dates.  The core knows no add-on; each source is one query, so the
  sitemap costs the same number of queries however big the club is, and it
  is bounded by the sitemap protocol's limit of 50,000 URLs per file
  (:data:`MAX_URLS`).
- ``/favicon.ico``, which browsers ask for by themselves whatever a page
  says: a real ICO (16, 32 and 48 pixels) drawn with Pillow from the shapes
  of ``static/favicon.svg``, made once per process.
- The layout's ``<meta name="description">``, ``<link rel="canonical">``,
  Open Graph and Twitter card tags (pages fill the ``description``,
  ``og_type`` and ``og_image`` blocks), and one ``<link rel="alternate">``
  for each feed the add-ons declare with ``config.add_feed_link(...)``.

Every absolute URL here is built on the site's public URL
(``touchline.base_url``, see :mod:`touchline.mail`), never on the request's
``Host`` header, so a crawler sees the same canonical URLs whichever name
it used.
"""
import datetime
import functools
import hashlib
import html
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable
from urllib.parse import quote, urlsplit

from pyramid.events import BeforeRender
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.traversal import PATH_SAFE
from sqlalchemy import func, select

from touchline.addons import record_item
from touchline.mail import base_url
from touchline.security import VIEW

SITEMAP_SOURCES = "touchline.seo.sitemap_sources"
FEED_LINKS = "touchline.seo.feed_links"
ROBOTS_DISALLOW = "touchline.seo.robots_disallow"
SITE_DESCRIPTION = "touchline.site_description"

#: The sitemap protocol's limit of URLs in one file (https://www.sitemaps.org/protocol.html).
MAX_URLS = 50_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
#: Characters of a page's description in its meta tags (what search results show).
DESCRIPTION_LENGTH = 160
#: robots.txt and the sitemap may be cached for an hour by crawlers and proxies.
TEXT_MAX_AGE = 3600
#: The favicon's URL is fixed, so it cannot be cache-busted: a week.
FAVICON_MAX_AGE = 7 * 24 * 3600

_SPACE = re.compile(r"\s+")


@dataclass(order=True, frozen=True)
class SitemapSource:
    """Public pages for the sitemap: ``entries(request, limit)`` yields ``(url, lastmod)``.

    ``url`` is a path on the site (``request.route_path(...)``; the
    public base URL is put in front) or an absolute URL; ``lastmod`` an
    aware datetime, a date, or None when unknown.  A source yields at most
    ``limit`` entries, reads them in one query, and never yields a page a
    visitor who is not logged in could not see.
    """

    order: int
    name: str
    entries: Callable = field(compare=False)


@dataclass(order=True, frozen=True)
class FeedLink:
    """A feed announced on every page by ``<link rel="alternate">``."""

    order: int
    name: str
    title: str = field(compare=False)
    route_name: str = field(compare=False)
    media_type: str = field(compare=False)


@dataclass(frozen=True)
class PageFeed:
    """A :class:`FeedLink` with its absolute URL for one request."""

    title: str
    url: str
    media_type: str


def add_sitemap_source(config, name, entries, order=100):
    """List the pages ``entries(request, limit)`` yields in ``/sitemap.xml`` (see :class:`SitemapSource`).

    Called from an add-on's ``includeme``; ``entries`` may be a dotted name.
    Public pages only: the sitemap is read by anyone.
    """
    source = SitemapSource(order, name, config.maybe_dotted(entries))
    record_item(config, SITEMAP_SOURCES, name, source)


def add_feed_link(config, name, title, route_name, media_type="application/atom+xml", order=100):
    """Announce the feed at ``route_name`` (no parameters) on every page of the site.

    Feed readers and browsers find it through ``<link rel="alternate">`` in
    the layout's head, titled ``title``.
    """
    record_item(config, FEED_LINKS, name, FeedLink(order, name, title, route_name, media_type))


def add_robots_disallow(config, *patterns):
    """Ask crawlers to keep out of ``patterns`` (paths, ``*`` for any segment) in robots.txt.

    For pages that are never public (accounts, rosters, the admin): a
    crawler that followed a link there would only find the login page.
    Patterns are relative to the add-on's mount point, like its routes.
    """
    prefix = (config.route_prefix or "").rstrip("/")
    if prefix and not prefix.startswith("/"):
        prefix = "/" + prefix
    for pattern in patterns:
        if not pattern.startswith("/"):
            raise ValueError(f"robots.txt pattern {pattern!r} must start with /")
        path = prefix + pattern
        record_item(config, ROBOTS_DISALLOW, path, path)


# Absolute URLs on the public base URL ---------------------------------------------------------


def public_route_url(request, route_name, **kw):
    """``route_name``'s URL on the site's public base URL (``request.public_route_url``)."""
    return base_url(request) + request.route_path(route_name, **kw)


def public_url(request, url):
    """A path, or a URL on the request's own host, moved onto the public base URL.

    Other absolute ``http(s)`` URLs (an image a post links from elsewhere)
    are kept; anything else (a relative path without ``/``, another
    scheme) gives "" so that no tag carries it.
    """
    if not url:
        return ""
    url = str(url)
    host_url = request.host_url
    if url.startswith(host_url + "/"):
        return base_url(request) + url[len(host_url):]
    if url.startswith("/") and not url.startswith("//"):
        return base_url(request) + url
    if url.startswith(("https://", "http://")):
        return url
    return ""


def canonical_url(request):
    """The page's canonical URL: the public base URL and the path, no query but ``page``.

    Searches, filters and keyset positions are variants of the same page, so
    they all name the page itself; page 2 and later keep their number.
    """
    environ = request.environ
    # From the raw path, so that an error page for a path that is not UTF-8 gets a URL too.
    raw = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1")
    url = base_url(request) + quote(raw, safe=PATH_SAFE)
    try:
        page = request.GET.get("page", "")
    except UnicodeDecodeError:
        page = ""
    if page.isascii() and page.isdigit() and page.lstrip("0") not in ("", "1"):
        url += "?page=" + page.lstrip("0")
    return url


def feed_links(request):
    """The feeds every page announces, with their public URLs (``request.feed_links``)."""
    return [
        PageFeed(link.title, public_route_url(request, link.route_name), link.media_type)
        for link in request.registry.get(FEED_LINKS, ())
    ]


def webcal(url):
    """An ``http(s)`` feed URL as ``webcal://``, which phones open in their calendar app."""
    url = str(url)
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme):]
    return url


_IMG_SRC = re.compile(r"""<img\b[^>]*?\ssrc=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def first_image(html_text):
    """The ``src`` of the first ``<img>`` in sanitised HTML (a post's body), or ""."""
    match = _IMG_SRC.search(str(html_text or ""))
    return html.unescape(match.group(1) or match.group(2) or "") if match else ""


def meta_text(text, length=DESCRIPTION_LENGTH):
    """Plain text for a description tag: one line, cut at a word with an ellipsis."""
    text = _SPACE.sub(" ", str(text or "")).strip()
    if len(text) <= length:
        return text
    cut = text[: length - 1].rsplit(" ", 1)[0].rstrip(" ,.;:")
    return cut + "…"


# robots.txt -------------------------------------------------------------------------------------


def robots_txt(request):
    """Crawlers may read the public site, not the private pages; where the sitemap is."""
    base = base_url(request)
    root = urlsplit(base).path.rstrip("/")
    lines = ["User-agent: *", f"Allow: {root}/"]
    lines += [f"Disallow: {root}{path}" for path in request.registry.get(ROBOTS_DISALLOW, ())]
    lines += ["", f"Sitemap: {public_route_url(request, 'sitemap')}", ""]
    response = Response("\n".join(lines), content_type="text/plain", charset="utf-8")
    response.cache_control.public = True
    response.cache_control.max_age = TEXT_MAX_AGE
    return response


# sitemap.xml ------------------------------------------------------------------------------------


def _lastmod(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return value.isoformat()


def sitemap_entries(request, limit=None):
    """(absolute URL, lastmod) of every source's pages, at most ``limit`` (:data:`MAX_URLS`) in all."""
    limit = MAX_URLS if limit is None else limit
    base = base_url(request)
    entries = []
    for source in request.registry.get(SITEMAP_SOURCES, ()):
        remaining = limit - len(entries)
        if remaining <= 0:
            break
        for url, lastmod in islice(source.entries(request, remaining), remaining):
            entries.append((base + url if url.startswith("/") else url, lastmod))
    return entries


def sitemap_xml(request):
    """The public pages with their last-modified dates (the sitemap protocol 0.9)."""
    urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
    for url, lastmod in sitemap_entries(request):
        element = ET.SubElement(urlset, "url")
        ET.SubElement(element, "loc").text = url
        stamp = _lastmod(lastmod)
        if stamp is not None:
            ET.SubElement(element, "lastmod").text = stamp
    body = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    response = Response(body, content_type="application/xml", charset="utf-8")
    response.cache_control.public = True
    response.cache_control.max_age = TEXT_MAX_AGE
    return response


def home_entries(request, limit):
    """The core's own public page for the sitemap: the home page."""
    yield request.fixed_path("home"), None


def last_changed(kind, id_column):
    """When the history (``touchline.history``) last recorded a change of the row: a subquery.

    For the models without a timestamp of their own (teams, products):
    their sitemap entries' ``lastmod``.  NULL once the history has been
    purged of the row's changes, or when nothing recorded one.
    """
    from sqlalchemy.orm import aliased

    from touchline.history import Change

    # The row's latest change by id, in index ix_changes_kind_record_id_id, then its time.
    recorded = aliased(Change)
    latest = (
        select(func.max(recorded.id))
        .where(recorded.kind == kind, recorded.record_id == id_column)
        .correlate_except(recorded)
        .scalar_subquery()
    )
    return select(Change.at).where(Change.id == latest).correlate_except(Change).scalar_subquery()


# /favicon.ico -----------------------------------------------------------------------------------

#: The club green and the sizes browsers and Windows pick from.
FAVICON_GREEN = (0x0B, 0x5D, 0x1E, 255)
FAVICON_SIZES = (16, 32, 48)


@functools.cache
def favicon_ico():
    """``static/favicon.svg`` as an ICO file: its shapes drawn four times larger, then shrunk.

    Pillow cannot read SVG, so the three shapes of the 32×32 drawing (a
    rounded green square, a white ring, a white cross) are drawn here.
    Keep the two in step when the mark changes.
    """
    from PIL import Image, ImageDraw

    scale = 4 * 48 / 32
    size = 4 * 48
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def s(value):
        return round(value * scale)

    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=s(6), fill=FAVICON_GREEN)
    ring = 2.5
    draw.ellipse((s(16 - 9 - ring / 2), s(16 - 9 - ring / 2), s(16 + 9 + ring / 2), s(16 + 9 + ring / 2)),
                 outline="white", width=s(ring))
    draw.rectangle((s(15), s(7), s(17), s(25)), fill="white")
    draw.rectangle((s(7), s(15), s(25), s(17)), fill="white")
    image = image.resize((48, 48), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="ICO", sizes=[(n, n) for n in FAVICON_SIZES])
    return out.getvalue()


def favicon(request):
    """``/favicon.ico``, cached for a week, with an ETag for revalidation."""
    body = favicon_ico()
    response = Response(body, content_type="image/x-icon")
    response.etag = hashlib.sha256(body).hexdigest()[:32]
    response.cache_control.public = True
    response.cache_control.max_age = FAVICON_MAX_AGE
    response.conditional_response = True
    return response


def _default_description(event):
    request = event.get("request")
    if request is not None:
        event["site_description"] = meta_text(
            f"{request.club.name}: the club's own website, with its teams, fixtures, results and news.")


def includeme(config):
    settings = config.registry.settings
    description = meta_text(settings.get(SITE_DESCRIPTION) or "")
    config.add_directive("add_sitemap_source", add_sitemap_source)
    config.add_directive("add_feed_link", add_feed_link)
    config.add_directive("add_robots_disallow", add_robots_disallow)
    if not description:
        # Said with the club's name as its settings have it now (a change shows at once).
        config.add_subscriber(_default_description, BeforeRender)
    config.add_request_method(canonical_url, "canonical_url", reify=True)
    config.add_request_method(feed_links, "feed_links", reify=True)
    config.add_request_method(public_route_url, "public_route_url")
    config.add_request_method(public_url, "public_url")
    config.add_sitemap_source("home", home_entries, order=0)
    # The core's own pages no crawler should index: endless search results, the settings form.
    config.add_robots_disallow("/search", "/settings")
    # Crawlers and browsers ask for these whoever they are; they show no club data.
    config.add_view(robots_txt, route_name="robots", request_method="GET",
                    permission=NO_PERMISSION_REQUIRED)
    config.add_view(favicon, route_name="favicon", request_method="GET",
                    permission=NO_PERMISSION_REQUIRED)
    # The public pages only, so VIEW, which everyone has on a public site.
    config.add_view(sitemap_xml, route_name="sitemap", request_method="GET", permission=VIEW)

    def add_template_helpers():
        env = config.get_jinja2_environment()
        if description:
            env.globals["site_description"] = description
        env.filters["webcal"] = webcal
        env.filters["meta_text"] = meta_text
        env.filters["first_image"] = first_image

    # After pyramid_jinja2 has created the environment (as touchline.rendering does).
    config.action(None, add_template_helpers, order=999)
