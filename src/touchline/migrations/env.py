"""Alembic environment: one metadata, a version folder per enabled add-on.

Configured from the same ini files as the site (``alembic -c
development.ini upgrade heads``).  The application is built from the ini's
``[app:main]`` settings, so exactly the enabled add-ons' models and
migration folders take part; tests hand in a registry and a connection
through ``config.attributes`` instead.
"""
from alembic import context
from alembic.script.revision import ResolutionError
from sqlalchemy import column, inspect, select, table
from pyramid.paster import get_appsettings, setup_logging

from touchline.addons import migration_folders
from touchline.models import Base

config = context.config


def _registry():
    registry = config.attributes.get("registry")
    if registry is None:
        from touchline import main

        ini = config.config_file_name
        setup_logging(ini)
        settings = get_appsettings(ini)
        registry = main({"__file__": ini}, **settings).registry
    return registry


def _use_enabled_version_folders(script, registry):
    # Alembic read version_locations from the ini before running this file;
    # the enabled add-ons are only known now.  The revision map is built on
    # first use, which comes after this.
    script.version_locations = migration_folders(registry)
    script.__dict__.pop("_version_locations", None)


def run_migrations():
    registry = _registry()
    _use_enabled_version_folders(context.script, registry)
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = registry["touchline.engine"]
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection):
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        parked = _park_switched_off_heads(connection, context.script)
        context.run_migrations()
        if parked:
            connection.execute(VERSION_TABLE.insert(), [{"version_num": rev} for rev in parked])


VERSION_TABLE = table("alembic_version", column("version_num"))


def _park_switched_off_heads(connection, script):
    """Set aside the recorded heads of add-ons that are switched off.

    An add-on switched off in the ini leaves its tables and its head in
    ``alembic_version``; Alembic would refuse to run ("Can't locate
    revision").  Its head is taken out while the enabled add-ons migrate and
    put back afterwards, in the same transaction, so switching the add-on
    on again continues where it stopped.
    """
    if not inspect(connection).has_table("alembic_version"):
        return []
    recorded = connection.execute(select(VERSION_TABLE.c.version_num)).scalars().all()
    unknown = []
    for revision in recorded:
        try:
            script.revision_map.get_revision(revision)
        except ResolutionError:
            unknown.append(revision)
    if unknown:
        connection.execute(VERSION_TABLE.delete().where(VERSION_TABLE.c.version_num.in_(unknown)))
    return unknown


if context.is_offline_mode():
    raise SystemExit("Touchline migrates online only: run alembic with a database.")
run_migrations()
