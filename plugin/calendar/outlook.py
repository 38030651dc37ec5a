"""The organiser's own appointments on Microsoft Graph (the `Appointments` port).

Reading (in the web request where the organiser presses the add-in's button) is done in the
organiser's name, on behalf of their validated SSO token: Graph then shows their own mailbox
and nothing else, so another person's appointment simply is not found. Two requests:

1. `POST /me/translateExchangeIds`: Office.js names the item by its EWS id; Graph's own
   immutable id (`restImmutableEntryId`) stays the same when the item moves between folders.
   Graph offers this call with delegated permissions only (least: `User.ReadBasic.All`).
2. `GET /me/events/{immutable id}` with `$select` (no body), `Prefer: IdType="ImmutableId"`
   (every id in the answer immutable too) and UTC times. Delegated `Calendars.Read`.

Marking (in the worker, with the app's token) is one `PATCH /users/{organiser}/events/{id}`
carrying only a single-value extended property with the talk's id. The body is never sent:
Graph drops a Teams meeting's join information from an event whose body is PATCHed
(microsoft-graph-docs#16336), and the add-in's custom properties do not sync reliably
(office-js#6624, #4930), which is why the mark is written from here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.event import Event
from msgraph.generated.models.event_type import EventType
from msgraph.generated.models.exchange_id_format import ExchangeIdFormat
from msgraph.generated.models.single_value_legacy_extended_property import (
    SingleValueLegacyExtendedProperty,
)
from msgraph.generated.users.item.events.item.event_item_request_builder import (
    EventItemRequestBuilder,
)
from msgraph.generated.users.item.translate_exchange_ids.translate_exchange_ids_post_request_body import (  # noqa: E501
    TranslateExchangeIdsPostRequestBody,
)
from msgraph.graph_service_client import GraphServiceClient

from plugin.calendar.appointments import Appointment, AppointmentConsentMissing
from plugin.calendar.graph import event_ref, parse_time
from plugin.calendar.graph_client import GraphClient
from plugin.calendar.graph_errors import graph_call
from plugin.calendar.port import (
    Attendee,
)
from plugin.domain.invite import Invite, InvitedPerson
from plugin.identity.token_problems import TokenProblem
from plugin.identity.tokens import TokenService

#: The delegated permissions the read needs (least privileged for each call).
READ_SCOPE_NAMES = ("User.ReadBasic.All", "Calendars.Read")
#: Our property on a talk's event: a string in our own property set, named for what it holds.
TALK_PROPERTY_SET = "{3c2f7e1a-5b8d-4f0e-9a61-2d7c4e8b9f10}"
TALK_PROPERTY_ID = f"String {TALK_PROPERTY_SET} Name OntwikkelgesprekTalkId"
#: What we read of an appointment: no body, and nothing we don't use.
_FIELDS = [
    "id",
    "iCalUId",
    "subject",
    "start",
    "end",
    "organizer",
    "attendees",
    "isOrganizer",
    "isCancelled",
    "type",
    "seriesMasterId",
    "onlineMeeting",
]
_PREFER = ('IdType="ImmutableId"', 'outlook.timezone="UTC"')


class GraphAppointments:
    def __init__(
        self,
        tokens: Callable[[], TokenService],
        client: Callable[[], GraphClient],
        graph_url: str,
    ) -> None:
        self._tokens = tokens
        self._client = client
        host = graph_url.rstrip("/").rsplit("/v1.0", 1)[0]
        self.scopes = tuple(f"{host}/{name}" for name in READ_SCOPE_NAMES)

    def read(
        self, user_key: str, tenant_id: str, assertion: str, item_id: str
    ) -> Appointment | None:

        def token_for_me() -> str:
            try:
                return self._tokens().user_token(
                    user_key, assertion, self.scopes, tenant_id=tenant_id
                )
            except TokenProblem as problem:
                if problem.kind == "consent_required":
                    raise AppointmentConsentMissing(str(problem)) from None
                raise

        token = graph_call("read appointment", token_for_me)

        async def work(graph: GraphServiceClient) -> Event | None:
            body = TranslateExchangeIdsPostRequestBody(
                input_ids=[item_id],
                source_id_type=ExchangeIdFormat.EwsId,
                target_id_type=ExchangeIdFormat.RestImmutableEntryId,
            )
            answer = await graph.me.translate_exchange_ids.post(body)
            found = next(iter(answer.value or []), None) if answer else None
            if found is None or not found.target_id:
                return None  # not an item of this mailbox (or not an id at all)
            config = RequestConfiguration[
                EventItemRequestBuilder.EventItemRequestBuilderGetQueryParameters
            ]()
            config.query_parameters = (
                EventItemRequestBuilder.EventItemRequestBuilderGetQueryParameters(select=_FIELDS)
            )
            for value in _PREFER:
                config.headers.add("Prefer", value)
            try:
                return await graph.me.events.by_event_id(found.target_id).get(config)
            except APIError as error:
                if error.response_status_code == 404:
                    return None  # an id of this mailbox, but not of an event
                raise

        event = graph_call("read appointment", lambda: self._client().call_as_user(token, work))
        return None if event is None else appointment(event)

    def mark(self, organizer: Attendee, event_id: str, talk_id: str) -> None:
        patch = Event(
            single_value_extended_properties=[
                SingleValueLegacyExtendedProperty(id=TALK_PROPERTY_ID, value=talk_id)
            ]
        )
        graph_call(
            "mark appointment",
            lambda: self._client().call(
                lambda g: (
                    g.users.by_user_id(organizer.email).events.by_event_id(event_id).patch(patch)
                )
            ),
        )


def appointment(event: Event) -> Appointment:
    """An event as Graph sent it, in the shape an `.ics` invite also takes."""

    def person(email: Any) -> InvitedPerson | None:
        address = (getattr(email, "address", None) or "").strip()
        return InvitedPerson(address, getattr(email, "name", None) or "") if address else None

    organizer = person(event.organizer.email_address) if event.organizer else None
    attendees = tuple(
        found for a in event.attendees or [] if (found := person(a.email_address)) is not None
    )
    never = datetime.min.replace(tzinfo=UTC)
    return Appointment(
        ref=event_ref(event),
        invite=Invite(
            uid=event.i_cal_u_id or "",
            sequence=0,
            subject=event.subject or "",
            description="",
            start=parse_time(event.start) if event.start else never,
            end=parse_time(event.end) if event.end else never,
            organizer=organizer,
            attendees=attendees,
        ),
        is_organizer=bool(event.is_organizer),
        recurring=event.type not in (None, EventType.SingleInstance),
        cancelled=bool(event.is_cancelled),
        series_master_id=event.id
        if event.type is EventType.SeriesMaster
        else event.series_master_id,
    )
