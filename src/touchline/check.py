"""``touchline_check INI``: is this ini, with this environment, safe to run in production?

Like Django's ``check --deploy``: it reads the ini file's ``[app:main]``
and the environment the site would start with (``TOUCHLINE_DATABASE_URL``,
``TOUCHLINE_BASE_URL``, ``TOUCHLINE_ALLOWED_HOSTS``,
``TOUCHLINE_TRUSTED_PROXIES``, ``TOUCHLINE_RATELIMIT_STORAGE_URL``), and
reports every setting that is missing or unsafe, with its fix.  It exits
with status 1 if any check fails, 0 if all pass, so a deployment script can
run it before it starts the site::

    touchline_check production.ini --processes 3

It reads settings only: it connects to nothing.  Start-up itself refuses
the fatal ones (no database URL, no base URL).
"""
import argparse
import os
import stat
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from pyramid.paster import get_appsettings
from pyramid.settings import asbool, aslist
from sqlalchemy.engine import make_url

from touchline.hosts import AllowedHosts
from touchline.mail import configured_base_url
from touchline.proxies import TrustedProxies
from touchline.ratelimit import storage_url
from touchline.settings import DATABASE_URL_ENVIRON, apply_defaults
from touchline.users import MIN_MEMORY_COST


@dataclass
class Problem:
    name: str
    problem: str
    fix: str


def check_database(settings, environ, ini_path):
    url = settings.get("sqlalchemy.url")
    if not url:
        yield Problem("database", "no database URL",
                      f"set {DATABASE_URL_ENVIRON}=postgresql+psycopg://user@host/db in the environment")
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        yield Problem("database", "the database is an SQLite file, which one process at a time can write",
                      f"use PostgreSQL: set {DATABASE_URL_ENVIRON}=postgresql+psycopg://user@host/db")
    if parsed.password and not environ.get(DATABASE_URL_ENVIRON) and _readable_by_others(ini_path):
        yield Problem("secrets", "the database password is in an ini file anyone on the server can read",
                      f"move the URL to {DATABASE_URL_ENVIRON} in the service's environment file, "
                      f"or chmod o-r {ini_path}")


def check_base_url(settings, environ):
    url = configured_base_url(settings, environ)
    if not url:
        yield Problem("base URL", "no public URL for the links in mail and feeds",
                      "set TOUCHLINE_BASE_URL=https://club.example.org in the environment")
    elif urlsplit(url).scheme != "https":
        yield Problem("base URL", f"{url} is not HTTPS: reset links would travel in clear",
                      "serve the site over HTTPS and set TOUCHLINE_BASE_URL=https://...")


def check_hosts(settings, environ):
    hosts = AllowedHosts(settings, environ)
    base_host = urlsplit(configured_base_url(settings, environ)).hostname
    if hosts.any_host:
        yield Problem("allowed hosts", "every Host header is answered (*)",
                      "set TOUCHLINE_ALLOWED_HOSTS to the site's own names, e.g. club.example.org")
    elif base_host and not hosts.host_allowed(base_host):
        yield Problem("allowed hosts", f"the base URL's host {base_host} is not an allowed host",
                      f"set TOUCHLINE_ALLOWED_HOSTS={base_host}")
    elif not (hosts.hosts - {"localhost", "127.0.0.1", "::1"}) and not hosts.domains:
        yield Problem("allowed hosts", "only localhost is allowed: the site would refuse its visitors",
                      "set TOUCHLINE_ALLOWED_HOSTS=club.example.org")


def check_https(settings, environ):
    if not asbool(settings.get("touchline.session.secure", False)):
        yield Problem("cookies", "the session cookie may be sent over plain HTTP",
                      "set touchline.session.secure = true")
    if not asbool(settings.get("touchline.hsts", False)):
        yield Problem("HSTS", "browsers are not told to keep to HTTPS", "set touchline.hsts = true")


def check_proxies(settings, environ):
    # A WSGI application never terminates TLS itself: an HTTPS site has a
    # proxy in front, whose forwarded headers must be believed (only from it).
    proxies = TrustedProxies.from_settings(settings, environ)
    if not proxies:
        yield Problem("trusted proxies",
                      "no trusted proxy: behind nginx every client would have the proxy's "
                      "address, and one client's failed logins would lock out everyone",
                      "set touchline.trusted_proxies (or TOUCHLINE_TRUSTED_PROXIES) to the proxy's "
                      "addresses, e.g. 127.0.0.1 ::1")
    elif any(network.prefixlen == 0 for network in proxies.networks):
        yield Problem("trusted proxies", "every address is a trusted proxy: any client can choose its address",
                      "list only the proxy's own addresses in touchline.trusted_proxies")


