"""Check-ins when an agreement slips: a short talk the lead is offered, and what it agrees.

When an agreement of a signed talk goes overdue, or its owner says it is stuck, the lead is
offered a check-in: 15 minutes, at the first time free for both within 5 working days. The
lead accepts it (it is then booked as a small talk in the track, with the agreement on its
agenda) or dismisses it. A proposal is made once per occasion (`reason_key`: the due date it
went overdue on, or the "stuck" entry of its history), so a dismissed one does not come back
for the same date; and an agreement has at most one proposal waiting at a time.

A check-in has no checklist and no sign-off. It can end in a new due date or new wording for
the agreement: one of the two writes it, the other confirms, and only then does the agreement
change (the signed form stays as signed: it keeps its own copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from plugin.domain.agreement import Agreement, AgreementStatus, check_due, clean_what
from plugin.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from plugin.domain.schedule import Interval, WorkingHours

#: A check-in is short: one agreement, not a whole talk.
CHECK_IN_DURATION = timedelta(minutes=15)
#: It is offered at the first time free for both within this many working days.
CHECK_IN_WORKING_DAYS = 5


class CheckInReason(StrEnum):
    OVERDUE = "overdue"
    STUCK = "stuck"


class CheckInState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


@dataclass(eq=False)
class CheckIn:
    id: str
    tenant_id: str
    agreement_id: str
    #: The signed talk the agreement was made in, and its track.
    talk_id: str
    track_id: str
    lead_id: str
    learner_id: str
    reason: CheckInReason
    #: What made this occasion: the due date (ISO) it went overdue on, or the "stuck" entry's id.
    reason_key: str
    created_at: datetime
    updated_at: datetime
    state: CheckInState = CheckInState.PROPOSED
    #: The first time free for both, once the worker found it (None: not yet, or none free).
    slot_start: datetime | None = None
    slot_end: datetime | None = None
    #: The check-in talk, once booked; why it could not be booked, if so.
    check_in_talk_id: str | None = None
    problem: str | None = None
    #: What the check-in agreed: new wording and/or a new due date, written by one of the two
    #: and confirmed by the other.
    new_what: str | None = None
    new_due: date | None = None
    outcome_by: str | None = None
    outcome_confirmed_at: datetime | None = None
    version: int = 1

    # -- who ---------------------------------------------------------------------------------

    def require_participant(self, person_id: str) -> None:
        if person_id not in (self.lead_id, self.learner_id):
            raise NotFound("not_found", "talk")

    def _require_lead(self, person_id: str, expected_version: int) -> None:
        self.require_participant(person_id)
        if person_id != self.lead_id:
            raise NotAllowed("lead_only", "check_in")
        if expected_version != self.version:
            raise Conflict("stale", "version", current=self.to_dict())

    # -- the lead's decision -----------------------------------------------------------------

    def accept(
        self,
        by: str,
        expected_version: int,
        now: datetime,
        *,
        starts_at: datetime | None = None,
        hours: WorkingHours | None = None,
    ) -> bool:
        """The lead takes the check-in: the worker books it (at the slot found, if still free).
        With `starts_at` (a time the lead picked, see `chosen_slot`) it is booked at that time;
        whether they picked one."""
        self._require_lead(by, expected_version)
        if self.state is not CheckInState.PROPOSED:
            raise Conflict("check_in_decided", "check_in", current=self.to_dict())
        if starts_at is not None:
            chosen = chosen_slot(starts_at, now, hours or WorkingHours())
            self.slot_found(chosen.start, chosen.end)
        self.state = CheckInState.ACCEPTED
        self.updated_at = now
        return starts_at is not None

    def dismiss(self, by: str, expected_version: int, now: datetime) -> None:
        """The lead does not want it: it is not proposed again for the same occasion."""
        self._require_lead(by, expected_version)
        if self.state is not CheckInState.PROPOSED:
            raise Conflict("check_in_decided", "check_in", current=self.to_dict())
        self.state = CheckInState.DISMISSED
        self.updated_at = now

    def slot_found(self, start: datetime, end: datetime) -> None:
        self.slot_start, self.slot_end, self.problem = start, end, None

    def booked(self, talk_id: str, start: datetime, end: datetime) -> None:
        self.check_in_talk_id = talk_id
        self.slot_start, self.slot_end, self.problem = start, end, None

    def not_booked(self, reason: str) -> None:
        """No time found (or the calendar refused): an accepted check-in goes back to the lead,
        who sees why and accepts it again later, or dismisses it."""
        self.problem = reason
        if self.state is CheckInState.ACCEPTED and self.check_in_talk_id is None:
            self.state = CheckInState.PROPOSED

    # -- what it agreed ----------------------------------------------------------------------

    def propose_outcome(
        self,
        by: str,
        expected_version: int,
        agreement: Agreement,
        *,
        what: str | None,
        due: date | None,
        held: bool,
        today: date,
        now: datetime,
    ) -> None:
        """One of the two writes what the check-in agreed: new wording, a new due date, or
        both. It waits for the other's confirmation; writing again replaces it."""
        self.require_participant(by)
        if expected_version != self.version:
            raise Conflict("stale", "version", current=self.to_dict())
        if self.check_in_talk_id is None or not held:
            raise Conflict("not_started", "check_in")
        if agreement.status is not AgreementStatus.OPEN:
            raise Conflict("progress_closed", "agreement")
        if what is None and due is None:
            raise InvalidInput("required", "what")
        new_what = clean_what(what) if what is not None else None
        new_due = check_due(due, today)
        if new_what in (None, agreement.what) and new_due in (None, agreement.due):
            raise InvalidInput("unchanged", "what")
        self.new_what, self.new_due = new_what, new_due
        self.outcome_by, self.outcome_confirmed_at = by, None
        self.updated_at = now

    def confirm_outcome(
        self, by: str, expected_version: int, agreement: Agreement, now: datetime
    ) -> None:
        """The other confirms what was written: the agreement takes it."""
        self.require_participant(by)
        if expected_version != self.version:
            raise Conflict("stale", "version", current=self.to_dict())
        if self.outcome_by is None or self.outcome_confirmed_at is not None:
            raise Conflict("nothing_to_confirm", "check_in", current=self.to_dict())
        if by == self.outcome_by:
            raise NotAllowed("confirm_own_wording", "check_in")
        if agreement.status is not AgreementStatus.OPEN:
            raise Conflict("progress_closed", "agreement")
        if self.new_what is not None:
            agreement.what = self.new_what
        if self.new_due is not None:
            agreement.due = self.new_due
        agreement.version += 1
        agreement.updated_at = now
        self.outcome_confirmed_at = now
        self.updated_at = now

    def to_dict(self) -> dict[str, Any]:
        def iso(moment: datetime | date | None) -> str | None:
            return moment.isoformat() if moment is not None else None

        return {
            "id": self.id,
            "agreement_id": self.agreement_id,
            "talk_id": self.talk_id,
            "reason": self.reason.value,
            "reason_key": self.reason_key,
            "state": self.state.value,
            "starts_at": iso(self.slot_start),
            "ends_at": iso(self.slot_end),
            "check_in_talk_id": self.check_in_talk_id,
            "problem": self.problem,
            "outcome": None
            if self.outcome_by is None
            else {
                "what": self.new_what,
                "due": iso(self.new_due),
                "by": self.outcome_by,
                "confirmed_at": iso(self.outcome_confirmed_at),
            },
            "version": self.version,
        }


def chosen_slot(starts_at: datetime, now: datetime, hours: WorkingHours) -> Interval:
    """The check-in's 15 minutes at a time the lead picked (when no time free for both was
    found): still to come, on a working day, within working hours, and within a year."""
    slot = Interval(starts_at, starts_at + CHECK_IN_DURATION)
    if slot.start <= now:
        raise InvalidInput("in_past", "starts_at")
    if slot.start > now + timedelta(days=366):
        raise InvalidInput("too_far", "starts_at", years=1)
    day = hours.local_date(slot.start)
    if not hours.is_working_day(day) or not hours.day_interval(day).contains(slot):
        raise InvalidInput(
            "outside_working_hours",
            "starts_at",
            start=hours.start.strftime("%H:%M"),
            end=hours.end.strftime("%H:%M"),
        )
    return slot


def is_open(check_in: CheckIn, check_in_talk_ended: bool) -> bool:
    """Still running: waiting for the lead, or accepted and not over yet. While one is open,
    the agreement gets no other proposal."""
    if check_in.state is CheckInState.PROPOSED:
        return True
    return check_in.state is CheckInState.ACCEPTED and not check_in_talk_ended
