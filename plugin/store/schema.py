"""Tables, and the mapping of the plain domain classes onto them.

The domain stays free of SQLAlchemy: its dataclasses are mapped imperatively here. Invariants
that the database can hold itself are CHECK and UNIQUE constraints, so that no other writer
can break them either.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
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
    event,
    text,
)
from sqlalchemy.orm import registry, relationship

from plugin.domain.agenda import AgendaNote
from plugin.domain.agreement import MAX_WHAT, Agreement, AgreementStatus, Owner
from plugin.domain.agreement_progress import AgreementProgress
from plugin.domain.checkin import CheckIn
from plugin.domain.feedback import FeedbackDraft
from plugin.domain.people import Person, Track
from plugin.domain.preparation import Preparation
from plugin.domain.series import TalkSeries
from plugin.domain.talk import Talk
from plugin.domain.talk_state import CalendarState, FollowUpStatus, Role, Signature, TalkStatus
from plugin.store.between_talks_tables import agreement_progress, check_ins
from plugin.store.metadata import ID, metadata, one_of
from plugin.store.talk_type_tables import talk_type_versions as talk_type_versions
from plugin.store.types import EnumText, Json, UTCDateTime

# `talk_type_versions` is imported (and re-exported) so that the metadata always holds it.

people = Table(
    "people",
    metadata,
    Column("id", ID, primary_key=True),
    #: Entra tenant id, or "local" in local mode.
    Column("tenant_id", String(64), nullable=False),
    #: Entra object id (oid), or a local id.
    Column("object_id", String(64), nullable=False),
    Column("display_name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("job_title", String(200), nullable=False, default=""),
    Column("external", Boolean, nullable=False, default=False),
    Column("feed_version", Integer, nullable=False, default=1),
    #: Bumped at sign-out (local mode): every session cookie issued before stops working.
    Column("session_generation", Integer, nullable=False, default=1),
    Column("locale", String(8), nullable=False, default="nl"),
    #: The talk hints the person folded away.
    Column("folded_hints", Json, nullable=False, default=list),
    UniqueConstraint("tenant_id", "object_id", name="uq_people_identity"),
)

tracks = Table(
    "tracks",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("lead_id", ID, ForeignKey("people.id"), nullable=False),
    Column("learner_id", ID, ForeignKey("people.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("tenant_id", "lead_id", "learner_id", name="uq_tracks_pair"),
    CheckConstraint("lead_id <> learner_id", name="two_people"),
)

#: A recurring meeting in Outlook whose occurrences are talks (domain/series.py).
talk_series = Table(
    "talk_series",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("track_id", ID, ForeignKey("tracks.id"), nullable=False),
    Column("lead_id", ID, ForeignKey("people.id"), nullable=False, index=True),
    Column("learner_id", ID, ForeignKey("people.id"), nullable=False),
    Column("master_event_id", String(512), nullable=False),
    Column("title", String(200), nullable=False),
    #: The occurrences' type version, as `talks.template_id`.
    Column("template_id", String(64), nullable=False),
    Column("goals", Json, nullable=False),
    Column("own_goal", Text, nullable=False, default=""),
    Column("join_url", Text, nullable=True),
    Column("meeting_chat_id", String(255), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("tenant_id", "master_event_id", name="uq_talk_series_master"),
)

talks = Table(
    "talks",
    metadata,
    Column("id", ID, primary_key=True),
    Column("tenant_id", String(64), nullable=False, index=True),
    Column("track_id", ID, ForeignKey("tracks.id"), nullable=False, index=True),
    Column("lead_id", ID, ForeignKey("people.id"), nullable=False, index=True),
    Column("learner_id", ID, ForeignKey("people.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    #: The talk's type, as the version it was planned with: the SHA-256 of a row of
    #: `talk_type_versions` (follow-ups and check-ins copy it). No foreign key: a talk planned
    #: before types were kept may hold a type's id instead, and is read as the default type.
    Column("template_id", String(64), nullable=False),
    Column("goals", Json, nullable=False),
    Column("own_goal", Text, nullable=False, default=""),
    #: The learner's own goal for the talk (the lead's is `own_goal`).
    Column("learner_goal", Text, nullable=False, default=""),
    Column("status", EnumText(TalkStatus), nullable=False),
    Column("previous_talk_id", ID, ForeignKey("talks.id"), nullable=True, unique=True),
    #: A check-in about this agreement (no foreign key: agreements point at talks already).
    Column("check_in_of", ID, nullable=True),
    #: The form as signed by both, and its SHA-256.
    Column("signed_form", Json, nullable=True),
    Column("content_hash", String(64), nullable=True),
    Column("follow_up_status", EnumText(FollowUpStatus), nullable=False),
    Column("follow_up_reason", String(64), nullable=True),
    Column("follow_up_options", Json, nullable=False),
    Column("follow_up_talk_id", ID, nullable=True),
    Column("calendar_state", EnumText(CalendarState), nullable=False),
    Column("calendar_error", String(500), nullable=True),
    #: The calendar's ids for the talk's event (Graph event id and iCalUId in Microsoft mode).
    Column("event_id", String(512), nullable=True),
    Column("event_ical_uid", String(512), nullable=True),
    Column("join_url", Text, nullable=True),
    #: The Teams meeting's chat (thread) id: how a meeting tab finds its talk.
    Column("meeting_chat_id", String(255), nullable=True),
    #: Post the signed talk's summary in that meeting chat (its members see it).
    Column("chat_summary", Boolean, nullable=False, default=False),
    #: The event is the organiser's own Outlook appointment, linked from the add-in: we mark
    #: it, and never move, rewrite or cancel it.
    Column("event_from_outlook", Boolean, nullable=False, default=False),
    #: The meeting chat where our tab is pinned (set by the worker once it is there).
    Column("tab_chat_id", String(255), nullable=True),
    #: The event's changeKey as the app last wrote or read it: its own writes echo back
    #: through change notifications, and are recognised by it.
    Column("event_change_key", String(255), nullable=True),
    #: Why the talk needs the lead's attention after a change in the calendar (the learner
    #: was taken off the invite, the organiser changed): nothing is guessed.
    Column("calendar_attention", String(64), nullable=True),
    #: Why a talk was cancelled when it was not cancelled here (`cancelled_in_outlook`).
    Column("cancel_reason", String(64), nullable=True),
    #: The talk is one occurrence of a series (recurring meeting), known by its original start.
    Column("series_id", ID, ForeignKey("talk_series.id"), nullable=True, index=True),
    Column("occurrence_start", UTCDateTime, nullable=True),
    UniqueConstraint("series_id", "occurrence_start", name="uq_talks_occurrence"),
    Column("event_sequence", Integer, nullable=False, default=0),
    #: Counts every change of the talk and its agreements (live panels' ETag).
    Column("revision", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    #: Optimistic lock: concurrent writers of one talk never both win.
    Column("version", Integer, nullable=False),
    one_of("status", TalkStatus),
    one_of("follow_up_status", FollowUpStatus),
    one_of("calendar_state", CalendarState),
    CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    CheckConstraint("lead_id <> learner_id", name="two_people"),
    CheckConstraint("(status = 'signed') = (content_hash IS NOT NULL)", name="signed_has_hash"),
)
Index("ix_talks_starts_at", talks.c.starts_at)
#: The reminder scan's talks ended and not yet signed (`store/reminders.py`).
Index(
    "ix_talks_unsigned_ends_at",
    talks.c.ends_at,
    postgresql_where=text("status IN ('planned', 'held')"),
    sqlite_where=text("status IN ('planned', 'held')"),
)
Index("ix_talks_meeting_chat", talks.c.tenant_id, talks.c.meeting_chat_id)
#: One open talk per calendar event: pressing the add-in's button twice never makes two.
OPEN_EVENT_WHERE = text("event_id IS NOT NULL AND status <> 'cancelled'")
Index(
    "uq_talks_open_event",
    talks.c.tenant_id,
    talks.c.event_id,
    unique=True,
    sqlite_where=OPEN_EVENT_WHERE,
    postgresql_where=OPEN_EVENT_WHERE,
)

agreements = Table(
    "agreements",
    metadata,
    Column("id", ID, primary_key=True),
    Column("talk_id", ID, ForeignKey("talks.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("what", String(MAX_WHAT), nullable=False),
    Column("owner", EnumText(Owner), nullable=False),
    Column("due", Date, nullable=True),
    Column("status", EnumText(AgreementStatus), nullable=False),
    Column("reaction", Text, nullable=False, default=""),
    Column("author_id", ID, ForeignKey("people.id"), nullable=False),
    Column("confirmed_by", ID, ForeignKey("people.id"), nullable=True),
    Column("confirmed_at", UTCDateTime, nullable=True),
    #: A participant asked to strike this agreement; the other confirms before it goes.
    Column("removal_requested_by", ID, ForeignKey("people.id"), nullable=True),
    Column("closed_in_talk_id", ID, ForeignKey("talks.id"), nullable=True),
    Column("closed_by", ID, ForeignKey("people.id"), nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    #: What was said about it in the later talk that closed it or kept it open.
    Column("close_note", Text, nullable=False, default=""),
    #: Who first wrote it: only they may strike it at once, while it is still their proposal.
    Column("created_by", ID, ForeignKey("people.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    one_of("owner", Owner),
    one_of("status", AgreementStatus),
    CheckConstraint(f"length(what) BETWEEN 1 AND {MAX_WHAT}", name="what_length"),
    CheckConstraint("confirmed_by IS NULL OR confirmed_by <> author_id", name="other_confirms"),
    UniqueConstraint("talk_id", "position", name="uq_agreements_position"),
)

#: The reminder scan's open agreements by due date (`store/reminders.py`).
Index(
    "ix_agreements_open_due",
    agreements.c.due,
    postgresql_where=text("status = 'open' AND due IS NOT NULL"),
    sqlite_where=text("status = 'open' AND due IS NOT NULL"),
)

preparations = Table(
    "preparations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("talk_id", ID, ForeignKey("talks.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", ID, ForeignKey("people.id"), nullable=False),
    Column("ticked", Json, nullable=False),
    Column("points", Json, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("talk_id", "person_id", name="uq_preparations_person"),
)

#: What was heard about each agenda item during the talk (domain/agenda.py).
agenda_notes = Table(
    "agenda_notes",
    metadata,
    Column("id", ID, primary_key=True),
    Column("talk_id", ID, ForeignKey("talks.id", ondelete="CASCADE"), nullable=False),
    Column("item_key", String(80), nullable=False),
    Column("label", Text, nullable=False),
    Column("discussed", Boolean, nullable=False),
    Column("note", Text, nullable=False),
    Column("updated_by", ID, ForeignKey("people.id"), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("talk_id", "item_key", name="uq_agenda_notes_item"),
)

#: A participant's private feedback drafts for a talk (domain/feedback.py): never shown to the
#: other, never on the form.
feedback_drafts = Table(
    "feedback_drafts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("talk_id", ID, ForeignKey("talks.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", ID, ForeignKey("people.id"), nullable=False),
    Column("steps", Json, nullable=False),
    Column("said", Boolean, nullable=False),
    Column("agreement_id", ID, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
)
Index("ix_feedback_drafts_writer", feedback_drafts.c.talk_id, feedback_drafts.c.person_id)

signatures = Table(
    "signatures",
    metadata,
    Column("id", ID, primary_key=True),
    Column("talk_id", ID, ForeignKey("talks.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", ID, ForeignKey("people.id"), nullable=False),
    Column("role", EnumText(Role), nullable=False),
    Column("signed_at", UTCDateTime, nullable=False),
    one_of("role", Role),
    UniqueConstraint("talk_id", "person_id", name="uq_signatures_person"),
)

#: Read-only shares of a talk with a school supervisor.
talk_shares = Table(
    "talk_shares",
    metadata,
    Column("talk_id", ID, ForeignKey("talks.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ID, ForeignKey("people.id"), primary_key=True),
    Column("shared_by", ID, ForeignKey("people.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    #: The one live share link's id; a new link or stopping the share retires the old one.
    Column("link_id", String(64), nullable=True),
)

mapper_registry = registry(metadata=metadata)


def _map() -> None:
    mapper_registry.map_imperatively(Person, people)
    mapper_registry.map_imperatively(Track, tracks)
    mapper_registry.map_imperatively(Agreement, agreements)
    mapper_registry.map_imperatively(Preparation, preparations)
    mapper_registry.map_imperatively(AgreementProgress, agreement_progress)
    mapper_registry.map_imperatively(AgendaNote, agenda_notes)
    mapper_registry.map_imperatively(FeedbackDraft, feedback_drafts)
    mapper_registry.map_imperatively(Signature, signatures)
    mapper_registry.map_imperatively(CheckIn, check_ins, version_id_col=check_ins.c.version)
    mapper_registry.map_imperatively(TalkSeries, talk_series, version_id_col=talk_series.c.version)
    mapper_registry.map_imperatively(
        Talk,
        talks,
        properties={
            "agreements": relationship(
                Agreement,
                order_by=agreements.c.position,
                cascade="all, delete-orphan",
                lazy="selectin",
                foreign_keys=[agreements.c.talk_id],
            ),
            "preparations": relationship(
                Preparation, cascade="all, delete-orphan", lazy="selectin"
            ),
            "agenda_notes": relationship(AgendaNote, cascade="all, delete-orphan", lazy="selectin"),
            "signatures": relationship(Signature, cascade="all, delete-orphan", lazy="selectin"),
        },
        version_id_col=talks.c.version,
    )


_map()


def _in_utc(_target: object, value: object, _old: object, _initiator: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


def _keep_times_in_utc() -> None:
    """A time set on a mapped object reads back as the database would give it (UTC), so an
    object just written shows the same as one loaded: the live panels' answer is built from
    the former and must equal one built from the latter."""
    for mapper in mapper_registry.mappers:
        for prop in mapper.column_attrs:
            if any(isinstance(column.type, UTCDateTime) for column in prop.columns):
                event.listen(prop.class_attribute, "set", _in_utc, retval=True)


_keep_times_in_utc()

# The app's working tables share the metadata: whoever imports the schema gets all tables.
import plugin.store.audit_tables  # noqa: E402
import plugin.store.lead_pair_tables  # noqa: E402
import plugin.store.working_tables  # noqa: E402, F401
