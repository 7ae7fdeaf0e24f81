"""Fixtures for the deployment tests: a Touchline site on PostgreSQL and Redis,
served by nginx in front of two gunicorn instances and a uWSGI, all on loopback.

The site (:func:`site`) and the servers (:func:`stack`) are built once per
test session and torn down at its end: a fresh PostgreSQL database of their
own (dropped afterwards), a Redis database for the login counters, a
temporary directory for everything else.  Under pytest-xdist every test in
``tests/deploy`` carries ``xdist_group("deploy")``, so with ``--dist
loadgroup`` one worker owns the stack; with another distribution each
worker builds its own, which is slower but still correct (ports, database,
client addresses and usernames are all chosen afresh).

When nginx, gunicorn, uWSGI or openssl are missing the tests are skipped,
except under CI (the environment variable ``CI`` set), where that is a
failure.
"""
import configparser
import grp
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.deploy.stack import (
    DEPLOY,
    ORIGIN,
    REPO,
    SERVER_NAME,
    VENV_BIN,
    Client,
    Endpoint,
    Nginx,
    Service,
    SMTPSink,
    Unit,
    find_tool,
    free_ports,
    log_tail,
    render,
    under_ci,
)

DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: Redis database 10 to 14 are the tests'; the login counters go in this one.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
PASSWORD_LENGTH = 16


def require(what, missing):
    """Skip (or, under CI, fail) when something the tests run is not installed."""
    if missing:
        message = f"{what} need {', '.join(missing)}, not installed here"
        if under_ci():
            pytest.fail(message + " (CI is set, so this is a failure)")
        pytest.skip(message)


@pytest.fixture(scope="session")
def tools():
    """The programs the stack runs, by name; skips or fails when one is missing."""
    found = {
        "nginx": find_tool("nginx", "/usr/sbin/nginx"),
        "openssl": find_tool("openssl"),
        "gunicorn": str(VENV_BIN / "gunicorn") if (VENV_BIN / "gunicorn").exists() else None,
        "uwsgi": str(VENV_BIN / "uwsgi") if (VENV_BIN / "uwsgi").exists() else None,
    }
    require("The deployment tests", [name for name, path in found.items() if path is None])
    return found


def _user_and_group():
    return pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name


