"""My calendar's events (local mode; in Microsoft mode the calendar is Outlook)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from plugin.calendar.port import Attendee
from plugin.domain.errors import Conflict, InvalidInput
from plugin.domain.people import Person
from plugin.domain.schedule import Interval
from plugin.services.context import Services
from plugin.web.api.base import api
from plugin.web.context import as_viewer_read
from plugin.web.schemas import CalendarWindow

MAX_CALENDAR_WINDOW = timedelta(days=92)


@api.route(
    "GET",
    "/calendar/events",
    summary="My calendar's events in a window (?start=&end=)",
    tag="calendar",
    query=CalendarWindow,
)
def calendar_events(query: CalendarWindow) -> dict[str, Any]:
    window = {"start": query.start, "end": query.end}
    if query.end <= query.start or query.end - query.start > MAX_CALENDAR_WINDOW:
        raise InvalidInput("invalid_date", "end")

    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        if svc.graph is not None:
            # Reading Outlook would be a Graph call inside a request: never on the web path.
            raise Conflict("calendar_in_outlook")
        events = svc.calendar(s).list_events(
            Attendee(me.id, me.display_name, me.email), Interval(window["start"], window["end"])
        )
        return {
            "events": [
                {
                    "event_id": e.ref.event_id,
                    "ical_uid": e.ref.ical_uid,
                    "subject": e.subject,
                    "start": e.start.isoformat(),
                    "end": e.end.isoformat(),
                    "organizer_id": e.organizer_id,
                    "attendee_ids": list(e.attendee_ids),
                    "cancelled": e.cancelled,
                    "categories": list(e.categories),
                }
                for e in events
            ]
        }

    return as_viewer_read(work)
