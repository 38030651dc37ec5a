"""check-ins when an agreement slips: the proposals to the lead, the check-in talk's mark, and
an index for the scan's recent "stuck" entries

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("talks", sa.Column("check_in_of", sa.String(length=36), nullable=True))
    op.create_table(
        "check_ins",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("agreement_id", sa.String(length=36), nullable=False),
        sa.Column("talk_id", sa.String(length=36), nullable=False),
        sa.Column("track_id", sa.String(length=36), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("reason_key", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slot_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_in_talk_id", sa.String(length=36), nullable=True),
        sa.Column("problem", sa.String(length=64), nullable=True),
        sa.Column("new_what", sa.String(length=500), nullable=True),
        sa.Column("new_due", sa.Date(), nullable=True),
        sa.Column("outcome_by", sa.String(length=36), nullable=True),
        sa.Column("outcome_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('overdue', 'stuck')", name=op.f("ck_check_ins_reason_valid")
        ),
        sa.CheckConstraint(
            "state IN ('proposed', 'accepted', 'dismissed')",
            name=op.f("ck_check_ins_state_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_check_ins_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["talk_id"], ["talks.id"], name=op.f("fk_check_ins_talk_id_talks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_check_ins_track_id_tracks")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["people.id"], name=op.f("fk_check_ins_lead_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["people.id"], name=op.f("fk_check_ins_learner_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["check_in_talk_id"], ["talks.id"], name=op.f("fk_check_ins_check_in_talk_id_talks")
        ),
        sa.ForeignKeyConstraint(
            ["outcome_by"], ["people.id"], name=op.f("fk_check_ins_outcome_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
        sa.UniqueConstraint("agreement_id", "reason_key", name="uq_check_ins_occasion"),
    )
    op.create_index(op.f("ix_check_ins_lead_id"), "check_ins", ["lead_id"])
    op.create_index(
        "ix_agreement_progress_stuck",
        "agreement_progress",
        ["created_at"],
        postgresql_where=sa.text("kind = 'stuck'"),
        sqlite_where=sa.text("kind = 'stuck'"),
    )
    op.create_index(
        "uq_check_ins_waiting",
        "check_ins",
        ["agreement_id"],
        unique=True,
        postgresql_where=sa.text("state = 'proposed'"),
        sqlite_where=sa.text("state = 'proposed'"),
    )


def downgrade() -> None:
    op.drop_index("ix_agreement_progress_stuck", table_name="agreement_progress")
    op.drop_index("uq_check_ins_waiting", table_name="check_ins")
    op.drop_index(op.f("ix_check_ins_lead_id"), table_name="check_ins")
    op.drop_table("check_ins")
    op.drop_column("talks", "check_in_of")
