"""Link teams to the accounts of their coaches.

Revision ID: teams_0002
Revises: teams_0001
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "teams_0002"
down_revision = "teams_0001"
branch_labels = None
# The users table is the core's.
depends_on = "touchline_0001"


def upgrade():
    op.create_table(
        "team_coaches",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_coaches_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_team_coaches_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_team_coaches")),
    )
    op.create_index(op.f("ix_team_coaches_user_id"), "team_coaches", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_team_coaches_user_id"), table_name="team_coaches")
    op.drop_table("team_coaches")
