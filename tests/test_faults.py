"""Faults that used to reach the client as a bare server error, each driven for real.

Every test causes one fault and checks what the client sees: the status,
the format it asked for, Touchline's own error page or form (never the
server's), the security headers, and that nothing was written.  They run
on SQLite and on PostgreSQL.
"""
import json
import logging
import os
import shutil
import socket
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from webtest import TestApp

from touchline.accounts.models import PasswordResetRequest, PasswordResetToken
from touchline.securityheaders import SECURITY_HEADERS
from touchline.sessions import SessionRecord
from touchline.teams.models import Team
from touchline.testing import (
    HOST,
    PASSWORD,
    csrf_token_of,
    make_app,
    migrate,
    post_form,
    run_mail_jobs,
)
from touchline.users import User

CONTENT_TYPES = {"html": "text/html", "json": "application/json", "xml": "application/xml"}
#: Suffix, headers and the format they ask for.
FORMATS = [
    pytest.param("", {}, "html", id="html"),
    pytest.param("", {"Accept": "application/json"}, "json", id="accept-json"),
    pytest.param(".json", {}, "json", id="suffix-json"),
    pytest.param("", {"Accept": "application/xml"}, "xml", id="accept-xml"),
    pytest.param(".xml", {}, "xml", id="suffix-xml"),
]
CONTROL_CHARACTERS = [pytest.param("\x00", id="nul"), pytest.param("\x1b", id="esc"),
                      pytest.param("\x7f", id="del")]
SESSION_COOKIE = "touchline_session=anything"
#: What the form says beside a refused field: an email field's own message, or the general one.
REFUSED = {"email": "enter an email address like"}
CONTROL = "control characters"


# What every answer must look like -------------------------------------------------------


def assert_security_headers(response):
    for name, _, default in SECURITY_HEADERS:
        assert response.headers.get(name) == " ".join(default.split()), name


def assert_error(response, status, fmt="html"):
    """``response`` is Touchline's error answer with ``status`` in ``fmt``; returns its title."""
    assert response.status_int == status
    assert response.content_type == CONTENT_TYPES[fmt]
    assert_security_headers(response)
    if fmt == "html":
        page = response.html
        assert page.find("nav", attrs={"aria-label": "Main"}) is not None  # in the layout
        assert page.find("p", class_="status").text == f"Error {status}"
        return page.main.h1.text
    if fmt == "json":
        error = response.json["error"]
        assert error["status"] == status
        return error["title"]
    error = ET.fromstring(response.body)
    assert error.tag == "error" and error.findtext("status") == str(status)
    return error.findtext("title")


def assert_form_again(page, field, message):
    """The form is shown again (400) with ``message`` beside ``field``."""
    assert page.status_int == 400
    assert page.content_type == "text/html"
    assert_security_headers(page)
    errors = page.html.find("ul", id=f"{field}-errors")
    assert errors is not None and message in errors.text.lower()
    assert page.html.find(id=field)["aria-invalid"] == "true"


def value_of(page, name):
    return page.html.find("input", attrs={"name": name})["value"]


# The database, read from outside the requests --------------------------------------------


def rows(app, statement):
    with app.registry["touchline.engine"].connect() as connection:
        return connection.execute(statement).all()


def count(app, model):
    return rows(app, sa.select(sa.func.count()).select_from(model))[0][0]


def account_of(app, user_id):
    return rows(app, sa.select(User.username_key, User.display_name, User.email)
                .where(User.id == user_id))[0]


@pytest.fixture
def casey(make_committed_user):
    return make_committed_user("casey", "coach", display_name="Casey Coach",
                               email="casey@example.org")


@pytest.fixture
def alex(make_committed_user):
    return make_committed_user("alex", "admin", display_name="Alex Admin", email="alex@example.org")


def assert_no_reset_mail(app, outbox):
    """Nothing was asked for: the mail worker's jobs find no request and send nothing."""
    assert count(app, PasswordResetRequest) == 0
    run_mail_jobs(app)
    assert outbox == []
    assert count(app, PasswordResetToken) == 0


def log_in(client, username, password=PASSWORD, status=303):
    return post_form(client, "/login", {"username": username, "password": password}, status=status)


# 1. The database is away ------------------------------------------------------------------


