"""Outgoing mail through pyramid_mailer, sent only when the request commits.

``touchline.mailer`` names the pyramid_mailer include to use:
``pyramid_mailer`` (SMTP, settings ``mail.*``) in production,
``pyramid_mailer.debug`` (each message written as a file under
``mail.top_level_directory``) in development, ``pyramid_mailer.testing``
(an in-memory outbox) in the tests.  Links in mail are built from
``touchline.base_url`` (or the environment variable
``TOUCHLINE_BASE_URL``), never from the request's Host header.
"""
import os

from pyramid.exceptions import ConfigurationError
from pyramid_mailer import get_mailer
from pyramid_mailer.message import Message

BASE_URL_ENVIRON = "TOUCHLINE_BASE_URL"


def base_url(request):
    """The site's public URL, from the configuration (no trailing slash)."""
    return request.registry["touchline.base_url"]


def public_base_url(request):
    """The configured public URL, or this request's own when none is configured.

    For links that must not depend on who asks (feed ids) when the site has
    a URL, but should still work on a site that never set one.
    """
    return request.registry["touchline.base_url_configured"] or request.application_url.rstrip("/")


def absolute_url(request, route_name, **kw):
    """A URL for mail: the route's path on the configured base URL."""
    return base_url(request) + request.route_path(route_name, **kw)


def send_mail(request, to, subject, body):
    """Queue a plain-text message; it leaves when the transaction commits."""
    settings = request.registry.settings
    sender = settings.get("mail.default_sender", "touchline@localhost")
    message = Message(subject=subject, sender=sender, recipients=[to], body=body)
    get_mailer(request).send(message)


def includeme(config):
    settings = config.registry.settings
    url = os.environ.get(BASE_URL_ENVIRON) or settings.get("touchline.base_url", "")
    if url and not url.startswith(("http://", "https://")):
        raise ConfigurationError("touchline.base_url must start with http:// or https://")
    config.registry["touchline.base_url_configured"] = url.strip().rstrip("/")
    config.registry["touchline.base_url"] = url.rstrip("/") or "http://localhost:6543"
    config.include(settings.get("touchline.mailer", "pyramid_mailer"))
