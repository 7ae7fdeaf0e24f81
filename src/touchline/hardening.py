"""Hardened HTTP: unknown hosts and oversized bodies refused, security headers everywhere.

One tween, the outermost (``under=INGRESS``, so above pyramid_tm and the
exception views), does two things for every request:

* It *screens* the request before anything else looks at it: the client's
  address and scheme are taken from a trusted proxy's headers
  (``touchline.proxies``), or those headers removed; a Host
  header that is not one of ``touchline.allowed_hosts`` gets a 400 (so no
  URL the site generates, and no cache entry, can carry a forged host); a
  body larger than ``touchline.max_body_size`` gets a 413 and a
  Content-Length that is not a number a 400, before anything reads or
  parses the body; a form body, Origin or Referer that cannot be parsed
  gets a 400 here, instead of a 500 wherever it would be read.  A refused
  request is answered by :func:`touchline.errors.render_error`, in the
  format it asked for, as an anonymous request.
* It adds the security headers to whatever response comes back: pages,
  static files, error pages rendered from exceptions and its own refusals.

A ``NewResponse`` subscriber then marks private responses ``Cache-Control:
no-store``: it runs after the response callbacks, so it sees every cookie.

The values live in the ini file; each is read and coerced here, once, at
start-up.  An empty header setting leaves that header out.
"""
import logging
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from pyramid.events import NewResponse
from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool, aslist
from pyramid.tweens import INGRESS
from pyramid_retry import is_error_retryable, is_last_attempt

from touchline.errors import last_resort, render_error
from touchline.proxies import TrustedProxies
from touchline.security import PRIVATE_ENVIRON_KEY

log = logging.getLogger(__name__)

ALLOWED_HOSTS_ENVIRON = "TOUCHLINE_ALLOWED_HOSTS"
DEFAULT_ALLOWED_HOSTS = "localhost 127.0.0.1 ::1"
DEFAULT_MAX_BODY_SIZE = 1024 * 1024
DEFAULT_HSTS_MAX_AGE = 2 * 365 * 24 * 3600
REGISTRY_KEY = "touchline.hardening"
_SCREENED_ENVIRON_KEY = "touchline.hardening.refusal"
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))

#: The security headers: (header, setting, default).
SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "touchline.csp",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("X-Frame-Options", "touchline.x_frame_options", "DENY"),
    ("X-Content-Type-Options", "touchline.x_content_type_options", "nosniff"),
    ("Referrer-Policy", "touchline.referrer_policy", "strict-origin-when-cross-origin"),
    (
        "Permissions-Policy",
        "touchline.permissions_policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
    ("Cross-Origin-Opener-Policy", "touchline.cross_origin_opener_policy", "same-origin"),
)

# A host name or IPv4 address, or a bracketed IPv6 address; then maybe a port.
_HOST = re.compile(r"(?P<name>[a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::[0-9]+)?")
_CONTENT_LENGTH = re.compile(r"[0-9]+")


def host_name(host):
    """The name part of a Host header, lower case, without port or brackets.

    None when the header is not a syntactically valid host, such as one
    with a path, spaces or a user name in it.
    """
    match = _HOST.fullmatch(host.lower())
    if match is None:
        return None
    name = match.group("name")
    if name.startswith("["):
        return name[1:-1]
    return name[:-1] if name.endswith(".") else name


def _host_pattern(entry):
    entry = entry.lower()
    if entry.startswith("[") and entry.endswith("]"):
        return entry[1:-1]
    return entry


@dataclass(frozen=True)
class Refusal:
    """Why a request is answered before it reaches the application."""

    status: int
    title: str
    detail: str


BAD_HOST = Refusal(400, "Bad request", "This site does not answer to that host name.")
BAD_LENGTH = Refusal(400, "Bad request", "The request's Content-Length is not a valid number.")
TOO_LARGE = Refusal(413, "Request too large", "The request's body is more than this site accepts.")
BAD_ORIGIN = Refusal(400, "Bad request", "The request's Origin or Referer header is not a URL.")
BAD_FORM = Refusal(400, "Bad request", "The form data in the request could not be read.")
BAD_PROXY = Refusal(400, "Bad request", "The proxy's forwarding headers could not be read.")