def unreachable_url(database_url, directory):
    if database_url.startswith("sqlite"):
        return f"sqlite:///{directory}/missing-directory/touchline.sqlite"
    return "postgresql+psycopg://postgres@127.0.0.1:1/touchline?connect_timeout=2"


@pytest.fixture(scope="module")
def down_app(app_settings, database_url, tmp_path_factory):
    """The site on a database that cannot be reached: a missing directory, a closed port."""
    url = unreachable_url(database_url, tmp_path_factory.mktemp("down"))
    application = make_app(app_settings, **{"sqlalchemy.url": url})
    yield application
    application.registry["touchline.engine"].dispose()


def assert_outage(response, fmt="html"):
    assert assert_error(response, 503, fmt) == "Temporarily unavailable"
    assert response.headers["Retry-After"] == "30"


@pytest.mark.parametrize("cookie", [None, SESSION_COOKIE], ids=["anonymous", "session-cookie"])
@pytest.mark.parametrize("path", ["/", "/teams", "/teams/1", "/news"])
def test_database_outage_is_a_503_page(down_app, path, cookie):
    client = TestApp(down_app, extra_environ={"HTTP_HOST": HOST})
    headers = {"Cookie": cookie} if cookie else {}
    assert_outage(client.get(path, headers=headers, status=503))


def test_database_outage_on_a_members_page_is_a_503_for_a_session_cookie(down_app):
    client = TestApp(down_app, extra_environ={"HTTP_HOST": HOST})
    assert_outage(client.get("/account", headers={"Cookie": SESSION_COOKIE}, status=503))


@pytest.mark.parametrize("cookie", [None, SESSION_COOKIE], ids=["anonymous", "session-cookie"])
@pytest.mark.parametrize("suffix, headers, fmt", FORMATS)
def test_database_outage_answers_in_the_format_asked_for(down_app, cookie, suffix, headers, fmt):
    client = TestApp(down_app, extra_environ={"HTTP_HOST": HOST})
    headers = dict(headers, **({"Cookie": cookie} if cookie else {}))
    assert_outage(client.get(f"/teams{suffix}", headers=headers, status=503), fmt)


@pytest.mark.parametrize("cookie", [None, SESSION_COOKIE], ids=["anonymous", "session-cookie"])
@pytest.mark.parametrize("suffix, headers, fmt", FORMATS)
def test_database_outage_answers_a_login_with_a_503(down_app, cookie, suffix, headers, fmt):
    # An anonymous visitor's CSRF token is the double-submit cookie: form token == cookie.
    client = TestApp(down_app, extra_environ={"HTTP_HOST": HOST})
    cookies = "touchline_csrf=token-from-the-login-page" + (f"; {cookie}" if cookie else "")
    params = {"csrf_token": "token-from-the-login-page", "username": "casey", "password": PASSWORD}
    response = client.post(f"/login{suffix}", params, headers=dict(headers, Cookie=cookies), status=503)
    assert_outage(response, fmt)


@pytest.fixture
def returning_database(app_settings, database_url, tmp_path):
    """Settings for a database that is not there yet, and the function that brings it."""
    if database_url.startswith("sqlite"):
        directory = tmp_path / "later"
        yield {"sqlalchemy.url": f"sqlite:///{directory}/touchline.sqlite"}, directory.mkdir
        return
    name = f"touchline_faults_{uuid.uuid4().hex[:12]}"
    url = sa.engine.make_url(database_url).set(database=name)
    server = sa.create_engine(sa.engine.make_url(database_url).set(database="postgres"),
                              isolation_level="AUTOCOMMIT")

    def bring_back():
        with server.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    yield {"sqlalchemy.url": url.render_as_string(hide_password=False)}, bring_back
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def test_the_same_client_gets_pages_again_when_the_database_returns(
    app_settings, ini_file, returning_database
):
    settings, bring_back = returning_database
    application = make_app(app_settings, **settings)
    try:
        client = TestApp(application, extra_environ={"HTTP_HOST": HOST})
        client.set_cookie("touchline_session", "anything")
        assert_outage(client.get("/teams", status=503))
        assert_outage(client.get("/login", status=503))
        bring_back()
        migrate(ini_file, application.registry)
        assert "No teams are available." in client.get("/teams", status=200).text
        assert client.get("/", status=200).html.find("a", string="Log in") is not None
        log_in(client, "nobody", status=400)
        assert count(application, SessionRecord) == 0
    finally:
        application.registry["touchline.engine"].dispose()


