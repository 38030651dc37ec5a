"""The Microsoft Graph calendar: talks as Teams meetings in the lead's Outlook calendar.

Implements the calendar port with msgraph-sdk (through `GraphClient`, which keeps asyncio and
the SDK's client to itself). Runs only in the worker: never on a web request's path.

What each operation sends (the tests assert these exact requests at the Graph fake):
- every event id is Graph's immutable one (`Prefer: IdType="ImmutableId"`), which stays the
  same when the event moves between folders, and is what change notifications name;
- create: `POST /users/{lead}/events`, a Teams meeting with the learner as attendee, the
  invite's HTML body, our category and a `transactionId`, so a retried create (the SDK's, or
  the outbox's after a lost answer) finds the first event instead of making a second.
- update: `PATCH /users/{lead}/events/{id}` with the time, subject and attendees, never the
  body (a PATCHed body loses the Teams join information); cancel:
  `POST .../events/{id}/cancel` (Graph tells the attendees; a 404 means it is gone already,
  which counts as done).
- find a slot: one `POST /users/{lead}/calendar/getSchedule` for all attendees at once. Their
  busy times and each mailbox's own working hours (in its own time zone) then go through the
  same search as the local calendar, so the policy's window, nearest options and 15-minute
  grid are the same everywhere. (`findMeetingTimes` cannot give the nearest options outside the
  window in the same request, so a full window would cost a second call.)
- list: `GET /users/{id}/calendarView`, paged by hand along `@odata.nextLink`.

Graph's failures become the port's: throttling, 5xx and network trouble are
`RetryableCalendarError` (with Graph's `Retry-After`), the rest `CalendarRejected` with a
reason the talk can show (`calendar_permission`, `mailbox_not_found`, ...).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.attendee import Attendee as GraphAttendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.free_busy_status import FreeBusyStatus
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
from msgraph.generated.models.schedule_information import ScheduleInformation
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import (
    GetSchedulePostRequestBody,
)
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
    CancelPostRequestBody,
)
from msgraph.graph_service_client import GraphServiceClient

from plugin.calendar.graph_client import GraphClient
from plugin.calendar.graph_errors import graph_call, iso_utc
from plugin.calendar.port import (
    Attendee,
    CalendarEvent,
    CalendarRejected,
    EventDraft,
    EventRef,
    RetryableCalendarError,
    SlotRequest,
)
from plugin.domain.schedule import Interval, SlotSearch, WorkingHours, off_hours, search_slot

log = logging.getLogger(__name__)

T = TypeVar("T")

#: getSchedule answers for at most this long a span.
MAX_SCHEDULE_SPAN = timedelta(days=62)
#: Granularity of getSchedule's `availabilityView` summary. We read the exact `scheduleItems`
#: instead, so ask for the coarsest summary (one digit a day) to keep answers small.
SCHEDULE_INTERVAL_MINUTES = 1440
#: Busy statuses; `free` and `workingElsewhere` leave the person available for a Teams call.
_BUSY = {FreeBusyStatus.Busy, FreeBusyStatus.Tentative, FreeBusyStatus.Oof}
#: What we read of events in a window: no bodies, so each page stays small.
_LIST_FIELDS = [
    "id",
    "iCalUId",
    "subject",
    "start",
    "end",
    "organizer",
    "attendees",
    "isCancelled",
    "categories",
    "onlineMeeting",
]
_PAGE_SIZE = 50
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PREFER_UTC = 'outlook.timezone="UTC"'
#: Ids that stay the same when an item moves between folders: what talks store, and what
#: change notifications (subscribed with the same preference) name.
_PREFER_IMMUTABLE = 'IdType="ImmutableId"'


class GraphCalendar:
    """The calendar port on Microsoft Graph, acting with the app's own (application) token."""

    def __init__(self, client: GraphClient, *, timezone: str = "Europe/Amsterdam") -> None:
        self._client = client
        #: The organisation's zone: used for a mailbox whose own zone Graph cannot name.
        self._timezone = timezone

    # -- the port -------------------------------------------------------------------------------

    def create_event(self, draft: EventDraft) -> EventRef:
        event = self._event(draft)
        event.is_online_meeting = True
        event.online_meeting_provider = OnlineMeetingProviderType.TeamsForBusiness
        event.transaction_id = draft.transaction_id
        event.allow_new_time_proposals = True
        created = self._run(
            "create",
            lambda g: g.users.by_user_id(draft.organizer.email).events.post(
                event, request_configuration=prefer_immutable()
            ),
        )
        return event_ref(_require(created, "create"))

    def update_event(self, ref: EventRef, draft: EventDraft) -> EventRef:
        changed = self._run(
            "update",
            lambda g: (
                g.users.by_user_id(draft.organizer.email)
                .events.by_event_id(ref.event_id)
                .patch(self._event(draft, with_body=False), prefer_immutable())
            ),
        )
        updated = event_ref(_require(changed, "update"))
        # A PATCH answer may omit the join URL when the meeting itself did not change.
        return EventRef(
            updated.event_id,
            updated.ical_uid or ref.ical_uid,
            updated.join_url or ref.join_url,
            updated.change_key,
        )

    def cancel_event(self, ref: EventRef, organizer: Attendee) -> None:
        body = CancelPostRequestBody(comment="")
        try:
            self._run(
                "cancel",
                lambda g: (
                    g.users.by_user_id(organizer.email)
                    .events.by_event_id(ref.event_id)
                    .cancel.post(body, prefer_immutable())
                ),
            )
        except CalendarRejected as error:
            if error.reason != "not_found":
                raise
            log.info("event %s was gone already; cancelling counts as done", ref.event_id)

    def find_slot(self, request: SlotRequest) -> SlotSearch:
        earliest, horizon = _schedule_span(request)
        body = GetSchedulePostRequestBody(
            schedules=[a.email for a in request.attendees],
            start_time=_graph_time(earliest),
            end_time=_graph_time(horizon),
            availability_view_interval=SCHEDULE_INTERVAL_MINUTES,
        )
        organizer = request.attendees[0].email
        answer = self._run(
            "find_slot",
            lambda g: g.users.by_user_id(organizer).calendar.get_schedule.post(
                body, request_configuration=_prefer_utc()
            ),
        )
        span = Interval(earliest, horizon)
        busy: list[Interval] = []
        for schedule in _require(answer, "find_slot").value or []:
            busy.extend(self._busy_of(schedule, span))
        return search_slot(
            busy,
            request.window,
            request.duration,
            request.hours,
            earliest=earliest,
            horizon=horizon,
            options=request.options,
        )

    def list_events(self, person: Attendee, within: Interval) -> Sequence[CalendarEvent]:
        config = RequestConfiguration(
            query_parameters=CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
                start_date_time=iso_utc(within.start),
                end_date_time=iso_utc(within.end),
                select=_LIST_FIELDS,
                top=_PAGE_SIZE,
            )
        )
        config.headers.add("Prefer", _PREFER_UTC)
        config.headers.add("Prefer", _PREFER_IMMUTABLE)

        async def all_pages(g: GraphServiceClient) -> list[Event]:
            view = g.users.by_user_id(person.email).calendar_view
            page = await view.get(request_configuration=config)
            events: list[Event] = []
            while page is not None:
                events.extend(page.value or [])
                if not page.odata_next_link:
                    break
                # By hand: the SDK's PageIterator drops the Prefer header on later pages.
                next_config: RequestConfiguration[Any] = RequestConfiguration()
                next_config.headers.add("Prefer", _PREFER_UTC)
                next_config.headers.add("Prefer", _PREFER_IMMUTABLE)
                page = await view.with_url(page.odata_next_link).get(
                    request_configuration=next_config
                )
            return events

        events = self._run("list", all_pages)
        return sorted((_calendar_event(e) for e in events), key=lambda e: (e.start, e.ref.event_id))

    # -- helpers --------------------------------------------------------------------------------

    def _event(self, draft: EventDraft, *, with_body: bool = True) -> Event:
        # An update leaves the body alone: a PATCH with a body drops a Teams meeting's join
        # information (microsoft-graph-docs#16336), and the link in it stays right anyway.
        return Event(
            subject=draft.subject[:255],
            body=ItemBody(content_type=BodyType.Html, content=draft.body_html)
            if with_body
            else None,
            start=_graph_time(draft.start),
            end=_graph_time(draft.end),
            attendees=[
                GraphAttendee(
                    email_address=EmailAddress(address=a.email, name=a.name),
                    type=AttendeeType.Required,
                )
                for a in draft.attendees
                if a.email.lower() != draft.organizer.email.lower()
            ],
            categories=list(draft.categories),
        )

    def _busy_of(self, schedule: ScheduleInformation, span: Interval) -> Iterable[Interval]:
        if schedule.error is not None:
            code = schedule.error.response_code or "unknown"
            log.warning("getSchedule could not read %s: %s", schedule.schedule_id, code)
            reason = "mailbox_not_found" if "NotFound" in code else "calendar_permission"
            raise CalendarRejected(
                f"free/busy of {schedule.schedule_id} unavailable: {code}", reason=reason
            )
        for item in schedule.schedule_items or []:
            if item.status in _BUSY and item.start and item.end:
                start, end = parse_time(item.start), parse_time(item.end)
                if end > start:
                    yield Interval(start, end)
        hours = self._working_hours(schedule)
        if hours is not None:
            yield from off_hours(hours, span)

    def _working_hours(self, schedule: ScheduleInformation) -> WorkingHours | None:
        """The mailbox's own working hours, or None when Graph gives none."""
        wh = schedule.working_hours
        if wh is None or not wh.days_of_week or wh.start_time is None or wh.end_time is None:
            return None
        zone = _zone_name((wh.time_zone.name if wh.time_zone else None) or "") or self._timezone
        days = {_DAY_NAMES.index(str(d.value).lower()) for d in wh.days_of_week}
        start, end = _plain_time(wh.start_time), _plain_time(wh.end_time)
        if start >= end:
            return None
        return WorkingHours(timezone=zone, days=frozenset(days), start=start, end=end)

    def _run(self, operation: str, work: Callable[[GraphServiceClient], Awaitable[T]]) -> T:
        return graph_call(operation, lambda: self._client.call(work))


