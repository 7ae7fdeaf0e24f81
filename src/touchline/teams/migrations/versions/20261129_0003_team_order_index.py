"""One index for the order every list of teams uses.

``ix_teams_level_name_id`` (age group, name, id) serves the teams list at
any depth and the youngest teams panel with a range scan; it replaces the
index on the age group alone, which it starts with.

Revision ID: teams_0003
Revises: teams_0002
Create Date: 2026-11-29
"""
from alembic import op

revision = "teams_0003"
down_revision = "teams_0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index("ix_teams_level_name_id", ["level", "name", "id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_teams_level"))


def downgrade():
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teams_level"), ["level"], unique=False)
        batch_op.drop_index("ix_teams_level_name_id")
