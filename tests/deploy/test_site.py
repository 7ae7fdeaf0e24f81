"""The site as deployed: nginx terminating TLS in front of gunicorn and uWSGI.

Every request here goes over real sockets to the processes that
deploy/'s files configure (see ``conftest.py``): clients at their own
loopback addresses talk HTTPS to nginx, which serves static files and
uploads itself and passes the rest to two gunicorn instances (HTTP) or a
uWSGI (the uwsgi protocol).  What is checked is what a visitor or an
operator would see: statuses, headers, who is logged in, what the
database holds afterwards.
"""
import contextlib
import io
import re
import secrets
import shutil
import signal
import subprocess
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from tests.deploy.conftest import Database, package_root, require
from tests.deploy.stack import ORIGIN, Endpoint, Load, session_hash, wait_for
from touchline.securityheaders import SECURITY_HEADERS

pytestmark = [pytest.mark.deploy, pytest.mark.xdist_group("deploy")]

#: The headers every response carries, the app's and nginx's alike (production.ini turns HSTS on).
SECURITY = [name for name, _setting, _default in SECURITY_HEADERS] + ["Strict-Transport-Security"]
A_YEAR = "public, max-age=31536000, immutable"


def security_headers(response):
    return {name: response.header(name) for name in SECURITY}


@contextlib.contextmanager
def frozen(servers):
    """Every app server stopped dead (SIGSTOP): any request that reaches one hangs."""
    for server in servers:
        server.signal_group(signal.SIGSTOP)
    try:
        yield
    finally:
        for server in servers:
            server.signal_group(signal.SIGCONT)


