"""Every admin list costs the same number of queries with 10 records as with 1,000.

The list reads one page (its columns' related records joined in), one
query per related filter's choices, and the session; a search, a filter
and a sort change the statement, not the number of statements.  The
dashboard's counts are bounded, and a record's page reads its inlines in
one query each.
"""
import datetime
from decimal import Decimal

import pytest

from touchline.admin.registry import admin_models
from touchline.catalog.models import Category, Product
from touchline.fixtures.models import Fixture, FixtureStatus, HomeAway
from touchline.news.models import Post, Status
from touchline.rosters.models import Player
from touchline.teams.models import Level, Team
from touchline.training.models import TrainingSession
from touchline.users import User

from .conftest import this_year

UTC = datetime.timezone.utc


def _records(club, name, start, count):
    """``count`` more records of the model ``name``, numbered from ``start``."""
    now = datetime.datetime.now(UTC)
    team = club.teams["A"]
    for n in range(start, start + count):
        yield {
            "teams": lambda: Team(name=f"Team {n:04}", level=Level.U10),
            "players": lambda: Player(team=team, first_name=f"Pat{n}", last_name="Many",
                                      birth_year=this_year() - 8 - n % 3),
            "fixtures": lambda: Fixture(team=team, opponent=f"Opponent {n}", venue="",
                                        kickoff=now - datetime.timedelta(days=n - 500),
                                        status=FixtureStatus.SCHEDULED, home_away=HomeAway.HOME),
            "posts": lambda: Post(title=f"Post {n}", slug=f"post-{n}", body="Text.", author=club.users["admin"],
                                  status=Status.DRAFT if n % 2 else Status.PUBLISHED,
                                  published_at=None if n % 2 else now),
            "products": lambda: Product(name=f"Product {n}", price=Decimal("1.00"), category=club.category,
                                        sizes="", in_stock=bool(n % 2)),
            "categories": lambda: Category(name=f"Category {n}", slug=f"category-{n}"),
            "users": lambda: User(f"user{n}", display_name=f"User {n}"),
            "training": lambda: TrainingSession(team=team, weekday=1 + n % 7, start_time=datetime.time(17, n % 60),
                                                end_time=datetime.time(19), place=f"Pitch {n}"),
        }[name]()


def _grow(dbsession, club, name, start, count):
    dbsession.add_all(list(_records(club, name, start, count)))
    dbsession.flush()


def _first_choice(item):
    try:
        return item.choices(None)[0][0]
    except (AttributeError, TypeError):
        return "1"


def _warm(testapp):
    """Write the login's pending session row first: it is the test harness, not the page."""
    testapp.get("/account")


def _count(testapp, count_queries, path):
    with count_queries() as queries:
        testapp.get(path)
    return len(queries)


@pytest.mark.parametrize("name", ["teams", "players", "fixtures", "posts", "products", "categories", "users"])
def test_each_list_runs_constant_queries_at_10_and_1000_records(admin_app, app, club, dbsession, count_queries,
                                                                name):
    admin = admin_models(app.registry)[name]
    paths = [f"/admin/{name}", f"/admin/{name}?page=2", f"/admin/{name}?q=1"]
    paths += [f"/admin/{name}?sort=-{column.name}" for column in admin.columns if column.attr is not None]
    paths += [f"/admin/{name}?{item.param}={_first_choice(item)}&q=2" for item in admin.filters]
    _grow(dbsession, club, name, 0, 30)
    _warm(admin_app)
    small = {path: _count(admin_app, count_queries, path) for path in paths}
    _grow(dbsession, club, name, 30, 1000)
    large = {path: _count(admin_app, count_queries, path) for path in paths}
    assert large == small
    # Nothing runs a query per row: a page of 20 costs a handful.
    assert max(large.values()) <= 6, large


def test_the_dashboard_and_a_teams_page_run_constant_queries(admin_app, club, dbsession, count_queries):
    team = club.teams["A"]
    paths = ["/admin", f"/admin/teams/{team.id}", f"/admin/fixtures/{club.fixtures['played'].id}/history"]
    _warm(admin_app)
    small = {path: _count(admin_app, count_queries, path) for path in paths}
    for name in ("players", "fixtures", "posts", "products"):
        _grow(dbsession, club, name, 0, 300)
    fixture = club.fixtures["played"]
    for n in range(30):
        fixture.venue = f"Venue {n}"
        dbsession.flush()
    large = {path: _count(admin_app, count_queries, path) for path in paths}
    assert large == small


@pytest.mark.parametrize("name", ["players", "fixtures"])
def test_a_coachs_lists_run_constant_queries(coach_app, club, dbsession, count_queries, name):
    paths = [f"/admin/{name}", f"/admin/{name}?q=1&sort=-team", f"/admin/{name}/export.csv"]
    _grow(dbsession, club, name, 0, 10)
    _warm(coach_app)
    small = {path: _count(coach_app, count_queries, path) for path in paths}
    _grow(dbsession, club, name, 10, 1000)
    large = {path: _count(coach_app, count_queries, path) for path in paths}
    assert large == small
