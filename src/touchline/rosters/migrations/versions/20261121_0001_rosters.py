"""Create the players table and link players to their guardians' accounts.

Revision ID: rosters_0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "rosters_0001"
down_revision = None
branch_labels = ("rosters",)
# The teams table is the teams add-on's, the users table the core's.
depends_on = ("teams_0001", "touchline_0001")


def upgrade():
    op.create_table(
        "players",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=40), nullable=False),
        sa.Column("last_name", sa.String(length=40), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("shirt_number", sa.Integer(), nullable=True),
        sa.Column(
            "position",
            sa.Enum("goalkeeper", "defender", "midfielder", "forward",
                    name="player_position", native_enum=False, length=10, create_constraint=True),
            nullable=True,
        ),
        sa.Column("name_consent", sa.Boolean(), nullable=False),
        sa.Column("photo_consent", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "shirt_number IS NULL OR (shirt_number >= 1 AND shirt_number <= 99)",
            name=op.f("ck_players_shirt_number_range"),
        ),
        sa.CheckConstraint("length(first_name) > 0", name=op.f("ck_players_first_name_not_empty")),
        sa.CheckConstraint("length(last_name) > 0", name=op.f("ck_players_last_name_not_empty")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_players_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_players")),
        # Also the index that finds a team's players.
        sa.UniqueConstraint("team_id", "shirt_number", name=op.f("uq_players_team_id")),
    )
    op.create_table(
        "player_guardians",
        sa.Column("player_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["player_id"], ["players.id"], name=op.f("fk_player_guardians_player_id_players"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_player_guardians_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("player_id", "user_id", name=op.f("pk_player_guardians")),
    )
    op.create_index(op.f("ix_player_guardians_user_id"), "player_guardians", ["user_id"])


def downgrade():
    op.drop_index(op.f("ix_player_guardians_user_id"), table_name="player_guardians")
    op.drop_table("player_guardians")
    op.drop_table("players")
