"""The rosters' list of teams reads the teams' index range, its player counts by team."""
from touchline.rosters.views import ROSTER_TEAMS
from touchline.teams.models import TEAM_ORDER, Level
from touchline.testing import assert_index_range


def test_the_roster_list_reads_the_teams_index_in_order(dbsession, make_team):
    team = make_team("Team A", Level.U10)
    stmt = ROSTER_TEAMS
    assert_index_range(dbsession, TEAM_ORDER.ordered(stmt).limit(21))
    for backwards in (False, True):
        assert_index_range(
            dbsession, TEAM_ORDER.beyond(stmt, ["U10", "Team A", team.id], backwards=backwards).limit(21)
        )
