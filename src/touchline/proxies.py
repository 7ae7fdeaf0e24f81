"""Who the client is when the site runs behind a proxy.

Behind nginx or a load balancer every request arrives from the proxy's
address.  ``touchline.trusted_proxies`` names the proxies (addresses or
networks, such as ``127.0.0.1 ::1 10.0.0.0/8``; the environment variable
``TOUCHLINE_TRUSTED_PROXIES`` replaces it).  Only a request that arrives
*from* one of them has its ``X-Forwarded-For`` and ``X-Forwarded-Proto``
believed: the client address becomes the entry the proxy added (the
rightmost, or the ``touchline.trusted_proxy_count``-th from the right when
proxies are chained), and the scheme the one the proxy saw.  From anyone
else those headers are removed, so a client that talks to an app server
directly cannot choose its own address, and so cannot rotate past the login
limits.

This is done in the application, not by the server, so it holds the same
under waitress, gunicorn, uWSGI and mod_wsgi.  The headers are read with
waitress's own parser (``waitress.proxy_headers``), the rules its
``trusted_proxy`` option follows, rather than by hand.
"""
import functools
import ipaddress
import logging
import os

from pyramid.exceptions import ConfigurationError
from pyramid.settings import aslist
from waitress.proxy_headers import (
    PROXY_HEADERS,
    MalformedProxyHeader,
    clear_untrusted_headers,
    parse_proxy_headers,
)

log = logging.getLogger(__name__)

TRUSTED_PROXIES_ENVIRON = "TOUCHLINE_TRUSTED_PROXIES"
DEFAULT_TRUSTED_HEADERS = "x-forwarded-for x-forwarded-proto"
#: Marks an environ whose proxy headers were already resolved (pyramid_retry
#: runs a request again with the same environ).
_RESOLVED_ENVIRON_KEY = "touchline.proxies.peer"


class TrustedProxies:
    """The proxies whose forwarded headers are believed, coerced once at start-up."""

    def __init__(self, networks=(), count=1, headers=("x-forwarded-for", "x-forwarded-proto")):
        self.networks = tuple(networks)
        self.count = count
        self.headers = frozenset(header.lower() for header in headers)

    @classmethod
    def from_settings(cls, settings, environ=os.environ):
        value = environ.get(TRUSTED_PROXIES_ENVIRON) or settings.get("touchline.trusted_proxies", "")
        networks = []
        for entry in aslist(value):
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                raise ConfigurationError(
                    f"touchline.trusted_proxies: {entry!r} is not an IP address or network"
                ) from None
        try:
            count = int(settings.get("touchline.trusted_proxy_count", 1))
        except ValueError:
            count = 0
        if count < 1:
            raise ConfigurationError("touchline.trusted_proxy_count must be a whole number from 1")
        headers = aslist(settings.get("touchline.trusted_proxy_headers", DEFAULT_TRUSTED_HEADERS))
        return cls(networks, count, headers)

    def __bool__(self):
        return bool(self.networks)

    def trusts(self, address):
        return self._trusts(address or "")

    @functools.lru_cache(maxsize=1024)  # noqa: B019 (one instance per application)
    def _trusts(self, address):
        # The same few peers (the proxies themselves) ask again and again.
        try:
            ip = ipaddress.ip_address(address.strip("[]"))
        except ValueError:
            return False
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.networks)

    def resolve(self, environ):
        """Set the client's address and scheme in ``environ``; False if the headers are malformed.

        Idempotent: a second call on the same environ changes nothing.
        """
        if _RESOLVED_ENVIRON_KEY in environ:
            return True
        peer = environ.get("REMOTE_ADDR", "")
        environ[_RESOLVED_ENVIRON_KEY] = peer
        untrusted = PROXY_HEADERS
        if self.trusts(peer):
            try:
                untrusted = parse_proxy_headers(
                    environ, trusted_proxy_count=self.count,
                    trusted_proxy_headers=self.headers, logger=log,
                )
            except MalformedProxyHeader as error:
                log.warning("malformed %s from proxy %s", error.header, peer)
                clear_untrusted_headers(environ, PROXY_HEADERS)
                return False
        clear_untrusted_headers(environ, untrusted)
        return True


def peer_address(request):
    """The address the request came from before proxy headers were applied."""
    return request.environ.get(_RESOLVED_ENVIRON_KEY, request.remote_addr)
