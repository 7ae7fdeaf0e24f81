"""Templates: Jinja2 through pyramid_jinja2, autoescaped, strict.

Templates are named by asset spec (``touchline.teams:templates/team.jinja2``)
so that a site can override any of them with ``config.override_asset``.
Undefined variables raise instead of rendering as empty strings, so that a
template bug shows up in the tests rather than as a blank on a page.
"""
from pyramid.csrf import get_csrf_token


def includeme(config):
    settings = config.registry.settings
    settings.setdefault("jinja2.undefined", "strict")
    settings.setdefault("jinja2.trim_blocks", "true")
    settings.setdefault("jinja2.lstrip_blocks", "true")
    # pyramid_jinja2 autoescapes by default; say so, so nobody switches it off.
    settings["jinja2.autoescape"] = "true"
    config.include("pyramid_jinja2")
    site_name = settings.get("touchline.site_name") or "Touchline"

    def add_globals():
        env = config.get_jinja2_environment()
        env.globals["site_name"] = site_name
        env.globals["csrf_token"] = get_csrf_token

    # After pyramid_jinja2 has created the environment (its docs' own order).
    config.action(None, add_globals, order=999)
