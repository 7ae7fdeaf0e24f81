"""One's own account, password changes and resets by mail, account management."""
import datetime
import re

import pytest
from sqlalchemy import select, update
from webtest import TestApp

from touchline.accounts.models import PasswordResetToken
from touchline.testing import PASSWORD, post_form, run_mail_jobs
from touchline.users import User


def test_account_page_updates_name_and_email(testapp, make_user, login):
    make_user("casey", "coach")
    login(testapp, "casey")
    post_form(testapp, "/account", {"display_name": "Casey C.", "email": "casey@example.org"}, status=303)
    page = testapp.get("/account")
    assert page.html.find("input", attrs={"name": "display_name"})["value"] == "Casey C."
    assert "Your details were saved." in page.text


def test_account_form_errors_are_shown_with_the_input(testapp, make_user, login):
    make_user("casey", "coach")
    login(testapp, "casey")
    page = post_form(testapp, "/account", {"display_name": "Casey", "email": "not an email"}, status=400)
    assert page.html.find("input", attrs={"name": "email"})["aria-invalid"] == "true"
    assert "email address" in page.html.find(id="email-errors").text
    assert page.html.find("input", attrs={"name": "email"})["value"] == "not an email"


def test_password_change_needs_the_current_password(testapp, make_user, login):
    make_user("casey", "coach")
    login(testapp, "casey")
    page = post_form(
        testapp, "/account/password",
        {"current_password": "wrong one!!", "new_password": "a new password", "confirm_password": "a new password"},
        page_url="/account", status=400,
    )
    assert "not your current password" in page.text


def test_password_change_ends_the_other_sessions(app, testapp, make_user, login):
    make_user("casey", "coach")
    elsewhere = TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(elsewhere, "casey")
    login(testapp, "casey")
    post_form(
        testapp, "/account/password",
        {"current_password": PASSWORD, "new_password": "a new password", "confirm_password": "a new password"},
        page_url="/account", status=303,
    )
    assert testapp.get("/account").status_int == 200  # this session goes on
    elsewhere.get("/account", status=303)  # the other one is over
    post_form(testapp, "/logout", page_url="/", status=303)
    login(testapp, "casey", "a new password")


def test_outdated_hash_is_upgraded_at_login(app, testapp, dbsession, make_user, login):
    from argon2 import PasswordHasher

    user = make_user("casey", "coach")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    old = user.password_hash
    login(testapp, "casey")
    dbsession.flush()
    dbsession.expire(user)
    assert user.password_hash != old and "m=19456,t=2,p=1" in user.password_hash


def _reset_link(outbox):
    (message,) = outbox
    return re.search(r"https://club\.example\.org(/password-reset/\S+)", message.get_content()).group(1)


@pytest.fixture
def casey(make_committed_user):
    """An account with an email address, committed (for committing_testapp)."""
    return make_committed_user("casey", "coach", email="casey@example.org")


def test_password_reset_by_mail(app, committing_testapp, casey, outbox, login):
    page = post_form(committing_testapp, "/password-reset", {"email": "Casey@Example.org"}, status=200)
    assert "a link to choose a new password is on its way" in page.text
    assert outbox == []  # the mail worker sends it
    assert run_mail_jobs(app) == {"password-reset-links": 1}
    path = _reset_link(outbox)
    assert outbox[0]["To"] == "casey@example.org"
    params = {"new_password": "brand new password", "confirm_password": "brand new password"}
    response = post_form(committing_testapp, path, params, status=303)
    assert "Your password was changed" in response.follow().text
    login(committing_testapp, "casey", "brand new password")
    # Single use: the same link does nothing the second time.
    committing_testapp.get(path, status=404)


def test_reset_link_uses_the_configured_base_url_not_the_host(app, committing_testapp, casey, outbox):
    post_form(committing_testapp, "/password-reset", {"email": "casey@example.org"}, status=200,
              headers={"Host": "localhost:8080"})
    run_mail_jobs(app)
    body = outbox[0].get_content()
    assert "https://club.example.org/password-reset/" in body
    assert "localhost" not in body


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(app, committing_testapp, outbox):
    page = post_form(committing_testapp, "/password-reset", {"email": "nobody@example.org"}, status=200)
    assert "a link to choose a new password is on its way" in page.text
    assert run_mail_jobs(app) == {"password-reset-links": 1}
    assert outbox == []


def test_reset_link_expires_within_the_hour(committing_testapp, casey, outbox, app):
    post_form(committing_testapp, "/password-reset", {"email": "casey@example.org"}, status=200)
    run_mail_jobs(app)
    path = _reset_link(outbox)
    engine = app.registry["touchline.engine"]
    with engine.begin() as connection:
        expires_at = connection.execute(select(PasswordResetToken.expires_at)).scalar_one()
        lifetime = expires_at - datetime.datetime.now(datetime.timezone.utc)
        assert lifetime <= datetime.timedelta(hours=1)
        connection.execute(update(PasswordResetToken).values(
            expires_at=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)))
    committing_testapp.get(path, status=404)


def test_admin_creates_and_edits_an_account(testapp, dbsession, make_user, login):
    make_user("alex", "admin")
    login(testapp, "alex")
    assert "Accounts" in testapp.get("/").html.nav.text
    params = {"username": "jordan", "display_name": "Jordan", "email": "j@example.org",
              "role": "coach", "active": "on", "password": "long enough pw"}
    post_form(testapp, "/users/new", params, status=303)
    jordan = dbsession.scalar(User.by_username("JORDAN"))
    assert jordan.role.value == "coach" and jordan.active
    page = post_form(testapp, "/users/new", params, status=400)
    assert "This username is taken." in page.text
    params.update(role="member", password="")
    post_form(testapp, f"/users/{jordan.id}/edit", params, status=303)
    dbsession.flush()
    dbsession.expire(jordan)
    assert jordan.role.value == "member"


def test_admin_cannot_demote_themselves(testapp, make_user, login):
    alex = make_user("alex", "admin")
    login(testapp, "alex")
    params = {"username": "alex", "role": "member", "active": "on"}
    page = post_form(testapp, f"/users/{alex.id}/edit", params, status=400)
    assert "your own administrator access" in page.text


def test_members_do_not_see_the_accounts_entry(testapp, make_user, login):
    make_user("morgan", "member")
    login(testapp, "morgan")
    assert "Accounts" not in testapp.get("/").html.nav.text
    testapp.get("/users", status=403)


def test_accounts_list_pages_through_every_account(testapp, make_user, login, count_queries):
    make_user("ada", "admin")
    for number in range(25):
        make_user(f"user{number:02d}", "member")
    login(testapp, "ada")
    first = testapp.get("/users")
    names = [row.td.text.strip() for row in first.html.select("table.list tbody tr")]
    assert names == ["ada"] + [f"user{n:02d}" for n in range(19)]
    second = testapp.get(first.html.find("a", rel="next")["href"])
    assert [row.td.text.strip() for row in second.html.select("table.list tbody tr")] == [
        f"user{n:02d}" for n in range(19, 25)
    ]
    assert second.html.find("a", rel="next") is None
    with count_queries() as queries:
        testapp.get("/users?page=2")
    # The session with its user, then the page of accounts: the same for any number of accounts.
    assert len(queries) == 2
