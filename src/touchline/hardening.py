"""Hardened HTTP: every request screened before the site sees it, every response given its headers.

One tween, the outermost (``under=INGRESS``, so above pyramid_tm and the
exception views), does two things for every request:

* It *screens* the request before anything else looks at it: the client's
  address and scheme are taken from a trusted proxy's headers
  (``touchline.proxies``), or those headers removed; then the host
  (``touchline.hosts``), the body's size (``touchline.bodylimits``) and the
  parts WebOb would fail to parse (``touchline.requestparsing``) are
  checked.  A refused request is answered by
  :func:`touchline.errors.render_error`, in the format it asked for, as an
  anonymous request.
* It adds the security headers (``touchline.securityheaders``) to whatever
  response comes back: pages, static files, error pages rendered from
  exceptions and its own refusals.

It also includes the ``no-store`` subscriber (``touchline.nostore``) and
names ``touchline.retrying`` as pyramid_retry's activate hook.
"""
import os

from pyramid.tweens import INGRESS
from pyramid_retry import is_error_retryable, is_last_attempt

from touchline.bodylimits import check_body, max_body_size
from touchline.errors import last_resort, render_error
from touchline.hosts import BAD_HOST, AllowedHosts
from touchline.proxies import TrustedProxies
from touchline.refusals import Refusal
from touchline.requestparsing import check_form, check_origin
from touchline.securityheaders import SecurityHeaders

REGISTRY_KEY = "touchline.hardening"
_SCREENED_ENVIRON_KEY = "touchline.hardening.refusal"

BAD_PROXY = Refusal(400, "Bad request", "The proxy's forwarding headers could not be read.")


class Hardening:
    """The settings of every check and of the headers, read and coerced once at start-up."""

    def __init__(self, settings, environ=os.environ):
        self.hosts = AllowedHosts(settings, environ)
        self.max_body_size = max_body_size(settings)
        self.headers = SecurityHeaders(settings)
        self.proxies = TrustedProxies.from_settings(settings, environ)


def screen(request, hardening):
    """Why ``request`` is refused, or None; decided once per request.

    The decision is kept in the WSGI environ, which outlives the request
    objects of pyramid_retry's attempts, because a chunked body can only be
    read once.
    """
    environ = request.environ
    if _SCREENED_ENVIRON_KEY not in environ:
        environ[_SCREENED_ENVIRON_KEY] = (
            (None if hardening.proxies.resolve(environ) else BAD_PROXY)
            or hardening.hosts.check(request)
            or check_origin(request)
            or check_body(request, hardening.max_body_size)
        )
    return environ[_SCREENED_ENVIRON_KEY]


def refuse(request, hardening, refusal):
    """The error page for a refused request, in the format it asked for.

    The request is answered as an anonymous one (its cookies are dropped,
    so the layout touches neither the session nor the database), and URLs
    on the page are built with an allowed host, never the refused one.
    """
    environ = request.environ
    environ.pop("HTTP_COOKIE", None)
    if refusal is BAD_HOST:
        environ["HTTP_HOST"] = hardening.hosts.safe_host()
    return render_error(request, refusal.status, refusal.title, refusal.detail)


def hardening_tween_factory(handler, registry):
    """Screen each request, then add the security headers to its response.

    An exception that gets this far escaped the exception views: raised
    while committing, or by an exception view itself.  One that
    pyramid_retry is about to try again goes on up; any other is answered
    here (:func:`touchline.errors.last_resort`), so the server never writes
    an error page of its own.
    """
    hardening = registry[REGISTRY_KEY]
    headers = hardening.headers

    def hardening_tween(request):
        refusal = screen(request, hardening) or check_form(request)
        if refusal is not None:
            response = refuse(request, hardening, refusal)
        else:
            try:
                response = handler(request)
            except Exception as exc:
                if is_error_retryable(request, exc) and not is_last_attempt(request):
                    raise
                response = last_resort(request, exc)
        headers.add_to(request, response)
        return response

    return hardening_tween


def includeme(config):
    """Register the hardening tween and subscriber; including it twice is harmless.

    Include it before ``touchline.database`` so that pyramid_retry finds
    ``touchline.retrying.retry_attempts`` as its default activate hook.
    """
    registry = config.registry
    if REGISTRY_KEY in registry:
        return
    settings = registry.settings
    registry[REGISTRY_KEY] = Hardening(settings)
    settings.setdefault("retry.activate_hook", "touchline.retrying.retry_attempts")
    config.add_tween("touchline.hardening.hardening_tween_factory", under=INGRESS)
    config.include("touchline.nostore")
