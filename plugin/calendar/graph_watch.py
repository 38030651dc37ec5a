"""Watching the leads' Outlook calendars through Microsoft Graph: change-notification
subscriptions, and reading events back (the worker's side of the two-way sync).

- `subscribe`: `POST /subscriptions` on `/users/{mailbox}/events` (created, updated, deleted),
  with `Prefer: IdType="ImmutableId"` so notifications name the ids the talks store. Graph
  checks both URLs with a validation request before it answers.
- `renew`: `PATCH /subscriptions/{id}` with a new `expirationDateTime`; `unsubscribe`: `DELETE`.
  The lifetime is whatever Graph grants: read from its answer, never assumed.
- `read`: one event, only the fields a talk compares (no body); None when it is gone.
- `window`: the mailbox's events over a span (`calendarView`, paged), for reconciliation.
- `instances`: a series' occurrences over a span (`/events/{master}/instances`, paged), each
  with its `originalStart`: how a talk of the series knows its occurrence.

All with the app's own token (application `Calendars.Read` is enough; the worker has
`Calendars.ReadWrite`). Failures become the calendar port's errors, as in `graph.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.event import Event
from msgraph.generated.models.subscription import Subscription
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)
from msgraph.generated.users.item.events.item.event_item_request_builder import (
    EventItemRequestBuilder,
)
from msgraph.generated.users.item.events.item.instances.instances_request_builder import (
    InstancesRequestBuilder,
)
from msgraph.graph_service_client import GraphServiceClient

from plugin.calendar.graph import parse_time
from plugin.calendar.graph_client import GraphClient
from plugin.calendar.graph_errors import graph_call, iso_utc
from plugin.calendar.port import CalendarRejected, RetryableCalendarError
from plugin.domain.series import Occurrence
from plugin.domain.talk_calendar import EventState

T = TypeVar("T")

#: The fields a talk compares with its event.
EVENT_FIELDS = ["id", "changeKey", "start", "end", "isCancelled", "organizer", "attendees"]
_PREFER = ('outlook.timezone="UTC"', 'IdType="ImmutableId"')
_PAGE_SIZE = 50


@dataclass(frozen=True)
class Granted:
    """A subscription as Graph answered it."""

    subscription_id: str
    expires_at: datetime


@dataclass(frozen=True)
class WatchedEvent:
    event_id: str
    state: EventState
    join_url: str | None = None
    #: The series' master, for an occurrence of a recurring meeting.
    series_master_id: str | None = None


class GraphWatch:
    def __init__(self, client: Callable[[], GraphClient]) -> None:
        self._client = client

    def subscribe(
        self,
        mailbox: str,
        notification_url: str,
        lifecycle_url: str,
        client_state: str,
        expires_at: datetime,
    ) -> Granted:
        wanted = Subscription(
            change_type="created,updated,deleted",
            notification_url=notification_url,
            lifecycle_notification_url=lifecycle_url,
            resource=f"/users/{mailbox}/events",
            expiration_date_time=expires_at,
            client_state=client_state,
        )
        config: RequestConfiguration[Any] = RequestConfiguration()
        config.headers.add("Prefer", 'IdType="ImmutableId"')
        made = self._run("subscribe", lambda g: g.subscriptions.post(wanted, config))
        return _granted(made, "subscribe")

    def renew(self, subscription_id: str, expires_at: datetime) -> Granted:
        patch = Subscription(expiration_date_time=expires_at)
        renewed = self._run(
            "renew", lambda g: g.subscriptions.by_subscription_id(subscription_id).patch(patch)
        )
        return _granted(renewed, "renew")

    def unsubscribe(self, subscription_id: str) -> None:
        try:
            self._run(
                "unsubscribe",
                lambda g: g.subscriptions.by_subscription_id(subscription_id).delete(),
            )
        except CalendarRejected as error:
            if error.reason != "not_found":
                raise  # a subscription that is gone already counts as removed

    def read(self, mailbox: str, event_id: str) -> EventState | None:
        config = RequestConfiguration[
            EventItemRequestBuilder.EventItemRequestBuilderGetQueryParameters
        ]()
        config.query_parameters = EventItemRequestBuilder.EventItemRequestBuilderGetQueryParameters(
            select=EVENT_FIELDS
        )
        for value in _PREFER:
            config.headers.add("Prefer", value)
        try:
            event = self._run(
                "read event",
                lambda g: g.users.by_user_id(mailbox).events.by_event_id(event_id).get(config),
            )
        except CalendarRejected as error:
            if error.reason == "not_found":
                return None
            raise
        return None if event is None else event_state(event)

    def window(self, mailbox: str, start: datetime, end: datetime) -> list[WatchedEvent]:
        query = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
            start_date_time=iso_utc(start),
            end_date_time=iso_utc(end),
            select=[*EVENT_FIELDS, "onlineMeeting", "seriesMasterId"],
            top=_PAGE_SIZE,
        )

        def config() -> RequestConfiguration[Any]:
            made: RequestConfiguration[Any] = RequestConfiguration(query_parameters=query)
            for value in _PREFER:
                made.headers.add("Prefer", value)
            return made

        async def all_pages(g: GraphServiceClient) -> list[Event]:
            view = g.users.by_user_id(mailbox).calendar_view
            page = await view.get(request_configuration=config())
            events: list[Event] = []
            while page is not None:
                events.extend(page.value or [])
                if not page.odata_next_link:
                    break
                # By hand: the SDK's PageIterator drops the Prefer header on later pages.
                following: RequestConfiguration[Any] = RequestConfiguration()
                for value in _PREFER:
                    following.headers.add("Prefer", value)
                page = await view.with_url(page.odata_next_link).get(following)
            return events

        found = self._run("read window", all_pages)
        return [
            WatchedEvent(
                e.id,
                event_state(e),
                e.online_meeting.join_url if e.online_meeting else None,
                e.series_master_id,
            )
            for e in found
            if e.id
        ]

    def instances(
        self, mailbox: str, master_id: str, start: datetime, end: datetime
    ) -> list[Occurrence]:
        """The occurrences of a series over a span (cancelled ones are not listed)."""
        query = InstancesRequestBuilder.InstancesRequestBuilderGetQueryParameters(
            start_date_time=iso_utc(start),
            end_date_time=iso_utc(end),
            select=[*EVENT_FIELDS, "originalStart"],
            top=_PAGE_SIZE,
        )

        async def all_pages(g: GraphServiceClient) -> list[Event]:
            config: RequestConfiguration[Any] = RequestConfiguration(query_parameters=query)
            for value in _PREFER:
                config.headers.add("Prefer", value)
            series = g.users.by_user_id(mailbox).events.by_event_id(master_id).instances
            page = await series.get(request_configuration=config)
            events: list[Event] = []
            while page is not None:
                events.extend(page.value or [])
                if not page.odata_next_link:
                    break
                following: RequestConfiguration[Any] = RequestConfiguration()
                for value in _PREFER:
                    following.headers.add("Prefer", value)
                page = await series.with_url(page.odata_next_link).get(following)
            return events

        found = self._run("read series", all_pages)
        return [
            Occurrence(e.id, _utc(e.original_start), event_state(e))
            for e in found
            if e.id and e.original_start is not None
        ]

    def _run(self, operation: str, work: Callable[[GraphServiceClient], Awaitable[T]]) -> T:
        return graph_call(operation, lambda: self._client().call(work))


def event_state(event: Event) -> EventState:
    def address(email: Any) -> str:
        return (getattr(email, "address", None) or "").strip().lower()

    never = datetime.min.replace(tzinfo=UTC)
    return EventState(
        change_key=event.change_key or "",
        starts_at=parse_time(event.start) if event.start else never,
        ends_at=parse_time(event.end) if event.end else never,
        cancelled=bool(event.is_cancelled),
        organizer=address(event.organizer.email_address) if event.organizer else "",
        attendees=frozenset(
            found for a in event.attendees or [] if (found := address(a.email_address))
        ),
    )


def _granted(answer: Subscription | None, operation: str) -> Granted:
    if answer is None or not answer.id or answer.expiration_date_time is None:
        raise RetryableCalendarError(f"{operation}: Graph sent an empty answer")
    expires = answer.expiration_date_time
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return Granted(answer.id, expires.astimezone(UTC))


def _utc(moment: datetime) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
