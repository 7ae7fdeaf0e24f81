"""``initialize_touchline_db INI``: migrate the database, then load demo data.

Runs ``alembic upgrade heads`` for every enabled add-on, then each enabled
add-on's demo populator (when ``touchline.demo_data`` is true), in one
transaction.  Populators leave tables that hold data alone, so running the
script twice changes nothing.
"""
import argparse
import sys

from alembic import command
from alembic.config import Config
from pyramid.paster import bootstrap, setup_logging
from pyramid.settings import asbool

from touchline.addons import populators


def alembic_config(ini_path, registry=None, connection=None):
    """An Alembic configuration for ``ini_path``; tests pass registry and connection."""
    config = Config(ini_path)
    config.attributes["registry"] = registry
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config_uri", help="the ini file, e.g. development.ini")
    parser.add_argument(
        "--no-demo-data",
        action="store_true",
        help="only migrate, even where touchline.demo_data is true",
    )
    return parser.parse_args(argv[1:])


def main(argv=sys.argv):
    args = parse_args(argv)
    setup_logging(args.config_uri)
    with bootstrap(args.config_uri) as env:
        registry, request = env["registry"], env["request"]
        command.upgrade(alembic_config(args.config_uri, registry), "heads")
        if args.no_demo_data or not asbool(registry.settings.get("touchline.demo_data", False)):
            return
        with request.tm:
            for populator in populators(registry):
                populator.populate(request)
        print(f"Demo data checked: {', '.join(p.name for p in populators(registry)) or 'none'}.")