def check_rate_limits(settings, environ, processes):
    url = storage_url(settings, environ)
    if processes > 1 and url.startswith("memory://"):
        yield Problem("rate limits", f"login limits count in each of {processes} processes' memory",
                      "run Redis and set touchline.ratelimit.storage_url = redis://127.0.0.1:6379/0")


def check_debug(settings, environ):
    includes = aslist(settings.get("pyramid.includes", ""))
    if "pyramid_debugtoolbar" in includes:
        yield Problem("debug toolbar", "the debug toolbar is on: anyone it lets in can run code",
                      "remove pyramid_debugtoolbar from pyramid.includes")
    for name in ("pyramid.reload_templates", "pyramid.debug_authorization",
                 "pyramid.debug_notfound", "pyramid.debug_routematch", "sqlalchemy.echo"):
        if asbool(settings.get(name, False)):
            yield Problem("debug", f"{name} is on", f"set {name} = false")
    if asbool(settings.get("touchline.demo_data", False)):
        yield Problem("demo data", "demo accounts with published passwords would be created",
                      "set touchline.demo_data = false")


def check_mail(settings, environ):
    if settings.get("touchline.mailer", "queue") != "queue":
        yield Problem("mail", f"touchline.mailer = {settings.get('touchline.mailer')}: no mail leaves",
                      "set touchline.mailer = queue and run touchline_mailqueue")
        return
    if not settings.get("mail.queue_path"):
        yield Problem("mail", "no mail.queue_path: the queue would be var/mail in the working directory",
                      "set mail.queue_path = %(here)s/var/mail-queue")
    if not settings.get("mail.host"):
        yield Problem("mail", "no mail.host for touchline_mailqueue to send through",
                      "set mail.host and mail.port to your relay")
    sender = settings.get("mail.default_sender", "")
    domain = sender.rpartition("@")[2].lower()
    if not sender or domain in ("localhost", "example.org", "example.com", "club.example.org"):
        yield Problem("mail", f"mail.default_sender is {sender or 'not set'}: replies and bounces go nowhere",
                      "set mail.default_sender to an address of the club's domain")
    if settings.get("mail.password") and asbool(settings.get("mail.tls", False)) is False \
            and not asbool(settings.get("mail.ssl", False)):
        yield Problem("mail", "the relay password would be sent without TLS",
                      "set mail.tls = true (STARTTLS) or mail.ssl = true")


def check_passwords(settings, environ):
    memory = int(settings.get("touchline.argon2.memory_cost", MIN_MEMORY_COST))
    if memory < 64 * 1024:
        yield Problem("passwords", f"argon2 uses {memory} KiB: the minimum, meant for tests",
                      "set touchline.argon2.memory_cost = 65536 and touchline.argon2.time_cost = 3")


def _readable_by_others(path):
    try:
        return bool(os.stat(path).st_mode & stat.S_IROTH)
    except OSError:
        return False


def run_checks(ini_path, environ=os.environ, processes=2):
    settings = apply_defaults(dict(get_appsettings(ini_path)), environ)
    checks = [
        check_database(settings, environ, ini_path),
        check_base_url(settings, environ),
        check_hosts(settings, environ),
        check_https(settings, environ),
        check_proxies(settings, environ),
        check_rate_limits(settings, environ, processes),
        check_debug(settings, environ),
        check_mail(settings, environ),
        check_passwords(settings, environ),
    ]
    return [problem for check in checks for problem in check]


def main(argv=sys.argv, environ=os.environ, out=sys.stdout):
    parser = argparse.ArgumentParser(prog="touchline_check", description=__doc__.splitlines()[0])
    parser.add_argument("config_uri", help="the ini file, e.g. production.ini")
    parser.add_argument(
        "--processes", type=int, default=int(environ.get("WEB_CONCURRENCY") or 2),
        help="how many app processes will serve the site (default: $WEB_CONCURRENCY or 2)",
    )
    args = parser.parse_args(argv[1:])
    problems = run_checks(os.path.abspath(args.config_uri), environ, args.processes)
    for problem in problems:
        print(f"FAIL {problem.name}: {problem.problem}.\n     Fix: {problem.fix}.", file=out)
    if problems:
        print(f"{len(problems)} problem(s) in {args.config_uri}.", file=out)
        return 1
    print(f"{args.config_uri}: every production check passes.", file=out)
    return 0
