"""THE privacy test: no child's name reaches anyone who may not see it.

With the demo data of every enabled add-on loaded (as
``initialize_touchline_db`` loads it), an anonymous visitor walks every
route of the application that answers GET, found through the introspector
so that routes added by other add-ons later are walked too: resource
routes in HTML, ``.json`` and ``.xml``, every other route as it is (feeds
such as ``.ics`` and ``.atom`` included) and with ``Accept:
application/json``.  Route markers are filled with real values from the
database: every column named like the marker (``{id}`` takes ids of every
table, ``{slug}`` the slugs...).  No response may carry a player's last
name or "first last" full name.  Then a member with no children walks the
same URLs and must never see the full name of a child without consent.
"""
import html
import itertools
import re

import pytest
from pyramid.request import Request
from pyramid.scripting import prepare
from sqlalchemy import JSON, Boolean, LargeBinary, func, inspect, select

from touchline.addons import populators
from touchline.database import DBSESSION_ENVIRON_KEY
from touchline.formats import EXT_MARKER, RESOURCE_ROUTES
from touchline.models import Base
from touchline.rosters.models import Player
from touchline.spreadsheets import FORMATS
from touchline.testing import HOST

STATIC_ROUTE = "__static/"
#: At most this many marker combinations per route: enough to hit real objects.
MAX_COMBINATIONS = 40


def populate_everything(app, dbsession, tm):
    """Run every enabled add-on's demo populator, as initialize_touchline_db does."""
    request = Request.blank("/", base_url=f"http://{HOST}")
    request.environ.update({DBSESSION_ENVIRON_KEY: dbsession, "tm.active": True, "tm.manager": tm})
    env = prepare(request=request, registry=app.registry)
    try:
        names = []
        for populator in populators(app.registry):
            populator.populate(env["request"])
            names.append(populator.name)
        dbsession.flush()
    finally:
        env["closer"]()
    return names


def markers(pattern):
    """The names of a route pattern's ``{name}`` / ``{name:regex}`` markers (braces may nest)."""
    names, depth, start = [], 0, None
    for index, char in enumerate(pattern):
        if char == "{":
            if depth == 0:
                start = index + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                names.append(re.split(r"[:}]", pattern[start:index], maxsplit=1)[0])
    return names


def get_routes(app):
    """(name, route object) for every route with a view that answers GET."""
    introspector = app.registry.introspector
    for item in introspector.get_category("routes"):
        route = item["introspectable"]
        name = route["name"]
        if name == STATIC_ROUTE or name.startswith(("debugtoolbar", "pyramid_debugtoolbar")):
            continue
        for view in item["related"]:
            if view.category_name != "views":
                continue
            methods = view["request_methods"]
            if methods is None or "GET" in ((methods,) if isinstance(methods, str) else methods):
                yield name, route["object"]
                break


def marker_values(dbsession, wanted):
    """Marker name -> real values to try: the smallest and largest of every column so named."""
    connection = dbsession.connection()
    present = set(inspect(connection).get_table_names())
    values = {}
    for table in Base.metadata.sorted_tables:
        if table.name not in present:
            continue
        for column in table.columns:
            if column.name not in wanted or isinstance(column.type, (Boolean, JSON, LargeBinary)):
                continue
            low, high = dbsession.execute(select(func.min(column), func.max(column))).one()
            for value in (low, high):
                if value is not None and not isinstance(value, (bytes, bool)):
                    values.setdefault(column.name, set()).add(str(value))
    return values


def admin_combinations(app, dbsession, names):
    """The admin's ``{model}`` routes: each registered model with its own records' ids (the
    lowest and highest), its recorded changes and both spreadsheet formats."""
    from touchline.admin.registry import admin_models
    from touchline.history import Change

    for name, admin in admin_models(app.registry).items():
        table = admin.model.__table__
        ids = dbsession.execute(select(func.min(table.c.id), func.max(table.c.id))).one()
        # The oldest and newest change of the model: a deleted record's among them.
        changes = dbsession.execute(select(func.min(Change.id), func.max(Change.id))
                                    .where(Change.kind == name)).one()
        deleted = dbsession.scalar(select(func.max(Change.record_id))
                                   .where(Change.kind == name, Change.action == "delete"))
        values = {"model": [name], "format": ["csv", "xlsx"],
                  "id": sorted({str(v) for v in (*ids, deleted) if v is not None}) or ["1"],
                  "change": sorted({str(v) for v in changes if v is not None}) or ["1"]}
        yield from itertools.product(*[values[m] for m in names])


def urls(app, dbsession):
    """Every URL the walk asks for, with (route name, headers)."""
    routes = list(get_routes(app))
    values = marker_values(dbsession, {m for _name, route in routes for m in markers(route.pattern)})
    resource_routes = app.registry[RESOURCE_ROUTES]
    walked, unfilled = [], []
    for name, route in routes:
        names = [m for m in markers(route.pattern) if m != EXT_MARKER]
        if "model" in names:
            for combination in admin_combinations(app, dbsession, names):
                path = route.generate(dict(zip(names, combination)))
                walked.append((name, path, {}))
                walked.append((name, path, {"Accept": "application/json"}))
            continue
        if any(m not in values for m in names):
            # No column is named like the marker: walk it with a made-up value (a 404, likely).
            unfilled.append(name)
        choices = [sorted(values.get(m, {"1"})) for m in names]
        # A trailing ``*subpath`` remainder is walked empty.
        star = re.search(r"\*(\w+)$", route.pattern)
        for combination in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
            kw = dict(zip(names, combination))
            if star:
                kw[star.group(1)] = ()
            if name in resource_routes:
                for ext in ("", ".json", ".xml"):
                    walked.append((name, route.generate({**kw, EXT_MARKER: ext}), {}))
                walked.append((name, route.generate({**kw, EXT_MARKER: ""}),
                               {"Accept": "application/json"}))
            else:
                path = route.generate(kw)
                walked.append((name, path, {}))
                walked.append((name, path, {"Accept": "application/json"}))
    return walked, unfilled


