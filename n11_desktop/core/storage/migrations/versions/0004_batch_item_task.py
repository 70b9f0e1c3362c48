"""batch_item.remote_task_id: the N11 task that carried each record of a batch

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batch_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remote_task_id", sa.String(50), nullable=True))
        batch_op.create_index(batch_op.f("ix_batch_item_remote_task_id"), ["remote_task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("batch_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_item_remote_task_id"))
        batch_op.drop_column("remote_task_id")
