"""The local calendar: events kept in our own database, for local mode and the iCalendar feeds.

It is a real product mode, not a mock: events have stable UIDs, sequences and attendees, and
free slots are found from everyone's events with the same rules as the domain's policy.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from plugin.calendar.port import (
    Attendee,
    CalendarEvent,
    CalendarRejected,
    EventDraft,
    EventRef,
    SlotRequest,
)
from plugin.domain.schedule import Interval, SlotSearch, search_slot
from plugin.store.working_tables import calendar_attendees, calendar_events

ICAL_DOMAIN = "ontwikkelgesprek.local"


def ical_uid(transaction_id: str) -> str:
    """Derived from the caller's key, so a talk keeps one UID in every calendar and feed."""
    return f"{transaction_id}@{ICAL_DOMAIN}"


class LocalCalendar:
    """Works inside the caller's transaction: the event is saved with the change that needs it."""

    def __init__(self, session: Session, now: Callable[[], datetime]) -> None:
        self._session = session
        self._now = now

    def create_event(self, draft: EventDraft) -> EventRef:
        existing = self._session.execute(
            select(calendar_events.c.id).where(
                calendar_events.c.transaction_id == draft.transaction_id
            )
        ).scalar_one_or_none()
        if existing is not None:
            return self._ref(existing, draft.transaction_id)
        event_id = str(uuid.uuid4())
        now = self._now()
        self._session.execute(
            insert(calendar_events).values(
                id=event_id,
                transaction_id=draft.transaction_id,
                created_at=now,
                sequence=0,
                cancelled=False,
                **self._fields(draft, now),
            )
        )
        self._set_attendees(event_id, draft)
        return self._ref(event_id, draft.transaction_id)

    def update_event(self, ref: EventRef, draft: EventDraft) -> EventRef:
        result = self._session.execute(
            update(calendar_events)
            .where(calendar_events.c.id == ref.event_id)
            .values(sequence=calendar_events.c.sequence + 1, **self._fields(draft, self._now()))
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise CalendarRejected(f"event {ref.event_id} does not exist")
        self._set_attendees(ref.event_id, draft)
        return ref

    def cancel_event(self, ref: EventRef, organizer: Attendee) -> None:
        self._session.execute(
            update(calendar_events)
            .where(calendar_events.c.id == ref.event_id, calendar_events.c.cancelled.is_(False))
            .values(cancelled=True, sequence=calendar_events.c.sequence + 1, updated_at=self._now())
        )

    def find_slot(self, request: SlotRequest) -> SlotSearch:
        people = [a.person_id for a in request.attendees]
        busy = [
            Interval(start, end)
            for start, end in self._session.execute(
                select(calendar_events.c.starts_at, calendar_events.c.ends_at)
                .distinct()
                .select_from(
                    calendar_events.outerjoin(
                        calendar_attendees,
                        calendar_attendees.c.event_id == calendar_events.c.id,
                    )
                )
                .where(
                    calendar_events.c.cancelled.is_(False),
                    calendar_events.c.starts_at < request.horizon,
                    calendar_events.c.ends_at > request.earliest,
                    or_(
                        calendar_events.c.organizer_id.in_(people),
                        calendar_attendees.c.person_id.in_(people),
                    ),
                )
            )
        ]
        return search_slot(
            busy,
            request.window,
            request.duration,
            request.hours,
            earliest=request.earliest,
            horizon=request.horizon,
            options=request.options,
        )

    def list_events(self, person: Attendee, within: Interval) -> Sequence[CalendarEvent]:
        attending = select(calendar_attendees.c.event_id).where(
            calendar_attendees.c.person_id == person.person_id
        )
        rows = self._session.execute(
            select(calendar_events)
            .where(
                or_(
                    calendar_events.c.organizer_id == person.person_id,
                    calendar_events.c.id.in_(attending),
                ),
                and_(
                    calendar_events.c.starts_at < within.end,
                    calendar_events.c.ends_at > within.start,
                ),
            )
            .order_by(calendar_events.c.starts_at, calendar_events.c.id)
        ).all()
        attendees: dict[str, list[str]] = {}
        if rows:
            for event_id, person_id in self._session.execute(
                select(calendar_attendees.c.event_id, calendar_attendees.c.person_id)
                .where(calendar_attendees.c.event_id.in_([r.id for r in rows]))
                .order_by(calendar_attendees.c.person_id)
            ):
                attendees.setdefault(event_id, []).append(person_id)
        return [
            CalendarEvent(
                ref=self._ref(row.id, row.transaction_id),
                subject=row.subject,
                start=row.starts_at,
                end=row.ends_at,
                organizer_id=row.organizer_id,
                attendee_ids=tuple(attendees.get(row.id, ())),
                cancelled=row.cancelled,
                categories=tuple(row.categories),
            )
            for row in rows
        ]

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _ref(event_id: str, transaction_id: str) -> EventRef:
        return EventRef(event_id=event_id, ical_uid=ical_uid(transaction_id), join_url=None)

    @staticmethod
    def _fields(draft: EventDraft, now: datetime) -> dict[str, object]:
        return {
            "organizer_id": draft.organizer.person_id,
            "subject": draft.subject[:255],
            "starts_at": draft.start,
            "ends_at": draft.end,
            "body_text": draft.body_text,
            "body_html": draft.body_html,
            "categories": list(draft.categories),
            "url": draft.url,
            "updated_at": now,
        }

    def _set_attendees(self, event_id: str, draft: EventDraft) -> None:
        self._session.execute(
            delete(calendar_attendees).where(calendar_attendees.c.event_id == event_id)
        )
        people = {a.person_id for a in draft.attendees} - {draft.organizer.person_id}
        if people:
            self._session.execute(
                insert(calendar_attendees),
                [{"event_id": event_id, "person_id": p} for p in sorted(people)],
            )