# 2. Control characters, in form fields, JSON bodies and addresses ------------------------------


@pytest.mark.parametrize("char", CONTROL_CHARACTERS)
def test_control_character_in_the_login_username_shows_the_form_again(
    app, committing_testapp, casey, char
):
    page = post_form(committing_testapp, "/login?next=/teams",
                     {"username": f"cas{char}ey", "password": PASSWORD, "next": "/teams"}, status=400)
    assert_form_again(page, "username", CONTROL)
    assert value_of(page, "next") == "/teams"
    assert "touchline_session" not in page.headers.get("Set-Cookie", "")
    assert count(app, SessionRecord) == 0


@pytest.mark.parametrize("char", CONTROL_CHARACTERS)
def test_control_character_in_a_reset_request_shows_the_form_again(
    app, committing_testapp, casey, outbox, char
):
    page = post_form(committing_testapp, "/password-reset", {"email": f"casey{char}@example.org"},
                     status=400)
    assert_form_again(page, "email", REFUSED["email"])
    assert_no_reset_mail(app, outbox)


@pytest.mark.parametrize("char", CONTROL_CHARACTERS)
@pytest.mark.parametrize("field, other", [("email", "display_name"), ("display_name", "email")])
def test_control_character_in_ones_account_shows_the_form_again(
    app, committing_testapp, casey, char, field, other
):
    log_in(committing_testapp, "casey")
    values = {"display_name": "Casey New", "email": "new@example.org"}
    values[field] = values[field][:3] + char + values[field][3:]
    page = post_form(committing_testapp, "/account", values, status=400)
    assert_form_again(page, field, REFUSED.get(field, CONTROL))
    assert value_of(page, other) == values[other]
    assert account_of(app, casey) == ("casey", "Casey Coach", "casey@example.org")


@pytest.mark.parametrize("char", CONTROL_CHARACTERS)
def test_control_character_in_an_edited_accounts_email_shows_the_form_again(
    app, committing_testapp, alex, casey, char
):
    log_in(committing_testapp, "alex")
    values = {"username": "casey2", "display_name": "Casey Two", "email": f"casey{char}@example.org",
              "role": "coach", "active": "on"}
    page = post_form(committing_testapp, f"/users/{casey}/edit", values, status=400)
    assert_form_again(page, "email", REFUSED["email"])
    assert value_of(page, "username") == "casey2"
    assert value_of(page, "display_name") == "Casey Two"
    assert account_of(app, casey) == ("casey", "Casey Coach", "casey@example.org")


@pytest.mark.parametrize("char", CONTROL_CHARACTERS)
@pytest.mark.parametrize("field", ["username", "display_name", "email"])
def test_control_character_in_a_new_account_shows_the_form_again(
    app, committing_testapp, alex, char, field
):
    log_in(committing_testapp, "alex")
    values = {"username": "jordan", "display_name": "Jordan", "email": "jordan@example.org",
              "role": "member", "active": "on", "password": "long enough pw"}
    values[field] = values[field][:2] + char + values[field][2:]
    page = post_form(committing_testapp, "/users/new", values, status=400)
    assert_form_again(page, field, REFUSED.get(field, CONTROL))
    for other in {"username", "display_name", "email"} - {field}:
        assert value_of(page, other) == values[other]
    assert count(app, User) == 1


@pytest.mark.parametrize("char", CONTROL_CHARACTERS)
@pytest.mark.parametrize("path", ["/teams", "/teams.json"])
def test_control_character_in_a_json_write_is_a_422_with_fields(
    app, committing_testapp, alex, char, path
):
    log_in(committing_testapp, "alex")
    token = committing_testapp.get("/account.json").json["account"]["csrf_token"]
    response = committing_testapp.post(
        path, json.dumps({"name": f"a{char}b", "level": "U09"}),
        headers={"Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": token},
        status=422,
    )
    assert assert_error(response, 422, "json") == "Invalid data"
    assert CONTROL in response.json["error"]["fields"]["name"][0]
    assert count(app, Team) == 0


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
@pytest.mark.parametrize(
    "path, headers, fmt, status",
    [
        # No page has a NUL in its address: the slug or id matches nothing.
        pytest.param("/news/a%00b", {}, "html", 404, id="path"),
        pytest.param("/news/a%00b.json", {}, "json", 404, id="path-json"),
        pytest.param("/teams/%00", {"Accept": "application/xml"}, "xml", 404, id="path-xml"),
        # A search refuses it as bad input before it gets near the database.
        pytest.param("/catalogs/?q=%00", {}, "html", 400, id="search"),
        pytest.param("/catalogs/?q=%00", {"Accept": "application/json"}, "json", 400, id="search-json"),
    ],
)
def test_nul_in_the_address_is_a_clean_4xx(committing_testapp, casey, logged_in, path, headers, fmt, status):
    if logged_in:
        log_in(committing_testapp, "casey")
    response = committing_testapp.get(path, headers=headers, status=status)
    assert assert_error(response, status, fmt)