def png(colour=(200, 30, 30)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


def upload_product_image(admin):
    """A product with a photo, through the shop's forms: the photo's URL path."""
    token = admin.csrf_token()
    name = f"Kit {secrets.token_hex(3)}"
    response = admin.post("/catalogs/categories/new", form={"name": name, "csrf_token": token})
    assert response.status == 303, response
    categories = admin.get("/catalogs/categories.json").json()["categories"]
    category = next(category["id"] for category in categories if category["name"] == name)
    response = admin.post(
        "/catalogs/products/new",
        form={"name": "Club shirt", "description": "Home colours", "category": str(category),
              "price": "12.50", "sizes": "S M L", "in_stock": "on", "csrf_token": token},
        files={"image": ("shirt.png", "image/png", png())},
    )
    assert response.status == 303, response
    product = admin.get(urlsplit(response.header("Location")).path + ".json").json()["product"]
    assert product["image"], product
    return urlsplit(product["image"]).path


def access_log(stack):
    return (stack.site.logs / "touchline.access.log").read_text()


# a. Static files and uploads ------------------------------------------------------------


def test_nginx_serves_static_files_and_uploads_itself_with_a_year_of_caching(stack):
    admin = stack.logged_in(2)
    upload = upload_product_image(admin)
    page = stack.client(3).get("/")
    assert page.status == 200, page
    stylesheet = re.search(r'href="(/static/css/touchline\.css\?x=[0-9a-f]+)"', page.text).group(1)
    app_headers = security_headers(page)
    assert all(app_headers.values()), app_headers

    # The app servers cannot answer now: whatever still works, nginx did alone.
    with frozen(stack.app_servers):
        for endpoint in (stack.via_gunicorn, stack.via_uwsgi):
            visitor = stack.client(3, endpoint)
            css = visitor.get(stylesheet, timeout=5)
            assert css.status == 200, css
            assert css.header("Content-Type").startswith("text/css")
            assert css.header("Cache-Control") == A_YEAR
            assert security_headers(css) == app_headers
            assert css.header("Server") == "nginx"
            assert css.body == (package_root() / "touchline" / "static" / "css" / "touchline.css").read_bytes()

            # Without its hash a URL may change meaning: an hour only.
            plain = visitor.get("/static/css/touchline.css", timeout=5)
            assert plain.status == 200
            assert plain.header("Cache-Control") == "public, max-age=3600"

            image = visitor.get(upload, timeout=5)
            assert image.status == 200, image
            assert image.header("Content-Type") == "image/png"
            assert image.body.startswith(b"\x89PNG\r\n")
            assert image.header("Cache-Control") == A_YEAR
            assert security_headers(image) == app_headers

            missing = visitor.get("/static/css/nothing-here.css", timeout=5)
            assert missing.status == 404
            assert security_headers(missing) == app_headers
            assert "immutable" not in (missing.header("Cache-Control") or "")

            listing = visitor.get("/uploads/", timeout=5)
            assert listing.status in (403, 404)
            assert upload.rsplit("/", 1)[1] not in listing.text

    # nginx's log agrees: none of those requests had an upstream.
    for line in access_log(stack).splitlines():
        if re.search(r'"GET /(static|uploads)/', line):
            assert "upstream=- " in line, line


def test_nginx_sends_http_to_https_refuses_huge_bodies_and_hides_its_version(stack):
    plain = stack.client(3, Endpoint(stack.site.ports["http_gunicorn"], tls=False))
    response = plain.get("/teams?page=1")
    assert response.status == 301
    assert response.header("Location") == f"{ORIGIN}/teams?page=1"
    assert response.header("Server") == "nginx"

    visitor = stack.client(3)
    # production.ini's touchline.max_body_size is 10 MiB; nginx refuses more before reading it.
    too_big = visitor.post("/login", body=b"x" * (10 * 1024 * 1024 + 1),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert too_big.status == 413
    assert "nginx/" not in too_big.text
    # A body just under the limit reaches the app (which wants a CSRF token).
    under = visitor.post("/login", body=b"x=" + b"y" * (10 * 1024 * 1024 - 100),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert under.status == 400, under


# b. Sessions are shared ------------------------------------------------------------------


def test_a_login_on_one_app_server_is_known_to_all_and_a_logout_ends_it_everywhere(stack, site):
    username, password, _ = site.users["admin"]
    visitor = stack.client(4)
    response = visitor.login(username, password)
    assert response.status == 303, response
    assert response.header("Location").startswith(f"{ORIGIN}/")
    cookie = next(c for c in response.headers.get_all("Set-Cookie") if c.startswith("touchline_session="))
    assert {"secure", "httponly", "samesite=lax"} <= {part.strip().lower() for part in cookie.split(";")}
    assert response.header("Cache-Control") == "no-store"

    everywhere = [stack.gunicorn_a, stack.gunicorn_b, stack.via_uwsgi]
    for endpoint in everywhere:
        account = visitor.get("/account.json", endpoint=endpoint)
        assert account.status == 200, (endpoint, account)
        assert account.json()["account"]["username"] == username

    copied = visitor.copy()
    token = visitor.csrf_token(endpoint=stack.via_uwsgi)
    response = visitor.post("/logout", form={"csrf_token": token}, endpoint=stack.via_uwsgi)
    assert response.status == 303, response
    assert "touchline_session" not in visitor.cookies

    for endpoint in everywhere:
        account = copied.get("/account.json", endpoint=endpoint)
        assert account.status == 401, (endpoint, account)


# c. The login limit counts real clients ------------------------------------------------------


def test_the_login_limit_counts_each_real_client_across_app_servers(stack, site):
    casey, casey_password, _ = site.users["casey"]
    dana, dana_password, _ = site.users["dana"]
    attacker = stack.client(6)
    statuses = []
    for n in range(11):
        # The token from one app server, the login to another: gunicorn A, uWSGI, gunicorn B, ...
        token = attacker.get("/login.json", endpoint=stack.via_uwsgi).json()["login"]["csrf_token"]
        response = attacker.post(
            "/login", form={"username": casey, "password": f"not the password {n}", "csrf_token": token},
            endpoint=(stack.via_gunicorn, stack.via_uwsgi)[n % 2],
        )
        statuses.append(response.status)
    assert statuses == [400] * 10 + [429]
    upstreams = set(re.findall(
        rf'^{re.escape(attacker.address)} .*"POST /login HTTP/1.1" \d+ .*upstream=(\S+) ',
        access_log(stack), re.M,
    ))
    assert upstreams >= {f"127.0.0.1:{stack.site.ports[name]}" for name in ("gunicorn_a", "gunicorn_b", "uwsgi")}

    # Locked out, even with the right password, on every app server ...
    locked = attacker.login(casey, casey_password)
    assert locked.status == 429, locked
    assert 0 < int(locked.header("Retry-After")) <= 301
    # ... for every account from that client ...
    assert attacker.login(dana, dana_password, endpoint=stack.via_uwsgi).status == 429
    # ... and for that account from every client.
    neighbour = stack.client(7)
    assert neighbour.login(casey, casey_password).status == 429
    # Another client logs in to another account.
    assert neighbour.login(dana, dana_password, endpoint=stack.via_uwsgi).status == 303

    # Talking to an app server directly and claiming to be someone else
    # (X-Forwarded-For) does not help: only nginx's word is believed.
    sneaky = stack.client(8)
    statuses = []
    for n in range(11):
        endpoint = Endpoint(stack.site.ports[("gunicorn_a", "gunicorn_b")[n % 2]], tls=False)
        forged = {"X-Forwarded-For": f"1.2.3.{n}", "X-Forwarded-Proto": "https"}
        response = sneaky.login(f"ghost{n}-{site.subnet}", "not a password", endpoint=endpoint, headers=forged)
        statuses.append(response.status)
    assert statuses == [400] * 10 + [429]


# d. kill -9 under load -----------------------------------------------------------------------


def create_teams(prefix, token):
    """A Load request: create a team with a unique name; records (name, status)."""

    def request(client, thread, n):
        name = f"{prefix}{thread}-{n}"
        try:
            response = client.post(
                "/teams", json_body={"name": name, "level": "U11"},
                headers={"X-CSRF-Token": token, "Accept": "application/json"},
            )
        except OSError as exc:
            return name, exc
        return name, response.status

    return request


def teams_named(site, prefix):
    rows = site.database.query("SELECT name FROM teams WHERE name LIKE %s", (prefix + "%",))
    return [name for (name,) in rows]


def test_killing_an_app_server_loses_no_acknowledged_write_and_writes_no_failed_one(stack, site):
    """kill -9 of gunicorn A while four clients create teams through nginx.

    A lock on the teams table holds every write in flight until gunicorn A
    surely has one (PostgreSQL says so: its connections are named), so the
    kill always lands mid-request.  nginx must answer those requests 502
    and not send them to gunicorn B, which would write what the client is
    told failed; requests after the kill go to B.
    """
    admin = stack.logged_in(9)
    token = admin.csrf_token()
    victim = stack.gunicorn[0]
    prefix = f"K{secrets.token_hex(2)}-"
    # Patient clients: their writes wait on the lock for as long as the test needs.
    clients = [admin.copy() for _ in range(4)]
    for client in clients:
        client.timeout = 90
    load = Load(clients, create_teams(prefix, token))
    with site.database.connect() as locker:
        locker.execute("BEGIN")
        locker.execute("LOCK TABLE teams IN EXCLUSIVE MODE")
        with load:
            wait_for(lambda: writes_waiting(site, "touchline-gunicorn-a") >= 1, 20,
                     message="a write in flight on gunicorn A")
            victim.kill()
            locker.execute("COMMIT")
            # The load goes on with gunicorn A down, then A comes back (Restart=on-failure).
            time.sleep(1.5)
            victim.start()
            wait_for(lambda: healthy(stack, stack.gunicorn_a), 30, message="gunicorn A back")
            time.sleep(0.5)

    outcomes = load.results
    acknowledged = {name for name, status in outcomes if status == 201}
    failed = {name: status for name, status in outcomes if status != 201}
    written = teams_named(site, prefix)
    assert len(acknowledged) >= 10, outcomes
    assert len(written) == len(set(written)), "a team was written twice"
    assert acknowledged <= set(written), f"acknowledged but lost: {acknowledged - set(written)}"
    assert not set(failed) & set(written), f"failed but written: {set(failed) & set(written)}"
    # The writes in flight on gunicorn A failed, as nginx's 502, rather than being sent again.
    assert failed, "no request failed: nginx sent a POST to a second app server"
    assert set(failed.values()) == {502}, failed


def writes_waiting(site, application_name):
    return site.database.query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
        "AND application_name = %s AND wait_event_type = 'Lock'",
        (site.database.name, application_name),
    )[0][0]


def healthy(stack, endpoint):
    try:
        return stack.client(3).get("/healthz", endpoint=endpoint, timeout=2).status == 200
    except OSError:
        return False


# e. Graceful reloads -------------------------------------------------------------------------


def replaced(server, before, count):
    now = server.workers()
    return len(now) == count and not now & before


def test_reloading_the_app_servers_under_load_fails_no_request(stack, site):
    """``systemctl reload`` of every app server (gunicorn HUP, uWSGI chain reload) under load.

    The workers are all replaced (new processes, new code) while four
    clients read and write through nginx; every answer is a success.
    """
    admin = stack.logged_in(10)
    token = admin.csrf_token()
    prefix = f"R{secrets.token_hex(2)}-"

    def request(client, thread, n):
        endpoint = (stack.via_gunicorn, stack.via_uwsgi)[thread % 2]
        if n % 3 == 2:
            return client.post("/teams", json_body={"name": f"{prefix}{thread}-{n}", "level": "U09"},
                               headers={"X-CSRF-Token": token, "Accept": "application/json"},
                               endpoint=endpoint).status
        return client.get("/teams.json?page=1", endpoint=endpoint).status

    before = {server.name: server.workers() for server in stack.app_servers}
    assert all(before.values()), before
    load = Load([admin.copy() for _ in range(4)], request)
    with load:
        wait_for(lambda: load.count() >= 20, 20, message="the load to start")
        for server in stack.app_servers:
            server.reload()
        for server in stack.app_servers:
            wait_for(lambda server=server: replaced(server, before[server.name], len(before[server.name])),
                     90, interval=0.2, message=f"{server.name}'s workers to be replaced")
        done = load.count()
        wait_for(lambda: load.count() >= done + 20, 20, message="more load after the reloads")

    failures = [outcome for outcome in load.results if not (isinstance(outcome, int) and 200 <= outcome < 400)]
    assert not failures, f"{len(failures)} of {len(load.results)} requests failed: {failures[:10]}"


# f. Database outage --------------------------------------------------------------------------


def test_a_database_outage_gives_503s_and_the_site_recovers_within_a_second(stack, site):
    """Our database refuses connections and its sessions are ended, as in a failover.

    Every page, anonymous or logged in, HTML or JSON, on every app server,
    is a 503 with Retry-After and the security headers; the liveness check
    stays up and the readiness check says why.  Once the database is back,
    the next request works, within a second, for the same logged-in user.
    """
    admin = stack.logged_in(11)
    anonymous = stack.client(12)
    pages = [
        (anonymous, "/", {}, "text/html"),
        (anonymous, "/teams", {"Accept": "application/json"}, "application/json"),
        (admin, "/account", {}, "text/html"),
        (admin, "/teams.json", {}, "application/json"),
    ]
    endpoints = [stack.gunicorn_a, stack.gunicorn_b, stack.via_uwsgi]
    expected_headers = {name: default for name, _setting, default in SECURITY_HEADERS}
    expected_headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    for endpoint in endpoints:
        for client, path, headers, _ in pages:
            assert client.get(path, endpoint=endpoint, headers=headers).status == 200

    site.database.allow_connections(False)
    try:
        problems = []
        for endpoint in [stack.via_gunicorn, *endpoints]:
            for client, path, headers, content_type in pages:
                who = "logged in" if client is admin else "anonymous"
                response = client.get(path, endpoint=endpoint, headers=headers)
                if response.status != 503:
                    problems.append(f"{endpoint.name} {who} {path}: {response.status} {response.text[:200]!r}")
                    continue
                assert (response.header("Retry-After") or "").isdigit(), response.headers
                assert response.header("Content-Type").startswith(content_type), response.headers
                assert security_headers(response) == expected_headers
                if content_type == "application/json":
                    assert response.json()["error"]["status"] == 503
            assert anonymous.get("/healthz", endpoint=endpoint).status == 200
            assert anonymous.get("/readyz", endpoint=endpoint).status == 503
        assert not problems, "\n".join(problems)
    finally:
        site.database.allow_connections(True)
    returned = time.monotonic()

    def first_success(endpoint, client, path, headers):
        while time.monotonic() - returned < 5:
            response = client.get(path, endpoint=endpoint, headers=headers)
            if response.status == 200:
                return time.monotonic() - returned
            time.sleep(0.02)
        return None

    with ThreadPoolExecutor(max_workers=len(pages) * len(endpoints)) as pool:
        delays = {
            (endpoint.name, path, client is admin): pool.submit(
                first_success, endpoint, client.copy(), path, headers)
            for endpoint in endpoints for client, path, headers, _ in pages
        }
        delays = {key: future.result() for key, future in delays.items()}
    slow = {key: delay for key, delay in delays.items() if delay is None or delay >= 1.0}
    assert not slow, f"not back within a second of the database: {slow}"
    assert admin.get("/account.json").json()["account"]["username"] == site.users["admin"][0]


# The jobs ------------------------------------------------------------------------------------


def test_a_reset_link_is_queued_by_the_app_and_sent_by_the_mail_queue_worker(stack, site):
    """The app only queues mail; touchline-mailqueue.service delivers it to the relay."""
    username, _, email = site.users["erin"]
    visitor = stack.client(13, stack.via_uwsgi)
    token = visitor.get("/login.json").json()["login"]["csrf_token"]
    response = visitor.post("/password-reset", form={"email": email, "csrf_token": token})
    assert response.status == 200, response

    message = site.smtp.wait_for(lambda data: email.encode() in data, timeout=30)
    assert message is not None, "the reset mail never reached the relay"
    link = re.search(rb"https://club\.example\.org/password-reset/[A-Za-z0-9_-]+", message)
    assert link, message
    page = visitor.get(urlsplit(link.group().decode()).path, endpoint=stack.via_gunicorn)
    assert page.status == 200, page
    assert stack.mailqueue.alive()


def backdate(site, table, where, params, days=3):
    """Move every timestamp of the matching rows ``days`` into the past."""
    columns = [name for (name,) in site.database.query(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND data_type LIKE 'timestamp%%'", (table,))]
    assert columns, table
    assignments = ", ".join(f"{column} = {column} - interval '{days} days'" for column in columns)
    return site.database.query(f"UPDATE {table} SET {assignments} WHERE {where}", params)


def test_the_hourly_purge_deletes_expired_sessions_and_reset_links(stack, site):
    """touchline-purge.service, as its timer runs it, on sessions and links three days old.

    Their timestamps are moved back in the database (every timestamp column,
    whatever the schema calls them); a live session of the same user stays.
    """
    username, password, email = site.users["frank"]
    stale = stack.logged_in(14, "frank")
    live = stack.logged_in(15, "frank", endpoint=stack.via_uwsgi)
    visitor = stack.client(16)
    token = visitor.get("/login.json").json()["login"]["csrf_token"]
    assert visitor.post("/password-reset", form={"email": email, "csrf_token": token}).status == 200
    # Once the link is in the mail, its token is in the database.
    assert site.smtp.wait_for(lambda data: email.encode() in data, timeout=30), "no reset mail"
    user_id = site.database.query("SELECT id FROM users WHERE username = %s", (username,))[0][0]
    assert site.database.query("SELECT count(*) FROM password_reset_tokens WHERE user_id = %s", (user_id,))[0][0]
    assert backdate(site, "sessions", "id_hash = %s", (session_hash(stale.session_id()),)) == 1
    backdate(site, "password_reset_tokens", "user_id = %s", (user_id,))

    result = site.service(site.srv, "touchline-purge.service", "purge").run()
    assert result.returncode == 0, result.stdout + result.stderr

    def count(sql, *params):
        return site.database.query(sql, params)[0][0]

    assert count("SELECT count(*) FROM sessions WHERE id_hash = %s", session_hash(stale.session_id())) == 0
    assert count("SELECT count(*) FROM sessions WHERE id_hash = %s", session_hash(live.session_id())) == 1
    assert count("SELECT count(*) FROM password_reset_tokens WHERE user_id = %s", user_id) == 0
    assert live.get("/account.json").json()["account"]["username"] == username


def test_the_nightly_backup_restores_to_the_same_site(stack, site):
    """touchline-backup.service's dump and tar, restored into a new database and directory."""
    from touchline.uploads import Uploads

    require("The backup test", [tool for tool in ("pg_dump", "pg_restore") if not shutil.which(tool)])
    photo = Uploads(site.srv / "var" / "uploads").save_image(png((20, 160, 60)))
    result = site.service(site.srv, "touchline-backup.service", "backup").run()
    assert result.returncode == 0, result.stdout + result.stderr
    backups = site.runtime(site.srv) / "state" / "touchline-backups"
    dump, = sorted(backups.glob("touchline-*.dump"))[-1:]
    archive, = sorted(backups.glob("uploads-*.tar.gz"))[-1:]

    restored = Database(site.database.server.render_as_string(hide_password=False))
    restored.create()
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", restored.conninfo, str(dump)],
                       check=True, capture_output=True, text=True, timeout=120)
        for sql in ("SELECT username, role, email FROM users ORDER BY username",
                    "SELECT name, level FROM teams ORDER BY name",
                    "SELECT name, image FROM catalog_products ORDER BY name"):
            assert restored.query(sql) == site.database.query(sql), sql
    finally:
        restored.drop()
    with tarfile.open(archive) as tar:
        assert f"uploads/{photo}" in tar.getnames()
