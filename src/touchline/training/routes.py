def includeme(config):
    team = "touchline.training.resources.team_training_factory"
    session = "touchline.training.resources.session_factory"
    cancellation = "touchline.training.resources.cancellation_factory"
    config.add_resource_route("training.list", "/training")
    config.add_resource_route("training.team", "/teams/{id:\\d+}/training", factory=team)
    config.add_route("training.new", "/teams/{id:\\d+}/training/new", factory=team)
    config.add_resource_route("training.show", "/training/{id:\\d+}", factory=session)
    config.add_route("training.edit", "/training/{id:\\d+}/edit", factory=session)
    config.add_route("training.delete", "/training/{id:\\d+}/delete", factory=session)
    config.add_resource_route("training.cancellations", "/training/{id:\\d+}/cancellations", factory=session)
    config.add_route("training.cancel", "/training/{id:\\d+}/cancellations/new", factory=session)
    config.add_resource_route("training.cancellation", "/training/cancellations/{id:\\d+}", factory=cancellation)
    config.add_route("training.uncancel", "/training/cancellations/{id:\\d+}/delete", factory=cancellation)
