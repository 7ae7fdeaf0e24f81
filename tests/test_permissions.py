"""Who may do what: every view is guarded, and every route answers each role as it should.

* ``test_every_view_has_a_permission_or_is_public``: every view a request can
  reach has a permission from ``touchline.security`` (or from an enabled
  add-on's own ``permissions`` module), or it is in ``PUBLIC`` with the
  reason it is public.  A view added without ``permission=`` fails here.
* ``test_role_matrix``: the role-by-route matrix (``MATRIX``).  For each
  route and method, the status each role gets, with a valid CSRF token and a
  valid body, so that the permission is the only thing that decides.  A
  route (or a method a route serves) missing from the matrix fails
  ``test_matrix_covers_every_route``, so a new route cannot be forgotten.

Each first-party add-on after teams keeps its own rows beside its tests, in
``tests/<add-on>/permission_rows.py``: ``PUBLIC``, ``MATRIX`` and ``BODIES``
as here, ``extend_world(world, dbsession)`` to make the objects its targets
name, and ``route_kw(world, target)`` giving the route's arguments for one of
its own targets (or None for targets it does not know).
"""
import importlib
import importlib.util
from urllib.parse import quote, urlencode

import pytest
from pyramid.interfaces import IDefaultPermission, IException, IRoutesMapper
from pyramid.security import NO_PERMISSION_REQUIRED
from zope.interface.interfaces import IInterface

from touchline import security
from touchline.addons import parse_addons
from touchline.teams.models import Level
from touchline.testing import HOST, PASSWORD, csrf_token_of

#: Static files: the core's assets and the uploaded images (public by nature, no views of ours).
STATIC_ROUTES = {"__static/", "__uploads/"}

#: The core's permissions; an add-on's own come from its ``permissions`` module.
CORE_PERMISSIONS = {
    security.VIEW,
    security.VIEW_PRIVATE,
    security.CREATE,
    security.EDIT,
    security.DELETE,
    security.PUBLISH,
    security.MANAGE_USERS,
    security.MANAGE_CLUB,
}

#: The views anyone may call, logged in or not: (route name, request method).
PUBLIC = {
    # Liveness probe for load balancers: says the process answers, shows nothing.
    ("healthz", "GET"),
    # Readiness probe for load balancers: says whether the database answers, nothing more.
    ("readyz", "GET"),
    # For crawlers, whoever they are: which paths to keep out of; shows no club data.
    ("robots", "GET"),
    # Browsers ask for it by themselves on every site: the club's mark, no data.
    ("favicon", "GET"),
    # The club's colours as CSS custom properties, linked by every page for everyone.
    ("club.css", "GET"),
    # The login form (and, for JSON clients, the CSRF token to log in with).
    ("accounts.login", "GET"),
    # Logging in is what makes a visitor not anonymous.
    ("accounts.login", "POST"),
    # Logging out must work with an expired session too; it only ends the caller's own session.
    ("accounts.logout", "POST"),
    # Someone who forgot their password cannot log in to ask for a new one.
    ("accounts.reset_request", "GET"),
    # Same answer whether an account matched or not: reveals nothing.
    ("accounts.reset_request", "POST"),
    # The reset token in the URL is the credential; unknown tokens get a 404.
    ("accounts.reset", "GET"),
    # The reset token in the URL is the credential; unknown tokens get a 404.
    ("accounts.reset", "POST"),
}


#: The add-ons whose rows live beside their own tests (see the module docstring).
ROW_MODULES = [
    importlib.import_module(f"tests.{name}.permission_rows")
    for name in ("rosters", "fixtures", "news", "catalog", "admin", "training")
    if importlib.util.find_spec(f"tests.{name}.permission_rows") is not None
]
for _module in ROW_MODULES:
    PUBLIC |= set(getattr(_module, "PUBLIC", ()))


# Part 1: every view has a permission, or is public on purpose ---------------------------------


def _is_exception_view(view):
    if view["exception_only"]:
        return True
    context = view["context"]
    if isinstance(context, type):
        return issubclass(context, BaseException)
    return IInterface.providedBy(context) and context.isOrExtends(IException)


def _is_debug_toolbar(route_name, callable_=None):
    if route_name and route_name.startswith(("debugtoolbar", "pyramid_debugtoolbar")):
        return True
    module = getattr(callable_, "__module__", None) or type(callable_).__module__
    return module.startswith("pyramid_debugtoolbar")


