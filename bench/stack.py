"""The site the benchmarks run: production.ini's stack on a database of ours.

Shared by ``datasets.py`` (migrating a new database), ``pages.py`` (the WSGI
app called in process) and ``peers.py`` (an ini file for gunicorn).  Every
setting comes from ``production.ini``'s ``[app:main]``; only what a
benchmark machine must change is overridden:

* ``sqlalchemy.url``: the benchmark's database;
* ``touchline.base_url`` and ``touchline.allowed_hosts``: the site's name
  (``club.example.org``; loopback too, for gunicorn under wrk);
* ``touchline.ratelimit.storage_url``: Redis database 9 (memory when Redis
  does not answer);
* ``mail.queue_path`` and ``touchline.uploads.path``: a temporary directory,
  never the checkout's ``var/``;
* ``touchline.page_size`` when asked (the peer comparison's 100-row page).

The environment variables that would override the ini (``TOUCHLINE_*``) are
removed from this process, so a shell set up for a real site does not point
the benchmark at it.
"""
import io
import os
import socket
import sys
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PRODUCTION_INI = os.path.join(ROOT, "production.ini")

HOST = "club.example.org"
BASE_URL = f"https://{HOST}"
ALLOWED_HOSTS = f"{HOST} localhost 127.0.0.1"
REDIS_URL = "redis://127.0.0.1:6379/9"
OVERRIDING_ENVIRON = (
    "TOUCHLINE_DATABASE_URL", "TOUCHLINE_BASE_URL", "TOUCHLINE_ALLOWED_HOSTS",
    "TOUCHLINE_TRUSTED_PROXIES", "TOUCHLINE_INI",
)


def clean_environ():
    for name in OVERRIDING_ENVIRON:
        os.environ.pop(name, None)


def redis_answers(host="127.0.0.1", port=6379):
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ratelimit_url():
    return REDIS_URL if redis_answers() else "memory://"


def overrides(database_url, workdir, page_size=None, ratelimit=None):
    """The settings a benchmark changes in production.ini (see the module docstring)."""
    values = {
        "sqlalchemy.url": database_url,
        "touchline.base_url": BASE_URL,
        "touchline.allowed_hosts": ALLOWED_HOSTS,
        "touchline.ratelimit.storage_url": ratelimit or ratelimit_url(),
        "mail.queue_path": os.path.join(workdir, "mail-queue"),
        "touchline.uploads.path": os.path.join(workdir, "uploads"),
    }
    if page_size:
        values["touchline.page_size"] = str(page_size)
    return values


def settings(database_url, workdir, page_size=None, ratelimit=None):
    from pyramid.paster import get_appsettings

    clean_environ()
    values = dict(get_appsettings(PRODUCTION_INI))
    values.update(overrides(database_url, workdir, page_size, ratelimit))
    return values


def make_app(database_url, workdir, page_size=None, ratelimit=None):
    """The WSGI application, built like ``touchline.wsgi`` builds it from the ini."""
    from touchline import main

    return main({"__file__": PRODUCTION_INI, "here": ROOT},
                **settings(database_url, workdir, page_size, ratelimit))


def migrate(app):
    """``alembic upgrade heads`` for every enabled add-on (initialize_touchline_db's first step)."""
    from alembic import command

    from touchline.scripts.initialize_db import alembic_config

    command.upgrade(alembic_config(PRODUCTION_INI, app.registry), "heads")


