"""Create the teams table.

Revision ID: teams_0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "teams_0001"
down_revision = None
branch_labels = ("teams",)
depends_on = None


def upgrade():
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "U06", "U07", "U08", "U09", "U10", "U11", "U12",
                "U13", "U14", "U15", "U16", "U17", "U18",
                name="team_level", native_enum=False, length=3,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_teams_name_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
    )
    op.create_index(op.f("ix_teams_level"), "teams", ["level"])


def downgrade():
    op.drop_index(op.f("ix_teams_level"), table_name="teams")
    op.drop_table("teams")