class Hardening:
    """The hardening settings, coerced once at start-up.

    ``touchline.allowed_hosts`` (whitespace separated; ``.example.org``
    also allows its subdomains, ``*`` any host) is replaced by the
    environment variable ``TOUCHLINE_ALLOWED_HOSTS`` when that is set, so a
    deployment names its host without editing the ini file.
    """

    def __init__(self, settings, environ=os.environ):
        hosts = environ.get(ALLOWED_HOSTS_ENVIRON) or settings.get(
            "touchline.allowed_hosts", DEFAULT_ALLOWED_HOSTS
        )
        patterns = [_host_pattern(entry) for entry in aslist(hosts)]
        self.any_host = "*" in patterns
        self.hosts = frozenset(p for p in patterns if not p.startswith(".") and p != "*")
        self.domains = tuple(p for p in patterns if p.startswith("."))
        self.max_body_size = int(settings.get("touchline.max_body_size", DEFAULT_MAX_BODY_SIZE))
        if self.max_body_size < 0:
            raise ConfigurationError("touchline.max_body_size must not be negative")
        self.headers = {
            header: " ".join(settings.get(setting, default).split())
            for header, setting, default in SECURITY_HEADERS
        }
        self.hsts = asbool(settings.get("touchline.hsts", False))
        self.hsts_max_age = int(settings.get("touchline.hsts_max_age", DEFAULT_HSTS_MAX_AGE))
        self.proxies = TrustedProxies.from_settings(settings, environ)
        self.toolbar_path = TOOLBAR_PATH if _toolbar_enabled(settings) else None

    def toolbar_headers(self):
        """The headers for the debug toolbar's own pages, which need inline script and style."""
        csp = self.headers.get("Content-Security-Policy")
        return (("Content-Security-Policy", allow_inline(csp)),) if csp else ()

    def host_allowed(self, name):
        if name is None:
            return False
        if self.any_host or name in self.hosts:
            return True
        return any(name == domain[1:] or name.endswith(domain) for domain in self.domains)

    def safe_host(self):
        """An allowed host to build URLs with when answering a refused one."""
        names = sorted(self.hosts) or [domain[1:] for domain in self.domains] or ["localhost"]
        return f"[{names[0]}]" if ":" in names[0] else names[0]

    def response_headers(self):
        """The security headers every response gets, as (name, value) pairs."""
        headers = [(name, value) for name, value in self.headers.items() if value]
        if self.hsts:
            headers.append(
                ("Strict-Transport-Security", f"max-age={self.hsts_max_age}; includeSubDomains")
            )
        return tuple(headers)


#: Where pyramid_debugtoolbar serves its own pages (development only).
TOOLBAR_PATH = "/_debug_toolbar/"


def _toolbar_enabled(settings):
    includes = aslist(settings.get("pyramid.includes", ""))
    return "pyramid_debugtoolbar" in includes and asbool(settings.get("debugtoolbar.enabled", True))


def allow_inline(csp):
    """``csp`` with ``'unsafe-inline'`` added to its script and style sources."""
    directives = [part.strip() for part in csp.split(";") if part.strip()]
    names = {part.split()[0] for part in directives}
    for name in ("script-src", "style-src"):
        if name not in names:
            directives.append(f"{name} 'self'")
    return "; ".join(
        part + " 'unsafe-inline'" if part.split()[0] in ("script-src", "style-src")
        and "'unsafe-inline'" not in part.split() else part
        for part in directives
    )


