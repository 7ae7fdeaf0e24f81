"""Create the sponsors table.

Revision ID: sponsors_0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "sponsors_0001"
down_revision = None
branch_labels = ("sponsors",)
# Nothing here refers to the core's tables, but the core's schema comes first
# (and a site that enables us later already has it).
depends_on = "touchline_0001"


def upgrade():
    op.create_table(
        "sponsors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("logo", sa.String(length=100), nullable=True),
        sa.Column(
            "tier",
            sa.Enum("gold", "silver", "bronze", name="sponsor_tier", native_enum=False, length=6,
                    create_constraint=True),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_sponsors_name_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsors")),
    )
    op.create_index(op.f("ix_sponsors_active"), "sponsors", ["active"])


def downgrade():
    op.drop_index(op.f("ix_sponsors_active"), table_name="sponsors")
    op.drop_table("sponsors")
