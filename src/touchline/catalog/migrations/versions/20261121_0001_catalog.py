"""Create the shop catalog's tables: categories and products.

Revision ID: catalog_0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "catalog_0001"
down_revision = None
branch_labels = ("catalog",)
depends_on = None


def upgrade():
    op.create_table(
        "catalog_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_catalog_categories_name_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_categories")),
        sa.UniqueConstraint("slug", name=op.f("uq_catalog_categories_slug")),
    )
    op.create_table(
        "catalog_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("sizes", sa.String(length=200), nullable=False),
        sa.Column("in_stock", sa.Boolean(), nullable=False),
        sa.Column("image", sa.String(length=100), nullable=True),
        sa.CheckConstraint("length(name) > 0", name=op.f("ck_catalog_products_name_not_empty")),
        sa.CheckConstraint("price >= 0", name=op.f("ck_catalog_products_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["category_id"], ["catalog_categories.id"],
            name=op.f("fk_catalog_products_category_id_catalog_categories"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_products")),
    )
    op.create_index(op.f("ix_catalog_products_category_id"), "catalog_products", ["category_id"])


def downgrade():
    op.drop_index(op.f("ix_catalog_products_category_id"), table_name="catalog_products")
    op.drop_table("catalog_products")
    op.drop_table("catalog_categories")
