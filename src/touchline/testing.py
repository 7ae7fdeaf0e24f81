"""Touchline's pytest plugin: the fixture ladder, for Touchline and its add-ons.

Installed as a ``pytest11`` entry point, so an add-on's own test suite gets
these fixtures just by having Touchline installed.  Each rung builds on the
one below; use the lowest one that does the job:

``app_settings`` -> ``database_url`` -> ``app`` (its database migrated by
Alembic) and ``dbengine`` -> ``tm`` (a doomed transaction per test) ->
``dbsession`` -> ``testapp`` (WebTest, sharing the test's transaction);
``committing_testapp`` for requests that really commit, and ``outbox`` for
the mail they queue.

Every test that uses the database runs once on SQLite and once on
PostgreSQL when a server is reachable (``--postgresql-url``, or the
environment variable ``TOUCHLINE_TEST_POSTGRESQL_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``).  Set
``TOUCHLINE_TEST_REQUIRE_POSTGRESQL=1`` (as CI does) to make an unreachable
server an error instead of a skip.
"""
import contextlib
import os
import re
import uuid

import pytest


def _serve_package_assets_under_pytest():
    # pytest imports this plugin's package through its assertion rewriter,
    # a loader that pkg_resources (behind Pyramid's static view) does not
    # know; without this, static files would fail under test only.
    try:
        import pkg_resources
        from _pytest.assertion.rewrite import AssertionRewritingHook
    except ImportError:  # pragma: no cover
        return
    pkg_resources.register_loader_type(AssertionRewritingHook, pkg_resources.DefaultProvider)


_serve_package_assets_under_pytest()

DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HOST = "localhost"


def pytest_addoption(parser):
    group = parser.getgroup("touchline")
    group.addoption(
        "--touchline-ini",
        default=os.environ.get("TOUCHLINE_TEST_INI", "testing.ini"),
        help="the ini file whose [app:main] settings the tests use (default: testing.ini)",
    )
    group.addoption(
        "--postgresql-url",
        default=os.environ.get("TOUCHLINE_TEST_POSTGRESQL_URL", DEFAULT_POSTGRESQL_URL),
        help="a PostgreSQL server to run the database tests on too; 'none' to skip",
    )


@pytest.fixture(scope="session")
def ini_file(request):
    """The ini file the tests' settings come from, as an absolute path."""
    return os.path.abspath(request.config.getoption("touchline_ini"))


@pytest.fixture(scope="session")
def app_settings(ini_file, tmp_path_factory):
    """The ``[app:main]`` settings of the test ini: when a test needs to read them.

    Uploaded files go to a directory of the test session's own.
    """
    from pyramid.paster import get_appsettings

    settings = dict(get_appsettings(ini_file))
    settings["touchline.uploads.path"] = str(tmp_path_factory.mktemp("uploads"))
    return settings


