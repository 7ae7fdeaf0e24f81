"""A test-only add-on that links two pages of its own from every team's page."""
from touchline.security import EDIT


def includeme(config):
    config.require_addon("touchline.teams")
    config.add_route("teamlinks.public", "/teams/{id:\\d+}/public-page")
    config.add_route("teamlinks.private", "/teams/{id:\\d+}/coaches-page")
    config.add_team_link("private", "Coaches' page", "teamlinks.private", order=2, permission=EDIT)
    config.add_team_link("public", "Public page", "teamlinks.public", order=1)
