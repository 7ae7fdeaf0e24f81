"""The admins' account forms (``UserEditor`` on the CRUD layer): what is the accounts' own."""
import logging

import pytest
from sqlalchemy import func, select
from webtest import TestApp

from touchline.sessions import SessionRecord
from touchline.testing import PASSWORD, post_form
from touchline.users import User

TYPED = "a password typed in"
NEW = {"username": "jordan", "display_name": "Jordan", "email": "jordan@example.org",
       "role": "member", "active": "on", "password": TYPED}


def test_creating_and_saving_an_account_are_security_events(testapp, dbsession, make_user, login, caplog):
    make_user("alex", "admin")
    login(testapp, "alex")
    with caplog.at_level(logging.INFO, logger="touchline.security"):
        page = post_form(testapp, "/users/new", NEW, status=303).follow()
        assert "The account jordan was created." in page.text
        jordan = dbsession.scalar(User.by_username("jordan"))
        page = post_form(testapp, f"/users/{jordan.id}/edit", {**NEW, "password": ""}, status=303).follow()
        assert "The account jordan was saved." in page.text
    assert page.request.path == "/users"
    lines = [record.getMessage() for record in caplog.records]
    assert [line.split(" client=")[0] for line in lines if line.startswith("user-")] == [
        "user-created user=alex", "user-updated user=alex"]
    assert all("account=jordan" in line and TYPED not in line for line in lines if line.startswith("user-"))


@pytest.mark.parametrize("change, field", [
    ({"password": "too short"}, "password"),
    ({"password": ""}, "password"),
    ({"username": "alex"}, "username"),
    ({"email": "not an address"}, "email"),
])
def test_a_new_account_form_with_mistakes_never_shows_the_password_again(
    testapp, make_user, login, caplog, change, field
):
    make_user("alex", "admin")
    login(testapp, "alex")
    params = {**NEW, **change}
    with caplog.at_level(logging.INFO, logger="touchline.security"):
        page = post_form(testapp, "/users/new", params, status=400)
    assert page.html.find(id=f"{field}-errors").text.strip()
    if params["password"]:
        assert params["password"] not in page.text
    assert page.html.find("input", attrs={"name": "display_name"})["value"] == "Jordan"
    assert "user-created" not in caplog.text


def test_an_edit_sets_a_new_password_only_when_one_is_given(testapp, make_user, login):
    make_user("alex", "admin")
    casey = make_user("casey", "coach")
    login(testapp, "alex")
    edit = {"username": "casey", "role": "coach", "active": "on"}
    page = post_form(testapp, f"/users/{casey.id}/edit", {**edit, "password": "short"}, status=400)
    assert "Use at least 10 characters." in page.html.find(id="password-errors").text
    assert "short" not in page.html.find("input", attrs={"name": "password"}).get("value", "")
    post_form(testapp, f"/users/{casey.id}/edit", {**edit, "password": ""}, status=303)
    login(TestApp(testapp.app, extra_environ=testapp.extra_environ), "casey", PASSWORD)
    post_form(testapp, f"/users/{casey.id}/edit", {**edit, "password": TYPED}, status=303)
    login(TestApp(testapp.app, extra_environ=testapp.extra_environ), "casey", TYPED)


def _sessions_of(dbsession, user):
    return dbsession.scalar(select(func.count()).select_from(SessionRecord)
                            .where(SessionRecord.user_id == user.id))


def test_deactivating_an_account_ends_its_sessions(testapp, dbsession, make_user, login):
    make_user("alex", "admin")
    casey = make_user("casey", "coach")
    login(TestApp(testapp.app, extra_environ=testapp.extra_environ), "casey")
    login(testapp, "alex")
    assert _sessions_of(dbsession, casey) == 1
    post_form(testapp, f"/users/{casey.id}/edit",
              {"username": "casey", "role": "coach", "active": "on"}, status=303)
    assert _sessions_of(dbsession, casey) == 1
    post_form(testapp, f"/users/{casey.id}/edit", {"username": "casey", "role": "coach"}, status=303)
    assert _sessions_of(dbsession, casey) == 0


def test_the_account_forms_have_no_json_writes(testapp, make_user, login):
    make_user("alex", "admin")
    login(testapp, "alex")
    token = testapp.get("/account.json").json["account"]["csrf_token"]
    testapp.post_json("/users", NEW, headers={"X-CSRF-Token": token}, status=405)
