"""The talk: one development conversation between a lead and a learner.

`Talk` is the aggregate that keeps the guide's rules: agreements are recorded during the talk,
the other participant confirms each wording, the learner may react, both sign, and a signed
form is locked. Its status runs planned → held → signed, or cancelled. The agreement rules
are in `talk_agreements`, the form and its hash in `form`, the states and roles in `talk_state`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from plugin.domain.agenda import AgendaNote
from plugin.domain.agreement import YEARS_AHEAD, Agreement, AgreementStatus
from plugin.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from plugin.domain.form import form_hash, signing_hash, talk_form
from plugin.domain.meeting import valid_chat_id
from plugin.domain.preparation import Preparation
from plugin.domain.rules import Act, require
from plugin.domain.talk_agreements import TalkAgreements
from plugin.domain.talk_calendar import TalkCalendar
from plugin.domain.talk_content import TalkContent
from plugin.domain.talk_state import (
    CalendarState,
    FollowUpStatus,
    Role,
    Signature,
    TalkStatus,
)
from plugin.domain.text import clean_text

MAX_TITLE = 200
MIN_DURATION = timedelta(minutes=10)
MAX_DURATION = timedelta(hours=8)


def check_start(starts_at: datetime, now: datetime) -> None:
    """A talk starts from now on, and within `YEARS_AHEAD` years: a later date is a typo,
    and one near the calendar's end would break every calendar that shows it."""
    if starts_at.tzinfo is None:
        raise InvalidInput("timezone_required", "starts_at")
    if starts_at < now:
        raise InvalidInput("in_past", "starts_at")
    if starts_at > now + timedelta(days=365 * YEARS_AHEAD):
        raise InvalidInput("too_far", "starts_at", years=YEARS_AHEAD)


