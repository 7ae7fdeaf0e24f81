"""Account hygiene: one live reset link, limits on asking, look-alike names, no anonymous sessions."""
import re

import pytest
from sqlalchemy import func, select

from touchline.accounts.models import PasswordResetRequest, PasswordResetToken
from touchline.sessions import SessionRecord
from touchline.testing import PASSWORD, post_form, run_mail_jobs

NEW = {"new_password": "brand new password", "confirm_password": "brand new password"}


def count(app, model):
    with app.registry["touchline.engine"].connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def ask_for_link(app, client, outbox, email="casey@example.org"):
    post_form(client, "/password-reset", {"email": email}, status=200)
    run_mail_jobs(app)
    return re.search(r"https://club\.example\.org(/password-reset/\S+)", outbox[-1].get_content()).group(1)


@pytest.fixture
def casey(make_committed_user):
    return make_committed_user("casey", "coach", email="casey@example.org")


def test_a_new_link_ends_the_earlier_one(app, committing_testapp, casey, outbox):
    first = ask_for_link(app, committing_testapp, outbox)
    second = ask_for_link(app, committing_testapp, outbox)
    committing_testapp.get(first, status=404)
    committing_testapp.get(second, status=200)
    assert count(app, PasswordResetToken) == 1


def test_using_a_link_ends_every_link(app, committing_testapp, casey, outbox):
    link = ask_for_link(app, committing_testapp, outbox)
    post_form(committing_testapp, link, NEW, status=303)
    committing_testapp.get(link, status=404)
    assert count(app, PasswordResetToken) == 0


def test_changing_the_password_ends_the_links(app, committing_testapp, casey, outbox, login):
    link = ask_for_link(app, committing_testapp, outbox)
    login(committing_testapp, "casey")
    post_form(committing_testapp, "/account/password", {"current_password": PASSWORD, **NEW},
              page_url="/account", status=303)
    committing_testapp.get(link, status=404)


def test_an_admin_setting_the_password_ends_the_links(
    app, committing_testapp, casey, outbox, login, make_committed_user
):
    link = ask_for_link(app, committing_testapp, outbox)
    make_committed_user("alex", "admin")
    login(committing_testapp, "alex")
    post_form(committing_testapp, f"/users/{casey}/edit",
              {"username": "casey", "display_name": "", "email": "casey@example.org", "role": "coach",
               "active": "on", "password": "set by the admin"}, status=303)
    committing_testapp.get(link, status=404)


def test_a_reset_shows_its_message_without_a_session(app, committing_testapp, casey, outbox):
    link = ask_for_link(app, committing_testapp, outbox)
    response = post_form(committing_testapp, link, NEW, status=303)
    page = response.follow()
    assert "Your password was changed. Log in with it now." in page.text
    assert count(app, SessionRecord) == 0
    assert "touchline_session" not in committing_testapp.cookies


def test_asking_for_links_is_limited_per_address(app, committing_testapp, casey, outbox):
    for _ in range(5):
        post_form(committing_testapp, "/password-reset", {"email": "casey@example.org"}, status=200)
    page = post_form(committing_testapp, "/password-reset", {"email": "Casey@example.org"}, status=429)
    assert "Too many requests for a reset link" in page.text
    assert int(page.headers["Retry-After"]) > 0
    assert count(app, PasswordResetRequest) == 5


def test_asking_for_links_is_limited_per_client(committing_testapp):
    for n in range(5):
        post_form(committing_testapp, "/password-reset", {"email": f"someone{n}@example.org"}, status=200)
    page = post_form(committing_testapp, "/password-reset", {"email": "another@example.org"}, status=429)
    assert int(page.headers["Retry-After"]) > 0


def test_the_limit_says_the_same_for_an_unknown_address(committing_testapp):
    for _ in range(5):
        post_form(committing_testapp, "/password-reset", {"email": "nobody@example.org"}, status=200)
    page = post_form(committing_testapp, "/password-reset", {"email": "nobody@example.org"}, status=429)
    assert "Too many requests for a reset link" in page.text


@pytest.mark.parametrize("lookalike, message", [
    ("ＡＤＭＩＮ", "This username is taken."),       # full-width letters: NFKC makes them ADMIN
    ("Admin", "This username is taken."),
    ("аdmin", "Mix no letters from different alphabets that look alike."),  # Cyrillic а
    ("admіn", "Mix no letters from different alphabets that look alike."),  # Ukrainian і
])
def test_look_alikes_of_an_existing_username_are_refused(testapp, make_user, login, lookalike, message):
    make_user("admin", "admin")
    login(testapp, "admin")
    page = post_form(testapp, "/users/new", {"username": lookalike, "display_name": "", "email": "",
                                             "role": "member", "active": "on",
                                             "password": "long enough pw"}, status=400)
    assert message in page.html.find(id="username-errors").text


def test_usernames_from_one_script_are_welcome(testapp, make_user, login, dbsession):
    from touchline.users import User

    make_user("admin", "admin")
    login(testapp, "admin")
    post_form(testapp, "/users/new", {"username": "Ελένη", "display_name": "", "email": "",
                                      "role": "member", "active": "on", "password": "long enough pw"},
              status=303)
    assert dbsession.scalar(User.by_username("ΕΛΈΝΗ")).username == "Ελένη"


def test_a_full_width_login_finds_the_account(testapp, make_user, login):
    make_user("casey", "coach")
    login(testapp, "ｃａｓｅｙ")


def test_anonymous_visitors_never_make_a_session_row(app, committing_testapp):
    for path in ("/", "/teams", "/login", "/password-reset", "/login.json"):
        committing_testapp.get(path)
    post_form(committing_testapp, "/login", {"username": "nobody", "password": "wrong password"}, status=400)
    post_form(committing_testapp, "/password-reset", {"email": "nobody@example.org"}, status=200)
    assert count(app, SessionRecord) == 0
    assert "touchline_session" not in committing_testapp.cookies
