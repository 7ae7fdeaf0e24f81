"""Settings that later includes rely on, with their defaults and overrides.

Settings arrive from the ini file as strings; each module coerces what it
reads where it reads it.  What lives here is the small set of values that
must be decided before anything else is included: the defaults for the
transaction machinery and the database URL's environment override, so that
``production.ini`` never has to carry a secret or a connection string.
"""
import os

DATABASE_URL_ENVIRON = "TOUCHLINE_DATABASE_URL"

DEFAULTS = {
    # One explicit transaction manager per request (never the thread-local).
    "tm.manager_hook": "pyramid_tm.explicit_manager",
    # Touchline's commit rule: see touchline.database.commit_veto.
    "tm.commit_veto": "touchline.database.commit_veto",
    # pyramid_tm would ask who is logged in before the exception views can
    # answer for a database outage, and load the session on every request.
    "tm.annotate_user": "false",
    "retry.attempts": "3",
    "touchline.addons": "",
}


def apply_defaults(settings, environ=os.environ):
    """Fill in defaults and the environment overrides, in place.

    Used by ``includeme`` and by the scripts that read an ini file without
    building the application (Alembic's env.py), so both see one database.
    """
    for key, value in DEFAULTS.items():
        settings.setdefault(key, value)
    url = environ.get(DATABASE_URL_ENVIRON)
    if url:
        settings["sqlalchemy.url"] = url
    return settings


def includeme(config):
    apply_defaults(config.registry.settings)
    if not config.registry.settings.get("sqlalchemy.url"):
        from pyramid.exceptions import ConfigurationError

        raise ConfigurationError(
            f"No database configured: set sqlalchemy.url in the ini file "
            f"or the environment variable {DATABASE_URL_ENVIRON}."
        )
