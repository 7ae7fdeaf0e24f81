"""Alembic environment: one metadata, a version folder per enabled add-on.

Configured from the same ini files as the site (``alembic -c
development.ini upgrade heads``).  The application is built from the ini's
``[app:main]`` settings, so exactly the enabled add-ons' models and
migration folders take part; tests hand in a registry and a connection
through ``config.attributes`` instead.
"""
from alembic import context
from alembic.script.revision import ResolutionError
from pyramid.paster import get_appsettings, setup_logging
from sqlalchemy import Column, MetaData, String, Table, column, inspect, select, table

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
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection):
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=lambda name, type_, parent: name != APPLIED.name,
    )
    with context.begin_transaction():
        parked, stand_ins = _park_switched_off_heads(connection, context.script)
        context.run_migrations()
        _unpark(connection, parked, stand_ins)
        _record_applied(connection, context.script)


VERSION_TABLE = table("alembic_version", column("version_num"))
#: Every revision applied so far, known or not: what lets an add-on be switched off.
APPLIED = Table(
    "touchline_applied_revisions", MetaData(), Column("revision", String(64), primary_key=True)
)


def _known(script, revision):
    try:
        script.revision_map.get_revision(revision)
    except ResolutionError:
        return False
    return True


def _ancestry(script, revisions):
    """The revisions, their ancestors and their dependencies."""
    found = set()
    for revision in revisions:
        found.update(r.revision for r in script.revision_map.iterate_revisions(revision, "base"))
    return found


def _heads_of(script, revisions):
    """The members of ``revisions`` that no other member builds on."""
    return {
        revision for revision in revisions
        if not any(revision in _ancestry(script, [other]) for other in revisions - {revision})
    }


def _park_switched_off_heads(connection, script):
    """Set aside the recorded heads of add-ons that are switched off.

    An add-on switched off in the ini leaves its tables and its head in
    ``alembic_version``; Alembic alone would stop ("Can't locate revision").
    Its head is taken out while the enabled add-ons migrate and put back
    afterwards, in the same transaction, so switching the add-on on again
    continues where it stopped.  The enabled revisions it implied (its
    dependencies on the core, say) stand in for it meanwhile, as recorded
    in ``touchline_applied_revisions``.
    """
    APPLIED.create(connection, checkfirst=True)
    if not inspect(connection).has_table("alembic_version"):
        return [], set()
    recorded = set(connection.execute(select(VERSION_TABLE.c.version_num)).scalars())
    parked = sorted(revision for revision in recorded if not _known(script, revision))
    if not parked:
        return [], set()
    connection.execute(VERSION_TABLE.delete().where(VERSION_TABLE.c.version_num.in_(parked)))
    applied = {
        revision for revision in connection.execute(select(APPLIED.c.revision)).scalars()
        if _known(script, revision)
    }
    missing = applied - _ancestry(script, recorded - set(parked))
    stand_ins = _heads_of(script, missing)
    if stand_ins:
        connection.execute(VERSION_TABLE.insert(), [{"version_num": rev} for rev in sorted(stand_ins)])
    return parked, stand_ins


def _unpark(connection, parked, stand_ins):
    if not parked:
        return
    # A stand-in still there was not migrated past: its parked head implies it.
    if stand_ins:
        connection.execute(VERSION_TABLE.delete().where(VERSION_TABLE.c.version_num.in_(stand_ins)))
    connection.execute(VERSION_TABLE.insert(), [{"version_num": rev} for rev in parked])


def _record_applied(connection, script):
    recorded = connection.execute(select(VERSION_TABLE.c.version_num)).scalars().all()
    known = [revision for revision in recorded if _known(script, revision)]
    applied = _ancestry(script, known) | (set(recorded) - set(known))
    stored = set(connection.execute(select(APPLIED.c.revision)).scalars())
    new = sorted(applied - stored)
    if new:
        connection.execute(APPLIED.insert(), [{"revision": rev} for rev in new])


if context.is_offline_mode():
    raise SystemExit("Touchline migrates online only: run alembic with a database.")
run_migrations()
