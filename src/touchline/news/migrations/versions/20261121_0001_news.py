"""Create the news posts table.

Revision ID: news_0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "news_0001"
down_revision = None
branch_labels = ("news",)
# Posts name their author: the users table is the core's.
depends_on = "touchline_0001"


def upgrade():
    op.create_table(
        "news_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("draft", "published", name="news_post_status", native_enum=False, length=10,
                    create_constraint=True),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(title) > 0", name=op.f("ck_news_posts_title_not_empty")),
        sa.CheckConstraint("length(slug) > 0", name=op.f("ck_news_posts_slug_not_empty")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_news_posts_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_posts")),
        sa.UniqueConstraint("slug", name=op.f("uq_news_posts_slug")),
    )
    op.create_index(op.f("ix_news_posts_author_id"), "news_posts", ["author_id"])
    op.create_index("ix_news_posts_status_published_at", "news_posts", ["status", "published_at"])


def downgrade():
    op.drop_index("ix_news_posts_status_published_at", table_name="news_posts")
    op.drop_index(op.f("ix_news_posts_author_id"), table_name="news_posts")
    op.drop_table("news_posts")
