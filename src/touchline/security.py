"""Who the user is and what they may do: Pyramid 2's security policy.

The identity is the logged-in user, loaded with the session in one query
(``request.user``).  Permissions are the named constants below; views say
``permission=...`` and resource factories carry the ACLs that grant them
to principals: ``system.Everyone``, ``system.Authenticated``,
``role:<role>`` and ``user:<id>``.

CSRF is required on every unsafe request (POST, PUT, PATCH, DELETE), from
the form field ``csrf_token`` or the header ``X-CSRF-Token``, checked
against the token in the server-side session, with the Origin check for
HTTPS.
"""
import logging

from pyramid.authorization import (
    ALL_PERMISSIONS,
    ACLHelper,
    Allow,
    Authenticated,
    Everyone,
)
from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.interfaces import ISecurityPolicy
from pyramid.settings import aslist
from zope.interface import implementer

log = logging.getLogger("touchline.security")

#: See a public page.
VIEW = "view"
#: See pages for logged-in members of the club (rosters, anything naming a child).
VIEW_PRIVATE = "view-private"
CREATE = "create"
EDIT = "edit"
DELETE = "delete"
#: Publish what others wrote (news).
PUBLISH = "publish"
MANAGE_USERS = "manage-users"

ADMIN_PRINCIPAL = "role:admin"

#: The ACL that every resource starts from: everyone reads public pages,
#: members read private ones, admins may do anything.
BASE_ACL = (
    (Allow, Everyone, VIEW),
    (Allow, Authenticated, VIEW_PRIVATE),
    (Allow, ADMIN_PRINCIPAL, ALL_PERMISSIONS),
)


class Root:
    """The default context: the base ACL."""

    __acl__ = BASE_ACL

    def __init__(self, request):
        self.request = request


def principals_for(user):
    if user is None:
        return [Everyone]
    return [Everyone, Authenticated, f"user:{user.id}", f"role:{user.role.value}"]


@implementer(ISecurityPolicy)
class SecurityPolicy:
    def __init__(self):
        self.acl = ACLHelper()

    def identity(self, request):
        return request.user

    def authenticated_userid(self, request):
        user = request.user
        return user.id if user is not None else None

    def permits(self, request, context, permission):
        return self.acl.permits(context, principals_for(request.user), permission)

    def remember(self, request, userid, **kw):
        """Called with the user at login: a new session id and CSRF token."""
        user = kw.get("user")
        request.session.login(user)
        request.__dict__["user"] = user
        return []

    def forget(self, request, **kw):
        request.session.invalidate()
        request.__dict__["user"] = None
        return []


def request_user(request):
    """The logged-in, active user, or None; one query with the session, once per request.

    Anonymous requests without a session cookie touch no database at all.
    """
    settings = request.registry["touchline.session_settings"]
    if settings.cookie_name not in request.cookies:
        return None
    user = request.session.user
    if user is not None:
        request.environ["touchline.private"] = True
    return user


def set_account_routes(config, login, logout, account=None):
    """Name the routes of the login form, logout and the user's account page.

    Anonymous visitors who hit a forbidden page are sent to ``login``; the
    layout links them.  The add-on that provides accounts calls this.
    """

    def register():
        config.registry["touchline.login_route"] = login
        config.registry["touchline.account_routes"] = {
            "login": login, "logout": logout, "account": account
        }

    config.action("touchline.account_routes", register)


def includeme(config):
    settings = config.registry.settings
    config.set_root_factory(Root)
    config.set_security_policy(SecurityPolicy())
    config.add_request_method(request_user, "user", reify=True)
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy(key="_csrft_"))
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
    config.add_directive("set_account_routes", set_account_routes)
