"""The tables the app works with beside the talks' record: local sign-in links, the local
calendar, Graph subscriptions, the outbox, and the live panels' answers."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from plugin.store.metadata import ID, metadata
from plugin.store.types import Json, UTCDateTime

#: One-time sign-in links of local mode; only a hash of the token is kept.
signin_tokens = Table(
    "signin_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
)

#: The local calendar's events (local mode's calendar is a real calendar, not a mock).
calendar_events = Table(
    "calendar_events",
    metadata,
    Column("id", ID, primary_key=True),
    #: The caller's idempotency key: a retried create finds the first event.
    Column("transaction_id", String(128), nullable=False, unique=True),
    Column("organizer_id", ID, ForeignKey("people.id"), nullable=False, index=True),
    Column("subject", String(255), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("categories", Json, nullable=False),
    Column("url", Text, nullable=True),
    Column("cancelled", Boolean, nullable=False, default=False),
    Column("sequence", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("ends_at > starts_at", name="ends_after_start"),
)
Index("ix_calendar_events_window", calendar_events.c.starts_at, calendar_events.c.ends_at)

calendar_attendees = Table(
    "calendar_attendees",
    metadata,
    Column("event_id", ID, ForeignKey("calendar_events.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ID, ForeignKey("people.id"), primary_key=True, index=True),
)

#: Microsoft mode: one Graph change-notification subscription per lead's mailbox.
graph_subscriptions = Table(
    "graph_subscriptions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    #: The lead whose mailbox's events it watches (one subscription each).
    Column("person_id", ID, ForeignKey("people.id"), nullable=False),
    Column("mailbox", String(320), nullable=False),
    #: Graph's id for it.
    Column("subscription_id", String(128), nullable=False, unique=True),
    #: Graph sends it back with every notification; compared in constant time. Never logged.
    Column("client_state", String(128), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    #: The lifetime Graph granted at the last create or renewal: renewal is due at half of it.
    Column("lifetime_seconds", Integer, nullable=False),
    #: When the mailbox's talk events were last compared with the talks (reconciliation).
    Column("reconciled_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("tenant_id", "person_id", name="uq_graph_subscriptions_mailbox"),
)

#: Remote work recorded in the same transaction as the change that needs it.
outbox_jobs = Table(
    "outbox_jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    #: Jobs with the same key (e.g. one talk's) run one at a time, in id order.
    Column("key", String(100), nullable=True),
    Column("payload", Json, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("run_after", UTCDateTime, nullable=False),
    Column("last_error", String(1000), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('pending', 'done', 'failed')", name="status_valid"),
)
Index("ix_outbox_jobs_due", outbox_jobs.c.status, outbox_jobs.c.run_after)
Index("ix_outbox_jobs_key", outbox_jobs.c.key, outbox_jobs.c.status)

#: Each talk's live-panel answer at its newest built version (JSON without the viewer's role),
#: so that a change built once by the writer's process is served by every other process.
#: A cache of what the tables above hold: it goes with its talk.
live_answers = Table(
    "live_answers",
    metadata,
    Column("talk_id", ID, ForeignKey("talks.id", ondelete="CASCADE"), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("body", Text, nullable=False),
)

#: One row per reminder occasion found (`domain/reminders.py`): its reminders are enqueued in
#: the same transaction, so an occasion is reminded of once, however often the scan runs. The
#: primary key is the scan's anti-join.
reminder_occasions = Table(
    "reminder_occasions",
    metadata,
    Column("kind", String(16), primary_key=True),
    #: The talk's or the agreement's id.
    Column("subject_id", ID, primary_key=True),
    #: What made it this occasion: the talk's start or end, the due date (ISO text).
    Column("occasion_key", String(40), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    #: From then on no scan can find the occasion again (`domain/reminders.forget_after`):
    #: the scan's upkeep deletes the row, so the anti-joins stay the size of the windows.
    Column("forget_after", UTCDateTime, nullable=False),
)
Index("ix_reminder_occasions_forget_after", reminder_occasions.c.forget_after)

#: The kinds of reminder a person turned off.
reminder_opt_outs = Table(
    "reminder_opt_outs",
    metadata,
    Column("person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),
)