def _methods(request_methods):
    if request_methods is None:
        return ("ANY",)
    if isinstance(request_methods, str):
        return (request_methods,)
    return tuple(request_methods)


def reachable_views(app):
    """(route name, method, effective permission, callable) for each view a request can reach.

    Pyramid 2.1 does not keep the permission on the view introspectable: a
    view registered with ``permission=`` is *related* to an introspectable of
    the category "permissions"; without one, the default permission applies.
    """
    introspector = app.registry.introspector
    default = app.registry.queryUtility(IDefaultPermission)
    for item in introspector.get_category("views"):
        view = item["introspectable"]
        route_name = view["route_name"]
        if _is_exception_view(view) or route_name in STATIC_ROUTES:
            continue
        if _is_debug_toolbar(route_name, view["callable"]):
            continue
        permissions = [r["value"] for r in item["related"] if r.category_name == "permissions"]
        assert len(permissions) <= 1, (route_name, permissions)
        permission = permissions[0] if permissions else default
        for method in _methods(view["request_methods"]):
            yield route_name, method, permission, view["callable"]


def known_permissions(app):
    """The core's permission constants and those of every enabled add-on's ``permissions`` module."""
    known = set(CORE_PERMISSIONS)
    for package, _prefix in parse_addons(app.registry.settings.get("touchline.addons")):
        try:
            module = importlib.import_module(package + ".permissions")
        except ModuleNotFoundError as exc:
            if exc.name != package + ".permissions":
                raise
            continue
        known.update(
            value for name, value in vars(module).items()
            if name.isupper() and isinstance(value, str)
        )
    return known


def _describe(callable_):
    return f"{getattr(callable_, '__module__', '?')}.{getattr(callable_, '__qualname__', callable_)}"


def test_every_view_has_a_permission_or_is_public(app):
    known = known_permissions(app)
    assert "manage-coaches" in known  # the teams add-on's own constant is picked up
    unguarded, unknown, public_seen = [], [], set()
    views = list(reachable_views(app))
    assert views, "no views found: the introspector walk is broken"
    for route_name, method, permission, callable_ in views:
        where = f"{route_name} {method} ({_describe(callable_)})"
        if permission is None or permission == NO_PERMISSION_REQUIRED:
            if (route_name, method) in PUBLIC:
                public_seen.add((route_name, method))
            else:
                unguarded.append(f"{where}: permission={permission!r} and not in PUBLIC")
        elif permission not in known:
            unknown.append(f"{where}: permission={permission!r} is no known constant")
    stale = sorted(PUBLIC - public_seen)
    problems = unguarded + unknown + [
        f"{route} {method}: in PUBLIC but no such unguarded view (stale entry)"
        for route, method in stale
    ]
    assert not problems, "\n".join(problems)


# Part 2: the role-by-route matrix ------------------------------------------------------------

ROLES = ("anonymous", "member", "coach", "admin")
#: An anonymous browser asking for a protected page: 303 to /login?next=<that page>.
LOGIN = "303 login"

