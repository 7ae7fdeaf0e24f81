"""Every registered model through the admin, as an admin: list, search, each filter, sort, add,
change and delete through the forms, and each bulk action.

``SPECS`` says, per model, what to search for, one filter value and what it
keeps, and the form values to add and change a record; the walk itself is
the same for every model, and a model registered without a spec fails
``test_every_registered_model_has_a_spec``.
"""
import datetime
from dataclasses import dataclass, field
from typing import Callable

import pytest
from sqlalchemy import select

from touchline.admin.registry import admin_models
from touchline.catalog.models import Product
from touchline.fixtures.models import Fixture
from touchline.news.models import Post, Status
from touchline.rosters.models import Player
from touchline.teams.models import Team
from touchline.training.models import TrainingSession
from touchline.users import User

from .conftest import listed_ids, submit_form, this_year, token


@dataclass
class Spec:
    #: The record the walk changes and deletes: ``record(club)``.
    record: Callable
    #: A search and the records (``ids(club)``) it finds.
    search: str
    found: Callable
    #: One filter value and the records it keeps.
    filter: tuple
    kept: Callable
    #: The add form's values (``new_query`` picks the parent), and how to find the new record.
    add: Callable
    added: Callable
    #: The change form's values and what the record holds afterwards.
    change: dict
    changed: Callable
    new_query: Callable = None
    #: Action name -> check(club, dbsession, record) after the action ran on ``record``.
    actions: dict = field(default_factory=dict)
    deletable: bool = True


def _one(model, **where):
    return lambda dbsession: dbsession.scalars(select(model).filter_by(**where)).one()


SPECS = {
    "teams": Spec(
        record=lambda club: club.teams["B"],
        search="owl", found=lambda club: {club.teams["A"].id},
        filter=("level", "U12"), kept=lambda club: {club.teams["B"].id},
        add=lambda club: {"name": "Under 10 Hawks", "level": "U10"},
        added=_one(Team, name="Under 10 Hawks"),
        change={"name": "Under 12 Falcons", "level": "U12"},
        changed=lambda record: record.name == "Under 12 Falcons",
        actions={"delete": lambda club, dbsession, record: dbsession.get(Team, record.id) is None},
    ),
    "players": Spec(
        record=lambda club: club.players["kim"],
        search="tay", found=lambda club: {club.players["sam"].id},
        filter=("too_old", "yes"), kept=lambda club: {club.players["old"].id},
        new_query=lambda club: {"team": club.teams["A"].id},
        add=lambda club: {"first_name": "Newt", "last_name": "Newcombe", "birth_year": str(this_year() - 8),
                          "shirt_number": "11", "position": "defender"},
        added=_one(Player, first_name="Newt"),
        change={"first_name": "Kimberley", "last_name": "Kestrel", "birth_year": str(this_year() - 11),
                "shirt_number": "5"},
        changed=lambda record: (record.first_name, record.shirt_number) == ("Kimberley", 5),
        actions={"delete": lambda club, dbsession, record: dbsession.get(Player, record.id) is None},
    ),
    "fixtures": Spec(
        record=lambda club: club.fixtures["unscored"],
        search="wander", found=lambda club: {club.fixtures["next"].id},
        filter=("result", "yes"), kept=lambda club: {club.fixtures["played"].id},
        new_query=lambda club: {"team": club.teams["A"].id},
        add=lambda club: {"opponent": "Harriers", "home_away": "away", "venue": "Harriers Park",
                          "date": (datetime.date.today() + datetime.timedelta(days=10)).isoformat(),
                          "time": "10:30", "status": "scheduled"},
        added=_one(Fixture, opponent="Harriers"),
        change={"status": "played", "goals_for": "4", "goals_against": "2"},
        changed=lambda record: (record.goals_for, record.goals_against) == (4, 2),
        actions={"delete": lambda club, dbsession, record: dbsession.get(Fixture, record.id) is None},
    ),
    "posts": Spec(
        record=lambda club: club.posts["draft"],
        search="cup", found=lambda club: {club.posts["published"].id},
        filter=("status", "draft"), kept=lambda club: {club.posts["draft"].id},
        add=lambda club: {"title": "Summer camp", "slug": "", "body": "Sign up *now*."},
        added=_one(Post, title="Summer camp"),
        change={"title": "Tournament plans, final", "body": "Details are out."},
        changed=lambda record: record.title == "Tournament plans, final",
        actions={
            "publish": lambda club, dbsession, record: record.status is Status.PUBLISHED
            and record.published_at is not None,
            "unpublish": lambda club, dbsession, record: record.status is Status.DRAFT,
            "delete": lambda club, dbsession, record: dbsession.get(Post, record.id) is None,
        },
    ),
    "products": Spec(
        record=lambda club: club.products["shirt"],
        search="sock", found=lambda club: {club.products["socks"].id},
        filter=("in_stock", "no"), kept=lambda club: {club.products["socks"].id},
        add=lambda club: {"name": "Water bottle", "category": str(club.category.id), "price": "4.50",
                          "sizes": "", "in_stock": True},
        added=_one(Product, name="Water bottle"),
        change={"name": "Home shirt 2027", "price": "26.00"},
        changed=lambda record: record.name == "Home shirt 2027" and str(record.price) == "26.00",
        actions={
            "out_of_stock": lambda club, dbsession, record: record.in_stock is False,
            "in_stock": lambda club, dbsession, record: record.in_stock is True,
            "delete": lambda club, dbsession, record: dbsession.get(Product, record.id) is None,
        },
    ),
    "categories": Spec(
        record=lambda club: club.category,
        search="kit", found=lambda club: {club.category.id},
        filter=None, kept=None,
        add=lambda club: {"name": "Training wear", "slug": ""},
        added=lambda dbsession: dbsession.scalars(
            select(__import__("touchline.catalog.models", fromlist=["Category"]).Category)
            .filter_by(name="Training wear")).one(),
        change={"name": "Match kit and more"},
        changed=lambda record: record.name == "Match kit and more",
        # A category with products is refused: nothing deleted, and said so.
        actions={"delete": lambda club, dbsession, record: record in dbsession},
        deletable=False,
    ),
    "training": Spec(
        record=lambda club: club.sessions["b"],
        search="meadow", found=lambda club: {club.sessions["a"].id},
        filter=None, kept=None,
        new_query=lambda club: {"team": club.teams["A"].id},
        add=lambda club: {"weekday": "6", "start_time": "09:30", "end_time": "10:45", "place": "Sports hall",
                          "note": "", "starts_on": "", "ends_on": ""},
        added=_one(TrainingSession, place="Sports hall"),
        change={"place": "Owl Meadow, pitch 3", "start_time": "17:30"},
        changed=lambda record: (record.place, record.start_time) == ("Owl Meadow, pitch 3", datetime.time(17, 30)),
        actions={"delete": lambda club, dbsession, record: dbsession.get(TrainingSession, record.id) is None},
    ),
    "users": Spec(
        record=lambda club: club.users["member"],
        search="morg", found=lambda club: {club.users["member"].id},
        filter=("role", "coach"), kept=lambda club: {club.users["coach"].id, club.users["other_coach"].id},
        add=lambda club: {"username": "newbie", "display_name": "New Member", "email": "",
                          "role": "member", "active": True, "password": "a long enough password"},
        added=_one(User, username="newbie"),
        change={"display_name": "Morgan M. Member"},
        changed=lambda record: record.display_name == "Morgan M. Member",
        deletable=False,
    ),
}


