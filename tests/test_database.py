"""One transaction per request, the commit rule, and database outages."""
import pytest
from sqlalchemy import select
from webtest import TestApp

from touchline.teams.models import Team
from touchline.testing import HOST, make_app


@pytest.fixture
def writer_app(app_settings, database_url, committing_testapp):
    """The site plus tests.support.writer, whose pages write then end in a given way."""
    app = make_app(
        app_settings,
        **{
            "sqlalchemy.url": database_url,
            "touchline.addons": "touchline.teams tests.support.writer",
        },
    )
    yield TestApp(app, extra_environ={"HTTP_HOST": HOST})
    app.registry["touchline.engine"].dispose()


def saved_names(app):
    with app.app.registry["touchline.engine"].connect() as connection:
        return connection.scalars(select(Team.name)).all()


def test_returned_redirect_commits(writer_app):
    response = writer_app.post("/_writer/return-redirect", status=303)
    assert response.location.endswith("/")
    assert saved_names(writer_app) == ["return-redirect"]


def test_raised_redirect_commits(writer_app):
    writer_app.post("/_writer/raise-redirect", status=302)
    assert saved_names(writer_app) == ["raise-redirect"]


def test_exception_rendered_as_error_page_aborts(writer_app):
    response = writer_app.post("/_writer/raise-error", status=500)
    assert "Something went wrong" in response.text
    assert saved_names(writer_app) == []


def test_raised_4xx_aborts(writer_app):
    writer_app.post("/_writer/raise-4xx", status=400)
    assert saved_names(writer_app) == []


def test_returned_4xx_aborts(writer_app):
    writer_app.post("/_writer/return-4xx", status=422)
    assert saved_names(writer_app) == []


@pytest.mark.parametrize("path, content_type", [("/_writer/conflict", "text/html"),
                                                 ("/_writer/conflict.json", "application/json")])
def test_a_unique_violation_is_a_409_and_aborts(writer_app, caplog, path, content_type):
    response = writer_app.post(path, status=409)
    assert response.content_type == content_type
    assert "conflicting change" in response.text
    assert saved_names(writer_app) == []
    assert any("conflicting write" in record.message for record in caplog.records)


def test_successful_request_commits(writer_app):
    writer_app.post("/_writer/ok", status=200)
    assert saved_names(writer_app) == ["ok"]


def test_transient_error_is_retried_and_only_the_last_attempt_commits(writer_app):
    writer_app.post("/_writer/transient-once", status=200)
    assert saved_names(writer_app) == ["attempt 1"]


@pytest.fixture
def unreachable_settings(app_settings, database_url, tmp_path):
    """Settings whose database cannot be reached, on the session's backend."""
    if database_url.startswith("sqlite"):
        url = "sqlite:///" + str(tmp_path / "missing-directory" / "touchline.sqlite")
    else:
        url = "postgresql+psycopg://postgres@127.0.0.1:1/touchline?connect_timeout=2"
    return dict(app_settings, **{"sqlalchemy.url": url})


@pytest.mark.parametrize("path", ["/", "/teams", "/teams/1"])
def test_database_outage_gives_503_page(unreachable_settings, path):
    testapp = TestApp(make_app(unreachable_settings), extra_environ={"HTTP_HOST": HOST})
    response = testapp.get(path, status=503)
    assert response.content_type == "text/html"
    assert "cannot reach its database" in response.text
    assert int(response.headers["Retry-After"]) > 0


def test_database_outage_answers_json_when_asked(unreachable_settings):
    testapp = TestApp(make_app(unreachable_settings), extra_environ={"HTTP_HOST": HOST})
    response = testapp.get("/teams", headers={"Accept": "application/json"}, status=503)
    assert response.json["error"]["status"] == 503
    assert "Retry-After" in response.headers
    xml = testapp.get("/teams.xml", status=503)
    assert xml.content_type == "application/xml"


def test_outage_leaves_health_alone_and_readiness_down(unreachable_settings):
    testapp = TestApp(make_app(unreachable_settings), extra_environ={"HTTP_HOST": HOST})
    assert testapp.get("/healthz").json == {"status": "ok"}
    assert testapp.get("/readyz", status=503).json["status"] == "unavailable"


def test_site_recovers_when_sqlite_database_appears(app_settings, ini_file, tmp_path):
    from touchline.testing import migrate

    directory = tmp_path / "later"
    settings = dict(app_settings, **{"sqlalchemy.url": f"sqlite:///{directory}/t.sqlite"})
    app = make_app(settings)
    testapp = TestApp(app, extra_environ={"HTTP_HOST": HOST})
    testapp.get("/teams", status=503)
    directory.mkdir()
    migrate(ini_file, app.registry)
    assert "No teams are available." in testapp.get("/teams", status=200).text


