"""Logging in and out, through the login form as a browser would."""
import logging

import pytest

from touchline.testing import PASSWORD, csrf_token_of, post_form


def session_cookie(testapp):
    return testapp.cookies.get("touchline_session")


def test_login_form_has_the_fields_and_a_token(testapp):
    page = testapp.get("/login")
    form = page.html.main.form
    assert form["method"] == "post"
    assert {field["name"] for field in form.find_all("input")} == {"csrf_token", "next", "username", "password"}
    assert page.html.find("label", attrs={"for": "username"}).text == "Username"
    assert page.html.find("label", attrs={"for": "password"}).text == "Password"
    assert csrf_token_of(page)


def test_login_and_logout(testapp, make_user, login):
    make_user("casey", "coach", display_name="Casey Coach")
    response = login(testapp, "Casey")  # usernames are case-insensitive
    assert response.location == "http://localhost/"
    home = testapp.get("/")
    assert "Casey Coach" in home.html.header.text
    assert home.headers["Cache-Control"] == "no-store"
    logout = post_form(testapp, "/logout", page_url="/", status=303)
    assert "touchline_session=;" in logout.headers["Set-Cookie"] or "Max-Age=0" in logout.headers["Set-Cookie"]
    assert "Log in" in testapp.get("/").html.header.text


def test_session_id_changes_at_login(testapp, make_user, login):
    make_user("casey", "coach")
    make_user("sam", "member")
    testapp.set_cookie("touchline_session", "planted-by-someone-else-0123456789")
    login(testapp, "casey")
    first = session_cookie(testapp)
    assert first and first != "planted-by-someone-else-0123456789"
    login(testapp, "sam")
    assert session_cookie(testapp) not in (None, first)


def test_the_login_page_makes_no_session(testapp, dbsession, count_queries):
    from sqlalchemy import func, select

    from touchline.sessions import SessionRecord

    page = testapp.get("/login")
    assert session_cookie(testapp) is None
    assert testapp.cookies.get("touchline_csrf") == csrf_token_of(page)
    testapp.post("/login", {"csrf_token": csrf_token_of(page), "username": "nobody",
                            "password": "wrong password"}, status=400)
    assert dbsession.scalar(select(func.count()).select_from(SessionRecord)) == 0


def test_cookie_replayed_after_logout_is_worthless(testapp, make_user, login):
    make_user("casey", "coach")
    login(testapp, "casey")
    stolen = session_cookie(testapp)
    assert testapp.get("/account", status=200)
    post_form(testapp, "/logout", page_url="/", status=303)
    testapp.set_cookie("touchline_session", stolen)
    response = testapp.get("/account", status=303)
    assert "/login?next=%2Faccount" in response.location


def test_cookie_flags(testapp, make_user, login):
    make_user("casey", "coach")
    cookie = login(testapp, "casey").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert len(session_cookie(testapp)) >= 32


@pytest.mark.parametrize("username, password", [("casey", "wrong password"), ("nobody", PASSWORD)])
def test_wrong_username_or_password_same_answer(testapp, make_user, login, username, password):
    make_user("casey", "coach")
    page = login(testapp, username, password, status=400)
    assert "Wrong username or password." in page.text
    assert page.html.find("input", attrs={"name": "username"})["value"] == username
    assert not page.html.find("input", attrs={"name": "password"}).get("value")


def test_inactive_account_cannot_log_in(testapp, make_user, login):
    make_user("casey", "coach", active=False)
    assert "Wrong username or password." in login(testapp, "casey", status=400).text


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/teams", "http://localhost/teams"),
        ("/teams?x=1", "http://localhost/teams?x=1"),
        ("//evil.example", "http://localhost/"),
        ("https://evil.example", "http://localhost/"),
        ("javascript:alert(1)", "http://localhost/"),
        ("/\\\\evil.example", "http://localhost/"),
        ("\\\\evil.example", "http://localhost/"),
        ("/\\evil.example", "http://localhost/"),
        ("/%0d%0aSet-Cookie:x", "http://localhost/%0d%0aSet-Cookie:x"),
        ("/\nevil", "http://localhost/"),
        ("", "http://localhost/"),
    ],
)
def test_next_only_goes_to_this_site(testapp, make_user, login, target, expected):
    make_user("casey", "coach")
    assert login(testapp, "casey", next=target).location == expected


def test_forbidden_page_sends_anonymous_to_login_and_back(testapp, make_user, login):
    make_user("casey", "coach")
    response = testapp.get("/account", status=303)
    assert response.location == "http://localhost/login?next=%2Faccount"
    page = testapp.get(response.location)
    assert page.html.find("input", attrs={"name": "next"})["value"] == "/account"
    assert login(testapp, "casey", next="/account").location == "http://localhost/account"


def test_login_is_logged_without_secrets(testapp, make_user, login, caplog):
    make_user("casey", "coach")
    caplog.set_level(logging.INFO, logger="touchline.security")
    login(testapp, "casey", "wrong password", status=400)
    login(testapp, "casey")
    post_form(testapp, "/logout", page_url="/", status=303)
    lines = [record.getMessage() for record in caplog.records if record.name == "touchline.security"]
    assert [line.split()[0] for line in lines] == ["login-failed", "login", "logout"]
    assert all("user=casey" in line and "client=" in line for line in lines)
    text = "\n".join(lines)
    assert "wrong password" not in text and PASSWORD not in text
    assert session_cookie(testapp) is None or session_cookie(testapp) not in text


def test_control_characters_in_a_username_are_neutralised_in_logs(testapp, login, caplog):
    caplog.set_level(logging.INFO, logger="touchline.security")
    login(testapp, "eve\nlogin user=admin", "x" * 12, status=400)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "touchline.security"]
    assert "\n" not in line and "eve\\nlogin" in line


def test_eleventh_failure_is_429_and_locks_the_right_password_out(testapp, make_user, login):
    make_user("casey", "coach")
    for _ in range(10):
        login(testapp, "casey", "wrong password", status=400)
    response = login(testapp, "casey", "wrong password", status=429)
    assert int(response.headers["Retry-After"]) > 0
    response = login(testapp, "casey", PASSWORD, status=429)
    assert "Too many failed attempts" in response.text