#: Targets: "A" the team the coach coaches; "B" a team they do not coach;
#: "A*" / "B*" a fresh team like A / B, made for that one request (for the
#: deletes, so they do not take the teams later rows use); "member" (or
#: "coach", "admin") that user's account; "token" an unknown password
#: reset token.  A target ending in ".json" asks for the route's JSON variant.
#:
#: route, method, target: expected status for (anonymous, member, coach, admin).
MATRIX = [
    # route                     method    target        anonymous member coach admin
    ("home",                    "GET",    None,         (200,      200,   200,  200)),
    ("home",                    "GET",    ".json",      (200,      200,   200,  200)),
    ("search",                  "GET",    None,         (200,      200,   200,  200)),
    ("search",                  "GET",    ".json",      (200,      200,   200,  200)),
    ("healthz",                 "GET",    None,         (200,      200,   200,  200)),
    ("readyz",                  "GET",    None,         (200,      200,   200,  200)),
    ("robots",                  "GET",    None,         (200,      200,   200,  200)),
    ("sitemap",                 "GET",    None,         (200,      200,   200,  200)),
    ("favicon",                 "GET",    None,         (200,      200,   200,  200)),
    ("club.css",                "GET",    None,         (200,      200,   200,  200)),
    ("club.settings",           "GET",    None,         (LOGIN,    403,   403,  200)),
    ("club.settings",           "POST",   None,         (401,      403,   403,  303)),
    ("accounts.login",          "GET",    None,         (200,      200,   200,  200)),
    ("accounts.login",          "POST",   None,         (303,      303,   303,  303)),
    ("accounts.account",        "GET",    None,         (LOGIN,    200,   200,  200)),
    ("accounts.account",        "GET",    ".json",      (401,      200,   200,  200)),
    ("accounts.account",        "POST",   None,         (401,      303,   303,  303)),
    ("accounts.password",       "GET",    None,         (405,      405,   405,  405)),
    ("accounts.password",       "POST",   None,         (401,      303,   303,  303)),
    ("accounts.reset_request",  "GET",    None,         (200,      200,   200,  200)),
    ("accounts.reset_request",  "POST",   None,         (200,      200,   200,  200)),
    ("accounts.reset",          "GET",    "token",      (404,      404,   404,  404)),
    ("accounts.reset",          "POST",   "token",      (404,      404,   404,  404)),
    ("accounts.users",          "GET",    None,         (LOGIN,    403,   403,  200)),
    ("accounts.user_new",       "GET",    None,         (LOGIN,    403,   403,  200)),
    ("accounts.user_new",       "POST",   None,         (401,      403,   403,  303)),
    ("accounts.user_edit",      "GET",    "member",     (LOGIN,    403,   403,  200)),
    ("accounts.user_edit",      "POST",   "member",     (401,      403,   403,  303)),
    ("teams.list",              "GET",    None,         (200,      200,   200,  200)),
    ("teams.list",              "GET",    ".json",      (200,      200,   200,  200)),
    ("teams.list",              "POST",   ".json",      (401,      403,   403,  201)),
    ("teams.new",               "GET",    None,         (LOGIN,    403,   403,  200)),
    ("teams.new",               "POST",   None,         (401,      403,   403,  303)),
    ("teams.show",              "GET",    "A",          (200,      200,   200,  200)),
    ("teams.show",              "GET",    "B.json",     (200,      200,   200,  200)),
    ("teams.show",              "PUT",    "A.json",     (401,      403,   200,  200)),
    ("teams.show",              "PUT",    "B.json",     (401,      403,   403,  200)),
    ("teams.show",              "DELETE", "A*.json",    (401,      403,   403,  204)),
    ("teams.show",              "DELETE", "B*.json",    (401,      403,   403,  204)),
    ("teams.edit",              "GET",    "A",          (LOGIN,    403,   200,  200)),
    ("teams.edit",              "GET",    "B",          (LOGIN,    403,   403,  200)),
    ("teams.edit",              "POST",   "A",          (401,      403,   303,  303)),
    ("teams.edit",              "POST",   "B",          (401,      403,   403,  303)),
    ("teams.coach_profile",     "GET",    None,         (LOGIN,    200,   200,  200)),
    ("teams.coach_profile",     "POST",   None,         (401,      303,   303,  303)),
    ("teams.delete",            "GET",    "A",          (LOGIN,    403,   403,  200)),
    ("teams.delete",            "GET",    "B",          (LOGIN,    403,   403,  200)),
    ("teams.delete",            "POST",   "A*",         (401,      403,   403,  303)),
    ("teams.delete",            "POST",   "B*",         (401,      403,   403,  303)),
    # Last: logging out ends the session (the client logs in again after it).
    ("accounts.logout",         "GET",    None,         (405,      405,   405,  405)),
    ("accounts.logout",         "POST",   None,         (303,      303,   303,  303)),
]

NEW_PASSWORD = "a brand new long password"


def _login_body(world, role):
    # Anonymous logs in as the member; the others log in again as themselves.
    return {"username": world["users"]["member" if role == "anonymous" else role].username,
            "password": PASSWORD}


def _user_body(world, role):
    member = world["users"]["member"]
    return {"username": member.username, "display_name": "Max Member", "email": "",
            "role": "member", "active": "on"}


