"""tenant talk types: an admin adds, replaces and hides talk types for their organisation

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenant_talk_types",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("type_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.String(length=36), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_hash"],
            ["talk_type_versions.content_hash"],
            name=op.f("fk_tenant_talk_types_content_hash_talk_type_versions"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "type_id", name=op.f("pk_tenant_talk_types")),
    )


def downgrade() -> None:
    op.drop_table("tenant_talk_types")
