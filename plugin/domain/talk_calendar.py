"""What a change made in the calendar does to a talk. `Talk` takes these rules in as a base.

The talk and its calendar event must never disagree, but the calendar does not decide
everything:

- the meeting **moved**: a talk that is still planned moves with it; a talk that was held or
  signed keeps its time (its record is what happened);
- the meeting was **cancelled or deleted**: a planned or held talk is cancelled, saying why; a
  signed talk stays signed (a calendar change never deletes its record);
- the **learner is no longer invited**, or **someone else organises** the meeting: the talk
  needs the lead's attention, with the reason, and nothing is guessed;
- subject and body are the organiser's business and change nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from plugin.domain.talk_state import TalkStatus

CANCELLED_IN_OUTLOOK = "cancelled_in_outlook"
LEARNER_REMOVED = "learner_removed"
ORGANIZER_CHANGED = "organizer_changed"
#: A follow-up dragged to before its talk, and the policy found no free time for it.
FOLLOW_UP_BEFORE_TALK = "follow_up_before_talk"


@dataclass(frozen=True)
class EventState:
    """The calendar's event as it is now (the fields a talk cares about)."""

    change_key: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    #: Lower-cased addresses.
    organizer: str
    attendees: frozenset[str]


@dataclass(frozen=True)
class CalendarChange:
    """What applying an event's state did to the talk (for logs and tests)."""

    moved: bool = False
    cancelled: bool = False
    attention: str | None = None

    @property
    def anything(self) -> bool:
        return self.moved or self.cancelled or self.attention is not None


class TalkCalendar:
    """The calendar rules of `Talk` (which supplies the fields declared here)."""

    status: TalkStatus
    starts_at: datetime
    ends_at: datetime
    event_sequence: int
    event_change_key: str | None
    calendar_attention: str | None
    cancel_reason: str | None

    if TYPE_CHECKING:

        def _touch(self, now: datetime) -> None: ...

    def event_written(self, change_key: str | None) -> None:
        """The app wrote the event (or read it): this changeKey is no news."""
        if change_key:
            self.event_change_key = change_key

    def apply_event(
        self, event: EventState | None, lead_email: str, learner_email: str, now: datetime
    ) -> CalendarChange:
        """Bring the talk in line with its event (None: the event is gone)."""
        if event is not None and event.change_key and event.change_key == self.event_change_key:
            return CalendarChange()  # our own write, or a change seen already
        if event is None or event.cancelled:
            return CalendarChange(cancelled=self._cancelled_in_calendar(now))
        attention = _attention(event, lead_email, learner_email)
        moved = self._moved_in_calendar(event.starts_at, event.ends_at, now)
        noticed = attention != self.calendar_attention
        if noticed:
            self.calendar_attention = attention
            self._touch(now)
        if moved or noticed:
            # Remembered only with a change of the talk: a subject or body edit alone leaves
            # the talk (and its version, which open pages compare) as it was.
            self.event_change_key = event.change_key or self.event_change_key
        return CalendarChange(moved=moved, attention=attention)

    def rebooked(self, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
        """The policy gave this follow-up a new time (it was dragged to before its talk)."""
        self.starts_at, self.ends_at = starts_at, ends_at
        self.event_sequence += 1
        self.calendar_attention = None
        self._touch(now)

    def _moved_in_calendar(self, starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
        if self.status is not TalkStatus.PLANNED:
            return False
        if (starts_at, ends_at) == (self.starts_at, self.ends_at) or ends_at <= starts_at:
            return False
        self.starts_at, self.ends_at = starts_at, ends_at
        self.event_sequence += 1
        self._touch(now)
        return True

    def _cancelled_in_calendar(self, now: datetime) -> bool:
        if self.status in (TalkStatus.SIGNED, TalkStatus.CANCELLED):
            return False
        self.status = TalkStatus.CANCELLED
        self.cancel_reason = CANCELLED_IN_OUTLOOK
        self._touch(now)
        return True


def _attention(event: EventState, lead_email: str, learner_email: str) -> str | None:
    if event.organizer and event.organizer != lead_email.lower():
        return ORGANIZER_CHANGED
    if learner_email.lower() not in _lower(event.attendees):
        return LEARNER_REMOVED
    return None


def _lower(addresses: Iterable[str]) -> set[str]:
    return {a.lower() for a in addresses}
