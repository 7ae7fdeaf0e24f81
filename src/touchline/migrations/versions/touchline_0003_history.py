"""The history of the registered models' records: the changes table (touchline.history).

Every insert, update and delete of a registered model's record is kept here
with who made it, when and from which address, and the record's fields
before and after.  ``touchline_purge`` deletes changes older than
``touchline.history.keep_days`` days through ``ix_changes_at``.

Revision ID: touchline_0003
Revises: touchline_0002
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "touchline_0003"
down_revision = "touchline_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=80), nullable=True),
        sa.Column("client_addr", sa.String(length=45), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("restored_from_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("action IN ('create', 'update', 'delete')",
                           name=op.f("ck_changes_action_known")),
        sa.ForeignKeyConstraint(["restored_from_id"], ["changes.id"],
                                name=op.f("fk_changes_restored_from_id_changes"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_changes_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changes_at"), ["at"], unique=False)
        batch_op.create_index("ix_changes_kind_record_id_id", ["kind", "record_id", "id"], unique=False)
        batch_op.create_index("ix_changes_kind_action_id", ["kind", "action", "id"], unique=False)
        batch_op.create_index("ix_changes_user_id_id", ["user_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_changes_restored_from_id"), ["restored_from_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_restored_from_id"))
        batch_op.drop_index("ix_changes_user_id_id")
        batch_op.drop_index("ix_changes_kind_action_id")
        batch_op.drop_index("ix_changes_kind_record_id_id")
        batch_op.drop_index(batch_op.f("ix_changes_at"))
    op.drop_table("changes")
