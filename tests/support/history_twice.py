"""A test-only add-on that registers the teams' history a second time, under another kind."""
from touchline.teams.models import Team


def includeme(config):
    config.add_history(Team, "squads")
