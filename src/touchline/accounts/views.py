"""Login, logout, one's own account, password resets and account management."""
import logging

from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember
from pyramid.view import view_config
from sqlalchemy import select

from touchline.addons import account_links
from touchline.crud import Editor
from touchline.database import commit_without_waiting_for_disk
from touchline.errors import render_error
from touchline.formats import Page
from touchline.forms import Form, validate_form
from touchline.logsafe import security_event
from touchline.pagination import Keyset
from touchline.ratelimit import LOGIN, PASSWORD_RESET, IThrottle
from touchline.security import MANAGE_USERS, VIEW_PRIVATE
from touchline.sessions import end_all_sessions
from touchline.users import Role, User, username_key, utcnow

from .models import PasswordResetRequest, PasswordResetToken
from .passwords import change_password
from .schemas import (
    PASSWORD_MIN_LENGTH,
    LoginIn,
    PasswordChangeIn,
    PasswordResetIn,
    PasswordResetRequestIn,
    ProfileIn,
    UserIn,
    safe_next,
)

log = logging.getLogger("touchline.security")
#: Accounts by name, whatever its case: served by the unique index on ``username_key``.
#: Unique, so it needs no tie-break (with ``id`` added, PostgreSQL sorts each name's one row).
USER_ORDER = Keyset((User.username_key,))
LOGIN_FAILED = "Wrong username or password."
TOO_SHORT = f"Use at least {PASSWORD_MIN_LENGTH} characters."
#: Messages the login page shows for ``?notice=...`` (an anonymous visitor
#: has no session to carry a flash message).
NOTICES = {"password-reset": "Your password was changed. Log in with it now."}


# Login and logout -----------------------------------------------------------------


def _login_page(request, form, status=200, message=None):
    """The login page; JSON clients read the CSRF token they must send with the login."""
    request.response.status_int = status
    return Page({"login": {"csrf_token": get_csrf_token(request)}},
                form=form, message=message, next=safe_next(form.value("next")),
                notice=NOTICES.get(request.GET.get("notice")))


@view_config(
    route_name="accounts.login", request_method="GET", permission=NO_PERMISSION_REQUIRED,
    renderer="touchline.accounts:templates/login.jinja2",
)
def login_form(request):
    return _login_page(request, Form({"next": request.GET.get("next", "")}))


@view_config(
    route_name="accounts.login", request_method="POST", permission=NO_PERMISSION_REQUIRED,
    renderer="touchline.accounts:templates/login.jinja2",
)
def login(request):
    data, form = validate_form(request, LoginIn)
    if data is None:
        return _login_page(request, form, 400, LOGIN_FAILED)
    throttle = request.find_service(IThrottle, name=LOGIN)
    key, client = username_key(data.username), request.remote_addr
    wait = throttle.retry_after(key, client)
    if wait is not None:
        security_event(log, "login-locked", request, username=data.username)
        message = "Too many failed attempts. Wait a few minutes, then try again."
        if request.error_format != "html":
            return render_error(request, 429, "Too many attempts", message,
                                headers={"Retry-After": str(wait)})
        request.response.headers["Retry-After"] = str(wait)
        return _login_page(request, form, 429, message)
    user = request.dbsession.scalar(User.by_username(data.username))
    # check() spends the same time on an unknown username as on a wrong password.
    if not request.passwords.check(user, data.password) or not user.active:
        throttle.failed(key, client)
        security_event(log, "login-failed", request, username=data.username)
        form.values.pop("password", None)
        return _login_page(request, form, 400, LOGIN_FAILED)
    throttle.succeeded(key, client)
    remember(request, user.id, user=user)
    security_event(log, "login", request, user=user)
    return HTTPSeeOther(location=request.application_url + safe_next(data.next))


@view_config(route_name="accounts.logout", request_method="POST", permission=NO_PERMISSION_REQUIRED)
def logout(request):
    user = request.user
    forget(request)
    if user is not None:
        security_event(log, "logout", request, user=user)
    return HTTPSeeOther(location=request.route_url("home"))