@pytest.mark.parametrize("next_", ["/%00", "/\x00"], ids=["encoded", "raw"])
def test_nul_in_next_leaves_the_login_form_going_home(committing_testapp, next_):
    # Not percent-encoded, waitress hands a NUL to the application as it is.
    page = committing_testapp.get(f"/login?next={next_}", status=200)
    assert page.html.find("input", attrs={"name": "next"})["value"] == "/"
    assert_security_headers(page)


# 3. Email fields: one address, one line, no markup -------------------------------------------

BAD_EMAILS = ["m1@x.io,evil@evil.example", "a@b.io\r\nBcc: x@y.io", "<b>x</b>@x.io"]


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_a_reset_request_for_a_bad_address_shows_the_form_and_mails_nothing(
    app, committing_testapp, make_committed_user, outbox, email
):
    make_committed_user("m1", email="m1@x.io")
    make_committed_user("ab", email="a@b.io")
    page = post_form(committing_testapp, "/password-reset", {"email": email}, status=400)
    assert_form_again(page, "email", REFUSED["email"])
    assert_no_reset_mail(app, outbox)


def test_a_reset_request_for_a_good_address_mails_the_link(app, committing_testapp, casey, outbox):
    # What the refusals above are measured against: a good address does get a link.
    post_form(committing_testapp, "/password-reset", {"email": "Casey@Example.ORG"}, status=200)
    run_mail_jobs(app)
    assert [message["To"] for message in outbox] == ["Casey Coach <casey@example.org>"]


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_a_bad_address_on_ones_account_shows_the_form_again(app, committing_testapp, casey, email):
    log_in(committing_testapp, "casey")
    page = post_form(committing_testapp, "/account",
                     {"display_name": "Casey New", "email": email}, status=400)
    assert_form_again(page, "email", REFUSED["email"])
    assert value_of(page, "display_name") == "Casey New"
    assert account_of(app, casey) == ("casey", "Casey Coach", "casey@example.org")


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_a_bad_address_for_a_new_account_shows_the_form_again(app, committing_testapp, alex, email):
    log_in(committing_testapp, "alex")
    values = {"username": "jordan", "display_name": "Jordan", "email": email,
              "role": "member", "active": "on", "password": "long enough pw"}
    page = post_form(committing_testapp, "/users/new", values, status=400)
    assert_form_again(page, "email", REFUSED["email"])
    assert value_of(page, "username") == "jordan"
    assert count(app, User) == 1


def test_an_address_in_upper_case_is_stored_with_its_domain_lower_cased(
    app, committing_testapp, alex
):
    log_in(committing_testapp, "alex")
    post_form(committing_testapp, "/account",
              {"display_name": "Alex", "email": "Alex.Admin@Example.ORG"}, status=303)
    values = {"username": "jordan", "display_name": "Jordan", "email": "Jordan@EXAMPLE.org",
              "role": "member", "active": "on", "password": "long enough pw"}
    post_form(committing_testapp, "/users/new", values, status=303)
    emails = dict(rows(app, sa.select(User.username, User.email)))
    assert emails == {"alex": "Alex.Admin@example.org", "jordan": "Jordan@example.org"}


# 4. Where a login returns to ------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["/\u3002evil", "//evil.example", "https://evil.example", "/\\evil", "javascript:alert(1)"]
)
def test_a_login_with_an_unsafe_next_goes_to_the_home_page(committing_testapp, casey, target):
    page = committing_testapp.get("/login?next=" + quote(target, safe=""))
    assert value_of(page, "next") == "/"
    params = {"csrf_token": csrf_token_of(page), "username": "casey", "password": PASSWORD,
              "next": target}  # as a forged form would send it
    response = committing_testapp.post("/login", params, status=303)
    assert response.location == "http://localhost/"
    assert "touchline_session=" in response.headers["Set-Cookie"]
    assert_security_headers(response)


