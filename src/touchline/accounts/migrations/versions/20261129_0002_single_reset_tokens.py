"""Reset tokens: one per account, deleted when used; requests answered by the mail worker.

Used tokens were kept with ``used_at`` set; now a used token is deleted,
so those rows go and the column with them.  ``expires_at`` gets an index,
so ``touchline_purge`` deletes expired tokens with a range scan.  The new
``password_reset_requests`` table holds the requests for a link until
``touchline_mailqueue`` answers them.

Revision ID: accounts_0002
Revises: accounts_0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "accounts_0002"
down_revision = "accounts_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "password_reset_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_requests")),
    )
    with op.batch_alter_table("password_reset_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_reset_requests_requested_at"), ["requested_at"],
                              unique=False)
    tokens = sa.table("password_reset_tokens", sa.column("used_at", sa.DateTime(timezone=True)))
    op.get_bind().execute(sa.delete(tokens).where(tokens.c.used_at.is_not(None)))
    with op.batch_alter_table("password_reset_tokens", schema=None) as batch_op:
        batch_op.drop_column("used_at")
        batch_op.create_index(batch_op.f("ix_password_reset_tokens_expires_at"), ["expires_at"],
                              unique=False)


def downgrade():
    op.drop_table("password_reset_requests")
    with op.batch_alter_table("password_reset_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_tokens_expires_at"))
        batch_op.add_column(sa.Column("used_at", sa.DateTime(timezone=True), nullable=True))
