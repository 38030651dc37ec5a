"""The tables of what happens between talks: an agreement's progress after sign-off and the
check-ins proposed when one slips. Their domain classes are mapped in `schema.py`."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from plugin.domain.agreement import MAX_WHAT
from plugin.domain.agreement_progress import MAX_PROGRESS_NOTE, ProgressKind
from plugin.domain.checkin import CheckInReason, CheckInState
from plugin.store.metadata import ID, metadata, one_of
from plugin.store.types import EnumText, UTCDateTime

#: What happened to an agreement after sign-off (domain/agreement_progress.py): a history
#: beside the signed form, never part of it.
agreement_progress = Table(
    "agreement_progress",
    metadata,
    Column("id", ID, primary_key=True),
    Column("agreement_id", ID, ForeignKey("agreements.id", ondelete="CASCADE"), nullable=False),
    #: The entry's place in its agreement's history: 1, 2, ... (one clock second may hold two).
    Column("position", Integer, nullable=False),
    Column("author_id", ID, ForeignKey("people.id"), nullable=False),
    Column("kind", EnumText(ProgressKind), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    one_of("kind", ProgressKind),
    CheckConstraint(f"length(note) <= {MAX_PROGRESS_NOTE}", name="note_length"),
    #: A note is the entry itself; an empty one says nothing.
    CheckConstraint("kind <> 'note' OR length(note) > 0", name="note_says_something"),
    #: Also the index an agreement's history is read by, in order.
    UniqueConstraint("agreement_id", "position", name="uq_agreement_progress_position"),
)

#: Check-ins proposed to the lead when an agreement slips (domain/checkin.py).
check_ins = Table(
    "check_ins",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("agreement_id", ID, ForeignKey("agreements.id", ondelete="CASCADE"), nullable=False),
    Column("talk_id", ID, ForeignKey("talks.id", ondelete="CASCADE"), nullable=False),
    Column("track_id", ID, ForeignKey("tracks.id"), nullable=False),
    Column("lead_id", ID, ForeignKey("people.id"), nullable=False, index=True),
    Column("learner_id", ID, ForeignKey("people.id"), nullable=False),
    Column("reason", EnumText(CheckInReason), nullable=False),
    Column("reason_key", String(40), nullable=False),
    Column("state", EnumText(CheckInState), nullable=False),
    Column("slot_start", UTCDateTime, nullable=True),
    Column("slot_end", UTCDateTime, nullable=True),
    Column("check_in_talk_id", ID, ForeignKey("talks.id"), nullable=True),
    Column("problem", String(64), nullable=True),
    Column("new_what", String(MAX_WHAT), nullable=True),
    Column("new_due", Date, nullable=True),
    Column("outcome_by", ID, ForeignKey("people.id"), nullable=True),
    Column("outcome_confirmed_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    one_of("reason", CheckInReason),
    one_of("state", CheckInState),
    #: Each occasion (the due date it went overdue on, the "stuck" entry) is proposed once:
    #: a dismissed one does not come back for it. Also the scan's anti-join.
    UniqueConstraint("agreement_id", "reason_key", name="uq_check_ins_occasion"),
)
#: The check-ins' scan: recent "stuck" entries (`store/checkins.py`).
Index(
    "ix_agreement_progress_stuck",
    agreement_progress.c.created_at,
    postgresql_where=text("kind = 'stuck'"),
    sqlite_where=text("kind = 'stuck'"),
)
#: At most one proposal per agreement waits for the lead.
Index(
    "uq_check_ins_waiting",
    check_ins.c.agreement_id,
    unique=True,
    sqlite_where=text("state = 'proposed'"),
    postgresql_where=text("state = 'proposed'"),
)
