"""Server-side sessions: only a random id in the cookie, the data in the database."""
import datetime

import pytest
from sqlalchemy import func, select, update
from webtest import TestApp

from touchline.sessions import SessionRecord, hash_id
from touchline.testing import HOST, make_app, post_form


def cookie(testapp):
    return testapp.cookies.get("touchline_session")


def test_anonymous_pages_create_no_session_and_query_nothing_for_it(testapp, count_queries):
    with count_queries() as queries:
        response = testapp.get("/teams")
    assert "Set-Cookie" not in response.headers
    assert not any("sessions" in statement for statement in queries.statements)


def test_the_cookie_carries_only_an_id_and_the_data_is_stored(testapp, dbsession, make_user, login):
    make_user("casey", "coach")
    login(testapp, "casey")
    session_id = cookie(testapp)
    record = dbsession.scalar(select(SessionRecord).where(SessionRecord.id_hash == hash_id(session_id)))
    assert record is not None and record.user_id is not None
    assert session_id not in str(record.data) and record.id_hash != session_id
    assert len(session_id) >= 43  # 256 bits, url-safe base64


def test_logout_deletes_the_session_on_the_server(testapp, dbsession, make_user, login):
    make_user("casey", "coach")
    login(testapp, "casey")
    session_id = cookie(testapp)
    post_form(testapp, "/logout", page_url="/", status=303)
    assert dbsession.scalar(select(func.count()).where(SessionRecord.id_hash == hash_id(session_id))) == 0


def test_every_app_process_sees_the_same_session(app_settings, testapp, make_user, login, tm, dbsession):
    """A second app (another process behind the proxy) accepts the cookie."""
    from touchline.testing import make_app

    make_user("casey", "coach")
    login(testapp, "casey")
    url = dbsession.bind.engine.url.render_as_string(hide_password=False)
    other = make_app(app_settings, **{"sqlalchemy.url": url})
    second = TestApp(other, extra_environ=dict(testapp.extra_environ))
    second.set_cookie("touchline_session", cookie(testapp))
    assert second.get("/account").html.h1.text == "Your account"
    other.registry["touchline.engine"].dispose()


def _age_session(dbsession, testapp, **delta):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(**delta)
    dbsession.execute(
        update(SessionRecord)
        .where(SessionRecord.id_hash == hash_id(cookie(testapp)))
        .values(last_seen_at=moment, created_at=func.least(SessionRecord.created_at, moment)
                if dbsession.bind.dialect.name == "postgresql" else moment)
    )


def test_idle_session_expires(testapp, dbsession, make_user, login, app):
    make_user("casey", "coach")
    login(testapp, "casey")
    idle = app.registry["touchline.session_settings"].idle_timeout
    _age_session(dbsession, testapp, seconds=idle + 5)
    assert testapp.get("/account", status=303).location.startswith("http://localhost/login")


def test_session_expires_after_the_absolute_timeout_even_if_used(testapp, dbsession, make_user, login, app):
    make_user("casey", "coach")
    login(testapp, "casey")
    absolute = app.registry["touchline.session_settings"].absolute_timeout
    long_ago = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=absolute + 5)
    dbsession.execute(
        update(SessionRecord)
        .where(SessionRecord.id_hash == hash_id(cookie(testapp)))
        .values(created_at=long_ago)
    )
    assert testapp.get("/account", status=303)


def test_a_deactivated_user_is_logged_out(testapp, make_user, login):
    user = make_user("casey", "coach")
    login(testapp, "casey")
    user.active = False
    testapp.get("/account", status=303)


def test_a_forged_cookie_is_ignored(testapp):
    testapp.set_cookie("touchline_session", "x" * 43)
    assert testapp.get("/teams").status_int == 200
    testapp.set_cookie("touchline_session", "y" * 5000)
    assert testapp.get("/teams").status_int == 200


# Pyramid's own remember() and forget() keep their documented meaning ------------------------


@pytest.fixture
def remembering_app(app_settings, database_url, committing_testapp):
    """The site plus tests.support.remembering, whose pages call remember() and forget()."""
    app = make_app(app_settings, **{
        "sqlalchemy.url": database_url,
        "touchline.addons": app_settings["touchline.addons"] + "\ntests.support.remembering",
    })
    yield TestApp(app, extra_environ={"HTTP_HOST": HOST})
    app.registry["touchline.engine"].dispose()


def test_remember_with_a_user_id_logs_that_user_in(remembering_app, make_committed_user):
    user_id = make_committed_user("casey", "coach")
    response = remembering_app.post(f"/_remember/{user_id}")
    # The same request knows the user at once ...
    assert response.json == {"user": "casey", "identity": user_id}
    assert response.headers["Cache-Control"] == "no-store"
    # ... and the next ones through the session cookie.
    assert "casey" in remembering_app.get("/account").text
    remembering_app.post("/_forget", status=303)
    remembering_app.get("/account", status=303)


@pytest.mark.parametrize("active", [False, None])
def test_remember_refuses_an_id_without_an_active_user(remembering_app, make_committed_user, active):
    user_id = make_committed_user("casey", "coach", active=False) if active is False else 999_999
    response = remembering_app.post(f"/_remember/{user_id}", status=500)
    assert "casey" not in response.text
    assert "touchline_session" not in remembering_app.cookies
    remembering_app.get("/account", status=303)