def _read_at_most(stream, size):
    chunks = []
    while size > 0:
        chunk = stream.read(min(size, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _check_host(request, hardening):
    environ = request.environ
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    if hardening.host_allowed(host_name(host)):
        return None
    log.info("refused host %r", host)
    return BAD_HOST


def _check_origin(request):
    """Refuse an unsafe request whose Origin or Referer is not a URL.

    Pyramid's CSRF origin check (on HTTPS) parses them with ``urlparse``,
    which raises ValueError for some, such as ``http://[::1``: a 500.
    """
    if request.method in SAFE_METHODS:
        return None
    for name in ("HTTP_ORIGIN", "HTTP_REFERER"):
        for url in request.environ.get(name, "").split(" "):
            try:
                urlsplit(url)
            except ValueError:
                return BAD_ORIGIN
    return None


def _check_body(request, hardening):
    """Refuse a body over the limit before anything reads it.

    A body without a Content-Length (``Transfer-Encoding: chunked``, that
    the server dechunks and flags with ``wsgi.input_terminated``) is read
    here, at most one byte over the limit, and kept as the request's body.
    """
    length = request.environ.get("CONTENT_LENGTH")
    if length:
        if not _CONTENT_LENGTH.fullmatch(length):
            return BAD_LENGTH
        return TOO_LARGE if int(length) > hardening.max_body_size else None
    if request.is_body_readable:
        body = _read_at_most(request.environ["wsgi.input"], hardening.max_body_size + 1)
        if len(body) > hardening.max_body_size:
            return TOO_LARGE
        if body:
            request.body = body
    return None


def check_form(request):
    """Refuse a form body that cannot be parsed, before a view or the CSRF check reads it.

    WebOb raises ValueError (a multipart boundary that is missing or
    invalid, even in a nested part), LookupError (a part in an unknown
    charset) or DeprecationWarning (a form in a charset other than UTF-8)
    from ``request.POST``: the client's mistakes, which would otherwise be
    500s wherever the form is read.  The parsed form is cached by WebOb, so
    reading it here costs nothing later.
    """
    try:
        request.POST
    except (ValueError, LookupError, Warning):
        return BAD_FORM
    return None


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
            or _check_host(request, hardening)
            or _check_origin(request)
            or _check_body(request, hardening)
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
        environ["HTTP_HOST"] = hardening.safe_host()
    return render_error(request, refusal.status, refusal.title, refusal.detail)


def retry_attempts(request):
    """``retry.activate_hook``: a refused request is tried once, its body never copied.

    pyramid_retry runs before any tween and, to retry, copies the whole
    body first (and turns an invalid Content-Length into an empty body);
    screening here lets the tween refuse a request before that happens.
    None keeps ``retry.attempts`` for every other request.
    """
    hardening = request.registry.get(REGISTRY_KEY)
    if hardening is not None and screen(request, hardening) is not None:
        return 1
    return None


def hardening_tween_factory(handler, registry):
    """Screen each request, then add the security headers to its response.

    Headers the response already has are kept, so a view can loosen one
    for itself (a page that must be framed); a ``Server`` header set by the
    application is removed.

    An exception that gets this far escaped the exception views: raised
    while committing, or by an exception view itself.  One that
    pyramid_retry is about to try again goes on up; any other is answered
    here (:func:`touchline.errors.last_resort`), so the server never writes
    an error page of its own.
    """
    hardening = registry[REGISTRY_KEY]
    headers = hardening.response_headers()
    toolbar_headers = hardening.toolbar_headers()

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
        headerlist = response.headerlist
        present = {name.lower() for name, _ in headerlist}
        if "server" in present:
            headerlist[:] = [(name, value) for name, value in headerlist if name.lower() != "server"]
        if hardening.toolbar_path and request.path_info.startswith(hardening.toolbar_path):
            headerlist.extend(item for item in toolbar_headers if item[0].lower() not in present)
            present.update(name.lower() for name, _ in toolbar_headers)
        headerlist.extend(item for item in headers if item[0].lower() not in present)
        return response

    return hardening_tween


def no_store_private_responses(event):
    """``Cache-Control: no-store`` on responses no cache may keep.

    Those that set a cookie, and those for a logged-in user: flagged with
    ``PRIVATE_ENVIRON_KEY`` when the user is found or logs in.  Nothing is
    looked up here just to decide.
    """
    request, response = event.request, event.response
    if "Set-Cookie" in response.headers or request.environ.get(PRIVATE_ENVIRON_KEY):
        response.headers["Cache-Control"] = "no-store"


def includeme(config):
    """Register the hardening tween and subscriber; including it twice is harmless.

    Include it before ``touchline.database`` so that pyramid_retry finds
    ``retry_attempts`` as its default activate hook.
    """
    registry = config.registry
    if REGISTRY_KEY in registry:
        return
    settings = registry.settings
    registry[REGISTRY_KEY] = Hardening(settings)
    settings.setdefault("retry.activate_hook", "touchline.hardening.retry_attempts")
    config.add_tween("touchline.hardening.hardening_tween_factory", under=INGRESS)
    config.add_subscriber(no_store_private_responses, NewResponse)