def write_ini(path, database_url, workdir, page_size=None, ratelimit=None):
    """An ini file for ``touchline.wsgi`` (``TOUCHLINE_INI``): production.ini plus our overrides."""
    lines = ["[app:main]", f"use = config:{PRODUCTION_INI}#main"]
    for key, value in overrides(database_url, workdir, page_size, ratelimit).items():
        lines.append(f"{key} = {value}")
    # Errors only: gunicorn's log is kept by run_peers.py.
    lines += ["", "[loggers]", "keys = root", "", "[handlers]", "keys = console", "",
              "[formatters]", "keys = generic", "", "[logger_root]", "level = ERROR",
              "handlers = console", "", "[handler_console]", "class = StreamHandler",
              "args = (sys.stderr,)", "level = NOTSET", "formatter = generic", "",
              "[formatter_generic]", "format = %(asctime)s %(levelname)s [%(name)s] %(message)s", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


# Calling the WSGI application in process --------------------------------------------------


class Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def code(self):
        return int(self.status.split(" ", 1)[0])

    def header(self, name):
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def cookies(self):
        """name -> value of the Set-Cookie headers."""
        out = {}
        for key, value in self.headers:
            if key.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                name, _, val = pair.partition("=")
                out[name.strip()] = val.strip()
        return out


def environ(url, accept="text/html", headers=None, method="GET", body=b"", content_type=None):
    """A WSGI environ for ``url`` (a path with query, or an absolute URL of the site)."""
    parts = urlsplit(url)
    env = {
        "REQUEST_METHOD": method, "PATH_INFO": parts.path or "/", "QUERY_STRING": parts.query,
        "SERVER_NAME": HOST, "SERVER_PORT": "443", "HTTP_HOST": HOST,
        "REMOTE_ADDR": "192.0.2.10", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "SCRIPT_NAME": "",
    }
    if accept:
        env["HTTP_ACCEPT"] = accept
    if body or method != "GET":
        env["CONTENT_LENGTH"] = str(len(body))
    if content_type:
        env["CONTENT_TYPE"] = content_type
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app, url, accept="text/html", headers=None, method="GET", body=b"", content_type=None):
    captured = []

    def start_response(status, response_headers, exc_info=None):
        captured.append((status, response_headers))

    iterable = app(environ(url, accept, headers, method, body, content_type), start_response)
    try:
        data = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    status, response_headers = captured[-1]
    return Response(status, response_headers, data)


def local(url):
    """The path and query of a link the site gave (absolute or not)."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


# What a result table says about where it was measured ------------------------------------


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine():
    """``2 cores, AMD EPYC, 23.5 GiB RAM``."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = ""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    ram = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (nproc), {cpu}{ram}"


def git_state():
    """The commit, and how many files differ from it (work in progress is measured too)."""
    import subprocess

    if os.environ.get("BENCH_CODE_LABEL"):  # a copy made with git archive has no .git
        return os.environ["BENCH_CODE_LABEL"]

    def git(*args):
        return subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [line for line in git("status", "--porcelain", "--untracked-files=all").splitlines()
               if line[3:].startswith(("src/", "setup", "pyproject", "production.ini"))]
    return commit + (f" + {len(changed)} uncommitted file(s) in src/ and setup" if changed else "")


def versions():
    import platform
    import sqlite3
    from importlib.metadata import PackageNotFoundError, version

    out = {"Python": platform.python_version(), "SQLite": sqlite3.sqlite_version}
    for name in ("pyramid", "SQLAlchemy", "psycopg", "Jinja2", "gunicorn"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def busy_share(seconds=3.0):
    """The share of the machine's CPU time used by anything over ``seconds`` (0 to 1)."""
    import time

    def sample():
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(total1 - total0, 1)


def wait_for_quiet(max_seconds, threshold=0.25, log=print):
    """Wait (at most ``max_seconds``) until other processes leave the CPU mostly idle.

    Returns the busy share seen last; other tenants of a small machine
    (test runs, other benchmarks) inflate every figure, so the reports
    print the load averages before and after either way.
    """
    import time

    deadline = time.monotonic() + max_seconds
    while True:
        share = busy_share()
        if share <= threshold or time.monotonic() >= deadline:
            if share > threshold:
                log(f"# the machine is still {share:.0%} busy; measuring anyway")
            return share
        log(f"# the machine is {share:.0%} busy (other processes); waiting for it to calm down")
        time.sleep(10)
