"""audit_entry: who changed a setting or a mapping, and when (issue 16)

One row per change made by the settings and mapping operations (core.audit): the operator
(OS user@host, or the name given in Preferences), the area, what changed and how. The newest
id of an area is its version, for the optimistic check that refuses an edit based on data
someone else changed meanwhile.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_key", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"], unique=False)
    op.create_index("ix_audit_entry_area_id", "audit_entry", ["area", "id"], unique=False)
    op.create_index("ix_audit_entry_area_object_key_id", "audit_entry", ["area", "object_key", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_entry_area_object_key_id", table_name="audit_entry")
    op.drop_index("ix_audit_entry_area_id", table_name="audit_entry")
    op.drop_index("ix_audit_entry_at", table_name="audit_entry")
    op.drop_table("audit_entry")