#: (route, method): ("form" or "json", a valid body for the role).
BODIES = {
    ("teams.coach_profile", "POST"): ("form", lambda world, role: {"show_name": "on"}),
    ("accounts.login", "POST"): ("form", _login_body),
    ("accounts.logout", "POST"): ("form", lambda world, role: {}),
    ("accounts.account", "POST"): (
        "form", lambda world, role: {"display_name": "Some One", "email": "some.one@example.org"}),
    ("accounts.password", "POST"): (
        # The same password again, so later logins still work.
        "form", lambda world, role: {"current_password": PASSWORD, "new_password": PASSWORD,
                                     "confirm_password": PASSWORD}),
    ("accounts.reset_request", "POST"): ("form", lambda world, role: {"email": "nobody@example.org"}),
    ("accounts.reset", "POST"): (
        "form", lambda world, role: {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}),
    ("accounts.user_new", "POST"): (
        "form", lambda world, role: {"username": "newbie", "display_name": "New Member", "email": "",
                                     "role": "member", "active": "on",
                                     "password": "a long enough password"}),
    ("accounts.user_edit", "POST"): ("form", _user_body),
    ("teams.list", "POST"): ("json", lambda world, role: {"name": "Under 10 Hawks", "level": "U10"}),
    ("teams.new", "POST"): ("form", lambda world, role: {"name": "Under 10 Hawks", "level": "U10"}),
    ("teams.show", "PUT"): ("json", lambda world, role: {"name": "Renamed by PUT"}),
    ("teams.show", "DELETE"): ("json", None),
    ("teams.edit", "POST"): ("form", lambda world, role: {"name": "Renamed by form", "level": "U09"}),
    ("teams.delete", "POST"): ("form", lambda world, role: {}),
    ("club.settings", "POST"): (
        "form", lambda world, role: {"name": "Touchline Test FC", "primary_colour": "#0b5d1e",
                                     "accent_colour": "#ffbf47"}),
}


# Logging out stays last: the add-ons' rows go in before it.
_LOGOUT_ROWS = [row for row in MATRIX if row[0] == "accounts.logout"]
MATRIX = [row for row in MATRIX if row[0] != "accounts.logout"]
for _module in ROW_MODULES:
    MATRIX += list(getattr(_module, "MATRIX", ()))
    BODIES.update(getattr(_module, "BODIES", {}))
MATRIX += _LOGOUT_ROWS


def _routes(app):
    """Route name -> the methods its views serve, leaving out static and debug toolbar routes."""
    introspector = app.registry.introspector
    routes = {}
    for item in introspector.get_category("routes"):
        route = item["introspectable"]
        name = route["name"]
        if name in STATIC_ROUTES or _is_debug_toolbar(name):
            continue
        methods = set()
        for view in item["related"]:
            if view.category_name == "views":
                methods.update(_methods(view["request_methods"]))
        routes[name] = methods
    return routes


def test_matrix_covers_every_route(app):
    routes = _routes(app)
    covered = {(route, method) for route, method, _target, _expected in MATRIX}
    missing = sorted(
        (name, method)
        for name, methods in routes.items()
        for method in {"GET"} | methods
        if method != "ANY" and (name, method) not in covered
    )
    assert not missing, f"routes or methods with no row in MATRIX: {missing}"
    assert not any("ANY" in methods for methods in routes.values()), (
        "a view answers every method; give it request_method= and rows in MATRIX"
    )
    stale = sorted({(route, method) for route, method in covered
                    if route not in routes or (method != "GET" and method not in routes[route])})
    assert not stale, f"MATRIX rows for routes or methods that no longer exist: {stale}"
    unsafe = {(route, method) for route, method in covered if method != "GET"}
    assert unsafe <= set(BODIES), f"unsafe rows with no body in BODIES: {sorted(unsafe - set(BODIES))}"
    for _route, _method, _target, expected in MATRIX:
        assert len(expected) == len(ROLES)


@pytest.fixture
def world(make_user, make_team, dbsession):
    users = {
        "admin": make_user("ada", "admin", display_name="Ada Admin"),
        "coach": make_user("cora", "coach", display_name="Cora Coach"),
        "member": make_user("max", "member", display_name="Max Member"),
    }
    team_a = make_team("Under 9 Otters", Level.U09)
    team_a.coaches = [users["coach"]]
    team_b = make_team("Under 12 Kestrels", Level.U12)
    dbsession.flush()

    def fresh(which):
        team = make_team(f"Fresh {which}", Level.U14)
        if which == "A":
            team.coaches = [users["coach"]]
        dbsession.flush()
        return team

    world = {"users": users, "teams": {"A": team_a, "B": team_b}, "fresh": fresh}
    for module in ROW_MODULES:
        if hasattr(module, "extend_world"):
            module.extend_world(world, dbsession)
    dbsession.flush()
    return world


