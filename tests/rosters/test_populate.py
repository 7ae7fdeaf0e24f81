"""The demo rosters: realistic, private by default where families said so, loaded once."""
import datetime
from collections import Counter

from pyramid.request import Request
from pyramid.scripting import prepare
from sqlalchemy import func, select

from touchline.database import DBSESSION_ENVIRON_KEY
from touchline.rosters.models import Player, age_flag, season_year
from touchline.rosters.populate import populate_players
from touchline.teams.models import Team
from touchline.testing import HOST

TODAY = datetime.date(2026, 11, 21)


def demo_request(app, dbsession, tm):
    request = Request.blank("/", base_url=f"http://{HOST}")
    request.environ.update({DBSESSION_ENVIRON_KEY: dbsession, "tm.active": True, "tm.manager": tm})
    return prepare(request=request, registry=app.registry)


def test_demo_rosters(app, dbsession, tm):
    from touchline.accounts.populate import populate_accounts
    from touchline.teams.populate import populate_teams

    env = demo_request(app, dbsession, tm)
    try:
        request = env["request"]
        populate_accounts(request)
        populate_teams(request)
        dbsession.flush()
        populate_players(request, today=TODAY)
        players = dbsession.scalars(select(Player)).all()
        by_team = Counter(player.team.name for player in players)
        teams = dbsession.scalars(select(Team)).all()
        assert set(by_team) == {team.name for team in teams}
        assert all(6 <= count <= 10 for count in by_team.values()), by_team
        # A mix of consents.
        assert 0 < sum(p.name_consent for p in players) < len(players)
        assert 0 < sum(p.photo_consent for p in players) < len(players)
        # Shirt numbers are unique within each team.
        for team in teams:
            numbers = [p.shirt_number for p in players if p.team_id == team.id and p.shirt_number]
            assert len(numbers) == len(set(numbers))
        # One or two players are flagged too old; nobody else is.
        season = season_year(TODAY)
        flagged = sorted((p.team.name, age_flag(p.birth_year, p.team.level, season))
                         for p in players if age_flag(p.birth_year, p.team.level, season))
        assert flagged == [("Under 11 Foxes", "too old for Under 11"),
                           ("Under 14 Rovers", "too old for Under 14")]
        # The demo member is the guardian of two Badgers.
        guarded = [p for p in players if [g.username for g in p.guardians] == ["member"]]
        assert len(guarded) == 2 and {p.team.name for p in guarded} == {"Under 9 Badgers"}
        # Running it again changes nothing.
        count = len(players)
        populate_players(request, today=TODAY)
        assert dbsession.scalar(select(func.count()).select_from(Player)) == count
    finally:
        env["closer"]()


def test_no_teams_no_players(app, dbsession, tm):
    env = demo_request(app, dbsession, tm)
    try:
        populate_players(env["request"])
        assert dbsession.scalar(select(func.count()).select_from(Player)) == 0
    finally:
        env["closer"]()


def test_the_populator_and_pshell_variable_are_registered(app):
    from touchline.addons import populators, pshell_variables

    mine = [p for p in populators(app.registry) if p.name == "rosters"]
    assert [(p.order, p.populate) for p in mine] == [(20, populate_players)]
    variables = {v.name: v.value for v in pshell_variables(app.registry)}
    assert variables["Player"] is Player