# -- Graph values ↔ ours ---------------------------------------------------------------------------


def _require(value: T | None, operation: str) -> T:
    if value is None:
        raise RetryableCalendarError(f"{operation}: Graph sent an empty answer")
    return value


def _schedule_span(request: SlotRequest) -> tuple[datetime, datetime]:
    """[earliest, horizon], cut to what one getSchedule call can answer around the window."""
    earliest = max(request.earliest, request.window.start - MAX_SCHEDULE_SPAN / 2)
    horizon = min(request.horizon, earliest + MAX_SCHEDULE_SPAN)
    if horizon < request.window.end:  # never cut the window itself
        horizon = request.window.end
        earliest = max(request.earliest, horizon - MAX_SCHEDULE_SPAN)
    return earliest, horizon


def _graph_time(moment: datetime) -> DateTimeTimeZone:
    return DateTimeTimeZone(date_time=iso_utc(moment, offset=False), time_zone="UTC")


def parse_time(value: DateTimeTimeZone) -> datetime:
    """Graph's {dateTime, timeZone} (7 fractional digits, a Windows or IANA zone) → aware."""
    text = (value.date_time or "").rstrip("Z")
    if "." in text:
        head, fraction = text.split(".", 1)
        text = f"{head}.{fraction[:6]}"
    naive = datetime.fromisoformat(text)
    zone = _zone_name(value.time_zone or "UTC") or "UTC"
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _zone_name(name: str) -> str | None:
    """An IANA zone for what Graph calls a zone: IANA already, or a Windows name."""
    if not name:
        return None
    if name.upper() == "UTC":
        return "UTC"
    try:
        ZoneInfo(name)
        return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    mapped = WINDOWS_TO_OLSON.get(name)
    return str(mapped) if mapped else None


