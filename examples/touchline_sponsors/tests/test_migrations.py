"""The sponsors branch creates exactly what the model describes, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from touchline.models import Base


def test_migrations_create_what_the_models_describe(dbengine):
    with dbengine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True,
                  "include_name": lambda name, type_, parent: name != "touchline_applied_revisions"},
        )
        assert compare_metadata(context, Base.metadata) == []


def test_the_sponsors_branch_is_at_its_head(dbengine):
    with dbengine.connect() as connection:
        heads = set(MigrationContext.configure(connection).get_current_heads())
    assert "sponsors_0001" in heads


def test_constraints_follow_the_naming_convention(dbengine):
    inspector = inspect(dbengine)
    names = {check["name"] for check in inspector.get_check_constraints("sponsors")}
    assert {"ck_sponsors_name_not_empty", "ck_sponsors_sponsor_tier"} <= names
    assert [index["name"] for index in inspector.get_indexes("sponsors")] == ["ix_sponsors_active"]
