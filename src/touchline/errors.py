"""Error pages: every error answers in the format the client asked for.

404, 403, 405, 406, 4xx raised by views, 500 for bugs and 503 when the
database cannot be reached all render the same data (status, title and a
sentence for a person) as an HTML page in the layout, JSON or XML.

These views are registered here, before the core's configuration is
committed, so that an add-on or a site can override any of them.
"""
import logging
from urllib.parse import quote

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import (
    HTTPError,
    HTTPMethodNotAllowed,
    HTTPSeeOther,
)
from pyramid.renderers import render_to_response
from pyramid.response import Response
from sqlalchemy.exc import (
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from touchline.formats import suffix_format
from touchline.logsafe import security_event

log = logging.getLogger(__name__)
security_log = logging.getLogger("touchline.security")

ERROR_TEMPLATE = "touchline:templates/error.jinja2"
#: The errors that mean "the database is not there right now".
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)


class Error:
    """What an error response says, whatever its format.

    ``fields`` maps field names to their messages when the client sent data
    that did not validate.
    """

    def __init__(self, status, title, detail, fields=None):
        self.status = status
        self.title = title
        self.detail = detail
        self.fields = fields

    def __json__(self, request):
        data = {"status": self.status, "title": self.title, "detail": self.detail}
        if self.fields is not None:
            data["fields"] = self.fields
        return data


def render_error(request, status, title, detail, headers=None, fields=None):
    """An error response in the request's error format, with ``status``."""
    fmt = request.error_format
    if fmt == "html" and getattr(request, "exception", None) is not None:
        _settle_identity(request)
    renderer = ERROR_TEMPLATE if fmt == "html" else "touchline_" + fmt
    response = render_to_response(
        renderer, {"error": Error(status, title, detail, fields)}, request=request
    )
    response.status_int = status
    if headers:
        response.headers.update(headers)
    if not suffix_format(request):
        response.vary = tuple(response.vary or ()) + ("Accept",)
    return response


def _settle_identity(request):
    """Make sure the layout can say who is logged in without failing the error page.

    An error page may be rendered while the database is away, or after a
    failed flush has left the request's session unusable (the loaded user
    then cannot be read again).  The page is then shown to nobody in
    particular, with an empty session: it must render whatever happened.
    """
    try:
        user = request.user
        if user is not None:
            user.name, user.role  # noqa: B018 (may need the database)
        request.session.peek_flash()
    except SQLAlchemyError:
        forget_identity(request)


def forget_identity(request):
    """Answer this request as an anonymous one, without asking the database."""
    from touchline.sessions import anonymous_session

    anonymous_session(request)


def last_resort(request, exc):
    """The answer to an exception that got past every exception view.

    Raised while committing, or by an exception view itself: the
    transaction is over, so the page is rendered for nobody in particular,
    and if even that fails, in plain text.  Either way it is Touchline's
    answer, with its headers, and never the server's own error page.
    """
    forget_identity(request)
    if isinstance(exc, DATABASE_UNAVAILABLE):
        log.error("database unavailable: %s", exc.__class__.__name__, exc_info=exc)
        status, title, detail = DATABASE_DOWN
        headers = {"Retry-After": _retry_after(request)}
    else:
        log.error("unhandled error on %s %s", request.method, request.path_qs, exc_info=exc)
        status, title, detail = SERVER_ERROR
        headers = None
    try:
        return render_error(request, status, title, detail, headers=headers)
    except Exception:
        log.exception("the error page failed too")
        response = Response(f"{title}\n\n{detail}\n", status=status, content_type="text/plain",
                            charset="utf-8")
        if headers:
            response.headers.update(headers)
        return response


def allowed_methods(request):
    """The methods the matched route's views answer, or None for any.

    Computed from the view introspectables once per route, so that a route
    whose views all have a ``request_method`` answers other methods with 405.
    """
    route = request.matched_route
    if route is None:
        return None
    cache = request.registry.setdefault("touchline.allowed_methods", {})
    if route.name not in cache:
        introspector = request.registry.introspector
        route_intr = introspector.get("routes", route.name)
        methods = set()
        for view in introspector.related(route_intr) if route_intr else ():
            if view.category_name != "views":
                continue
            view_methods = view["request_methods"]
            if view_methods is None:
                methods = None
                break
            methods.update((view_methods,) if isinstance(view_methods, str) else view_methods)
        if methods and "GET" in methods:
            methods.add("HEAD")
        cache[route.name] = frozenset(methods) if methods else None
    return cache[route.name]