class Site:
    """Everything a site has before a server runs it: the directory tree, the
    database (migrated, with accounts), the environment file, the certificate,
    the mail relay.

    ``layout(name, ports)`` makes a ``/srv/touchline`` (``<root>/<name>``)
    with deploy/'s files rendered for those ports; the tests' servers run
    from ``<root>/srv``.
    """

    def __init__(self, root, database, redis_url, smtp):
        self.root = Path(root)
        self.database = database
        self.redis_url = redis_url
        self.smtp = smtp
        self.logs = self.root / "logs"
        self.logs.mkdir()
        self.env_file = self.root / "etc" / "touchline" / "env"
        self.www = self.root / "www"
        self.www.mkdir()
        self.cert = self.root / "tls" / "fullchain.pem"
        self.key = self.root / "tls" / "privkey.pem"
        # Clients play visitors at 127.A.B.n: a fresh A.B per run, so that
        # counters another run left in Redis never apply.
        self.subnet = f"127.{secrets.randbelow(150) + 100}.{secrets.randbelow(250) + 1}."
        suffix = secrets.token_hex(3)
        self.users = {
            role: (f"{role}-{suffix}", secrets.token_urlsafe(PASSWORD_LENGTH), f"{role}-{suffix}@example.org")
            for role in ("admin", "casey", "dana", "erin", "frank")
        }
        self.user, self.group = _user_and_group()

    def address(self, n):
        return f"{self.subnet}{n}"

    def paths(self, srv):
        """The paths every deploy/ file may name, for a site in ``srv``."""
        return [
            ("/srv/touchline", str(srv)),
            ("/etc/touchline/env", str(self.env_file)),
            ("/run/touchline", str(self.runtime(srv))),
            ("/var/log/nginx", str(self.logs)),
            ("${APACHE_LOG_DIR}", str(self.logs / "apache")),
            (f"/etc/letsencrypt/live/{SERVER_NAME}/fullchain.pem", str(self.cert)),
            (f"/etc/letsencrypt/live/{SERVER_NAME}/privkey.pem", str(self.key)),
            ("/var/www/html", str(self.www)),
        ]

    def runtime(self, srv):
        return self.root / "run" / Path(srv).name

    def layout(self, name, uwsgi_port):
        """A /srv/touchline at ``<root>/<name>``; returns its path."""
        srv = self.root / name
        (srv / "var").mkdir(parents=True)
        self.runtime(srv).mkdir(parents=True)
        os.symlink(Path(sys.prefix).absolute(), srv / ".venv")
        os.symlink(package_root(), srv / "src")
        shutil.copy(self.root / "production.ini", srv / "production.ini")
        paths = self.paths(srv)
        render("gunicorn.conf.py", optional=paths, destination=srv / "deploy" / "gunicorn.conf.py")
        render(
            "uwsgi.ini",
            required=[
                ("socket = 127.0.0.1:3031", f"socket = 127.0.0.1:{uwsgi_port}"),
                ("uid = touchline", f"uid = {self.user}"),
                ("gid = touchline", f"gid = {self.group}"),
            ],
            optional=paths,
            destination=srv / "deploy" / "uwsgi.ini",
        )
        for unit in (DEPLOY / "systemd").glob("touchline*"):
            render(f"systemd/{unit.name}", optional=paths, destination=srv / "deploy" / "systemd" / unit.name)
        render(
            "touchline-manage",
            required=[("SITE_USER=touchline", f"SITE_USER={self.user}")],
            optional=paths,
            destination=srv / "deploy" / "touchline-manage",
        )
        (srv / "deploy" / "touchline-manage").chmod(0o755)
        render("touchline-backup", optional=paths, destination=srv / "deploy" / "touchline-backup")
        (srv / "deploy" / "touchline-backup").chmod(0o755)
        render("apache/touchline.wsgi", optional=paths, destination=srv / "deploy" / "apache" / "touchline.wsgi")
        return srv

    def unit(self, srv, name):
        return Unit(Path(srv) / "deploy" / "systemd" / name)

    def service(self, srv, unit_name, name, instance=None, environ=None):
        return Service(self.unit(srv, unit_name), name, self.logs, self.runtime(srv), instance, environ)

    def manage(self, srv, *args, input=None, check=True):
        """deploy/touchline-manage, as an operator runs it (as root, or as the site's user)."""
        result = subprocess.run(
            [str(Path(srv) / "deploy" / "touchline-manage"), *args],
            input=input, capture_output=True, text=True, timeout=120,
            env={"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},
        )
        if check:
            assert result.returncode == 0, f"touchline-manage {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result

    def client(self, n, endpoint):
        return Client(self.address(n), endpoint, str(self.cert))


def package_root():
    """The directory holding the touchline package: src/ of a checkout."""
    import touchline

    return Path(touchline.__file__).resolve().parent.parent


class Database:
    """A PostgreSQL database of the tests' own on the shared server."""

    def __init__(self, server_url):
        import sqlalchemy as sa

        self.server = sa.engine.make_url(server_url)
        self.name = f"touchline_deploy_{secrets.token_hex(6)}"
        self.admin = sa.create_engine(self.server, isolation_level="AUTOCOMMIT", pool_size=1)
        self.url = self.server.set(database=self.name).render_as_string(hide_password=False)
        self.conninfo = self.server.set(drivername="postgresql", database=self.name).render_as_string(
            hide_password=False
        )

    def create(self):
        import sqlalchemy as sa

        with self.admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{self.name}"'))

    def drop(self):
        import sqlalchemy as sa

        with self.admin.connect() as connection:
            connection.execute(sa.text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true'))
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()

    def on_server(self, statement):
        """Run ``statement`` on the server's own database (not ours): ALTER DATABASE and such."""
        import sqlalchemy as sa

        with self.admin.connect() as connection:
            return connection.execute(sa.text(statement)).fetchall() if statement.lstrip().upper().startswith(
                "SELECT"
            ) else connection.execute(sa.text(statement))

    def connect(self):
        import psycopg

        return psycopg.connect(self.conninfo, autocommit=True)

    def query(self, sql, params=()):
        with self.connect() as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else cursor.rowcount

    def allow_connections(self, allowed):
        """An outage of our database only: refuse new connections and end the open ones."""
        self.on_server(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}')
        if not allowed:
            self.on_server(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{self.name}' AND pid <> pg_backend_pid()"
            )


def _database_server():
    import sqlalchemy as sa

    url = os.environ.get("TOUCHLINE_TEST_POSTGRESQL_URL", DEFAULT_POSTGRESQL_URL)
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        message = f"the deployment tests need PostgreSQL at {url}: {exc.__class__.__name__}"
        if under_ci() or os.environ.get("TOUCHLINE_TEST_REQUIRE_POSTGRESQL"):
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return url


def _redis_url():
    url = os.environ.get("TOUCHLINE_TEST_DEPLOY_REDIS_URL", DEFAULT_REDIS_URL)
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:
        message = f"the deployment tests need Redis at {url}: {exc.__class__.__name__}"
        if under_ci():
            pytest.fail(message)
        pytest.skip(message)
    return url


def _production_ini(path, redis_url, smtp_port):
    """production.ini as shipped, with the edits the README's walk-through asks for: the mail
    relay and sender; and the tests' Redis database.

    Everything else (argon2 parameters, Secure cookies, HSTS, the body
    limit, the mail queue, the uploads under %(here)s/var) stays.
    """
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(REPO / "production.ini")
    app = parser["app:main"]
    app["touchline.ratelimit.storage_url"] = redis_url
    app["mail.host"] = "127.0.0.1"
    app["mail.port"] = str(smtp_port)
    app["mail.default_sender"] = "secretary@touchline-fc.test"
    with open(path, "w") as handle:
        parser.write(handle)


def _env_file(path, values):
    """deploy/systemd/touchline.env with the site's values, its comments kept."""
    lines = []
    names = set()
    for line in (DEPLOY / "systemd" / "touchline.env").read_text().splitlines():
        name = line.split("=", 1)[0].strip() if "=" in line and not line.lstrip().startswith("#") else None
        if name:
            names.add(name)
            if name in values:
                line = f"{name}='{values[name]}'"
        lines.append(line)
    unknown = names - set(values) - {"TOUCHLINE_TRUSTED_PROXIES"}
    assert not unknown, f"deploy/systemd/touchline.env names {unknown}, which the tests do not set"
    assert set(values) <= names, f"deploy/systemd/touchline.env lacks {set(values) - names}"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o640)


def _certificate(openssl, cert, key):
    cert.parent.mkdir()
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={SERVER_NAME}", "-addext", f"subjectAltName=DNS:{SERVER_NAME}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )


@pytest.fixture(scope="session")
def site(tools):
    """The site, ready to be served: see :class:`Site`."""
    server_url = _database_server()
    redis_url = _redis_url()
    root = Path(tempfile.mkdtemp(prefix="touchline-deploy-"))
    # Readable by nginx's and Apache's unprivileged users, as /srv is.
    root.chmod(0o755)
    database = Database(server_url)
    smtp = SMTPSink()
    database.create()
    try:
        site = Site(root, database, redis_url, smtp)
        _certificate(tools["openssl"], site.cert, site.key)
        _production_ini(root / "production.ini", redis_url, smtp.port)
        _env_file(site.env_file, {
            "TOUCHLINE_DATABASE_URL": database.url,
            "TOUCHLINE_BASE_URL": ORIGIN,
            "TOUCHLINE_ALLOWED_HOSTS": SERVER_NAME,
        })
        site.ports = dict(zip(
            ("gunicorn_a", "gunicorn_b", "uwsgi", "https_gunicorn", "https_uwsgi", "http_gunicorn", "http_uwsgi"),
            free_ports(7),
        ))
        site.srv = site.layout("srv", site.ports["uwsgi"])
        site.manage(site.srv, "initialize_touchline_db", "production.ini", "--no-demo-data")
        roles = {"admin": "admin", "casey": "coach", "dana": "member", "erin": "member", "frank": "member"}
        for key, (username, password, email) in site.users.items():
            site.manage(site.srv, "touchline_user", "production.ini", "add", "--role", roles[key],
                        "--email", email, "--password-stdin", username, input=password + "\n")
        yield site
    finally:
        smtp.close()
        database.drop()
        if not os.environ.get("TOUCHLINE_TEST_KEEP_DEPLOY"):
            shutil.rmtree(root, ignore_errors=True)


