"""A small club for the rosters tests: two under-9 teams, their coaches, members, players.

Sam Thompson (no name consent) is Gwen's child and plays for the Badgers,
whom Cora coaches; Olly coaches the Otters only; Max is a member with no
children; Ada is an admin.
"""
import datetime

import pytest

from touchline.rosters.models import Player, Position, season_year
from touchline.teams.models import Level


def current_season(app):
    """The season year the app uses today (club timezone, configured start month)."""
    registry = app.registry
    today = datetime.datetime.now(registry["touchline.timezone"]).date()
    return season_year(today, registry["touchline.rosters.season_start_month"])


@pytest.fixture
def season(app):
    return current_season(app)


@pytest.fixture
def club(make_user, make_team, dbsession, season):
    people = {
        "admin": make_user("ada", "admin", display_name="Ada Admin"),
        "coach": make_user("cora", "coach", display_name="Cora Coach"),
        "other_coach": make_user("olly", "coach", display_name="Olly Other"),
        "member": make_user("max", "member", display_name="Max Member"),
        "guardian": make_user("gwen", "member", display_name="Gwen Guardian"),
    }
    badgers = make_team("Under 9 Badgers", Level.U09)
    badgers.coaches = [people["coach"]]
    otters = make_team("Under 9 Otters", Level.U09)
    otters.coaches = [people["other_coach"]]
    # Ages 7 and 8 in the season: they fit Under 9.
    sam = Player(team=badgers, first_name="Sam", last_name="Thompson", birth_year=season - 8,
                 shirt_number=7, position=Position.FORWARD, name_consent=False, photo_consent=True,
                 guardians=[people["guardian"]])
    ava = Player(team=badgers, first_name="Ava", last_name="Okafor", birth_year=season - 7,
                 shirt_number=3, position=Position.GOALKEEPER, name_consent=True, photo_consent=False)
    noah = Player(team=badgers, first_name="Noah", last_name="Patel", birth_year=season - 8,
                  shirt_number=None, name_consent=False, photo_consent=False)
    dbsession.add_all([sam, ava, noah])
    dbsession.flush()
    return {**people, "badgers": badgers, "otters": otters, "sam": sam, "ava": ava, "noah": noah}
