"""Two test add-ons that claim the same things, to show conflicts are loud."""


def _noop(request):
    return {}


def first(config):
    config.add_navigation_entry("shared", "First", "home")
    config.add_home_panel("shared", "First", _noop, "touchline:templates/error.jinja2")


def second(config):
    config.add_navigation_entry("shared", "Second", "home")
    config.add_home_panel("shared", "Second", _noop, "touchline:templates/error.jinja2")


def pshell_first(config):
    config.add_pshell_variable("thing", 1, "One thing.")


def pshell_second(config):
    config.add_pshell_variable("thing", 2, "Another thing.")


def populator_first(config):
    config.add_demo_populator("demo", _noop)


def populator_second(config):
    config.add_demo_populator("demo", _noop)


def migrations_first(config):
    config.add_migrations("touchline.teams:migrations/versions")


def migrations_second(config):
    config.add_migrations("touchline.teams:migrations/versions")