def _path(app, route_name, target, world):
    target = target or ""
    ext = ""
    if target.endswith(".json"):
        target, ext = target[: -len(".json")], ".json"
    kw = {"ext": ext}
    for module in ROW_MODULES:
        extra = module.route_kw(world, target) if hasattr(module, "route_kw") and target else None
        if extra is not None:
            query = extra.pop("_query", None)
            kw.update(extra)
            path = app.registry.getUtility(IRoutesMapper).get_route(route_name).generate(kw)
            return f"{path}?{urlencode(query)}" if query else path
    if target in ("A", "B"):
        kw["id"] = str(world["teams"][target].id)
    elif target in ("A*", "B*"):
        kw["id"] = str(world["fresh"](target[0]).id)
    elif target in world["users"]:
        kw["id"] = str(world["users"][target].id)
    elif target == "token":
        kw["token"] = "no-such-token-0123456789abcdef"
    else:
        assert target == "", target
    return app.registry.getUtility(IRoutesMapper).get_route(route_name).generate(kw)


def _request(client, method, path, kind, body):
    if method == "GET":
        return client.get(path, status="*")
    token = csrf_token_of(client.get("/login"))
    if kind == "json":
        headers = {"X-CSRF-Token": token, "Accept": "application/json"}
        if body is None:
            return client.request(path, method=method, headers=headers, expect_errors=True)
        return getattr(client, method.lower() + "_json")(path, body, headers=headers, status="*")
    assert method == "POST", "HTML forms only post"
    return client.post(path, {**body, "csrf_token": token}, status="*")


def _matches(expected, response, path):
    if expected == LOGIN:
        return (response.status_int == 303
                and response.location == f"http://{HOST}/login?next={quote(path, safe='')}")
    return response.status_int == expected


def _got(response):
    got = str(response.status_int)
    if response.location:
        got += " -> " + response.location.replace(f"http://{HOST}", "")
    elif response.status_int >= 400 and response.content_type == "application/json":
        error = response.json.get("error", {})
        got += f" {error.get('title', '')} {error.get('fields') or ''}".rstrip()
    elif response.status_int >= 400 and response.content_type == "text/html":
        title = response.html.title
        got += f" {title.text.strip() if title else ''}"
    return got


HEADER = ("route", "method", "path", "expected", "got")


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role, app, testapp, world, login):
    column = ROLES.index(role)
    if role != "anonymous":
        login(testapp, world["users"][role].username)
    mismatches = []
    for route_name, method, target, expected_by_role in MATRIX:
        expected = expected_by_role[column]
        path = _path(app, route_name, target, world)
        kind, make_body = BODIES.get((route_name, method), (None, None))
        body = make_body(world, role) if make_body else None
        response = _request(testapp, method, path, kind, body)
        if not _matches(expected, response, path):
            mismatches.append((route_name, method, path, str(expected), _got(response)))
        if (route_name, method) in {("accounts.login", "POST"), ("accounts.logout", "POST")}:
            # Back to the role's own session: anonymous forgets the member's login,
            # the others log in again after logging out.
            testapp.reset()
            if role != "anonymous":
                login(testapp, world["users"][role].username)
    if mismatches:
        widths = [max(len(row[i]) for row in mismatches + [HEADER]) for i in range(4)]
        lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4]
                 for row in [HEADER] + mismatches]
        pytest.fail(f"{len(mismatches)} mismatches for {role}:\n" + "\n".join(lines), pytrace=False)



def test_a_coach_demoted_to_member_can_no_longer_edit_their_team(app, testapp, world, login):
    """A team's ACL must not keep granting EDIT to someone who is no longer a coach.

    The admin makes the coach of team A a member through the accounts form;
    the team_coaches row stays, and as a member they must be refused like
    any other member (the matrix's member column).
    """
    from webtest import TestApp

    coach, team_a = world["users"]["coach"], world["teams"]["A"]
    admin = TestApp(app, extra_environ=testapp.extra_environ)
    login(admin, world["users"]["admin"].username)
    admin.post(_path(app, "accounts.user_edit", "coach", world), {
        "username": coach.username, "display_name": "", "email": "", "role": "member",
        "active": "on", "csrf_token": csrf_token_of(admin.get("/login")),
    }, status=303)
    login(testapp, coach.username)
    got = {}
    for route_name, method, target in [("teams.edit", "GET", "A"), ("teams.edit", "POST", "A"),
                                       ("teams.show", "PUT", "A.json")]:
        path = _path(app, route_name, target, world)
        kind, make_body = BODIES.get((route_name, method), (None, None))
        response = _request(testapp, method, path, kind, make_body and make_body(world, "member"))
        got[f"{method} {path}"] = _got(response)
    assert all(status.startswith("403") for status in got.values()), (
        f"the former coach of team {team_a.id}, now a member, still gets: {got}"
    )
