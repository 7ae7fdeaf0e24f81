"""The site under Apache 2.4 and mod_wsgi (deploy/apache), on the same database.

The system's apache2 runs deploy/apache/touchline.conf inside a main
configuration of the test's (playing Debian's apache2.conf), with the
mod_wsgi module from the virtualenv's pip package, the one
``mod_wsgi-express module-config`` names.  Apache terminates TLS itself.

mod_wsgi refuses to run the app as root, so Apache runs as an unprivileged
user (``nobody`` when the tests run as root, else the tests' own user);
where that user cannot read the Python installation (a Python under
/root), it gets CAP_DAC_READ_SEARCH and nothing else.  Skipped where apache2
or mod_wsgi is not installed, except under CI.
"""
import grp
import os
import pwd
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import require
from tests.deploy.stack import ORIGIN, Endpoint, find_tool, free_ports, log_tail, render, wait_for
from tests.deploy.test_site import A_YEAR, png, security_headers

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

MODULES = "/usr/lib/apache2/modules"
NEEDED_MODULES = ["mpm_event", "authz_core", "alias", "mime", "headers", "ssl", "socache_shmcb"]


def module_config():
    """``LoadModule wsgi_module ...`` and ``WSGIPythonHome ...`` for the virtualenv's mod_wsgi."""
    express = Path(sys.prefix) / "bin" / "mod_wsgi-express"
    if not express.exists():
        return None
    result = subprocess.run([str(express), "module-config"], capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else None


def run_as():
    """Who Apache runs as, and the setpriv prefix that makes it so."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name, grp.getgrgid(os.getegid()).gr_name, []
    user = pwd.getpwnam("nobody")
    group = grp.getgrgid(user.pw_gid).gr_name
    prefix = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups"]
    # The same Python, not just some Python: a libpython the user cannot read
    # is silently replaced by the system's, which may be an older release.
    probe = subprocess.run([*prefix, sys.executable, "-c", "import sys, touchline; print(sys.version)"],
                           capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip() != sys.version:
        prefix += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    return user.pw_name, group, prefix


class Apache:
    def __init__(self, binary, root, ports):
        self.binary = binary
        self.root = root
        self.https, self.http = ports
        self.conf = root / "apache2.conf"
        self.process = None

    def command(self, *args):
        return [self.binary, "-d", str(self.root), "-f", str(self.conf), *args]


@pytest.fixture(scope="module")
def apache(site, stack):
    binary = find_tool("apache2", "/usr/sbin/apache2") or find_tool("httpd")
    wsgi = module_config()
    missing = [name for name, found in (("apache2", binary), ("mod_wsgi (pip install mod_wsgi)", wsgi),
                                        ("setpriv", shutil.which("setpriv") or os.geteuid() != 0)) if not found]
    missing += [f"mod_{name}" for name in NEEDED_MODULES if not Path(MODULES, f"mod_{name}.so").exists()]
    require("The Apache tests", missing)

    user, group, prefix = run_as()
    root = site.root / "apache"
    (root / "run").mkdir(parents=True)
    (site.logs / "apache").mkdir()
    (root / "tls").mkdir()
    # Apache's user reads its own copy of the key, and the site's environment
    # file through its group, as the touchline group does in production.
    for source in (site.cert, site.key):
        shutil.copy(source, root / "tls" / source.name)
    if os.geteuid() == 0:
        uid, gid = pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
        for path in [root, *root.rglob("*"), site.logs / "apache"]:
            os.chown(path, uid, gid)
        os.chown(site.env_file, 0, gid)
        for path in [site.srv / "var", *(site.srv / "var").rglob("*")]:
            os.chown(path, uid, gid)
    server = Apache(binary, root, free_ports(2))
    paths = [(old, new) for old, new in site.paths(site.srv) if "letsencrypt" not in old]
    render(
        "apache/touchline.conf",
        required=[
            ("<VirtualHost *:80>", f"<VirtualHost 127.0.0.1:{server.http}>"),
            ("<VirtualHost *:443>", f"<VirtualHost 127.0.0.1:{server.https}>"),
            ("user=touchline group=touchline", f"user={user} group={group}"),
            ("/etc/letsencrypt/live/club.example.org/fullchain.pem", str(root / "tls" / site.cert.name)),
            ("/etc/letsencrypt/live/club.example.org/privkey.pem", str(root / "tls" / site.key.name)),
        ],
        optional=paths,
        destination=root / "sites-enabled" / "touchline.conf",
    )
    loads = "\n".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in NEEDED_MODULES)
    server.conf.write_text(f"""\
# What Debian's apache2.conf and its enabled modules provide, for this test.
ServerRoot {root}
ServerName localhost
PidFile {root}/run/apache2.pid
DefaultRuntimeDir {root}/run
Mutex file:{root}/run default
{loads}
{wsgi}
WSGISocketPrefix {root}/run/wsgi
{"User " + user if os.geteuid() == 0 else ""}
{"Group " + group if os.geteuid() == 0 else ""}
TypesConfig /etc/mime.types
ErrorLog {site.logs}/apache/main.error.log
LogLevel warn
LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" combined
SSLSessionCache shmcb:{root}/run/ssl_scache(512000)
Listen 127.0.0.1:{server.http}
Listen 127.0.0.1:{server.https}
<Directory />
    Options FollowSymLinks
    AllowOverride None
    Require all denied
</Directory>
IncludeOptional {root}/sites-enabled/*.conf
""")
    environ = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    check = subprocess.run([*prefix, *server.command("-t")], capture_output=True, text=True, env=environ)
    assert check.returncode == 0, check.stdout + check.stderr
    log = open(site.logs / "apache" / "apache.log", "ab")
    server.process = subprocess.Popen([*prefix, *server.command("-DFOREGROUND")], env=environ,
                                      stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    try:
        visitor = site.client(20, Endpoint(server.https, name="Apache"))

        def answering():
            assert server.process.poll() is None, log_tail(site.logs / "apache" / "apache.log")
            try:
                return visitor.get("/healthz", timeout=5).status == 200
            except OSError:
                return False

        wait_for(answering, 60, interval=0.2, message="Apache and mod_wsgi")
        yield server
    finally:
        if server.process.poll() is None:
            os.killpg(server.process.pid, 15)
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.process.pid, 9)
                server.process.wait()


def test_apache_serves_the_app_static_files_and_uploads_with_the_security_headers(site, apache):
    from touchline.uploads import Uploads

    via = Endpoint(apache.https, name="Apache")
    visitor = site.client(20, via)
    page = visitor.get("/")
    assert page.status == 200, page
    assert page.header("Server") == "Apache"
    app_headers = security_headers(page)
    assert all(app_headers.values()), app_headers

    stylesheet = re.search(r'href="(/static/css/touchline\.css\?x=[0-9a-f]+)"', page.text).group(1)
    css = visitor.get(stylesheet)
    assert css.status == 200 and css.header("Content-Type").startswith("text/css")
    assert css.header("Cache-Control") == A_YEAR
    assert security_headers(css) == app_headers
    assert visitor.get("/static/css/touchline.css").header("Cache-Control") == "public, max-age=3600"

    name = Uploads(site.srv / "var" / "uploads").save_image(png((30, 90, 200)))
    image = visitor.get(f"/uploads/{name}")
    assert image.status == 200 and image.header("Content-Type") == "image/png"
    assert image.header("Cache-Control") == A_YEAR
    assert security_headers(image) == app_headers

    missing = visitor.get("/static/nothing-here.css")
    assert missing.status == 404
    assert security_headers(missing) == app_headers

    plain = site.client(20, Endpoint(apache.http, tls=False))
    moved = plain.get("/teams?page=1")
    assert moved.status == 301 and moved.header("Location") == f"{ORIGIN}/teams?page=1"


def test_a_login_through_apache_is_a_login_on_the_nginx_stack_too(site, stack, apache):
    username, password, _ = site.users["admin"]
    visitor = site.client(21, Endpoint(apache.https, name="Apache"))
    response = visitor.login(username, password)
    assert response.status == 303, response
    assert response.header("Location").startswith(f"{ORIGIN}/")
    assert visitor.get("/account.json", endpoint=stack.via_gunicorn).json()["account"]["username"] == username

    token = visitor.csrf_token(endpoint=stack.via_uwsgi)
    assert visitor.post("/logout", form={"csrf_token": token}, endpoint=stack.via_uwsgi).status == 303
    assert visitor.get("/account.json").status == 401


def test_apache_gives_the_app_the_real_client_address(site, apache):
    """No proxy in front: X-Forwarded-For from a client is not believed, so the login limit holds."""
    visitor = site.client(22, Endpoint(apache.https, name="Apache"))
    statuses = []
    for n in range(11):
        forged = {"X-Forwarded-For": f"1.2.3.{n}"}
        response = visitor.login(f"nobody{n}-{site.subnet}", "not a password", headers=forged)
        statuses.append(response.status)
    assert statuses == [400] * 10 + [429]