def drop_connections(app, database_url):
    """End the sessions of the app's pooled connections, as a restart or failover does.

    The test harness's own connections stay: only the app's are ended.
    """
    if not database_url.startswith("postgresql"):
        pytest.skip("terminating server connections is a PostgreSQL test")
    from sqlalchemy import create_engine, text

    engine = app.registry["touchline.engine"]
    engine.dispose()  # so that the pool holds one connection, the one ended below
    with engine.connect() as connection:  # back in the pool after
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = create_engine(database_url)
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()


def test_site_recovers_after_postgresql_drops_its_connections(app, database_url):
    testapp = TestApp(app, extra_environ={"HTTP_HOST": HOST})
    testapp.get("/teams", status=200)
    drop_connections(app, database_url)
    # The request meets the dead connection, and runs again on a new one.
    testapp.get("/teams", status=200)
    testapp.get("/teams.json", status=200)


def test_a_write_that_meets_a_dropped_connection_is_saved_once(writer_app, database_url):
    writer_app.post("/_writer/return-redirect", status=303)
    drop_connections(writer_app.app, database_url)
    writer_app.post("/_writer/raise-redirect", status=302)
    assert sorted(saved_names(writer_app)) == ["raise-redirect", "return-redirect"]


def test_readiness_recovers_after_postgresql_drops_its_connections(app, database_url):
    testapp = TestApp(app, extra_environ={"HTTP_HOST": HOST})
    drop_connections(app, database_url)
    assert testapp.get("/readyz").json == {"status": "ok", "database": "ok"}


def test_pool_does_not_ping_each_connection_before_use(app, database_url):
    """A dropped connection is handled by running the request again, not by a round trip each time."""
    engine = app.registry["touchline.engine"]
    testapp = TestApp(app, extra_environ={"HTTP_HOST": HOST})
    testapp.get("/teams", status=200)
    pings = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(connection) or original(connection)
    try:
        testapp.get("/teams", status=200)
    finally:
        del engine.dialect.do_ping
    assert pings == []


def test_readyz_answers_200_with_a_database(testapp):
    assert testapp.get("/readyz").json == {"status": "ok", "database": "ok"}


def test_session_joins_the_request_transaction(app):
    """A session from get_tm_session writes only when its manager commits."""
    import transaction

    from touchline.database import get_tm_session

    factory = app.registry["touchline.dbsession_factory"]
    engine = app.registry["touchline.engine"]
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        get_tm_session(factory, tm).add(Team(name="Kept"))
    tm.begin()
    get_tm_session(factory, tm).add(Team(name="Dropped"))
    tm.abort()
    with engine.begin() as connection:
        names = connection.scalars(select(Team.name)).all()
        connection.execute(Team.__table__.delete())
    assert names == ["Kept"]


def test_sqlite_enforces_foreign_keys_and_busy_timeout(app_settings, tmp_path):
    from touchline.database import make_engine

    engine = make_engine({"sqlalchemy.url": f"sqlite:///{tmp_path}/x.sqlite",
                          "sqlalchemy.sqlite_busy_timeout": "3"})
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 3000
    engine.dispose()


def test_pool_options_are_coerced_from_strings():
    from touchline.database import make_engine

    engine = make_engine(
        {
            "sqlalchemy.url": "postgresql+psycopg://u@127.0.0.1:1/x",
            "sqlalchemy.pool_size": "7",
            "sqlalchemy.max_overflow": "3",
            "sqlalchemy.pool_pre_ping": "false",
        }
    )
    assert engine.pool.size() == 7
    assert engine.pool._max_overflow == 3
    assert engine.pool._pre_ping is False
    assert make_engine({"sqlalchemy.url": "sqlite://"}).pool._pre_ping is False
    assert make_engine({"sqlalchemy.url": "sqlite://", "sqlalchemy.pool_pre_ping": "true"}).pool._pre_ping is True


def test_database_url_comes_from_the_environment(app_settings, monkeypatch):
    from touchline.settings import DATABASE_URL_ENVIRON, apply_defaults

    settings = apply_defaults(dict(app_settings), environ={DATABASE_URL_ENVIRON: "sqlite:///env.db"})
    assert settings["sqlalchemy.url"] == "sqlite:///env.db"
