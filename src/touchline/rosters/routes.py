def includeme(config):
    roster = "touchline.rosters.resources.roster_factory"
    player = "touchline.rosters.resources.player_factory"
    config.add_resource_route("rosters.list", "/rosters")
    config.add_resource_route("rosters.roster", "/teams/{id:\\d+}/roster", factory=roster)
    config.add_route("rosters.player_new", "/teams/{id:\\d+}/roster/new", factory=roster)
    config.add_resource_route("rosters.player", "/players/{id:\\d+}", factory=player)
    config.add_route("rosters.player_edit", "/players/{id:\\d+}/edit", factory=player)
    config.add_route("rosters.player_delete", "/players/{id:\\d+}/delete", factory=player)
