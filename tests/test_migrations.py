"""Migrations: from an empty database, the schema is exactly the models'."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from touchline.models import Base


def modelled(name, type_, parent):
    """Whether the models describe this table: not the migrations' bookkeeping, nor a full-text
    index's tables (SQLite's FTS5 virtual table and its shadow tables, which migrations create)."""
    return name != "touchline_applied_revisions" and not (type_ == "table" and "_fts" in name)


def test_migrations_create_what_the_models_describe(dbengine):
    with dbengine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_name": modelled},
        )
        assert compare_metadata(context, Base.metadata) == []


def test_every_enabled_branch_is_at_its_head(dbengine):
    with dbengine.connect() as connection:
        heads = set(MigrationContext.configure(connection).get_current_heads())
    # The site's search: each add-on's full-text index is a branch of its own, which depends on
    # the add-on's branch; Alembic records the dependent head alone while the branch has no
    # later revision (teams_0003, rosters_0001, fixtures_0003, news_0002, catalog_0002).  Each
    # index's second revision folds accents.
    assert heads == {"touchline_0004", "accounts_0002",
                     "teams_search_0002", "fixtures_search_0002", "news_search_0002",
                     "catalog_search_0002", "rosters_search_0002",
                     # The coaches' consent (teams) and the training add-on's own branch.
                     "teams_0004", "training_0001"}


def test_constraints_follow_the_naming_convention(dbengine):
    inspector = inspect(dbengine)
    assert inspector.get_pk_constraint("teams")["name"] in ("pk_teams", None)  # SQLite keeps no PK name
    names = {check["name"] for check in inspector.get_check_constraints("teams")}
    assert {"ck_teams_name_not_empty", "ck_teams_team_level"} <= names
