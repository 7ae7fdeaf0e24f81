"""The security headers every response gets: pages, static files, error pages and refusals.

The values live in the ini file; each is read and coerced once, at start-up.
An empty header setting leaves that header out.  The hardening tween adds
them to every response, keeping any a view set for itself (a page that
must be framed loosens ``X-Frame-Options`` for itself alone).
"""
from pyramid.settings import asbool, aslist

DEFAULT_HSTS_MAX_AGE = 2 * 365 * 24 * 3600

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


class SecurityHeaders:
    """The headers, read once at start-up, and how they are added to a response."""

    def __init__(self, settings):
        self.values = {
            header: " ".join(settings.get(setting, default).split())
            for header, setting, default in SECURITY_HEADERS
        }
        self.hsts = asbool(settings.get("touchline.hsts", False))
        self.hsts_max_age = int(settings.get("touchline.hsts_max_age", DEFAULT_HSTS_MAX_AGE))
        self.toolbar_path = TOOLBAR_PATH if _toolbar_enabled(settings) else None
        self.all = self._response_headers()
        csp = self.values.get("Content-Security-Policy")
        # The debug toolbar's own pages need inline script and style.
        self.toolbar = (("Content-Security-Policy", allow_inline(csp)),) if csp else ()

    def _response_headers(self):
        headers = [(name, value) for name, value in self.values.items() if value]
        if self.hsts:
            headers.append(
                ("Strict-Transport-Security", f"max-age={self.hsts_max_age}; includeSubDomains")
            )
        return tuple(headers)

    def add_to(self, request, response):
        """Add the headers the response does not have yet; drop a ``Server`` header."""
        headerlist = response.headerlist
        present = {name.lower() for name, _ in headerlist}
        if "server" in present:
            headerlist[:] = [(name, value) for name, value in headerlist if name.lower() != "server"]
        if self.toolbar_path and request.path_info.startswith(self.toolbar_path):
            headerlist.extend(item for item in self.toolbar if item[0].lower() not in present)
            present.update(name.lower() for name, _ in self.toolbar)
        headerlist.extend(item for item in self.all if item[0].lower() not in present)
