"""progress on agreements between talks: a dated history beside the signed form

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_progress",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("agreement_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('note', 'done', 'dropped', 'stuck', 'reopened')",
            name=op.f("ck_agreement_progress_kind_valid"),
        ),
        sa.CheckConstraint("length(note) <= 1000", name=op.f("ck_agreement_progress_note_length")),
        sa.CheckConstraint(
            "kind <> 'note' OR length(note) > 0",
            name=op.f("ck_agreement_progress_note_says_something"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_progress_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_agreement_progress_author_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_progress")),
        sa.UniqueConstraint("agreement_id", "position", name="uq_agreement_progress_position"),
    )


def downgrade() -> None:
    op.drop_table("agreement_progress")
