"""The database: one engine, one session per request, one transaction.

Every request gets ``request.dbsession``, joined to the request's explicit
transaction manager (``request.tm``) that ``pyramid_tm`` commits or aborts
when the request ends, and ``pyramid_retry`` runs the request again when
the database reports a transient error (a serialization failure, a
deadlock, or a connection the server dropped: see :func:`retry_dropped_connections`).

zope.sqlalchemy's listeners are registered once, on the sessionmaker, and
find each session's transaction manager in ``session.info``: registering
them on every request's session cost about a third of the throughput of a
database page (DESIGN.md, section 7).
"""
import logging
import os
import weakref

from pyramid.httpexceptions import HTTPRedirection
from pyramid.settings import asbool
from pyramid_retry import mark_error_retryable
from pyramid_tm import maybe_tag_retryable
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from transaction._transaction import Status
from transaction.interfaces import NoTransaction
from zope.sqlalchemy.datamanager import (
    STATUS_ACTIVE,
    join_transaction,
    mark_changed,
)

log = logging.getLogger(__name__)

TM_KEY = "transaction_manager"
#: WSGI environ key through which tests hand the app a session of theirs.
DBSESSION_ENVIRON_KEY = "touchline.dbsession"

#: Pool options read from ``sqlalchemy.<name>`` settings, with their types.
POOL_OPTIONS = {
    "pool_size": int,
    "max_overflow": int,
    "pool_recycle": int,
    "pool_timeout": float,
    "echo": asbool,
}


def make_engine(settings, prefix="sqlalchemy."):
    """Create the engine from (string) settings.

    Connections broken while the database was away are replaced without
    failing a request (:func:`retry_dropped_connections`), so the pool does
    not test each connection before use: ``pool_pre_ping`` costs a round trip
    to the database on every request, and is off unless switched on.
    """
    url = make_url(settings[prefix + "url"])
    options = {"pool_pre_ping": asbool(settings.get(prefix + "pool_pre_ping", False))}
    for name, coerce in POOL_OPTIONS.items():
        value = settings.get(prefix + name)
        if value not in (None, ""):
            options[name] = coerce(value)
    if url.get_backend_name() == "sqlite":
        busy_timeout = float(settings.get(prefix + "sqlite_busy_timeout", 10))
        options["connect_args"] = {"timeout": busy_timeout}
        for name in ("pool_size", "max_overflow", "pool_timeout"):
            options.pop(name, None)
    engine = create_engine(url, **options)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "handle_error", retry_dropped_connections)
    _forget_connections_in_forked_children(engine)
    return engine


def _forget_connections_in_forked_children(engine):
    """A server that forks workers after loading the app (gunicorn ``--preload``,
    uWSGI without ``lazy-apps``, mod_wsgi) must not share the parent's
    pooled connections: each child starts with an empty pool of its own.
    """
    reference = weakref.ref(engine)

    def after_fork():
        engine = reference()
        if engine is not None:
            engine.dispose(close=False)

    os.register_at_fork(after_in_child=after_fork)


def retry_dropped_connections(context):
    """A statement that finds its connection dropped makes its request run again.

    When the database restarts, fails over, or ends sessions, the pool's
    connections are dead.  The first statement that meets one fails with
    a disconnect; SQLAlchemy then replaces every connection the pool held,
    and this marks the error retryable, so that ``pyramid_retry`` runs the
    request again on a new connection: nobody sees the error.  It is safe
    because the server ended that transaction with the connection, so the
    request had written nothing.  A failed connect (the database is still
    away: a 503 at once) and a failed COMMIT (perhaps committed: never run
    twice) have no statement, and are not retried.
    """
    error = context.sqlalchemy_exception
    if context.is_disconnect and context.execution_context is not None and error is not None:
        mark_error_retryable(error)