def check_schedule(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    check_start(starts_at, now)
    duration = ends_at - starts_at
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise InvalidInput(
            "duration_range",
            "duration_minutes",
            min=int(MIN_DURATION.total_seconds() // 60),
            max=int(MAX_DURATION.total_seconds() // 60),
        )


@dataclass(eq=False)
class Talk(TalkAgreements, TalkContent, TalkCalendar):
    id: str
    tenant_id: str
    track_id: str
    lead_id: str
    learner_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    template_id: str
    created_at: datetime
    updated_at: datetime
    goals: list[str] = field(default_factory=list)
    #: The lead's own goal for the talk, and the learner's (each writes their own).
    own_goal: str = ""
    learner_goal: str = ""
    status: TalkStatus = TalkStatus.PLANNED
    #: The signed talk this one follows up, when it was booked as a follow-up.
    previous_talk_id: str | None = None
    #: A check-in (domain/checkin.py) about this agreement: a short talk with no checklist and
    #: no sign-off, never the track's follow-up.
    check_in_of: str | None = None
    agreements: list[Agreement] = field(default_factory=list)
    #: What was heard about each agenda item (domain/agenda.py), written during the talk.
    agenda_notes: list[AgendaNote] = field(default_factory=list)
    preparations: list[Preparation] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    #: The form as both signed it, and its SHA-256: later tampering shows as a mismatch.
    signed_form: dict[str, Any] | None = None
    content_hash: str | None = None
    follow_up_status: FollowUpStatus = FollowUpStatus.NONE
    follow_up_reason: str | None = None
    #: Nearest free slots offered when none was free in the policy's window (ISO strings).
    follow_up_options: list[dict[str, str]] = field(default_factory=list)
    follow_up_talk_id: str | None = None
    calendar_state: CalendarState = CalendarState.PENDING
    calendar_error: str | None = None
    event_id: str | None = None
    event_ical_uid: str | None = None
    join_url: str | None = None
    #: The Teams meeting chat's id (``19:meeting_…@thread.v2``) of the meeting the talk is held in.
    meeting_chat_id: str | None = None
    #: After sign-off, post a summary of the agreements in that meeting's chat. On for meetings
    #: the app booked (only the two are in them); for another meeting the lead chooses it,
    #: since everyone in that chat would read it.
    chat_summary: bool = False
    #: The event is the organiser's own Outlook appointment (linked from the add-in): the app
    #: marks it and reads it, but never moves, rewrites or cancels it.
    event_from_outlook: bool = False
    #: The meeting chat where our tab is pinned, once the worker has put it there.
    tab_chat_id: str | None = None
    #: The event's changeKey as last written or read: our own writes echo back as changes.
    event_change_key: str | None = None
    #: Why the calendar's event needs the lead's attention (see `talk_calendar`).
    calendar_attention: str | None = None
    #: Why the talk was cancelled, when that happened outside the app.
    cancel_reason: str | None = None
    #: One occurrence of a talk series (domain/series.py), known by its original start.
    series_id: str | None = None
    occurrence_start: datetime | None = None
    #: Bumped on every change of the calendar event, for iCalendar SEQUENCE.
    event_sequence: int = 0
    #: Counts every change of the talk or its agreements: what live panels compare.
    revision: int = 0
    version: int = 1

    # -- who is who ------------------------------------------------------------------------

    def role_of(self, person_id: str) -> Role | None:
        if person_id == self.lead_id:
            return Role.LEAD
        if person_id == self.learner_id:
            return Role.LEARNER
        return None

    def require_participant(self, person_id: str) -> Role:
        role = self.role_of(person_id)
        if role is None:
            raise NotFound("not_found", "talk")
        return role

    def other_participant(self, person_id: str) -> str:
        self.require_participant(person_id)
        return self.learner_id if person_id == self.lead_id else self.lead_id

    @property
    def locked(self) -> bool:
        return self.status in (TalkStatus.SIGNED, TalkStatus.CANCELLED)

    def _require_editable(self) -> None:
        if self.status is TalkStatus.SIGNED:
            raise Conflict("locked", "talk")
        if self.status is TalkStatus.CANCELLED:
            raise Conflict("cancelled", "talk")

    def _touch(self, now: datetime) -> None:
        self.updated_at = now
        # The clock may stand still (tests, fast clients); the revision always moves, so the
        # talk row is written and its optimistic lock checked for every change of the talk.
        self.revision += 1

    # -- planning ----------------------------------------------------------------------------

    def reschedule(self, by: str, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
        if self.require_participant(by) is not Role.LEAD:
            raise NotAllowed("lead_only", "starts_at")
        if self.status is not TalkStatus.PLANNED:
            raise Conflict("not_planned", "starts_at")
        if self.event_from_outlook:
            # The appointment is the organiser's: its time is set in Outlook, not here.
            raise Conflict("move_in_outlook", "starts_at")
        check_schedule(starts_at, ends_at, now)
        self.starts_at, self.ends_at = starts_at, ends_at
        self.event_sequence += 1
        self._touch(now)

    def retitle(self, by: str, title: str, now: datetime) -> None:
        if self.require_participant(by) is not Role.LEAD:
            raise NotAllowed("lead_only", "title")
        self._require_editable()
        self.title = clean_text(title, "title", max_length=MAX_TITLE)
        self.event_sequence += 1
        self._touch(now)

    def link_meeting(self, by: str, chat_id: str, now: datetime, *, chat_summary: bool) -> None:
        """Hold this talk in the Teams meeting whose chat is ``chat_id`` (the lead decides),
        and say whether its summary goes into that chat after sign-off."""
        if self.require_participant(by) is not Role.LEAD:
            raise NotAllowed("lead_only", "chat_id")
        if self.status is TalkStatus.CANCELLED:
            raise Conflict("cancelled", "talk")
        if not valid_chat_id(chat_id):
            raise InvalidInput("invalid_chat_id", "chat_id")
        self.meeting_chat_id = chat_id
        self.chat_summary = chat_summary
        self._touch(now)

    def link_outlook_event(
        self, event_id: str, ical_uid: str, join_url: str | None, chat_id: str | None
    ) -> None:
        """Hold this new talk in the organiser's own Outlook appointment (already verified:
        it is in the lead's calendar, and the learner is invited)."""
        self.event_id = event_id
        self.event_ical_uid = ical_uid
        self.join_url = join_url
        self.event_from_outlook = True
        self.meeting_chat_id = chat_id
        # The appointment is there already, in the organiser's hands: nothing to book.
        self.calendar_state = CalendarState.SYNCED

    def unlink_outlook_event(self, by: str, now: datetime) -> None:
        """The organiser takes the appointment back: the talk is cancelled, the appointment
        itself stays as it is."""
        if not self.event_from_outlook:
            raise Conflict("not_from_outlook", "talk")
        self.cancel(by, now)

    def tab_pinned(self, chat_id: str) -> None:
        self.tab_chat_id = chat_id

    def cancel(self, by: str, now: datetime) -> None:
        if self.require_participant(by) is not Role.LEAD:
            raise NotAllowed("lead_only", "talk")
        self._require_editable()
        self.status = TalkStatus.CANCELLED
        self.event_sequence += 1
        self._touch(now)

    def mark_held(self, by: str, now: datetime) -> None:
        self.require_participant(by)
        self._require_editable()
        self._require_started(now)
        if self.status is TalkStatus.PLANNED:
            self.status = TalkStatus.HELD
            self._touch(now)

    def sharing_changed(self, now: datetime) -> None:
        """Who the talk is shared with changed (the lead's decision, checked by the caller)."""
        self._touch(now)

    def require_version(self, expected: int) -> None:
        """A write based on an older state of the talk is refused: it would undo what the
        other participant did meanwhile."""
        if expected != self.version:
            raise Conflict("stale", "version")

    def _require_started(self, now: datetime) -> None:
        if now < self.starts_at:
            raise Conflict("not_started", "starts_at")

    # -- sign-off ----------------------------------------------------------------------------

    def unconfirmed(self) -> list[Agreement]:
        """Agreements the two do not both stand behind yet: wording or removal unconfirmed."""
        return [a for a in self.agreements if not a.settled]

    def signature_of(self, person_id: str) -> Signature | None:
        return next((s for s in self.signatures if s.person_id == person_id), None)

    def sign(
        self,
        by: str,
        *,
        shown_hash: str,
        new_id: str,
        now: datetime,
        names: Mapping[str, str],
    ) -> bool:
        """Record `by`'s signature of the form as it was shown to them (`shown_hash`, its
        `signing_hash` then); returns True when this completes the form."""
        role = self.require_participant(by)
        require(Act.SIGN, role, by)
        self._require_editable()
        if self.check_in_of is not None:
            raise Conflict("check_in_no_sign", "talk")
        if shown_hash != signing_hash(self):
            # The form changed after the signer last saw it: they must see it before signing.
            raise Conflict("form_changed", "form_hash")
        self._require_started(now)
        waiting = self.unconfirmed()
        if waiting:
            raise Conflict("unconfirmed", "agreements", agreements=[a.id for a in waiting])
        if self.signature_of(by) is None:
            self.signatures.append(
                Signature(id=new_id, talk_id=self.id, person_id=by, role=role, signed_at=now)
            )
        if self.status is TalkStatus.PLANNED:
            self.status = TalkStatus.HELD
        self._touch(now)
        if {s.person_id for s in self.signatures} != {self.lead_id, self.learner_id}:
            return False
        self.status = TalkStatus.SIGNED
        self.signed_form = talk_form(self, names)
        self.content_hash = form_hash(self.signed_form)
        self.follow_up_status = FollowUpStatus.BOOKING
        return True

    # -- follow-up ---------------------------------------------------------------------------

    def open_due_dates(self) -> list[date]:
        return sorted(a.due for a in self.agreements if a.status is AgreementStatus.OPEN and a.due)

    def follow_up_booked(self, follow_up_id: str) -> None:
        self.follow_up_status = FollowUpStatus.BOOKED
        self.follow_up_talk_id = follow_up_id
        self.follow_up_reason = None
        self.follow_up_options = []

    def follow_up_needs_attention(
        self, reason: str, options: Iterable[tuple[datetime, datetime]] = ()
    ) -> None:
        self.follow_up_status = FollowUpStatus.NEEDS_ATTENTION
        self.follow_up_reason = reason
        self.follow_up_options = [
            {"starts_at": start.isoformat(), "ends_at": end.isoformat()} for start, end in options
        ]

    def retry_follow_up(self, by: str) -> None:
        self.require_participant(by)
        if self.status is not TalkStatus.SIGNED:
            raise Conflict("not_signed", "talk")
        if self.follow_up_status is FollowUpStatus.BOOKED:
            raise Conflict("already_booked", "follow_up")
        self.follow_up_status = FollowUpStatus.BOOKING
        self.follow_up_reason = None