def test_every_registered_model_has_a_spec(app):
    assert set(admin_models(app.registry)) == set(SPECS)


def test_the_dashboard_links_every_registered_model(admin_app, app):
    page = admin_app.get("/admin")
    for admin in admin_models(app.registry).values():
        assert page.html.find("a", href=f"/admin/{admin.name}", string=admin.title), admin.name


@pytest.mark.parametrize("name", sorted(SPECS))
def test_list_search_filters_and_sort(admin_app, club, app, name):
    spec, admin = SPECS[name], admin_models(app.registry)[name]
    everything = listed_ids(admin_app.get(f"/admin/{name}"))
    assert spec.record(club).id in everything
    assert listed_ids(admin_app.get(f"/admin/{name}", {"q": spec.search})) == spec.found(club)
    if spec.filter:
        param, value = spec.filter
        assert listed_ids(admin_app.get(f"/admin/{name}", {f"f.{param}": value})) == spec.kept(club)
    # Every choice of every filter answers, and keeps a part of the list.
    for item in admin.filters:
        for value, _label in item.choices(_Request(admin_app, app)):
            shown = listed_ids(admin_app.get(f"/admin/{name}", {item.param: value}))
            assert shown <= everything, (item.name, value)
        admin_app.get(f"/admin/{name}", {item.param: "no-such-choice"}, status=400)
    # Every sortable column sorts both ways, the same records.
    for column in admin.columns:
        for key in (column.name, f"-{column.name}"):
            response = admin_app.get(f"/admin/{name}", {"sort": key}, status=200 if column.attr is not None else 400)
            if column.attr is not None:
                assert listed_ids(response) == everything
                header = response.html.find("th", attrs={"aria-sort": True})
                assert header.get_text(strip=True) == column.title


@pytest.mark.parametrize("name", sorted(SPECS))
def test_add_change_and_delete_through_the_forms(admin_app, club, dbsession, name):
    spec = SPECS[name]
    query = spec.new_query(club) if spec.new_query else {}
    url = f"/admin/{name}/new" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    response = submit_form(admin_app, url, spec.add(club), status=303)
    record = spec.added(dbsession)
    assert response.location.endswith(f"/admin/{name}/{record.id}")
    assert admin_app.get(response.location).status_int == 200

    record = spec.record(club)
    response = submit_form(admin_app, f"/admin/{name}/{record.id}", spec.change, status=303)
    assert response.location.endswith(f"/admin/{name}/{record.id}")
    dbsession.refresh(record)
    assert spec.changed(record)

    if spec.deletable:
        confirm = admin_app.get(f"/admin/{name}/{record.id}/delete")
        assert confirm.status_int == 200
        response = submit_form(admin_app, f"/admin/{name}/{record.id}/delete", {}, status=303)
        assert response.location.endswith(f"/admin/{name}")
        dbsession.expire_all()
        assert dbsession.get(type(record), record.id) is None
    else:
        admin_app.get(f"/admin/{name}/{record.id}/delete", status=(404, 409, 200))