def _sqlite_on_connect(dbapi_connection, connection_record):
    """Every SQLite connection: foreign keys enforced, write-ahead logging.

    SQLite enforces foreign keys only when asked, on every connection.  In
    WAL mode readers never wait for a writer (several processes can serve
    one file), and with ``synchronous=NORMAL`` a commit does not wait for
    the disk: a crash can lose the last commits, never consistency.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(engine):
    """A sessionmaker whose sessions join the transaction manager in their info."""
    factory = sessionmaker(bind=engine)
    _register_transaction_events(factory)
    return factory


def get_tm_session(session_factory, transaction_manager, **kwargs):
    """A session joined to ``transaction_manager``: for scripts, pshell and tests.

    The session joins the transaction when it first talks to the database;
    committing or aborting the transaction manager ends it.
    """
    info = kwargs.pop("info", {})
    info[TM_KEY] = transaction_manager
    return session_factory(info=info, **kwargs)


def _register_transaction_events(factory):
    """zope.sqlalchemy's session events, once per sessionmaker.

    The same events as ``zope.sqlalchemy.register``, but the manager comes
    from the session instead of from the registration.
    """

    def join(session, *args):
        join_transaction(session, STATUS_ACTIVE, session.info[TM_KEY])

    def changed(session, *args):
        mark_changed(session, session.info[TM_KEY])

    def bulk_changed(context):
        changed(context.session)

    def orm_execute(state):
        if state.is_orm_statement and (state.is_insert or state.is_update or state.is_delete):
            changed(state.session)

    def before_commit(session):
        assert session.in_nested_transaction() or (
            session.info[TM_KEY].get().status == Status.COMMITTING
        ), "Commit the request's transaction manager, never the session"

    event.listen(factory, "after_begin", join)
    event.listen(factory, "after_attach", join)
    event.listen(factory, "after_flush", changed)
    event.listen(factory, "after_bulk_update", bulk_changed)
    event.listen(factory, "after_bulk_delete", bulk_changed)
    event.listen(factory, "before_commit", before_commit)
    event.listen(factory, "do_orm_execute", orm_execute)


def commit_veto(request, response):
    """Decide whether the request's transaction commits (``pyramid_tm``).

    A request that returns or raises a redirect commits: a form that saved
    and redirected has done its work.  Any other exception, even one that an
    exception view rendered, and any 4xx or 5xx response abort.  An
    ``X-Tm: commit`` or ``X-Tm: abort`` response header decides explicitly.
    """
    exc_info = getattr(request, "exc_info", None)
    if exc_info is not None:
        # pyramid_tm tags retryable errors only when no veto is set.
        maybe_tag_retryable(request, exc_info)
    xtm = response.headers.get("x-tm")
    if xtm is not None:
        return xtm != "commit"
    exception = getattr(request, "exception", None)
    if exception is not None and not isinstance(exception, HTTPRedirection):
        return True
    return response.status_code >= 400


def commit_without_waiting_for_disk(dbsession):
    """Let this transaction's commit return before its data reaches the disk.

    For writes whose loss in a crash costs nothing (a reset link asked for:
    the user asks again).  PostgreSQL's ``synchronous_commit`` is turned off
    for the transaction only; SQLite in WAL mode with ``synchronous=NORMAL``
    already commits that way.  Either way the data stays consistent.
    """
    if dbsession.get_bind().dialect.name == "postgresql":
        dbsession.execute(text("SET LOCAL synchronous_commit TO OFF"))


def request_dbsession(request):
    """The request's database session, joined to ``request.tm``.

    Tests hand in a session of their own (bound to a connection whose
    transaction they roll back) through ``DBSESSION_ENVIRON_KEY``.
    """
    session = request.environ.get(DBSESSION_ENVIRON_KEY)
    if session is None:
        session = get_tm_session(request.registry["touchline.dbsession_factory"], request.tm)
        if not request.environ.get("tm.active"):
            _ensure_transaction(request)
    return session


def _ensure_transaction(request):
    """Outside pyramid_tm (pviews, a bootstrapped script) open a transaction if none is.

    It is aborted when the request is finished: tools that want to write
    begin and commit ``request.tm`` themselves, before using the session.
    """
    tm = request.tm
    try:
        tm.get()
    except NoTransaction:
        tm.begin()
        request.add_finished_callback(lambda request: tm.abort())


def includeme(config):
    settings = config.registry.settings
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    engine = make_engine(settings)
    config.registry["touchline.engine"] = engine
    config.registry["touchline.dbsession_factory"] = make_session_factory(engine)
    config.add_request_method(request_dbsession, "dbsession", reify=True)
