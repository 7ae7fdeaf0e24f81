"""``touchline_purge``: expired sessions and reset links go, live ones stay, by an index range."""
import datetime

import pytest
from sqlalchemy import func, select, text

from tests.conftest import run_script
from touchline.accounts.models import PasswordResetRequest, PasswordResetToken
from touchline.purge import run_purge_jobs
from touchline.sessions import SessionRecord
from touchline.users import utcnow


def ago(**kw):
    return utcnow() - datetime.timedelta(**kw)


def later(**kw):
    return utcnow() + datetime.timedelta(**kw)


@pytest.fixture
def piled_up(dbsession, make_user):
    """Two sessions, two reset tokens and two link requests: one of each expired."""
    user = make_user("casey", "coach")
    for name, expires in (("dead", ago(minutes=1)), ("live", later(hours=1))):
        dbsession.add(SessionRecord(id_hash=name.ljust(64, "0"), user_id=user.id, data={},
                                    created_at=ago(hours=3), last_seen_at=ago(hours=2), expires_at=expires))
        dbsession.add(PasswordResetToken(token_hash=name.ljust(64, "1"), user_id=user.id, expires_at=expires))
    dbsession.add(PasswordResetRequest(email="casey@example.org", requested_at=ago(hours=2)))
    dbsession.add(PasswordResetRequest(email="casey@example.org", requested_at=ago(minutes=2)))
    dbsession.flush()


def test_the_purge_deletes_what_has_expired_and_nothing_else(piled_up, dbsession, app):
    from pyramid.request import Request

    request = Request.blank("/")
    request.registry = app.registry
    request.dbsession = dbsession
    assert run_purge_jobs(request) == {"history": 0, "sessions": 1, "password-reset-tokens": 2}
    assert dbsession.scalars(select(SessionRecord.id_hash)).all() == ["live".ljust(64, "0")]
    assert dbsession.scalars(select(PasswordResetToken.token_hash)).all() == ["live".ljust(64, "1")]
    assert dbsession.scalar(select(func.count()).select_from(PasswordResetRequest)) == 1


@pytest.mark.parametrize("table", ["sessions", "password_reset_tokens"])
def test_the_purge_reads_an_index_range(dbsession, table):
    """However many rows there are, the delete finds the expired ones through ``expires_at``'s index."""
    dialect = dbsession.get_bind().dialect.name
    statement = f"DELETE FROM {table} WHERE expires_at < :now"  # noqa: S608 (a constant table name)
    if dialect == "sqlite":
        plan = " ".join(str(row) for row in dbsession.execute(text("EXPLAIN QUERY PLAN " + statement),
                                                               {"now": utcnow()}))
        assert f"ix_{table}_expires_at" in plan, plan
    else:
        dbsession.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in dbsession.execute(text("EXPLAIN " + statement), {"now": utcnow()}))
        assert f"ix_{table}_expires_at" in plan, plan


def test_the_purge_script_says_what_it_deleted(make_ini):
    ini = make_ini()
    assert run_script("initialize_touchline_db", ini, "--no-demo-data").returncode == 0
    result = run_script("touchline_purge", ini)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "history: 0 deleted, sessions: 0 deleted, password-reset-tokens: 0 deleted"
