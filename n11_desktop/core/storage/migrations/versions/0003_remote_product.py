"""remote_product: N11 product-query snapshot for KPIs and reports

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_product",
        sa.Column("stock_code", sa.String(255), nullable=False),
        sa.Column("n11_product_id", sa.String(50), nullable=True),
        sa.Column("product_main_id", sa.String(255), nullable=True),
        sa.Column("status", sa.String(40), nullable=True),
        sa.Column("sale_status", sa.String(40), nullable=True),
        sa.Column("category_id", sa.BigInteger(), nullable=True),
        sa.Column("sale_price", sa.BigInteger(), nullable=True),
        sa.Column("list_price", sa.BigInteger(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("reject_info", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("stock_code", name=op.f("pk_remote_product")),
    )
    with op.batch_alter_table("remote_product", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_remote_product_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_remote_product_sale_status"), ["sale_status"], unique=False)
        batch_op.create_index(batch_op.f("ix_remote_product_fetched_at"), ["fetched_at"], unique=False)


def downgrade() -> None:
    op.drop_table("remote_product")
