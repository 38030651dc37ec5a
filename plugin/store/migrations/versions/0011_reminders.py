"""reminders: the occasions found (each reminded of once) and the kinds a person turned off;
an index for the scan's open agreements by due date

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_occasions",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("occasion_key", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "subject_id", "occasion_key", name=op.f("pk_reminder_occasions")
        ),
    )
    op.create_table(
        "reminder_opt_outs",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_reminder_opt_outs_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "kind", name=op.f("pk_reminder_opt_outs")),
    )
    op.create_index(
        "ix_agreements_open_due",
        "agreements",
        ["due"],
        postgresql_where=sa.text("status = 'open' AND due IS NOT NULL"),
        sqlite_where=sa.text("status = 'open' AND due IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_agreements_open_due", table_name="agreements")
    op.drop_table("reminder_opt_outs")
    op.drop_table("reminder_occasions")
