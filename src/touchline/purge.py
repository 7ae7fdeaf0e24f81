"""Deleting what has outlived its use: expired sessions, spent reset links.

Whatever piles up in the database registers a purge job with
``config.add_purge_job(name, purge)`` (the core purges sessions, the
accounts add-on its reset tokens).  ``touchline_purge INI`` runs every
enabled job in one transaction; the systemd timer in ``deploy/`` runs it
hourly.  A job deletes by an indexed expiry column, so a run costs a range
scan however large the table.
"""
import argparse
import sys
from dataclasses import dataclass, field
from typing import Callable

from pyramid.paster import bootstrap, setup_logging

PURGE_JOBS = "touchline.purge_jobs"


@dataclass(frozen=True)
class PurgeJob:
    """``purge(request)`` deletes what has expired and returns how many rows went."""

    name: str
    purge: Callable = field(compare=False)


def add_purge_job(config, name, purge):
    """Have ``touchline_purge`` call ``purge(request)``."""
    purge = config.maybe_dotted(purge)
    job = PurgeJob(name, purge)

    def register():
        config.registry.setdefault(PURGE_JOBS, []).append(job)

    intr = config.introspectable(PURGE_JOBS, name, name, PURGE_JOBS)
    intr["item"] = job
    config.action((PURGE_JOBS, name), register, introspectables=(intr,))


def purge_jobs(registry):
    return registry.get(PURGE_JOBS, ())


def run_purge_jobs(request):
    """Run every job in the request's transaction; returns {name: rows deleted}."""
    return {job.name: job.purge(request) for job in purge_jobs(request.registry)}


def main(argv=sys.argv):
    """``touchline_purge INI``: delete expired sessions, reset tokens and the like."""
    parser = argparse.ArgumentParser(prog="touchline_purge", description=main.__doc__)
    parser.add_argument("config_uri", help="the ini file, e.g. production.ini")
    args = parser.parse_args(argv[1:])
    setup_logging(args.config_uri)
    with bootstrap(args.config_uri) as env:
        request = env["request"]
        with request.tm:
            deleted = run_purge_jobs(request)
    print(", ".join(f"{name}: {count} deleted" for name, count in deleted.items()) or "Nothing to purge.")


def includeme(config):
    config.add_directive("add_purge_job", add_purge_job)
