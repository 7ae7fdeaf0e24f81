"""Sessions get an indexed expiry; username keys are NFKC and case folded.

Only logged-in users keep a session row from now on, so the rows of
anonymous visitors are deleted.  ``expires_at`` of the others is the
earlier of their default idle and absolute timeouts (two and twelve
hours); the site shortens it on their next request if the ini says so.

Username keys were ``casefold()``; they become ``username_key()`` (NFKC,
then casefold), so ``ＡＤＭＩＮ`` is ``admin``.  If two existing accounts
now have the same key, the newer one keeps its old key (and a warning
names it): rename one of them.

Revision ID: touchline_0002
Revises: touchline_0001
Create Date: 2026-11-29
"""
import datetime
import logging
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "touchline_0002"
down_revision = "touchline_0001"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
IDLE = datetime.timedelta(hours=2)
ABSOLUTE = datetime.timedelta(hours=12)


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def _key(username):
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


def upgrade():
    connection = op.get_bind()
    sessions = sa.table(
        "sessions",
        sa.column("id_hash", sa.String), sa.column("user_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("last_seen_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    connection.execute(sa.delete(sessions).where(sessions.c.user_id.is_(None)))
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    rows = connection.execute(
        sa.select(sessions.c.id_hash, sessions.c.created_at, sessions.c.last_seen_at)
    ).all()
    for id_hash, created_at, last_seen_at in rows:
        expires = min(_aware(created_at) + ABSOLUTE, _aware(last_seen_at) + IDLE)
        connection.execute(
            sa.update(sessions).where(sessions.c.id_hash == id_hash).values(expires_at=expires)
        )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(batch_op.f("ix_sessions_expires_at"), ["expires_at"], unique=False)

    users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String),
                     sa.column("username_key", sa.String))
    taken = {}
    for user_id, username, old_key in connection.execute(
        sa.select(users.c.id, users.c.username, users.c.username_key).order_by(users.c.id)
    ).all():
        key = _key(username)
        if key in taken and taken[key] != user_id:
            log.warning("username %r is the same as an older account's once normalised; "
                        "it keeps its old key: rename one of them", username)
            continue
        taken[key] = user_id
        if key != old_key:
            connection.execute(sa.update(users).where(users.c.id == user_id).values(username_key=key))


def downgrade():
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_expires_at"))
        batch_op.drop_column("expires_at")
