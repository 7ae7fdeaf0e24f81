"""CSRF tokens: in the session for a logged-in user, in a cookie for a visitor.

Every unsafe request (POST, PUT, PATCH, DELETE) must carry the token, in
the form field ``csrf_token`` or the header ``X-CSRF-Token``; on HTTPS its
``Origin`` (or ``Referer``) must also be this site or one of
``touchline.csrf_trusted_origins``.

A logged-in user's token lives in their server-side session and changes at
login.  A visitor who is not logged in has no session row (nobody can fill
the sessions table by asking for the login page), so their token is kept
in a cookie instead and checked by the "double submit" rule: the form's
token must equal the cookie's.  A page on another site can neither read
that cookie nor set it on HTTPS (``__Host-`` prefix), and the Origin check
stands behind it.
"""
from pyramid.csrf import CookieCSRFStoragePolicy, SessionCSRFStoragePolicy
from pyramid.interfaces import ICSRFStoragePolicy
from pyramid.settings import asbool, aslist
from zope.interface import implementer

#: The session key of a logged-in user's token.
SESSION_KEY = "_csrft_"


@implementer(ICSRFStoragePolicy)
class SessionOrCookieCSRF:
    """The session's token when someone is logged in, else the cookie's."""

    def __init__(self, secure=False):
        self.session_policy = SessionCSRFStoragePolicy(key=SESSION_KEY)
        self.cookie_policy = CookieCSRFStoragePolicy(
            cookie_name="__Host-touchline_csrf" if secure else "touchline_csrf",
            secure=secure,
            httponly=True,
            samesite="Lax",
            path="/",
        )

    def _policy(self, request):
        return self.session_policy if request.user is not None else self.cookie_policy

    def new_csrf_token(self, request):
        return self._policy(request).new_csrf_token(request)

    def get_csrf_token(self, request):
        return self._policy(request).get_csrf_token(request)

    def check_csrf_token(self, request, supplied_token):
        return self._policy(request).check_csrf_token(request, supplied_token)


def includeme(config):
    settings = config.registry.settings
    config.set_csrf_storage_policy(
        SessionOrCookieCSRF(secure=asbool(settings.get("touchline.session.secure", False)))
    )
    config.set_default_csrf_options(
        require_csrf=True,
        token="csrf_token",
        header="X-CSRF-Token",
        safe_methods=("GET", "HEAD", "OPTIONS", "TRACE"),
        check_origin=True,
        allow_no_origin=False,
    )
    if "pyramid.csrf_trusted_origins" not in settings:
        settings["pyramid.csrf_trusted_origins"] = aslist(
            settings.get("touchline.csrf_trusted_origins", "")
        )
