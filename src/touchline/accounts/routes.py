def includeme(config):
    config.add_resource_route("accounts.login", "/login")
    config.add_route("accounts.logout", "/logout")
    config.add_resource_route("accounts.account", "/account")
    config.add_route("accounts.password", "/account/password")
    config.add_route("accounts.reset_request", "/password-reset")
    config.add_route("accounts.reset", "/password-reset/{token:[A-Za-z0-9_-]{20,100}}")
    config.add_route("accounts.users", "/users")
    config.add_route("accounts.user_new", "/users/new")
    config.add_route(
        "accounts.user_edit", "/users/{id:\\d+}/edit",
        factory="touchline.accounts.resources.user_factory",
    )