# 5 and 6. Faults at commit time and in the exception views ---------------------------------------


@pytest.fixture
def faults(app_settings, database_url, committing_testapp, casey):
    """The site plus tests.support.faults, on the test database, with casey logged in."""
    application = make_app(app_settings, **{
        "sqlalchemy.url": database_url,
        "touchline.addons": "touchline.accounts touchline.teams tests.support.faults",
    })
    client = TestApp(application, extra_environ={"HTTP_HOST": HOST})
    log_in(client, "casey")
    yield client
    application.registry["touchline.engine"].dispose()


@pytest.mark.parametrize("suffix, headers, fmt", FORMATS)
def test_a_commit_that_breaks_the_logged_in_user_gets_the_error_page(
    app, faults, casey, suffix, headers, fmt
):
    response = faults.post(f"/_faults/unsaveable-user{suffix}", headers=headers, status=(409, 500))
    assert_error(response, response.status_int, fmt)
    assert count(app, Team) == 0
    assert account_of(app, casey) == ("casey", "Casey Coach", "casey@example.org")
    assert faults.get("/account", status=200).html.main.strong.text == "casey"  # still logged in


@pytest.mark.parametrize("case", ["commit-fails", "exception-view-raises"])
@pytest.mark.parametrize("suffix, headers, fmt", FORMATS)
def test_a_failing_commit_or_exception_view_gets_touchlines_500(
    app, faults, case, suffix, headers, fmt, caplog
):
    response = faults.post(f"/_faults/{case}{suffix}", headers=headers, status=500)
    assert assert_error(response, 500, fmt) == "Something went wrong"
    assert "RuntimeError" not in response.text and "a page failed" not in response.text
    assert count(app, Team) == 0
    assert any(record.levelno == logging.ERROR for record in caplog.records)


@pytest.mark.parametrize("case", ["broken-layout", "commit-and-page-fail"])
def test_when_even_the_error_page_fails_the_answer_is_touchlines_plain_text(
    app, faults, case, caplog
):
    response = faults.post(f"/_faults/{case}", status=500)
    assert response.content_type == "text/plain"
    assert response.text.startswith("Something went wrong\n")
    assert_security_headers(response)
    assert count(app, Team) == 0
    assert "the error page failed too" in caplog.text


# 7. Redis goes away: logins still work, and are still limited ---------------------------------


@pytest.fixture
def redis_server():
    """A redis-server of this test's own, on a free port: ``(process, client, url)``."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    redis = pytest.importorskip("redis")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    yield process, client, url
    client.close()
    if process.poll() is None:
        process.kill()
        process.wait()


def test_logins_work_and_are_limited_when_redis_goes_down(
    app_settings, database_url, committing_testapp, casey, redis_server, caplog, monkeypatch
):
    process, redis_client, url = redis_server
    monkeypatch.delenv("TOUCHLINE_RATELIMIT_STORAGE_URL", raising=False)  # it would win
    application = make_app(app_settings, **{
        "sqlalchemy.url": database_url,
        "touchline.ratelimit.storage_url": url,
        "touchline.login.max_failures": "3",
    })
    try:
        client = TestApp(application, extra_environ={"HTTP_HOST": HOST})
        log_in(client, "casey", "wrong password", status=400)
        assert redis_client.keys()  # counted in Redis while it is up
        log_in(client, "casey")
        process.kill()
        process.wait()
        caplog.set_level(logging.WARNING, logger="touchline.ratelimit")

        client = TestApp(application, extra_environ={"HTTP_HOST": HOST})
        log_in(client, "casey", status=303)
        for _ in range(3):
            log_in(client, "casey", "wrong password", status=400)
        locked = log_in(client, "casey", status=429)
        assert int(locked.headers["Retry-After"]) > 0
        assert "Too many failed attempts" in locked.text
        assert_security_headers(locked)
        assert any(record.name == "touchline.ratelimit" and record.levelno == logging.WARNING
                   for record in caplog.records)
    finally:
        application.registry["touchline.engine"].dispose()