# One's own account ----------------------------------------------------------------


def _account_page(request, profile=None, password=None, status=200):
    """The account page; JSON clients read the account and the CSRF token their writes need."""
    user = request.user
    request.response.status_int = status
    return Page(
        {"account": {**user.__json__(request), "email": user.email, "csrf_token": get_csrf_token(request)}},
        user=user,
        profile=profile if profile is not None else Form({"display_name": user.display_name, "email": user.email}),
        password_form=password if password is not None else Form(),
        links=account_links(request),
    )


@view_config(
    route_name="accounts.account", request_method="GET", permission=VIEW_PRIVATE,
    renderer="touchline.accounts:templates/account.jinja2",
)
def account(request):
    return _account_page(request)


@view_config(
    route_name="accounts.account", request_method="POST", permission=VIEW_PRIVATE,
    renderer="touchline.accounts:templates/account.jinja2",
)
def account_update(request):
    data, form = validate_form(request, ProfileIn)
    if data is None:
        return _account_page(request, profile=form, status=400)
    request.user.display_name = data.display_name
    request.user.email = data.email
    request.session.flash("Your details were saved.")
    return HTTPSeeOther(location=request.route_url("accounts.account"))


@view_config(
    route_name="accounts.password", request_method="POST", permission=VIEW_PRIVATE,
    renderer="touchline.accounts:templates/account.jinja2",
)
def password_change(request):
    data, form = validate_form(request, PasswordChangeIn)
    user = request.user
    if data is not None and not request.passwords.check(user, data.current_password):
        form.errors = {"current_password": ["This is not your current password."]}
    if form.errors:
        form.values = {}
        return _account_page(request, password=form, status=400)
    change_password(request, user, data.new_password, keep_this_session=True)
    security_event(log, "password-changed", request, user=user)
    request.session.flash("Your password was changed. You were logged out everywhere else.")
    return HTTPSeeOther(location=request.route_url("accounts.account"))


# Forgotten passwords ----------------------------------------------------------------


@view_config(
    route_name="accounts.reset_request", request_method="GET", permission=NO_PERMISSION_REQUIRED,
    renderer="touchline.accounts:templates/reset_request.jinja2",
)
def reset_request_form(request):
    return {"form": Form(), "sent": False}


@view_config(
    route_name="accounts.reset_request", request_method="POST", permission=NO_PERMISSION_REQUIRED,
    renderer="touchline.accounts:templates/reset_request.jinja2",
)
def reset_request(request):
    """Ask the mail worker to send a reset link to the accounts with this address.

    The request is only recorded (``touchline.accounts.resets`` answers
    it), so the answer is the same, and takes as long, whether or not an
    account has the address.  Requests are limited per address and per
    client, whatever the address, so the limit reveals nothing either.
    """
    data, form = validate_form(request, PasswordResetRequestIn)
    if data is None:
        request.response.status_int = 400
        return {"form": form, "sent": False}
    throttle = request.find_service(IThrottle, name=PASSWORD_RESET)
    address, client = data.email.lower(), request.remote_addr
    wait = throttle.retry_after(address, client)
    if wait is not None:
        security_event(log, "password-reset-limited", request, username=None)
        request.response.headers["Retry-After"] = str(wait)
        return _reset_request_refused(request, form, wait)
    throttle.hit(address, client)
    commit_without_waiting_for_disk(request.dbsession)
    request.dbsession.add(PasswordResetRequest(email=address, requested_at=utcnow()))
    security_event(log, "password-reset-requested", request, email=address)
    return {"form": Form(), "sent": True}


def _reset_request_refused(request, form, wait):
    message = "Too many requests for a reset link. Wait a while, then try again."
    if request.error_format != "html":
        return render_error(request, 429, "Too many requests", message,
                            headers={"Retry-After": str(wait)})
    request.response.status_int = 429
    form.errors = {"_form": [message]}
    return {"form": form, "sent": False}