def _plain_time(value: time | str) -> time:
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    return time.fromisoformat(str(value).split(".")[0])


def event_ref(event: Event) -> EventRef:
    join_url = event.online_meeting.join_url if event.online_meeting else None
    return EventRef(
        event_id=event.id or "",
        ical_uid=event.i_cal_u_id or "",
        join_url=join_url,
        change_key=event.change_key,
    )


def _address(email: EmailAddress | None) -> str:
    return ((email.address if email else None) or "").lower()


def _calendar_event(event: Event) -> CalendarEvent:
    organizer = _address(event.organizer.email_address if event.organizer else None)
    return CalendarEvent(
        ref=event_ref(event),
        subject=event.subject or "",
        start=parse_time(event.start) if event.start else datetime.min.replace(tzinfo=UTC),
        end=parse_time(event.end) if event.end else datetime.min.replace(tzinfo=UTC),
        organizer_id=organizer,
        attendee_ids=tuple(
            sorted(
                _address(a.email_address)
                for a in event.attendees or []
                if _address(a.email_address) and _address(a.email_address) != organizer
            )
        ),
        cancelled=bool(event.is_cancelled),
        categories=tuple(event.categories or ()),
    )


def prefer_immutable() -> RequestConfiguration[Any]:
    config: RequestConfiguration[Any] = RequestConfiguration()
    config.headers.add("Prefer", _PREFER_IMMUTABLE)
    return config


def _prefer_utc() -> RequestConfiguration[Any]:
    config: RequestConfiguration[Any] = RequestConfiguration()
    config.headers.add("Prefer", _PREFER_UTC)
    return config
