"""Rate limits shared by every app process, with the ``limits`` library.

Counters live in Redis when ``touchline.ratelimit.storage_url`` names one
(``redis://127.0.0.1:6379/0``), so several processes count together;
otherwise in this process's memory (``memory://``), which suits one
process and the tests.

Login uses two limits, per account and per client address: after
``touchline.login.max_failures`` failures within
``touchline.login.window`` seconds, further attempts are refused, even with
the right password, until the window has passed.
"""
import time

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    """Counts failed logins per account and per client address."""

    def __init__(self, storage, max_failures, window):
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)
        self.limit = RateLimitItemPerSecond(max_failures, window)

    def _keys(self, username_key, client):
        return (("login-account", username_key), ("login-client", client or "-"))

    def retry_after(self, username_key, client):
        """Seconds until another attempt is allowed, or None if it is allowed now."""
        waits = []
        for key in self._keys(username_key, client):
            if not self.limiter.test(self.limit, *key):
                reset = self.limiter.get_window_stats(self.limit, *key).reset_time
                waits.append(max(1, int(reset - time.time()) + 1))
        return max(waits) if waits else None

    def failed(self, username_key, client):
        for key in self._keys(username_key, client):
            self.limiter.hit(self.limit, *key)

    def succeeded(self, username_key, client):
        self.limiter.clear(self.limit, *self._keys(username_key, client)[0])

    def reset(self):
        """Forget every counter (tests)."""
        self.storage.reset()


def includeme(config):
    settings = config.registry.settings
    storage = storage_from_string(settings.get("touchline.ratelimit.storage_url") or "memory://")
    config.registry["touchline.login_throttle"] = LoginThrottle(
        storage,
        int(settings.get("touchline.login.max_failures", 10)),
        int(settings.get("touchline.login.window", 300)),
    )
