def includeme(config):
    config.add_resource_route("teams.list", "/teams")
    config.add_resource_route("teams.show", "/teams/{id:\\d+}", factory="touchline.teams.resources.team_factory")
