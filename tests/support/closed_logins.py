"""A test-only add-on that puts in its own login throttle: one that refuses every attempt.

Shows that the core's services can be replaced by an add-on (``config.register_service``).
"""
from zope.interface import implementer

from touchline.ratelimit import LOGIN, IThrottle


@implementer(IThrottle)
class ClosedThrottle:
    def retry_after(self, subject, client):
        return 60

    def hit(self, subject, client):
        pass

    def failed(self, subject, client):
        pass

    def succeeded(self, subject, client):
        pass

    def clear_subject(self, subject):
        pass

    def reset(self):
        pass


def includeme(config):
    config.register_service(ClosedThrottle(), IThrottle, name=LOGIN)
