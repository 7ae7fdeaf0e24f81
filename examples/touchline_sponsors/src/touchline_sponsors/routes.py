"""The sponsors' URLs: views find them by name, so a site may mount us under a prefix."""


def includeme(config):
    sponsor = "touchline_sponsors.resources.sponsor_factory"
    config.add_resource_route("sponsors.list", "/sponsors")
    config.add_route("sponsors.new", "/sponsors/new")
    config.add_resource_route("sponsors.show", "/sponsors/{id:\\d+}", factory=sponsor)
    config.add_route("sponsors.edit", "/sponsors/{id:\\d+}/edit", factory=sponsor)
    config.add_route("sponsors.delete", "/sponsors/{id:\\d+}/delete", factory=sponsor)