def test_a_form_with_mistakes_comes_back_with_the_errors_beside_the_fields(admin_app, club):
    team = club.teams["A"]
    response = submit_form(admin_app, f"/admin/teams/{team.id}", {"name": ""}, status=400)
    assert response.html.select_one("#name-errors, .field-errors")
    assert "/admin/teams" in response.text  # still in the admin


@pytest.mark.parametrize("name,action", sorted((name, action) for name, spec in SPECS.items()
                                                for action in spec.actions))
def test_bulk_actions(admin_app, club, dbsession, name, action):
    spec, record = SPECS[name], SPECS[name].record(club)
    body = {"action": action, "ids": [str(record.id)], "csrf_token": token(admin_app), "back": "q=o"}
    response = admin_app.post(f"/admin/{name}/action", body, status="*")
    if response.status_int == 200:
        # Asked to confirm: the page lists what will go.
        assert "categories" == name or record.id
        confirm = response.forms[[k for k, f in response.forms.items() if "confirmed" in f.fields][0]]
        response = confirm.submit(status=303)
    assert response.status_int == 303
    assert response.location.startswith(f"http://localhost/admin/{name}?q=o")
    assert admin_app.get(response.location).html.select_one(".flash")
    dbsession.expire_all()
    live = dbsession.get(type(record), record.id)
    assert spec.actions[action](club, dbsession, live if live is not None else record)


def test_the_delete_action_lists_what_will_go_before_it_goes(admin_app, club, dbsession):
    fixtures = [club.fixtures["played"], club.fixtures["next"]]
    body = {"action": "delete", "ids": [str(f.id) for f in fixtures], "csrf_token": token(admin_app)}
    page = admin_app.post("/admin/fixtures/action", body, status=200)
    items = [li.get_text(strip=True) for li in page.html.select("main ul li")]
    assert items == ["Under 9 Owls v United", "Under 9 Owls v Wanderers"]
    assert all(dbsession.get(Fixture, f.id) is not None for f in fixtures)


def test_an_action_without_ticked_rows_says_so(admin_app, club):
    response = admin_app.post("/admin/fixtures/action", {"action": "delete", "csrf_token": token(admin_app)},
                              status=303)
    assert "Tick the records" in admin_app.get(response.location).html.select_one(".flash").text


def test_an_unknown_action_or_record_is_refused(admin_app, club):
    admin_app.post("/admin/fixtures/action", {"action": "explode", "ids": "1", "csrf_token": token(admin_app)},
                   status=400)
    admin_app.post("/admin/fixtures/action", {"action": "delete", "ids": "999999",
                                              "csrf_token": token(admin_app)}, status=404)
    admin_app.post("/admin/fixtures/action", {"action": "delete", "ids": "x1",
                                              "csrf_token": token(admin_app)}, status=400)
    admin_app.get("/admin/no_such_model", status=404)
    admin_app.get("/admin/fixtures/999999", status=404)
    admin_app.get("/admin/fixtures", {"sort": "password"}, status=400)
    admin_app.put("/admin/fixtures", status=405)


def test_related_records_show_inline_on_a_teams_page(admin_app, club):
    page = admin_app.get(f"/admin/teams/{club.teams['A'].id}")
    players = page.html.find("section", attrs={"aria-labelledby": "inline-players"})
    fixtures = page.html.find("section", attrs={"aria-labelledby": "inline-fixtures"})
    assert "Sam Taylor" in players.text and "Kim" not in players.text
    opponents = {row.select("td")[2].get_text(strip=True) for row in fixtures.select("tbody tr")}
    assert opponents == {"Rovers", "United", "Wanderers"}
    assert "Athletic" not in fixtures.text


def test_a_new_player_asks_for_the_team_first(admin_app, club):
    page = admin_app.get("/admin/players/new")
    links = [a["href"] for a in page.html.select("main ul a")]
    assert links == [f"/admin/players/new?team={club.teams['A'].id}", f"/admin/players/new?team={club.teams['B'].id}"]
    admin_app.get("/admin/players/new?team=999999", status=404)
    admin_app.get("/admin/players/new?team=abc", status=404)


class _Request:
    """Enough of a request for a filter's choices, read with the test's session."""

    def __init__(self, testapp, app):
        from touchline.database import DBSESSION_ENVIRON_KEY

        self.dbsession = testapp.extra_environ[DBSESSION_ENVIRON_KEY]
        self.registry = app.registry
        import zoneinfo

        self.timezone = zoneinfo.ZoneInfo("UTC")
