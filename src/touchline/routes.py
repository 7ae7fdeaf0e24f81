"""The core's routes: the home page, health checks and static files; fast row links.

``request.path_for(route_name, placeholder)`` (and ``request.url_for`` for
absolute URLs) is for lists that link every row: Pyramid generates the route's path once, with a marker in place of
``placeholder``, and the result fills the marker in for each row by plain
string concatenation, where ``request.route_path`` per row would cost about
8 µs a link.  ``request.fixed_path(route_name)`` and
``request.asset_path(spec)`` give the paths every page's layout links (the
navigation, the stylesheet), built once per mount point instead of on
every page.
"""
import hashlib

from pyramid.path import AssetResolver
from pyramid.settings import asbool
from pyramid.static import QueryStringCacheBuster

from pyramid.traversal import PATH_SAFE, quote_path_segment

ONE_YEAR = 365 * 24 * 3600
#: Stands in for the open part while Pyramid generates the path: digits and
#: letters only, so that no quoting changes it, and matching ``\d+`` routes.
_MARKER = "90817263544536271809"


class RowPath:
    """``path(value)``: a route's path with one part filled in, for each row of a list."""

    __slots__ = ("prefix", "suffix")

    def __init__(self, generated):
        self.prefix, _, self.suffix = generated.partition(_MARKER)

    def __call__(self, value):
        if value.__class__ is int:
            return f"{self.prefix}{value}{self.suffix}"
        return self.prefix + quote_path_segment(str(value), safe=PATH_SAFE) + self.suffix


def path_for(request, route_name, placeholder, **kw):
    """A :class:`RowPath` for ``route_name``, ``placeholder`` left open (other parts in ``kw``).

    Made once per mount point and route (and ``kw``), then reused.
    """
    key = (request.environ.get("SCRIPT_NAME", ""), route_name, placeholder, *sorted(kw.items()))
    cache = request.registry["touchline.row_paths"]
    path = cache.get(key)
    if path is None:
        generated = request.route_path(route_name, **{placeholder: _MARKER}, **kw)
        if _MARKER not in generated:
            raise ValueError(f"route {route_name!r} has no {placeholder!r} to leave open")
        if len(cache) > 1024:
            cache.clear()
        path = cache[key] = RowPath(generated)
    return path


class ContentHashCacheBuster(QueryStringCacheBuster):
    """Add a hash of each static file's content to its URL (``?x=...``).

    A file's URL changes exactly when its content does, so busted URLs can
    be cached for a year.  Hashes are read through the asset machinery, so a
    site's asset overrides are hashed too; each file is hashed once.
    """

    def __init__(self, param="x"):
        super().__init__(param=param)
        self._tokens = {}
        self._resolver = AssetResolver()

    def tokenize(self, request, subpath, kw):
        pathspec = kw["pathspec"]
        token = self._tokens.get(pathspec)
        if token is None:
            with self._resolver.resolve(pathspec).stream() as stream:
                token = hashlib.sha256(stream.read()).hexdigest()[:16]
            self._tokens[pathspec] = token
        return token


def url_for(request, route_name, placeholder, **kw):
    """``url(value)``: absolute URLs as ``request.route_url`` gives them, for many rows (JSON lists)."""
    path, origin = path_for(request, route_name, placeholder, **kw), request.host_url
    return lambda value: origin + path(value)


def _memoized(request, cache_name, name, make):
    """``make(name)``, made once per script name (a path depends on where the app is mounted)."""
    key = (request.environ.get("SCRIPT_NAME", ""), name)
    cache = request.registry[cache_name]
    path = cache.get(key)
    if path is None:
        path = cache[key] = make(name)
    return path


def fixed_path(request, route_name):
    """``request.route_path(route_name)`` for a route without parameters, memoized."""
    return _memoized(request, "touchline.fixed_paths", route_name, request.route_path)


def asset_path(request, spec):
    """``request.static_path(spec)`` (cache-busting token included), memoized."""
    return _memoized(request, "touchline.asset_paths", spec, request.static_path)


def includeme(config):
    settings = config.registry.settings
    cache_bust = asbool(settings.get("touchline.static.cache_bust", False))
    max_age = int(settings.get("touchline.static.max_age", ONE_YEAR if cache_bust else 0))
    config.add_static_view("static", "touchline:static", cache_max_age=max_age)
    if cache_bust:
        config.add_cache_buster("touchline:static/", ContentHashCacheBuster())
    config.add_request_method(path_for, "path_for")
    config.add_request_method(url_for, "url_for")
    config.registry["touchline.row_paths"] = {}
    config.registry["touchline.fixed_paths"] = {}
    config.registry["touchline.asset_paths"] = {}
    config.add_request_method(fixed_path, "fixed_path")
    config.add_request_method(asset_path, "asset_path")
    config.add_resource_route("home", "/")
    config.add_resource_route("search", "/search")
    config.add_route("healthz", "/healthz")
    config.add_route("readyz", "/readyz")
    # The club's settings page (admins) and its colours as a stylesheet (every page links it).
    config.add_route("club.settings", "/settings")
    config.add_route("club.css", "/club.css")
    # Being found: touchline.seo's views.
    config.add_route("robots", "/robots.txt")
    config.add_route("sitemap", "/sitemap.xml")
    config.add_route("favicon", "/favicon.ico")
