"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 10:27:57.262474
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "outbox_jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column(
            "payload", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'done', 'failed')", name=op.f("ck_outbox_jobs_status_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_jobs")),
    )
    with op.batch_alter_table("outbox_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_jobs_due", ["status", "run_after"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("external", sa.Boolean(), nullable=False),
        sa.Column("feed_version", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("tenant_id", "object_id", name="uq_people_identity"),
    )
    op.create_table(
        "calendar_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("transaction_id", sa.String(length=128), nullable=False),
        sa.Column("organizer_id", sa.String(length=36), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column(
            "categories", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_calendar_events_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["organizer_id"], ["people.id"], name=op.f("fk_calendar_events_organizer_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_events")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_calendar_events_transaction_id")),
    )
    with op.batch_alter_table("calendar_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_events_organizer_id"), ["organizer_id"], unique=False
        )
        batch_op.create_index("ix_calendar_events_window", ["starts_at", "ends_at"], unique=False)

    op.create_table(
        "signin_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_signin_tokens_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_signin_tokens")),
    )
    op.create_table(
        "tracks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lead_id <> learner_id", name=op.f("ck_tracks_two_people")),
        sa.ForeignKeyConstraint(["lead_id"], ["people.id"], name=op.f("fk_tracks_lead_id_people")),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["people.id"], name=op.f("fk_tracks_learner_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracks")),
        sa.UniqueConstraint("tenant_id", "lead_id", "learner_id", name="uq_tracks_pair"),
    )
    op.create_table(
        "calendar_attendees",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["calendar_events.id"],
            name=op.f("fk_calendar_attendees_event_id_calendar_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_calendar_attendees_person_id_people")
        ),
        sa.PrimaryKeyConstraint("event_id", "person_id", name=op.f("pk_calendar_attendees")),
    )
    with op.batch_alter_table("calendar_attendees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_attendees_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "talks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("track_id", sa.String(length=36), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column(
            "goals", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("own_goal", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("previous_talk_id", sa.String(length=36), nullable=True),
        sa.Column(
            "signed_form", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("follow_up_status", sa.String(length=32), nullable=False),
        sa.Column("follow_up_reason", sa.String(length=64), nullable=True),
        sa.Column(
            "follow_up_options",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("follow_up_talk_id", sa.String(length=36), nullable=True),
        sa.Column("calendar_state", sa.String(length=32), nullable=False),
        sa.Column("calendar_error", sa.String(length=500), nullable=True),
        sa.Column("event_id", sa.String(length=512), nullable=True),
        sa.Column("event_ical_uid", sa.String(length=512), nullable=True),
        sa.Column("join_url", sa.Text(), nullable=True),
        sa.Column("event_sequence", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'signed') = (content_hash IS NOT NULL)",
            name=op.f("ck_talks_signed_has_hash"),
        ),
        sa.CheckConstraint(
            "calendar_state IN ('pending', 'synced', 'failed')",
            name=op.f("ck_talks_calendar_state_valid"),
        ),
        sa.CheckConstraint(
            "follow_up_status IN ('none', 'booking', 'booked', 'needs_attention')",
            name=op.f("ck_talks_follow_up_status_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'held', 'signed', 'cancelled')",
            name=op.f("ck_talks_status_valid"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_talks_ends_after_start")),
        sa.CheckConstraint("lead_id <> learner_id", name=op.f("ck_talks_two_people")),
        sa.ForeignKeyConstraint(["lead_id"], ["people.id"], name=op.f("fk_talks_lead_id_people")),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["people.id"], name=op.f("fk_talks_learner_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["previous_talk_id"], ["talks.id"], name=op.f("fk_talks_previous_talk_id_talks")
        ),
        sa.ForeignKeyConstraint(["track_id"], ["tracks.id"], name=op.f("fk_talks_track_id_tracks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talks")),
        sa.UniqueConstraint("previous_talk_id", name=op.f("uq_talks_previous_talk_id")),
    )
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_talks_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_talks_learner_id"), ["learner_id"], unique=False)
        batch_op.create_index("ix_talks_starts_at", ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_talks_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_talks_track_id"), ["track_id"], unique=False)

    op.create_table(
        "agreements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("talk_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reaction", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("confirmed_by", sa.String(length=36), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_in_talk_id", sa.String(length=36), nullable=True),
        sa.Column("closed_by", sa.String(length=36), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "owner IN ('lead', 'learner', 'both')", name=op.f("ck_agreements_owner_valid")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'done', 'dropped')", name=op.f("ck_agreements_status_valid")
        ),
        sa.CheckConstraint(
            "confirmed_by IS NULL OR confirmed_by <> author_id",
            name=op.f("ck_agreements_other_confirms"),
        ),
        sa.CheckConstraint(
            "length(what) BETWEEN 1 AND 500", name=op.f("ck_agreements_what_length")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_agreements_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["people.id"], name=op.f("fk_agreements_closed_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["closed_in_talk_id"], ["talks.id"], name=op.f("fk_agreements_closed_in_talk_id_talks")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["people.id"], name=op.f("fk_agreements_confirmed_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["talk_id"], ["talks.id"], name=op.f("fk_agreements_talk_id_talks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("talk_id", "position", name="uq_agreements_position"),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreements_talk_id"), ["talk_id"], unique=False)

    op.create_table(
        "preparations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("talk_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column(
            "ticked", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "points", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_preparations_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["talk_id"],
            ["talks.id"],
            name=op.f("fk_preparations_talk_id_talks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preparations")),
        sa.UniqueConstraint("talk_id", "person_id", name="uq_preparations_person"),
    )
    op.create_table(
        "signatures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("talk_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('lead', 'learner')", name=op.f("ck_signatures_role_valid")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_signatures_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["talk_id"], ["talks.id"], name=op.f("fk_signatures_talk_id_talks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
        sa.UniqueConstraint("talk_id", "person_id", name="uq_signatures_person"),
    )
    op.create_table(
        "talk_shares",
        sa.Column("talk_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("shared_by", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_talk_shares_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["shared_by"], ["people.id"], name=op.f("fk_talk_shares_shared_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["talk_id"], ["talks.id"], name=op.f("fk_talk_shares_talk_id_talks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("talk_id", "person_id", name=op.f("pk_talk_shares")),
    )


def downgrade() -> None:

    op.drop_table("talk_shares")
    op.drop_table("signatures")
    op.drop_table("preparations")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_talk_id"))

    op.drop_table("agreements")
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_talks_track_id"))
        batch_op.drop_index(batch_op.f("ix_talks_tenant_id"))
        batch_op.drop_index("ix_talks_starts_at")
        batch_op.drop_index(batch_op.f("ix_talks_learner_id"))
        batch_op.drop_index(batch_op.f("ix_talks_lead_id"))

    op.drop_table("talks")
    with op.batch_alter_table("calendar_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_attendees_person_id"))

    op.drop_table("calendar_attendees")
    op.drop_table("tracks")
    op.drop_table("signin_tokens")
    with op.batch_alter_table("calendar_events", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_events_window")
        batch_op.drop_index(batch_op.f("ix_calendar_events_organizer_id"))

    op.drop_table("calendar_events")
    op.drop_table("people")
    with op.batch_alter_table("outbox_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_jobs_due")

    op.drop_table("outbox_jobs")
