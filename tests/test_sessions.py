"""Server-side sessions: only a random id in the cookie, the data in the database."""
import datetime

from sqlalchemy import func, select, update
from webtest import TestApp

from touchline.sessions import SessionRecord, hash_id
from touchline.testing import post_form


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
