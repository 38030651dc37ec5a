"""privacy: the audit log, the upkeep's last runs, stored settings, and the purge's indexes

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_INDEXES = (
    ("ix_agreements_closed_in_talk_id", "agreements", "closed_in_talk_id"),
    ("ix_check_ins_talk_id", "check_ins", "talk_id"),
    ("ix_check_ins_check_in_talk_id", "check_ins", "check_in_talk_id"),
    ("ix_check_ins_track_id", "check_ins", "track_id"),
    ("ix_talk_series_track_id", "talk_series", "track_id"),
    ("ix_tracks_lead_id", "tracks", "lead_id"),
    ("ix_tracks_learner_id", "tracks", "learner_id"),
    # Every column that may name a person: deleting one checks them all.
    ("ix_graph_subscriptions_person_id", "graph_subscriptions", "person_id"),
    ("ix_talk_series_learner_id", "talk_series", "learner_id"),
    ("ix_agenda_notes_updated_by", "agenda_notes", "updated_by"),
    ("ix_agreements_author_id", "agreements", "author_id"),
    ("ix_agreements_confirmed_by", "agreements", "confirmed_by"),
    ("ix_agreements_removal_requested_by", "agreements", "removal_requested_by"),
    ("ix_agreements_closed_by", "agreements", "closed_by"),
    ("ix_agreements_created_by", "agreements", "created_by"),
    ("ix_feedback_drafts_person_id", "feedback_drafts", "person_id"),
    ("ix_preparations_person_id", "preparations", "person_id"),
    ("ix_signatures_person_id", "signatures", "person_id"),
    ("ix_talk_shares_person_id", "talk_shares", "person_id"),
    ("ix_talk_shares_shared_by", "talk_shares", "shared_by"),
    ("ix_agreement_progress_author_id", "agreement_progress", "author_id"),
    ("ix_check_ins_learner_id", "check_ins", "learner_id"),
    ("ix_check_ins_outcome_by", "check_ins", "outcome_by"),
    ("ix_signin_tokens_person_id", "signin_tokens", "person_id"),
)


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("talk_id", sa.String(length=36), nullable=True),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "upkeep_runs",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_upkeep_runs")),
    )
    op.create_table(
        "stored_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", _JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_stored_settings")),
    )
    for name, table, column in _INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _column in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("stored_settings")
    op.drop_table("upkeep_runs")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
