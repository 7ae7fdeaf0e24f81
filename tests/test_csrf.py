"""CSRF: every unsafe request needs the token of its own session; nothing is written without it."""
import pytest
from sqlalchemy import func, select
from webtest import TestApp

from touchline.teams.models import Team
from touchline.testing import csrf_token_of


@pytest.fixture
def admin_client(testapp, make_user, login):
    make_user("alex", "admin")
    login(testapp, "alex")
    return testapp


def team_count(dbsession):
    return dbsession.scalar(select(func.count(Team.id)))


@pytest.mark.parametrize("token", [None, "", "forged-token-0123456789abcdef0123456789"])
def test_form_post_without_the_right_token_is_refused(admin_client, dbsession, token):
    params = {"name": "Under 10 Hawks", "level": "U10"}
    if token is not None:
        params["csrf_token"] = token
    response = admin_client.post("/teams/new", params, status=400)
    assert "Form expired" in response.text
    assert team_count(dbsession) == 0


def test_token_of_another_session_is_refused(admin_client, app, dbsession, make_user, login):
    other = TestApp(app, extra_environ=dict(admin_client.extra_environ))
    make_user("sam", "admin")
    login(other, "sam")
    their_token = csrf_token_of(other.get("/teams/new"))
    admin_client.post("/teams/new", {"name": "Hawks", "csrf_token": their_token}, status=400)
    assert team_count(dbsession) == 0


def test_json_write_needs_the_header(admin_client, dbsession):
    admin_client.post_json("/teams", {"name": "Hawks"}, status=400)
    admin_client.post_json("/teams", {"name": "Hawks"}, headers={"X-CSRF-Token": "nope"}, status=400)
    assert team_count(dbsession) == 0
    token = admin_client.get("/account.json").json["account"]["csrf_token"]
    admin_client.post_json("/teams", {"name": "Hawks"}, headers={"X-CSRF-Token": token}, status=201)
    assert team_count(dbsession) == 1


def test_token_changes_at_login(testapp, make_user, login):
    make_user("alex", "admin")
    before = csrf_token_of(testapp.get("/login"))
    login(testapp, "alex")
    assert csrf_token_of(testapp.get("/teams/new")) != before


def test_https_post_from_another_origin_is_refused(admin_client, dbsession):
    token = csrf_token_of(admin_client.get("/teams/new"))
    admin_client.post(
        "/teams/new", {"name": "Hawks", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
        extra_environ={"wsgi.url_scheme": "https"}, status=400,
    )
    assert team_count(dbsession) == 0


def test_logout_needs_the_token_too(admin_client):
    admin_client.post("/logout", status=400)
    assert admin_client.get("/account").status_int == 200
