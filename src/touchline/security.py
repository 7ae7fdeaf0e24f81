"""Who the user is and what they may do: Pyramid 2's security policy.

The identity is the logged-in user, loaded with the session in one query
(``request.user``).  Permissions are the named constants below; views say
``permission=...`` and resource factories carry the ACLs that grant them
to principals: ``system.Everyone``, ``system.Authenticated``,
``role:<role>`` and ``user:<id>``.

CSRF is required on every unsafe request (``touchline.csrf``).
"""
import logging

from pyramid.authorization import (
    ALL_PERMISSIONS,
    ACLHelper,
    Allow,
    Authenticated,
    Everyone,
)
from pyramid.interfaces import ISecurityPolicy
from zope.interface import implementer

#: WSGI environ key that marks a response as private (``Cache-Control:
#: no-store``): set whenever the request turns out to have a logged-in user.
PRIVATE_ENVIRON_KEY = "touchline.private"

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
#: Change the club's own settings (name, crest, colours, contact, welcome): admins only.
MANAGE_CLUB = "manage-club"

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

    def remember(self, request, userid, user=None, **kw):
        """Log in the active user ``userid``: a new session id and CSRF token.

        ``remember(request, user.id)`` is all it takes, as Pyramid documents;
        a caller that has the user at hand may pass ``user=`` to save the
        query.  An id with no active user behind it logs nobody in, loudly.
        """
        if user is None:
            from touchline.users import User

            user = request.dbsession.get(User, userid)
        if user is None or user.id != userid or not user.active:
            raise ValueError(f"remember(): no active user has the id {userid!r}")
        request.session.login(user)
        request.environ[PRIVATE_ENVIRON_KEY] = True
        return []

    def forget(self, request, **kw):
        request.session.invalidate()
        return []


def request_user(request):
    """The logged-in, active user, or None: the session's, loaded with it in one query.

    Anonymous requests without a session cookie touch no database at all.
    Read from the session each time, so a login or logout during the
    request shows at once.
    """
    session = request.session_slot.session
    if session is None:
        if request.registry["touchline.session_settings"].cookie_name not in request.cookies:
            return None
        session = request.session
    user = session.user
    if user is not None:
        request.environ[PRIVATE_ENVIRON_KEY] = True
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
    config.set_root_factory(Root)
    config.set_security_policy(SecurityPolicy())
    config.add_request_method(request_user, "user", property=True)
    config.add_directive("set_account_routes", set_account_routes)
