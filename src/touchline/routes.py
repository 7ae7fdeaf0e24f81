"""The core's routes: the home page, health checks and static files."""
import hashlib

from pyramid.path import AssetResolver
from pyramid.settings import asbool
from pyramid.static import QueryStringCacheBuster

ONE_YEAR = 365 * 24 * 3600


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


def includeme(config):
    settings = config.registry.settings
    cache_bust = asbool(settings.get("touchline.static.cache_bust", False))
    max_age = int(settings.get("touchline.static.max_age", ONE_YEAR if cache_bust else 0))
    config.add_static_view("static", "touchline:static", cache_max_age=max_age)
    if cache_bust:
        config.add_cache_buster("touchline:static/", ContentHashCacheBuster())
    config.add_resource_route("home", "/")
    config.add_route("healthz", "/healthz")
    config.add_route("readyz", "/readyz")
