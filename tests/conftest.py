"""Fixtures for Touchline's own tests; the ladder comes from touchline.testing."""
import pytest

from touchline.teams.models import Level, Team

# The club's people, one per role (and a second coach), for the tests of every add-on.
# Each logs in with touchline.testing.PASSWORD.

@pytest.fixture
def admin(make_user):
    return make_user("alex", "admin", display_name="Alex Admin")


@pytest.fixture
def coach(make_user):
    return make_user("casey", "coach", display_name="Casey Coach")


@pytest.fixture
def other_coach(make_user):
    return make_user("robin", "coach", display_name="Robin Other")


@pytest.fixture
def member(make_user):
    return make_user("morgan", "member", display_name="Morgan Member")


@pytest.fixture
def make_team(dbsession):
    """Add a team (flushed, so it has an id): ``make_team("Foxes", Level.U09)``."""

    def make(name="Under 11 Foxes", level=Level.U11):
        team = Team(name=name, level=level)
        dbsession.add(team)
        dbsession.flush()
        return team

    return make


@pytest.fixture
def badgers(make_team, dbsession, coach):
    """Under 9 Badgers, coached by ``coach``: the team the fixtures and training tests start from."""
    team = make_team("Under 9 Badgers", Level.U09)
    team.coaches = [coach]
    dbsession.flush()
    return team


@pytest.fixture
def make_ini(ini_file, tmp_path):
    """Write a copy of the test ini with ``[app:main]`` settings replaced.

    For tests that run Touchline's command-line tools (``alembic``,
    ``pshell``, ``proutes``, ``initialize_touchline_db``) on a database of
    their own.  Returns the new file's path.
    """
    import configparser

    def make(name="site.ini", **settings):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(ini_file)
        parser["app:main"]["sqlalchemy.url"] = f"sqlite:///{tmp_path}/{name}.sqlite"
        for key, value in settings.items():
            parser["app:main"][key] = value
        path = tmp_path / name
        with path.open("w") as handle:
            parser.write(handle)
        return str(path)

    return make


def run_script(*args, input=None, env=None):
    """Run one of the installed console scripts; returns the CompletedProcess."""
    import os
    import subprocess
    import sys

    script = os.path.join(os.path.dirname(sys.executable), args[0])
    environ = dict(os.environ)
    environ.pop("TOUCHLINE_DATABASE_URL", None)
    environ.update(env or {})
    return subprocess.run(
        [script, *args[1:]], input=input, capture_output=True, text=True, env=environ, timeout=120
    )


@pytest.fixture
def make_request(app, dbsession, tm):
    """``make_request(user)``: a request of the app on the test's session, ``user`` logged in.

    For code that takes a request rather than a URL (importers, panels,
    services): it has the app's registry, request methods and security
    policy, as a view's request does.
    """
    from pyramid.request import Request
    from pyramid.scripting import prepare
    from pyramid.security import remember

    from touchline.database import DBSESSION_ENVIRON_KEY
    from touchline.testing import HOST

    closers = []

    def make(user=None):
        request = Request.blank("/", base_url=f"http://{HOST}")
        request.environ.update({DBSESSION_ENVIRON_KEY: dbsession, "tm.active": True, "tm.manager": tm})
        env = prepare(request=request, registry=app.registry)
        closers.append(env["closer"])
        if user is not None:
            remember(env["request"], user.id, user=user)
        return env["request"]

    yield make
    for close in reversed(closers):
        close()