def _postgresql_database(server_url):
    """Create a database of our own on the server; yields its URL, drops it after."""
    import sqlalchemy as sa

    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"touchline_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL not reachable at {server_url}: {exc.__class__.__name__}"
        if os.environ.get("TOUCHLINE_TEST_REQUIRE_POSTGRESQL"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A fresh, empty database for this test session, on each backend.

    Parametrized: tests that use it run on SQLite and on PostgreSQL.
    """
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "touchline.sqlite")
        return
    server_url = request.config.getoption("postgresql_url")
    if server_url.lower() == "none":
        pytest.skip("PostgreSQL tests switched off with --postgresql-url=none")
    yield from _postgresql_database(server_url)


def migrate(ini_file, registry, connection=None, revision="heads"):
    """Run ``alembic upgrade`` for the add-ons enabled in ``registry``."""
    from alembic import command

    from touchline.scripts.initialize_db import alembic_config

    command.upgrade(alembic_config(ini_file, registry, connection), revision)


def make_app(settings, **overrides):
    """Build the Touchline WSGI app from ``settings`` updated with ``overrides``.

    For tests that need an app configured differently from ``app`` (another
    set of add-ons, an unreachable database).
    """
    from touchline import main

    settings = dict(settings)
    settings.update(overrides)
    return main({}, **settings)


@pytest.fixture(scope="session")
def app(app_settings, database_url, ini_file):
    """The WSGI app on the session's database, migrated with Alembic.

    Use it directly for tests that need real commits (see ``committing_testapp``).
    """
    application = make_app(app_settings, **{"sqlalchemy.url": database_url})
    migrate(ini_file, application.registry)
    yield application
    application.registry["touchline.engine"].dispose()


@pytest.fixture(scope="session")
def dbengine(app):
    """The app's engine, on a migrated database: for tests of SQL and migrations."""
    return app.registry["touchline.engine"]


@pytest.fixture
def tm():
    """A transaction manager whose transaction is doomed: nothing a test does is kept."""
    import transaction

    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    manager.doom()
    yield manager
    manager.abort()


@pytest.fixture
def dbsession(app, tm):
    """A session on a connection whose transaction is rolled back after the test.

    Commits inside the test (and inside requests through ``testapp``) become
    savepoints, so the test sees its own writes and leaves nothing behind.
    """
    from touchline.database import get_tm_session

    engine = app.registry["touchline.engine"]
    connection = engine.connect()
    outer = connection.begin()
    session = get_tm_session(
        app.registry["touchline.dbsession_factory"],
        tm,
        bind=connection,
        join_transaction_mode="create_savepoint",
    )
    yield session
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def testapp(app, tm, dbsession):
    """A WebTest app sharing the test's session and doomed transaction.

    The fastest way to test pages: requests see what the test added with
    ``dbsession`` and nothing they write outlives the test.  It bypasses
    pyramid_tm, so the commit rule itself is tested with ``committing_testapp``.
    """
    from webtest import TestApp

    from touchline.database import DBSESSION_ENVIRON_KEY

    service(app, "touchline.ratelimit.IThrottle", "login").reset()
    return TestApp(
        app,
        extra_environ={
            "HTTP_HOST": HOST,
            "tm.active": True,
            "tm.manager": tm,
            DBSESSION_ENVIRON_KEY: dbsession,
        },
    )


def service(app, iface, name=""):
    """The service ``app`` registered for ``iface`` (or its dotted name), as a request would find it.

    For tests that reach past a request: ``service(app, IThrottle, "login").reset()``.
    """
    from pyramid.path import DottedNameResolver
    from pyramid_services import find_service_factory

    iface = DottedNameResolver().maybe_resolve(iface)
    return find_service_factory(app, iface, name=name)(None, None)


def _empty_tables(engine):
    from touchline.models import Base

    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def committing_testapp(app):
    """A WebTest app whose requests really commit or abort: for transaction tests.

    Slower than ``testapp``; every table is emptied after the test.
    """
    from webtest import TestApp

    engine = app.registry["touchline.engine"]
    _empty_tables(engine)
    service(app, "touchline.ratelimit.IThrottle", "login").reset()
    yield TestApp(app, extra_environ={"HTTP_HOST": HOST})
    _empty_tables(engine)


@pytest.fixture
def make_committed_user(app, committing_testapp):
    """``make_committed_user("casey", "coach")``: an account committed to the database.

    For tests whose requests commit (``committing_testapp``, or an app of
    their own on the same database), which cannot see ``make_user``'s
    uncommitted rows.  Returns the account's id; the tables are emptied
    after the test.
    """
    import transaction

    from touchline.database import get_tm_session
    from touchline.users import Role, User

    def make(username="member", role="member", password=PASSWORD, **fields):
        manager = transaction.TransactionManager(explicit=True)
        with manager:
            dbsession = get_tm_session(app.registry["touchline.dbsession_factory"], manager)
            user = User(username, role=Role(role), **fields)
            service(app, "touchline.users.IPasswords").set(user, password)
            dbsession.add(user)
            dbsession.flush()
            return user.id

    return make


@pytest.fixture
def outbox(app):
    """The mail queued by requests that committed, emptied first: ``message.get_content()``.

    Needs ``touchline.mailer = memory`` (the test ini's) and, since mail
    leaves only when a request commits, ``committing_testapp``.
    """
    mailer = service(app, "touchline.mail.IMailer")
    mailer.outbox.clear()
    yield mailer.outbox
    mailer.outbox.clear()


def run_mail_jobs(app):
    """Do what ``touchline_mailqueue`` does before each pass: the add-ons' mail jobs.

    A reset link asked for is only recorded by the request; this turns it
    into mail in ``outbox`` (or the queue).  Returns {job name: count}.
    """
    from pyramid.scripting import prepare

    from touchline.mail import run_mail_jobs as run

    env = prepare(registry=app.registry)
    try:
        with env["request"].tm:
            return run(env["request"])
    finally:
        env["closer"]()


def query_plan(dbsession, stmt):
    """The database's plan for ``stmt``, one line per step.

    SQLite's ``EXPLAIN QUERY PLAN``; PostgreSQL's ``EXPLAIN`` with sequential
    scans and sorts priced out (``enable_seqscan``/``enable_sort`` off, for
    this transaction only), so that on a small test table the plan shows
    whether an index *can* serve the query, as it will on a big one.
    """
    connection = dbsession.connection()
    dialect = connection.dialect
    compiled = stmt.compile(dialect=dialect)
    # Expanded: limits written into the SQL (literal_execute) are rendered too.
    expanded = compiled.construct_expanded_state()
    processors = {**compiled._bind_processors, **expanded.processors}
    values = {name: processors[name](value) if name in processors else value
              for name, value in expanded.parameters.items()}
    if compiled.positional:
        params = tuple(values[name] for name in expanded.positiontup)
    else:
        params = values
    sql = expanded.statement
    if dialect.name == "sqlite":
        return [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)]
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_sort = off")
    return [row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql, params)]


