"""Fixtures for the admin's tests: a small club with a record of every kind the admin shows.

``club`` is the rung to start from: two teams (A, coached by ``coach``; B,
coached by ``other_coach``), players and fixtures on each, a draft and a
published post, two products in a category.  ``admin_app`` and
``coach_app`` are ``testapp`` logged in as the admin and as A's coach.
"""
import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from touchline.catalog.models import Category, Product
from touchline.fixtures.models import Fixture, FixtureStatus, HomeAway
from touchline.news.models import Post, Status
from touchline.rosters.models import Player
from touchline.teams.models import Level
from touchline.testing import csrf_token_of
from touchline.training.models import TrainingSession

UTC = datetime.timezone.utc


def this_year():
    return datetime.date.today().year


@pytest.fixture
def club(dbsession, make_team, admin, coach, other_coach, member):
    """Two teams and a record of every other model, some of each kind on each side of a filter."""
    now = datetime.datetime.now(UTC).replace(second=0, microsecond=0)
    team_a = make_team("Under 9 Owls", Level.U09)
    team_a.coaches = [coach]
    team_b = make_team("Under 12 Kestrels", Level.U12)
    team_b.coaches = [other_coach]
    players = {
        "sam": Player(team=team_a, first_name="Sam", last_name="Taylor", birth_year=this_year() - 8,
                      shirt_number=7, name_consent=True),
        # Born too early for Under 9: flagged.
        "old": Player(team=team_a, first_name="Olly", last_name="Oldfield", birth_year=this_year() - 12,
                      shirt_number=9),
        "kim": Player(team=team_b, first_name="Kim", last_name="Kestrel", birth_year=this_year() - 11,
                      shirt_number=4),
    }
    fixtures = {
        # In the past, no result: on the dashboard's to-do list.
        "unscored": Fixture(team=team_a, opponent="Rovers", kickoff=now - datetime.timedelta(days=2),
                            status=FixtureStatus.SCHEDULED, home_away=HomeAway.HOME, venue="Club ground"),
        "played": Fixture(team=team_a, opponent="United", kickoff=now - datetime.timedelta(days=9),
                          status=FixtureStatus.PLAYED, home_away=HomeAway.AWAY, venue="Their park",
                          goals_for=3, goals_against=1),
        "next": Fixture(team=team_a, opponent="Wanderers", kickoff=now + datetime.timedelta(days=3),
                        status=FixtureStatus.SCHEDULED, home_away=HomeAway.HOME, venue="Club ground"),
        "b_unscored": Fixture(team=team_b, opponent="Athletic", kickoff=now - datetime.timedelta(days=1),
                              status=FixtureStatus.SCHEDULED, home_away=HomeAway.AWAY, venue="Far away"),
    }
    category = Category(name="Match kit", slug="match-kit")
    products = {
        "shirt": Product(name="Home shirt", price=Decimal("24.00"), category=category, sizes="S M L",
                         in_stock=True),
        "socks": Product(name="Socks", price=Decimal("6.50"), category=category, sizes="", in_stock=False),
    }
    posts = {
        "draft": Post(title="Tournament plans", slug="tournament-plans", body="Details *soon*.",
                      author=coach, status=Status.DRAFT),
        "published": Post(title="We won the cup", slug="we-won-the-cup", body="Well done all.",
                          author=admin, status=Status.PUBLISHED, published_at=now - datetime.timedelta(days=1)),
    }
    sessions = {
        "a": TrainingSession(team=team_a, weekday=2, start_time=datetime.time(18), end_time=datetime.time(19),
                             place="Owl Meadow"),
        "b": TrainingSession(team=team_b, weekday=4, start_time=datetime.time(17), end_time=datetime.time(18),
                             place="Kestrel Hall"),
    }
    dbsession.add_all([*players.values(), *fixtures.values(), category, *products.values(), *posts.values(),
                       *sessions.values()])
    dbsession.flush()
    return SimpleNamespace(teams={"A": team_a, "B": team_b}, players=players, fixtures=fixtures,
                           category=category, products=products, posts=posts, sessions=sessions,
                           users={"admin": admin, "coach": coach, "other_coach": other_coach, "member": member})


@pytest.fixture
def admin_app(testapp, login, club):
    """``testapp`` logged in as the club's admin."""
    login(testapp, "alex")
    return testapp


@pytest.fixture
def coach_app(testapp, login, club):
    """``testapp`` logged in as the coach of team A (not of B)."""
    login(testapp, "casey")
    return testapp


def token(testapp):
    return csrf_token_of(testapp.get("/account"))


def listed_ids(response):
    """The ids of the records a list page shows (each row links its record's page)."""
    table = response.html.select_one("table.admin-list")
    if table is None:
        return set()
    return {int(row.select_one("td a")["href"].rsplit("/", 1)[1]) for row in table.select("tbody tr")}


def submit_form(testapp, url, values, status=None, drop=()):
    """GET the form at ``url``, fill in ``values`` over what it shows, and POST it."""
    page = testapp.get(url)
    forms = [form for form in page.forms.values() if form.method.lower() == "post"
             and "csrf_token" in form.fields and form.action in ("", None)]
    form = forms[0]
    for name, value in values.items():
        if isinstance(value, list):
            for field in form.fields.get(name, []):
                field.checked = field._value in value if hasattr(field, "_value") else False
            continue
        if name in form.fields and hasattr(form[name], "checked") and form[name].__class__.__name__ == "Checkbox":
            form[name].checked = bool(value)
        elif name in form.fields:
            form[name] = value
    for name in drop:
        if name in form.fields and hasattr(form[name], "checked"):
            form[name].checked = False
    return form.submit(status=status)