def _expired(request):
    return render_error(
        request, 404, "Link expired", "This password reset link has expired or was used already."
    )


def _reset_page(request, form, status=200):
    request.response.status_int = status
    return {"form": form}


@view_config(
    route_name="accounts.reset", request_method="GET", permission=NO_PERMISSION_REQUIRED,
    renderer="touchline.accounts:templates/reset.jinja2",
)
def reset_form(request):
    if PasswordResetToken.usable(request.dbsession, request.matchdict["token"]) is None:
        return _expired(request)
    return _reset_page(request, Form())


@view_config(
    route_name="accounts.reset", request_method="POST", permission=NO_PERMISSION_REQUIRED,
    renderer="touchline.accounts:templates/reset.jinja2",
)
def reset(request):
    record = PasswordResetToken.usable(request.dbsession, request.matchdict["token"])
    if record is None:
        return _expired(request)
    data, form = validate_form(request, PasswordResetIn)
    if data is None:
        form.values = {}
        return _reset_page(request, form, 400)
    user = record.user
    change_password(request, user, data.new_password)
    security_event(log, "password-reset", request, user=user)
    return HTTPSeeOther(location=request.route_url("accounts.login", _query={"notice": "password-reset"}))


# Managing accounts (admins) -----------------------------------------------------------


@view_config(
    route_name="accounts.users", request_method="GET", permission=MANAGE_USERS,
    renderer="touchline.accounts:templates/users.jinja2",
)
def users(request):
    page = request.paginate(select(User), keyset=USER_ORDER)
    return {"users": page.items, "page": page}


class UserEditor(Editor):
    """The admins' account forms (no JSON writes); what is the accounts' own is in :meth:`apply`.

    A username is taken whatever its case; a new account needs a password, a
    changed one only when it is given, and either needs ``PASSWORD_MIN_LENGTH``
    characters; an admin cannot take away their own access.  A password set
    here ends the account's sessions and reset links, as does deactivating it.
    """

    key = "account"
    new_route = "accounts.user_new"
    edit_route = "accounts.user_edit"
    form_template = "touchline.accounts:templates/user_form.jinja2"
    create_permission = edit_permission = delete_permission = MANAGE_USERS
    created_message = "The account {record.username} was created."
    saved_message = "The account {record.username} was saved."
    secret_fields = ("password",)
    schema_class = UserIn

    def new(self):
        return User("")  # named by apply()

    def apply(self, user, data):
        request, creating = self.request, user.id is None
        other = request.dbsession.scalar(User.by_username(data.username))
        if other is not None and other.id != user.id:
            return {"username": ["This username is taken."]}
        if (creating or data.password) and len(data.password) < PASSWORD_MIN_LENGTH:
            return {"password": [TOO_SHORT]}
        if user.id == request.user.id and (data.role is not Role.ADMIN or not data.active):
            return {"role": ["You cannot take away your own administrator access."]}
        user.rename(data.username)
        user.display_name = data.display_name
        user.email = data.email
        user.role = data.role
        user.active = data.active
        if creating:
            request.passwords.set(user, data.password)
        elif data.password:
            change_password(request, user, data.password)
        elif not data.active:
            end_all_sessions(request, user)
        return None

    def record_written(self, user, created):
        event = "user-created" if created else "user-updated"
        security_event(log, event, self.request, user=self.request.user, account=user.username)

    def new_values(self):
        return {"role": Role.MEMBER.value, "active": "on"}

    def form_values(self, user):
        return {"username": user.username, "display_name": user.display_name,
                "email": user.email, "role": user.role.value,
                "active": "on" if user.active else ""}

    def form_page(self, form, user=None):
        return {"form": form, "account": user, "roles": [(role.value, role.label) for role in Role]}

    def after_save(self, user):
        return self.request.route_url("accounts.users")
