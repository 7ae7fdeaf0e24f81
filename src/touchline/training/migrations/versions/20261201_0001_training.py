"""Training sessions, their cancelled weeks, and when a team's feed last lost a session.

Revision ID: training_0001
Revises:
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "training_0001"
down_revision = None
branch_labels = ("training",)
# The teams table is the teams add-on's.
depends_on = "teams_0001"


def upgrade():
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name=op.f("ck_training_sessions_weekday_range")),
        sa.CheckConstraint("end_time > start_time", name=op.f("ck_training_sessions_ends_after_start")),
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
                           name=op.f("ck_training_sessions_dates_in_order")),
        sa.CheckConstraint("length(place) > 0", name=op.f("ck_training_sessions_place_not_empty")),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_training_sessions_sequence_not_negative")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_training_sessions_team_id_teams"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    op.create_index("ix_training_sessions_team_id_weekday_start_time_id", "training_sessions",
                    ["team_id", "weekday", "start_time", "id"])
    op.create_table(
        "training_cancellations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["training_sessions.id"],
                                name=op.f("fk_training_cancellations_session_id_training_sessions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_cancellations")),
        sa.UniqueConstraint("session_id", "date", name="uq_training_cancellations_session_id_date"),
    )
    op.create_table(
        "training_feed_changes",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_training_feed_changes_team_id_teams"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_training_feed_changes")),
    )


def downgrade():
    op.drop_table("training_feed_changes")
    op.drop_table("training_cancellations")
    op.drop_index("ix_training_sessions_team_id_weekday_start_time_id", table_name="training_sessions")
    op.drop_table("training_sessions")
