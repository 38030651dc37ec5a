"""talk series: a recurring meeting in Outlook whose occurrences are talks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "talk_series",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("track_id", sa.String(length=36), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("master_event_id", sa.String(length=512), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column(
            "goals", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("own_goal", sa.Text(), nullable=False),
        sa.Column("join_url", sa.Text(), nullable=True),
        sa.Column("meeting_chat_id", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["people.id"], name=op.f("fk_talk_series_lead_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["people.id"], name=op.f("fk_talk_series_learner_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["tracks.id"], name=op.f("fk_talk_series_track_id_tracks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talk_series")),
        sa.UniqueConstraint("tenant_id", "master_event_id", name="uq_talk_series_master"),
    )
    op.create_index(op.f("ix_talk_series_lead_id"), "talk_series", ["lead_id"], unique=False)
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("occurrence_start", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_talks_series_id"), ["series_id"], unique=False)
        batch_op.create_unique_constraint("uq_talks_occurrence", ["series_id", "occurrence_start"])
        batch_op.create_foreign_key(
            batch_op.f("fk_talks_series_id_talk_series"), "talk_series", ["series_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_talks_series_id_talk_series"), type_="foreignkey")
        batch_op.drop_constraint("uq_talks_occurrence", type_="unique")
        batch_op.drop_index(batch_op.f("ix_talks_series_id"))
        batch_op.drop_column("occurrence_start")
        batch_op.drop_column("series_id")
    op.drop_index(op.f("ix_talk_series_lead_id"), table_name="talk_series")
    op.drop_table("talk_series")
