"""the talk companion: agenda notes, private feedback drafts, the learner's own goal, who first
wrote an agreement and the note it was closed with, and the hints a person folded away

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("folded_hints", JSON, nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("learner_goal", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("close_note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("created_by", sa.String(length=36), nullable=True))
    # Until now the latest writer was all we knew; it is the best guess for the first.
    op.execute("UPDATE agreements SET created_by = author_id")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.alter_column("created_by", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_foreign_key(
            op.f("fk_agreements_created_by_people"), "people", ["created_by"], ["id"]
        )
    op.create_table(
        "agenda_notes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("talk_id", sa.String(length=36), nullable=False),
        sa.Column("item_key", sa.String(length=80), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("discussed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=36), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["talk_id"],
            ["talks.id"],
            name=op.f("fk_agenda_notes_talk_id_talks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["people.id"], name=op.f("fk_agenda_notes_updated_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_notes")),
        sa.UniqueConstraint("talk_id", "item_key", name="uq_agenda_notes_item"),
    )
    op.create_table(
        "feedback_drafts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("talk_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("steps", JSON, nullable=False),
        sa.Column("said", sa.Boolean(), nullable=False),
        sa.Column("agreement_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["talk_id"],
            ["talks.id"],
            name=op.f("fk_feedback_drafts_talk_id_talks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_feedback_drafts_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_drafts")),
    )
    op.create_index(
        "ix_feedback_drafts_writer", "feedback_drafts", ["talk_id", "person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_feedback_drafts_writer", table_name="feedback_drafts")
    op.drop_table("feedback_drafts")
    op.drop_table("agenda_notes")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_agreements_created_by_people"), type_="foreignkey")
        batch_op.drop_column("created_by")
        batch_op.drop_column("close_note")
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.drop_column("learner_goal")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("folded_hints")