class Stack:
    """nginx with both shipped sites, two gunicorn instances and one uWSGI.

    ``touchline-gunicorn.conf`` listens on ``ports["https_gunicorn"]`` with
    the gunicorn instances as its upstream; ``touchline-uwsgi.conf`` on
    ``ports["https_uwsgi"]`` with the uWSGI.  The two are the same site
    (one database, one Redis), so a visitor may use either, and each
    server block pins its requests to its kind of app server.
    """

    def __init__(self, site, nginx):
        self.site = site
        self.nginx = nginx
        ports = site.ports
        self.via_gunicorn = Endpoint(ports["https_gunicorn"], name="nginx+gunicorn")
        self.via_uwsgi = Endpoint(ports["https_uwsgi"], name="nginx+uWSGI")
        self.gunicorn_a = Endpoint(ports["gunicorn_a"], tls=False, as_proxy=True, name="gunicorn A")
        self.gunicorn_b = Endpoint(ports["gunicorn_b"], tls=False, as_proxy=True, name="gunicorn B")
        self.gunicorn = [
            site.service(site.srv, "touchline-gunicorn@.service", f"gunicorn-{label}", instance=ports[f"gunicorn_{label}"],
                         environ={"TOUCHLINE_DATABASE_URL": f"{site.database.url}?application_name=touchline-gunicorn-{label}"})
            for label in ("a", "b")
        ]
        self.uwsgi = site.service(
            site.srv, "touchline-uwsgi.service", "uwsgi",
            environ={"TOUCHLINE_DATABASE_URL": f"{site.database.url}?application_name=touchline-uwsgi"},
        )
        self.mailqueue = site.service(site.srv, "touchline-mailqueue.service", "mailqueue")

    @property
    def app_servers(self):
        return [*self.gunicorn, self.uwsgi]

    def client(self, n, endpoint=None):
        return self.site.client(n, endpoint or self.via_gunicorn)

    def logged_in(self, n, who="admin", endpoint=None):
        client = self.client(n, endpoint)
        username, password, _ = self.site.users[who]
        response = client.login(username, password)
        assert response.status == 303, response
        return client



def _render_nginx(site, prefix):
    paths = site.paths(site.srv)
    ports = site.ports
    for name in ("touchline-security-headers.conf", "touchline-static.conf", "touchline-tls.conf",
                 "touchline-proxy.conf", "touchline-uwsgi.conf"):
        render(f"nginx/snippets/{name}", optional=paths, destination=prefix / "snippets" / name)
    render("nginx/touchline-http.conf", destination=prefix / "conf.d" / "touchline.conf")
    render(
        "nginx/touchline-gunicorn.conf",
        required=[
            ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{ports['gunicorn_a']} "),
            ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{ports['gunicorn_b']} "),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{ports['https_gunicorn']} ssl http2;"),
            ("listen [::]:443 ssl http2;", ""),
            ("listen 80;", f"listen 127.0.0.1:{ports['http_gunicorn']};"),
            ("listen [::]:80;", ""),
        ],
        optional=paths,
        destination=prefix / "sites-enabled" / "touchline-gunicorn",
    )
    render(
        "nginx/touchline-uwsgi.conf",
        required=[
            ("server 127.0.0.1:3031 ", f"server 127.0.0.1:{ports['uwsgi']} "),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{ports['https_uwsgi']} ssl http2;"),
            ("listen [::]:443 ssl http2;", ""),
            ("listen 80;", f"listen 127.0.0.1:{ports['http_uwsgi']};"),
            ("listen [::]:80;", ""),
        ],
        optional=paths,
        destination=prefix / "sites-enabled" / "touchline-uwsgi",
    )


@pytest.fixture(scope="session")
def stack(site, tools):
    """The running stack: see :class:`Stack`.  Torn down at the end of the session."""
    prefix = site.root / "nginx"
    _render_nginx(site, prefix)
    nginx = Nginx(tools["nginx"], prefix, site.logs)
    nginx.write_main_conf()
    stack = Stack(site, nginx)
    try:
        # Started together, as systemd would at boot; each is ready when it says so.
        for server in stack.app_servers:
            server.start(wait=False)
        for server in stack.app_servers:
            server.ready()
        nginx.start([site.ports[name] for name in ("https_gunicorn", "https_uwsgi", "http_gunicorn", "http_uwsgi")])
        stack.mailqueue.start()
        yield stack
    finally:
        nginx.stop()
        for server in [*stack.app_servers, stack.mailqueue]:
            server.stop(timeout=15)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed deployment test shows the tails of the servers' logs."""
    outcome = yield
    report = outcome.get_result()
    site = getattr(item, "funcargs", {}).get("site")
    if report.when in ("setup", "call") and report.failed and site is not None:
        for path in sorted(site.logs.rglob("*.log")):
            report.sections.append((f"log {path.name}", log_tail(path, 40)))
