"""Parts of a request that WebOb or Pyramid would fail to parse with a 500: refused with a 400.

A form body, an Origin or a Referer that cannot be parsed is the client's
mistake; it is refused by the hardening tween, before a view or the CSRF
check reads it.
"""
from urllib.parse import urlsplit

from touchline.refusals import Refusal

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))

BAD_ORIGIN = Refusal(400, "Bad request", "The request's Origin or Referer header is not a URL.")
BAD_FORM = Refusal(400, "Bad request", "The form data in the request could not be read.")


def check_origin(request):
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