def not_found(exc, request):
    allowed = allowed_methods(request)
    if allowed and request.method not in allowed:
        return method_not_allowed(HTTPMethodNotAllowed(), request, allowed)
    return render_error(
        request,
        404,
        "Page not found",
        "There is nothing at this address. It may have moved, or the link may be wrong.",
    )


def method_not_allowed(exc, request, allowed=None):
    allowed = allowed or allowed_methods(request) or ()
    return render_error(
        request,
        405,
        "Method not allowed",
        f"This address does not answer {request.method} requests.",
        headers={"Allow": ", ".join(sorted(allowed))},
    )


def forbidden(exc, request):
    """403 for a logged-in user; an anonymous one is asked to log in.

    A browser is redirected to the login page with ``next`` set to where it
    was going; a JSON or XML client gets 401.
    """
    user = request.user
    security_event(
        security_log, "access-denied", request, user=user,
        path=request.environ.get("PATH_INFO"), method=request.method,
    )
    if user is None:
        login_route = request.registry.get("touchline.login_route")
        if request.error_format == "html" and login_route and request.method in ("GET", "HEAD"):
            return HTTPSeeOther(
                location=request.route_url(login_route, _query={"next": _here(request)})
            )
        return render_error(
            request, 401, "Login required", "Log in to see this page.",
            headers={"WWW-Authenticate": 'Session realm="touchline"'},
        )
    return render_error(
        request, 403, "Not allowed", "You do not have permission to see this page."
    )


def _here(request):
    environ = request.environ
    path = quote(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""), safe="/:@!$&'()*+,;=-._~")
    query = environ.get("QUERY_STRING")
    return path + ("?" + query if query else "")


def bad_csrf(exc, request):
    security_event(security_log, "csrf-rejected", request, user=request.user)
    return render_error(
        request, 400, "Form expired",
        "The form was not sent from this site's page, or it expired. "
        "Reload the page and try again.",
    )


def http_error(exc, request):
    """A 4xx or 5xx that a view raised on purpose: keep its status and message."""
    detail = exc.detail or exc.explanation
    response = render_error(request, exc.code, exc.title, detail)
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        if name in exc.headers:
            response.headers[name] = exc.headers[name]
    return response


def bad_request(exc, request):
    return render_error(
        request, 400, "Bad request", "The request could not be understood."
    )


DATABASE_DOWN = (
    503,
    "Temporarily unavailable",
    "The club's site cannot reach its database just now. Please try again in a minute.",
)
SERVER_ERROR = (
    500,
    "Something went wrong",
    "The site failed to answer this request. The error has been logged.",
)


def _retry_after(request):
    return str(int(request.registry.settings.get("touchline.retry_after", "30")))


def database_unavailable(exc, request):
    # The page must not ask the database who is logged in.
    forget_identity(request)
    log.error("database unavailable: %s", exc.__class__.__name__, exc_info=exc)
    return render_error(request, *DATABASE_DOWN, headers={"Retry-After": _retry_after(request)})


def conflicting_write(exc, request):
    """Two requests saved the same unique value at the same moment.

    Forms check uniqueness (a shirt number, a slug) before they write, so
    this only happens when two people save at once: both checks pass and the
    database's constraint refuses the second.  That is a 409 the user can
    act on, not a 500; the transaction is aborted, so nothing is written.
    The session cannot run another query now: the page shows whoever was
    already loaded, or nobody (see ``_settle_identity``).
    """
    log.warning("conflicting write on %s %s: %s", request.method, request.path,
                exc.orig.__class__.__name__ if exc.orig is not None else "IntegrityError")
    return render_error(
        request,
        409,
        "Conflicting change",
        "Someone else saved a conflicting change at the same moment. "
        "Reload the page and try again.",
    )


def server_error(exc, request):
    log.error("unhandled error on %s %s", request.method, request.path_qs, exc_info=exc)
    return render_error(request, *SERVER_ERROR)


def includeme(config):
    config.add_notfound_view(not_found)
    config.add_forbidden_view(forbidden)
    config.add_exception_view(method_not_allowed, context=HTTPMethodNotAllowed)
    config.add_exception_view(http_error, context=HTTPError)
    config.add_exception_view(bad_csrf, context=BadCSRFToken)
    config.add_exception_view(bad_csrf, context=BadCSRFOrigin)
    # Undecodable bytes in the path or query string are the client's fault.
    config.add_exception_view(bad_request, context=UnicodeDecodeError)
    for error in DATABASE_UNAVAILABLE:
        config.add_exception_view(database_unavailable, context=error)
    config.add_exception_view(conflicting_write, context=IntegrityError)
    config.add_exception_view(server_error, context=Exception)
