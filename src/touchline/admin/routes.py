"""The admin's routes, all under ``/admin`` (views find them by name)."""


def includeme(config):
    root = "touchline.admin.resources.AdminRoot"
    model = "touchline.admin.resources.ModelResource"
    record = "touchline.admin.resources.record_factory"
    change = "touchline.admin.resources.change_factory"
    config.add_route("admin.dashboard", "/admin", factory=root)
    config.add_route("admin.list", "/admin/{model:[a-z_]+}", factory=model)
    # Literal paths before a record's ``{id}`` (digits only anyway).
    config.add_route("admin.new", "/admin/{model:[a-z_]+}/new",
                     factory="touchline.admin.resources.new_factory")
    config.add_route("admin.action", "/admin/{model:[a-z_]+}/action", factory=model)
    config.add_route("admin.export", "/admin/{model:[a-z_]+}/export.{format:csv|xlsx}", factory=model)
    config.add_route("admin.import", "/admin/{model:[a-z_]+}/import", factory=model)
    config.add_route("admin.import_api", "/admin/{model:[a-z_]+}/import.json", factory=model)
    config.add_route("admin.import_template", "/admin/{model:[a-z_]+}/import/template.{format:csv|xlsx}",
                     factory=model)
    config.add_route("admin.deleted", "/admin/{model:[a-z_]+}/deleted", factory=model)
    config.add_route("admin.restore", "/admin/{model:[a-z_]+}/changes/{change:\\d+}/restore", factory=change)
    config.add_route("admin.change", "/admin/{model:[a-z_]+}/{id:\\d+}", factory=record)
    config.add_route("admin.delete", "/admin/{model:[a-z_]+}/{id:\\d+}/delete", factory=record)
    config.add_route("admin.history", "/admin/{model:[a-z_]+}/{id:\\d+}/history",
                     factory="touchline.admin.resources.history_factory")
