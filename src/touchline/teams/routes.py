def includeme(config):
    team = "touchline.teams.resources.team_factory"
    config.add_resource_route("teams.list", "/teams")
    config.add_route("teams.new", "/teams/new")
    config.add_resource_route("teams.show", "/teams/{id:\\d+}", factory=team)
    config.add_route("teams.edit", "/teams/{id:\\d+}/edit", factory=team)
    config.add_route("teams.delete", "/teams/{id:\\d+}/delete", factory=team)
    # A coach's consent to be named on their teams' pages (their own, logged in).
    config.add_route("teams.coach_profile", "/account/coach")
