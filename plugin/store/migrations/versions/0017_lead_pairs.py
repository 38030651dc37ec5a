"""lead pairs: who may lead whom, under the `pairs` rule

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lead_pairs",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lead_id <> learner_id", name=op.f("ck_lead_pairs_not_self")),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["people.id"],
            name=op.f("fk_lead_pairs_lead_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["people.id"],
            name=op.f("fk_lead_pairs_learner_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "lead_id", "learner_id", name=op.f("pk_lead_pairs")),
    )
    op.create_index("ix_lead_pairs_learner_id", "lead_pairs", ["tenant_id", "learner_id"])


def downgrade() -> None:
    op.drop_index("ix_lead_pairs_learner_id", table_name="lead_pairs")
    op.drop_table("lead_pairs")
