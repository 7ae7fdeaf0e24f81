"""Posts keep their rendered HTML and excerpt; indexes for every list's order.

``body_html`` (the sanitised HTML) and ``excerpt`` (plain text) are rendered
from ``body`` when a post is saved; here they are filled in for the posts
written before, by the same code (``touchline.news.markdown.render_post``),
a batch at a time.

The indexes follow the lists' keysets, so that every page, the feed and the
home panel read an index range: (status, published_at, id) for published
news, (status, updated_at, id) for every draft, and (author_id, status,
updated_at, id) for one author's drafts, which also serves the foreign key
and so replaces the index on author_id alone.  (status, published_at) goes:
the new one starts with it.

Revision ID: news_0002
Revises: news_0001
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "news_0002"
down_revision = "news_0001"
branch_labels = None
depends_on = None

BATCH = 500


def _backfill(connection):
    from touchline.news.markdown import render_post

    posts = sa.table("news_posts", sa.column("id", sa.Integer), sa.column("body", sa.Text),
                     sa.column("body_html", sa.Text), sa.column("excerpt", sa.Text))
    after = None
    while True:
        stmt = sa.select(posts.c.id, posts.c.body).order_by(posts.c.id).limit(BATCH)
        if after is not None:
            stmt = stmt.where(posts.c.id > after)
        rows = connection.execute(stmt).all()
        if not rows:
            return
        values = []
        for post_id, body in rows:
            html, excerpt = render_post(body)
            values.append({"post_id": post_id, "html": html, "excerpt": excerpt})
        connection.execute(
            sa.update(posts).where(posts.c.id == sa.bindparam("post_id"))
            .values(body_html=sa.bindparam("html"), excerpt=sa.bindparam("excerpt")),
            values,
        )
        after = rows[-1][0]


def upgrade():
    with op.batch_alter_table("news_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("excerpt", sa.Text(), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("news_posts", schema=None) as batch_op:
        batch_op.alter_column("body_html", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("excerpt", existing_type=sa.Text(), nullable=False)
        batch_op.drop_index("ix_news_posts_status_published_at")
        batch_op.drop_index(batch_op.f("ix_news_posts_author_id"))
        batch_op.create_index("ix_news_posts_status_published_at_id",
                              ["status", "published_at", "id"], unique=False)
        batch_op.create_index("ix_news_posts_status_updated_at_id",
                              ["status", "updated_at", "id"], unique=False)
        batch_op.create_index("ix_news_posts_author_id_status_updated_at_id",
                              ["author_id", "status", "updated_at", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("news_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_news_posts_author_id_status_updated_at_id")
        batch_op.drop_index("ix_news_posts_status_updated_at_id")
        batch_op.drop_index("ix_news_posts_status_published_at_id")
        batch_op.create_index(batch_op.f("ix_news_posts_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_news_posts_status_published_at", ["status", "published_at"],
                              unique=False)
        batch_op.drop_column("excerpt")
        batch_op.drop_column("body_html")
