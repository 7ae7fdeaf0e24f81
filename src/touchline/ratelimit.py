"""Rate limits shared by every app process, with the ``limits`` library.

Counters live in Redis when ``touchline.ratelimit.storage_url`` names one
(``redis://127.0.0.1:6379/0``; the environment variable
``TOUCHLINE_RATELIMIT_STORAGE_URL`` replaces it), so several processes
count together; otherwise in this process's memory (``memory://``), which
suits one process and the tests.

**When Redis is down** the limits do not stop the site and do not stop
counting either: each process counts in its own memory until Redis answers
again (and logs a warning, once a minute at most).  Logins keep working,
and an attacker gets at most the limit once per process instead of once
for the site.  (Warehouse lets every request through instead; falling back
keeps a limit.)

Login uses two limits, per account and per client address: after
``touchline.login.max_failures`` failures within
``touchline.login.window`` seconds, further attempts are refused, even with
the right password, until the window has passed.  Password reset requests
are limited per client and per address (``touchline.password_reset.max_requests``
in ``touchline.password_reset.window`` seconds).  The client address is the
one ``touchline.proxies`` resolved: behind a trusted proxy, the real one.
"""
import logging
import os
import time

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from zope.interface import Interface, implementer

log = logging.getLogger(__name__)

STORAGE_URL_ENVIRON = "TOUCHLINE_RATELIMIT_STORAGE_URL"
#: How long a Redis server may take before the request counts in memory instead.
REDIS_TIMEOUT = 0.5
WARN_EVERY = 60


def make_storage(url):
    """The counters' storage for ``url``; Redis errors come out as ``StorageError``."""
    if url.startswith(("redis://", "rediss://", "redis+unix://")):
        return storage_from_string(
            url, wrap_exceptions=True,
            socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT,
        )
    return storage_from_string(url)


class Counters:
    """Moving-window counters in the shared storage, or in memory while it is unreachable."""

    def __init__(self, storage):
        self.storage = storage
        self.shared = MovingWindowRateLimiter(storage)
        self.local_storage = MemoryStorage()
        self.local = MovingWindowRateLimiter(self.local_storage)
        self._warned_at = None

    def _run(self, method, *args):
        try:
            return getattr(self.shared, method)(*args)
        except StorageError as error:
            now = time.monotonic()
            if self._warned_at is None or now - self._warned_at > WARN_EVERY:
                self._warned_at = now
                log.warning("rate-limit storage unreachable (%s); counting in this process",
                            error.storage_error.__class__.__name__)
            return getattr(self.local, method)(*args)

    def allowed(self, limit, *key):
        return self._run("test", limit, *key)

    def wait(self, limit, *key):
        """Seconds until ``key`` is under ``limit`` again."""
        reset = self._run("get_window_stats", limit, *key).reset_time
        return max(1, int(reset - time.time()) + 1)

    def hit(self, limit, *key):
        return self._run("hit", limit, *key)

    def clear(self, limit, *key):
        return self._run("clear", limit, *key)

    def reset(self):
        """Forget every counter (tests)."""
        self.local_storage.reset()
        try:
            self.storage.reset()
        except StorageError:
            pass


#: The throttles' service names: ``request.find_service(IThrottle, name=LOGIN)``.
LOGIN = "login"
PASSWORD_RESET = "password-reset"


class IThrottle(Interface):
    """A limit on a kind of event (failed logins, reset links asked for), per subject and per client.

    A named service, so that a site or a test may register another.
    """

    def retry_after(subject, client):
        """Seconds until another event is allowed, or None if it is allowed now."""

    def hit(subject, client):
        """Count one event."""

    def clear_subject(subject):
        """Forget the subject's count (a successful login)."""

    def reset():
        """Forget every count."""


@implementer(IThrottle)
class Throttle:
    """A limit on a kind of event, counted per account (or address) and per client."""

    def __init__(self, counters, name, max_events, window):
        self.counters = counters
        self.name = name
        self.limit = RateLimitItemPerSecond(max_events, window)

    def _keys(self, subject, client):
        return ((f"{self.name}-subject", subject), (f"{self.name}-client", client or "-"))

    def retry_after(self, subject, client):
        """Seconds until another attempt is allowed, or None if it is allowed now."""
        waits = [
            self.counters.wait(self.limit, *key)
            for key in self._keys(subject, client)
            if not self.counters.allowed(self.limit, *key)
        ]
        return max(waits) if waits else None

    def hit(self, subject, client):
        for key in self._keys(subject, client):
            self.counters.hit(self.limit, *key)

    def clear_subject(self, subject):
        self.counters.clear(self.limit, *self._keys(subject, None)[0])

    def reset(self):
        self.counters.reset()


class LoginThrottle(Throttle):
    """Counts failed logins per account and per client address."""

    def __init__(self, counters, max_failures, window):
        super().__init__(counters, LOGIN, max_failures, window)

    def failed(self, username_key, client):
        self.hit(username_key, client)

    def succeeded(self, username_key, client):
        self.clear_subject(username_key)


def storage_url(settings, environ=os.environ):
    return (environ.get(STORAGE_URL_ENVIRON)
            or settings.get("touchline.ratelimit.storage_url") or "memory://")


def includeme(config):
    settings = config.registry.settings
    counters = Counters(make_storage(storage_url(settings)))
    config.include("pyramid_services")
    config.register_service(LoginThrottle(
        counters,
        int(settings.get("touchline.login.max_failures", 10)),
        int(settings.get("touchline.login.window", 300)),
    ), IThrottle, name=LOGIN)
    config.register_service(Throttle(
        counters,
        PASSWORD_RESET,
        int(settings.get("touchline.password_reset.max_requests", 5)),
        int(settings.get("touchline.password_reset.window", 3600)),
    ), IThrottle, name=PASSWORD_RESET)
