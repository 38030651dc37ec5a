"""The calendar port: the one small interface every calendar implements.

Two implementations: `LocalCalendar` (events in our own database, local mode) and, in
Microsoft mode, the Graph calendar. Adapters say what the caller should do next by raising
`RetryableCalendarError` (try again later) or `CalendarRejected` (do not retry).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from plugin.domain.people import Person
from plugin.domain.schedule import Interval, SlotSearch, WorkingHours

#: The category that marks an event as a development talk in the calendar.
TALK_CATEGORY = "Ontwikkelgesprek"


@dataclass(frozen=True)
class Attendee:
    person_id: str
    name: str
    email: str


def attendee_of(person: Person) -> Attendee:
    return Attendee(person_id=person.id, name=person.display_name, email=person.email)


@dataclass(frozen=True)
class EventDraft:
    #: Idempotency key: creating twice with the same key makes one event.
    transaction_id: str
    organizer: Attendee
    attendees: tuple[Attendee, ...]
    subject: str
    start: datetime
    end: datetime
    body_text: str
    body_html: str
    url: str
    categories: tuple[str, ...] = (TALK_CATEGORY,)


@dataclass(frozen=True)
class EventRef:
    event_id: str
    ical_uid: str
    join_url: str | None = None
    #: The calendar's version stamp of the event after the call (Graph's changeKey), if any.
    change_key: str | None = None


@dataclass(frozen=True)
class CalendarEvent:
    ref: EventRef
    subject: str
    start: datetime
    end: datetime
    #: Who organises and attends, as the calendar knows them: person ids in the local
    #: calendar, lower-case mailbox addresses in Microsoft Graph.
    organizer_id: str
    attendee_ids: tuple[str, ...]
    cancelled: bool
    categories: tuple[str, ...]


@dataclass(frozen=True)
class SlotRequest:
    attendees: tuple[Attendee, ...]
    window: Interval
    earliest: datetime
    horizon: datetime
    duration: timedelta
    hours: WorkingHours
    options: int = 3


class CalendarError(Exception):
    """Base of what a calendar raises."""


class RetryableCalendarError(CalendarError):
    """A passing failure (throttling, a time-out): the same call may work later."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CalendarRejected(CalendarError):
    """The calendar refused the request; repeating it will not help.

    `reason` says why in a word the talk can show: `calendar_permission` (the app may not use
    that calendar: consent or the mailbox policy), `mailbox_not_found`, `calendar_sign_in`
    (the app cannot get a token), `not_found`, or `rejected` for anything else.
    """

    def __init__(self, message: str, reason: str = "rejected") -> None:
        super().__init__(message)
        self.reason = reason


class Calendar(Protocol):
    def create_event(self, draft: EventDraft) -> EventRef: ...

    def update_event(self, ref: EventRef, draft: EventDraft) -> EventRef: ...

    def cancel_event(self, ref: EventRef, organizer: Attendee) -> None:
        """Cancel and tell the attendees; an event that is already gone counts as done."""
        ...

    def find_slot(self, request: SlotRequest) -> SlotSearch: ...

    def list_events(self, person: Attendee, within: Interval) -> Sequence[CalendarEvent]: ...
