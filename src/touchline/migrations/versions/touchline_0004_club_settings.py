"""The club's settings: one row of name, crest, colours, contact, ground and welcome text.

Every column but ``id`` and ``version`` may be ``NULL``, meaning "the ini's
value" (``touchline.site_name``, ``touchline.club.*``); the row is written by
the settings page (``/settings``).  ``version`` goes up with each save: the
app processes compare it with the version file next to the uploads to know
when to read the row again (see ``touchline.clubsettings``).

Revision ID: touchline_0004
Revises: touchline_0003
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

revision = "touchline_0004"
down_revision = "touchline_0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "club_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=True),
        sa.Column("crest", sa.String(length=100), nullable=True),
        sa.Column("crest_width", sa.Integer(), nullable=True),
        sa.Column("crest_height", sa.Integer(), nullable=True),
        sa.Column("primary_colour", sa.String(length=7), nullable=True),
        sa.Column("accent_colour", sa.String(length=7), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("map_url", sa.String(length=500), nullable=True),
        sa.Column("welcome", sa.Text(), nullable=True),
        sa.Column("welcome_html", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_settings")),
    )


def downgrade():
    op.drop_table("club_settings")
