"""Coaches' consent to be named on their teams' pages.

Revision ID: teams_0004
Revises: teams_0003
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "teams_0004"
down_revision = "teams_0003"
branch_labels = None
# The users table is the core's.
depends_on = "touchline_0001"


def upgrade():
    op.create_table(
        "coach_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_coach_profiles_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_coach_profiles")),
    )


def downgrade():
    op.drop_table("coach_profiles")
