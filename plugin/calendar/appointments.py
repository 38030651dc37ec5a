"""The organiser's own appointments: the port the Outlook add-in's server side uses.

A lead who made a meeting in Outlook turns it into a talk from the add-in. The server then
needs two things from the calendar, behind this one small interface:

- `read`: the appointment the add-in names (by the id Outlook gives it), from the signed-in
  organiser's own mailbox and nobody else's, as an `Invite` (the same shape an `.ics` file
  becomes, so one rule decides who is the learner) plus what only a live calendar knows;
- `mark`: write the talk's id onto the event itself, without touching its body, so the
  calendar sync can find the talks among a mailbox's events.

Microsoft mode implements it on Graph (`calendar/outlook.py`). Local mode has no Outlook: its
way in from another calendar is the `.ics` invite on the plan page, so `NoAppointments`
refuses, saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from plugin.calendar.port import Attendee, CalendarError, EventRef
from plugin.domain.errors import NotAllowed
from plugin.domain.invite import Invite


@dataclass(frozen=True)
class Appointment:
    """An appointment as the organiser's calendar holds it (ids are immutable ids)."""

    ref: EventRef
    invite: Invite
    #: The signed-in person organises it (an invitation they received is not theirs to use).
    is_organizer: bool
    #: A series or one of its occurrences: it becomes a talk series.
    recurring: bool
    cancelled: bool
    #: The series' master event (immutable id) when `recurring`.
    series_master_id: str | None = None


class AppointmentConsentMissing(CalendarError):
    """The organisation has not allowed the app to read the organiser's calendar for them."""


class Appointments(Protocol):
    def read(
        self, user_key: str, tenant_id: str, assertion: str, item_id: str
    ) -> Appointment | None:
        """The appointment with Outlook's `item_id` in the signed-in person's own mailbox
        (`assertion`: their validated SSO token, of `tenant_id`), or None when their mailbox
        has no such item.

        Raises `AppointmentConsentMissing`, or the calendar port's errors."""
        ...

    def mark(self, organizer: Attendee, event_id: str, talk_id: str) -> None:
        """Write `talk_id` onto the event (never its body); raises the calendar port's errors."""
        ...


class NoAppointments:
    """Local mode: there is no Outlook mailbox to read."""

    def read(
        self, user_key: str, tenant_id: str, assertion: str, item_id: str
    ) -> Appointment | None:
        raise NotAllowed("outlook_only", "item_id")

    def mark(self, organizer: Attendee, event_id: str, talk_id: str) -> None:
        raise NotAllowed("outlook_only", "item_id")