def readable(response):
    """What a response shows a person: its text, or an Excel export's cells."""
    if response.content_type == FORMATS["xlsx"].content_type:
        import io

        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(response.body), read_only=True)
        return "\n".join(" ".join(str(cell) for cell in row if cell is not None)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    if response.content_type.startswith("image/"):
        return ""  # an icon or a crest: no words in it
    return response.text


def found(needle, text):
    """Whether ``needle`` appears as whole words in ``text``, escaped or not."""
    pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")
    return bool(pattern.search(text) or pattern.search(html.unescape(text)))


@pytest.fixture
def demo(app, dbsession, tm):
    names = populate_everything(app, dbsession, tm)
    assert {"accounts", "teams", "rosters"} <= set(names)
    players = dbsession.scalars(select(Player)).all()
    assert len(players) >= 60
    return players


def walk(testapp, app, dbsession):
    walked, unfilled = urls(app, dbsession)
    seen_routes = set()
    for route_name, path, headers in walked:
        response = testapp.get(path, headers=headers, status="*")
        assert response.status_int < 500, (path, headers, response.status)
        seen_routes.add(route_name)
        yield route_name, path, headers, response
    # Every rosters route was walked with a real object (none left unfilled).
    assert {"rosters.list", "rosters.roster", "rosters.player", "rosters.player_edit"} <= seen_routes
    assert not [name for name in unfilled if name.startswith(("rosters.", "teams."))], unfilled


def test_anonymous_visitors_never_see_a_childs_name(testapp, app, dbsession, demo):
    last_names = {player.last_name for player in demo}
    full_names = {player.full_name for player in demo}
    leaks, count, refused = [], 0, set()
    for route_name, path, headers, response in walk(testapp, app, dbsession):
        count += 1
        text = readable(response)
        if route_name.startswith("rosters."):
            # Sent to log in, or 401; a 404 only for an id that is some other table's.
            assert response.status_int in (303, 401, 404), (path, response.status)
            if response.status_int != 404:
                refused.add(route_name)
        for name in sorted(last_names | full_names):
            if found(name, text):
                leaks.append(f"{path} {headers or ''}: {name!r}")
    assert count > 50
    assert {"rosters.list", "rosters.roster", "rosters.player", "rosters.player_delete"} <= refused
    assert not leaks, "children's names reach anonymous visitors:\n" + "\n".join(leaks)


def test_a_member_without_children_sees_only_initials(testapp, app, dbsession, demo, make_user, login):
    make_user("nosy", "member", display_name="Nosy Neighbour")
    login(testapp, "nosy")
    consented = {p.full_name for p in demo if p.name_consent}
    hidden = {p.full_name for p in demo if not p.name_consent} - consented
    assert hidden
    leaks = []
    for route_name, path, headers, response in walk(testapp, app, dbsession):
        if route_name == "rosters.player_edit":
            assert response.status_int in (403, 404), (path, response.status)
        text = readable(response)
        for name in sorted(hidden):
            if found(name, text):
                leaks.append(f"{path} {headers or ''}: {name!r}")
    assert not leaks, "full names without consent reach a member:\n" + "\n".join(leaks)
    # And the rosters show them as first name and last initial.
    team_id = next(p.team_id for p in demo if not p.name_consent)
    data = testapp.get(f"/teams/{team_id}/roster.json").json
    for shown in data["players"]:
        player = next(p for p in demo if p.id == shown["id"])
        expected = player.full_name if player.name_consent else f"{player.first_name} {player.last_name[0]}."
        assert shown["display_name"] == expected
        assert shown["last_name"] == (player.last_name if player.name_consent else None)


def test_a_coach_sees_full_names_of_their_own_team_only(testapp, app, dbsession, demo, make_user, login):
    """Coaches run their team's roster (full names) and use the admin: the rest of the club's
    children keep the consent rule in every page, export and history entry a coach can open."""
    from touchline.teams.models import Team

    coach = make_user("coachy", "coach", display_name="Coachy Coach")
    team = dbsession.get(Team, demo[0].team_id)
    team.coaches = [coach]
    dbsession.flush()
    login(testapp, "coachy")
    hidden = ({p.full_name for p in demo if not p.name_consent and p.team_id != team.id}
              - {p.full_name for p in demo if p.name_consent or p.team_id == team.id})
    assert hidden
    leaks, admin_pages = [], set()
    for route_name, path, headers, response in walk(testapp, app, dbsession):
        if route_name.startswith("admin.") and response.status_int == 200:
            admin_pages.add(route_name)
        text = readable(response)
        for name in sorted(hidden):
            if found(name, text):
                leaks.append(f"{path} {headers or ''}: {name!r}")
    # The walk reached the coach's admin: lists, exports, records and their history.
    assert {"admin.dashboard", "admin.list", "admin.export", "admin.change", "admin.history"} <= admin_pages
    assert not leaks, "full names without consent reach another team's coach:\n" + "\n".join(leaks)