def assert_index_range(dbsession, stmt):
    """``stmt`` reads its rows through an index, in order: no full scan, no sort.

    For list queries, whose cost must follow the page and not the table.
    Returns the plan, for further checks (which index).
    """
    plan = query_plan(dbsession, stmt)
    text = "\n".join(plan)
    if dbsession.get_bind().dialect.name == "sqlite":
        full_scans = [line for line in plan if line.startswith("SCAN ") and " USING " not in line]
        assert not full_scans, f"full table scan:\n{text}"
        assert "TEMP B-TREE" not in text, f"sorted in a temporary b-tree:\n{text}"
    else:
        assert "Seq Scan" not in text, f"sequential scan:\n{text}"
        # A Sort node ("Sort  (cost=...)"), not a Merge Append's "Sort Key:" line.
        assert not any(re.match(r"\s*(->\s+)?(Incremental )?Sort\s+\(", line) for line in plan), \
            f"sorted:\n{text}"
    return plan


class QueryCounter:
    """Counts the SQL statements an engine runs while it is active."""

    def __init__(self):
        self.statements = []
        #: Each statement's parameters, as the driver received them.
        self.parameters = []

    def __len__(self):
        return len(self.statements)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)
            self.parameters.append(parameters)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...``; ``len(counter)`` is the query count.

    Savepoint bookkeeping is left out: it is the test harness, not the page.
    """
    from sqlalchemy import event

    engine = app.registry["touchline.engine"]

    @contextlib.contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(engine, "before_cursor_execute", counter._record)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter._record)

    return counting


#: The password ``make_user`` gives accounts unless told otherwise.
PASSWORD = "correct horse battery"


@pytest.fixture
def make_user(app, dbsession):
    """Add an account: ``make_user("casey", "coach")``; its password is ``PASSWORD``."""
    from touchline.users import Role, User

    def make(username="member", role="member", password=PASSWORD, **fields):
        user = User(username, role=Role(role), **fields)
        service(app, "touchline.users.IPasswords").set(user, password)
        dbsession.add(user)
        dbsession.flush()
        return user

    return make


def csrf_token_of(response):
    """The CSRF token in a page's first form (or its JSON), to post with."""
    field = response.html.find("input", attrs={"name": "csrf_token"}) if response.content_type == "text/html" else None
    if field is not None:
        return field["value"]
    return response.json["login"]["csrf_token"]


@pytest.fixture
def login():
    """``login(testapp, "casey")`` logs the WebTest client in through the login form."""

    def log_in(testapp, username, password=PASSWORD, status=303, next=None):
        page = testapp.get("/login")
        params = {"csrf_token": csrf_token_of(page), "username": username, "password": password}
        if next is not None:
            params["next"] = next
        return testapp.post("/login", params, status=status)

    return log_in


def post_form(testapp, url, params=None, status=None, page_url=None, **kwargs):
    """POST ``params`` with the CSRF token taken from ``page_url`` (default: ``url``)."""
    page = testapp.get(page_url or url)
    params = dict(params or {})
    params.setdefault("csrf_token", csrf_token_of(page))
    return testapp.post(url, params, status=status, **kwargs)
