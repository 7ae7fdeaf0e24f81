"""news_0002 on a site that already has posts: the stored HTML and excerpts are filled in.

The migration renders with the add-on's own ``markdown.render_post``, so a
post written before it reads exactly as it did when pages rendered it on
every request.
"""
import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from webtest import TestApp

from touchline.news.markdown import excerpt, render
from touchline.scripts.initialize_db import alembic_config
from touchline.testing import _postgresql_database, make_app, migrate

from .test_sanitiser import MARKDOWN, PAYLOADS

BODIES = [MARKDOWN, "Plain.", "word " * 100, "# Heading\n\n| a | b |\n|---|---|\n| 1 | 2 |", *PAYLOADS]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path):
    """An empty database of this test's own, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/before.sqlite"
        return
    server_url = request.config.getoption("postgresql_url")
    if server_url.lower() == "none":
        pytest.skip("PostgreSQL tests switched off with --postgresql-url=none")
    yield from _postgresql_database(server_url)


def indexes(engine):
    return {index["name"]: index["column_names"] for index in sa.inspect(engine).get_indexes("news_posts")
            if not index.get("duplicates_constraint")}


def test_upgrade_fills_in_and_downgrade_goes_back(fresh_database, app_settings, ini_file):
    app = make_app(app_settings, **{"sqlalchemy.url": fresh_database})
    engine = app.registry["touchline.engine"]
    try:
        migrate(ini_file, app.registry, revision="news_0001")
        assert "ix_news_posts_status_published_at" in indexes(engine)
        now = datetime.datetime.now(datetime.UTC)
        posts = sa.table("news_posts", *(sa.column(name) for name in (
            "id", "slug", "title", "body", "status", "published_at", "created_at", "updated_at")))
        with engine.begin() as connection:
            connection.execute(sa.insert(posts), [
                {"id": number + 1, "slug": f"old-{number}", "title": f"Old {number}", "body": body,
                 "status": "published", "published_at": now, "created_at": now, "updated_at": now}
                for number, body in enumerate(BODIES)
            ])

        migrate(ini_file, app.registry)
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT body, body_html, excerpt FROM news_posts ORDER BY id")).all()
        assert [(html, text) for _body, html, text in rows] == [
            (str(render(body)), excerpt(body)) for body in BODIES]
        found = indexes(engine)
        # The site's search indexes (news_search_0001): on PostgreSQL a GIN index (SQLite: FTS5).
        assert ("ix_news_posts_search" in found) == (engine.dialect.name == "postgresql")
        found.pop("ix_news_posts_search", None)
        assert ("ix_news_posts_search_title" in found) == (engine.dialect.name == "postgresql")  # and one on the title alone
        found.pop("ix_news_posts_search_title", None)
        assert found == {
            "ix_news_posts_status_published_at_id": ["status", "published_at", "id"],
            "ix_news_posts_status_updated_at_id": ["status", "updated_at", "id"],
            "ix_news_posts_author_id_status_updated_at_id": ["author_id", "status", "updated_at", "id"],
        }
        # The pages show them as they were rendered before.
        client = TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
        assert client.get("/news/old-0.json").json["post"]["html"] == str(render(MARKDOWN))
        listed = client.get("/news.json").json["posts"]
        assert sorted(post["html"] for post in listed) == sorted(str(render(body)) for body in BODIES)
        with engine.begin() as connection, pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
            connection.execute(sa.text("UPDATE news_posts SET body_html = NULL WHERE id = 1"))

        command.downgrade(alembic_config(ini_file, app.registry), "news_0001")
        assert indexes(engine) == {
            "ix_news_posts_author_id": ["author_id"],
            "ix_news_posts_status_published_at": ["status", "published_at"],
        }
        columns = {column["name"] for column in sa.inspect(engine).get_columns("news_posts")}
        assert "body_html" not in columns and "excerpt" not in columns
        migrate(ini_file, app.registry)
        with engine.connect() as connection:
            again = connection.execute(sa.text("SELECT body_html FROM news_posts ORDER BY id")).scalars()
            assert list(again) == [str(render(body)) for body in BODIES]
    finally:
        engine.dispose()
