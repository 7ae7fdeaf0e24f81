#!/usr/bin/env python3
"""Cost per request of Touchline's pages, in process (no server, no socket).

Builds the site on a temporary SQLite database holding ``--teams`` teams
(100 by default, like the shared peer benchmark's list page), calls the WSGI
application directly and reports microseconds per request, median of
``--rounds``.  Use it before and after a change to the request path; for a
comparison with raw WSGI, bare Pyramid, Flask and Django on the same machine
run ``../shared/bench`` (see bench/README.md).

    .venv/bin/python bench/inproc.py
    .venv/bin/python bench/inproc.py --teams 300 --rounds 7
"""
import argparse
import io
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PATHS = {
    "home": ("/", "text/html"),
    "teams": ("/teams", "text/html"),
    "teams.json": ("/teams", "application/json"),
    "teams.xml": ("/teams.xml", "*/*"),
    "team": ("/teams/1", "text/html"),
    "healthz": ("/healthz", "*/*"),
}


def build_app(database, teams):
    from pyramid.paster import get_appsettings

    from touchline import main
    from touchline.database import get_tm_session
    from touchline.scripts.initialize_db import alembic_config
    from touchline.teams.models import Level, Team
    from alembic import command
    import transaction

    ini = os.path.join(ROOT, "production.ini")
    settings = dict(get_appsettings(ini))
    settings["sqlalchemy.url"] = f"sqlite:///{database}"
    settings.setdefault("touchline.base_url", "https://club.example.org")
    settings["mail.queue_path"] = os.path.join(os.path.dirname(database), "mail")
    app = main({}, **settings)
    command.upgrade(alembic_config(ini, app.registry), "heads")
    tm = transaction.TransactionManager(explicit=True)
    levels = list(Level)
    with tm:
        session = get_tm_session(app.registry["touchline.dbsession_factory"], tm)
        session.add_all(
            Team(name=f"Team <{i}> & co", level=levels[i % len(levels)]) for i in range(teams)
        )
    return app


def call(app, path, accept):
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "localhost",
        "SERVER_PORT": "6543", "HTTP_HOST": "localhost:6543", "HTTP_ACCEPT": accept,
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "SCRIPT_NAME": "",
    }
    status = []
    body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    if not status[0].startswith("200"):
        raise SystemExit(f"{path}: {status[0]}")
    return body


def measure(app, path, accept, min_time):
    for _ in range(50):
        call(app, path, accept)
    count, start = 0, time.perf_counter()
    while True:
        call(app, path, accept)
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            return elapsed / count * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds per measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(os.path.join(tmp, "bench.sqlite"), args.teams)
        print(f"| page ({args.teams} teams) | us/request (median of {args.rounds}) |")
        print("|---|---|")
        for name, (path, accept) in PATHS.items():
            times = [measure(app, path, accept, args.min_time) for _ in range(args.rounds)]
            print(f"| {name} `{path}` | {statistics.median(times):.0f} |")
        app.registry["touchline.engine"].dispose()


if __name__ == "__main__":
    main()
