"""The Graph calendar fake against plain httpx (and once against the real msgraph-sdk)."""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.microsoft.entra_fake import OBO_GRANT, EntraFake
from tests.microsoft.graph_fake import GraphFake, Recorded

ORG = "org@example.test"
BOB = "bob@example.test"
MONDAY = datetime(2027, 3, 1, tzinfo=UTC)  # CET (UTC+1) in Amsterdam, PST (UTC-8) in Seattle


@dataclass
class Env:
    entra: EntraFake
    graph: GraphFake
    http: httpx.Client

    def app_token(self) -> str:
        answer = self.http.post(
            f"{self.entra.authority_host}/{self.entra.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.entra.client_id,
                "client_secret": self.entra.client_secret,
                "scope": "https://graph.microsoft.com/.default",
            },
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    def user_token(self, oid: str) -> str:
        answer = self.http.post(
            f"{self.entra.authority_host}/{self.entra.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": OBO_GRANT,
                "requested_token_use": "on_behalf_of",
                "client_id": self.entra.client_id,
                "client_secret": self.entra.client_secret,
                "assertion": self.entra.user_assertion(oid),
                "scope": "https://graph.microsoft.com/Calendars.ReadWrite",
            },
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    def call(
        self,
        method: str,
        path: str,
        token: str | None,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("https://") else f"{self.graph.base_url}{path}"
        return self.http.request(method, url, json=json, headers=sent, params=params)


@pytest.fixture(scope="module")
def module_entra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EntraFake]:
    """One Entra fake for the module (its RSA key is the slow part); `env` resets its knobs."""
    fake = EntraFake(tmp_path_factory.mktemp("entra")).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def env(module_entra: EntraFake) -> Iterator[Env]:
    entra = module_entra
    saved = (entra.tenant_id, set(entra.tenants), entra.access_token_lifetime)
    graph = GraphFake(entra).start()
    http = httpx.Client(verify=ssl.create_default_context(cafile=str(entra.ca_path)), timeout=10)
    try:
        yield Env(entra, graph, http)
    finally:
        http.close()
        graph.stop()
        entra.tenant_id, entra.tenants, entra.access_token_lifetime = saved
        entra.app_roles = ["Calendars.ReadWrite"]
        entra.user_scopes = ["Calendars.ReadWrite", "User.Read"]


@pytest.fixture
def token(env: Env) -> str:
    env.graph.add_mailbox(ORG, display_name="Olga Organiser")
    env.graph.add_mailbox(BOB, display_name="Bob")
    return env.app_token()


def local(value: datetime, hours: float = 0) -> str:
    return (value + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S")


def event_body(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": "Ontwikkelgesprek",
        "start": {"dateTime": "2027-03-01T09:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2027-03-01T10:00:00", "timeZone": "W. Europe Standard Time"},
    }
    body.update(extra)
    return body


def graph_error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    inner = error["innerError"]
    assert set(inner) == {"date", "request-id", "client-request-id"}
    assert inner["request-id"] == response.headers["request-id"]
    assert inner["client-request-id"] == response.headers["client-request-id"]
    return str(error["message"])


def is_post_events(request: Recorded) -> bool:
    return request.method == "POST" and request.path.endswith("/events")


# -- authentication and authorisation ------------------------------------------------------------


def test_requests_without_valid_token_are_401(env: Env) -> None:
    env.graph.add_mailbox(ORG)
    path = f"/users/{ORG}/events/x"
    assert graph_error(env.call("GET", path, None), 401, "InvalidAuthenticationToken") == (
        "Access token is empty."
    )
    assert "CompactToken parsing failed" in graph_error(
        env.call("GET", path, "not-a-jwt"), 401, "InvalidAuthenticationToken"
    )
    # The Teams SSO token (audience: our app) is not a Graph token.
    sso = env.entra.user_assertion(str(uuid.uuid4()))
    response = env.call("GET", path, sso)
    assert graph_error(response, 401, "InvalidAuthenticationToken") == (
        "Access token validation failure. Invalid audience."
    )
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    env.entra.access_token_lifetime = -60
    expired = env.app_token()
    assert "expired" in graph_error(
        env.call("GET", path, expired), 401, "InvalidAuthenticationToken"
    )
    env.entra.access_token_lifetime = 3599
    other_tenant = str(uuid.uuid4())
    env.entra.tenants.add(other_tenant)
    env.entra.tenant_id, home = other_tenant, env.entra.tenant_id
    foreign = env.app_token()
    env.entra.tenant_id = home
    graph_error(env.call("GET", path, foreign), 401, "InvalidAuthenticationToken")


def test_app_permissions_and_access_policy(env: Env) -> None:
    env.graph.add_mailbox(ORG)
    env.graph.add_mailbox(BOB)
    env.entra.app_roles = []
    assert "no permissions" in graph_error(
        env.call("POST", f"/users/{ORG}/events", env.app_token(), json=event_body()),
        401,
        "NoPermissionsInAccessToken",
    )
    env.entra.app_roles = ["Calendars.Read"]
    reader = env.app_token()
    denied = env.call("POST", f"/users/{ORG}/events", reader, json=event_body())
    assert graph_error(denied, 403, "ErrorAccessDenied") == (
        "Access is denied. Check credentials and try again."
    )
    window = {"startDateTime": "2027-03-01T00:00:00", "endDateTime": "2027-03-02T00:00:00"}
    assert env.call("GET", f"/users/{ORG}/calendarView", reader, params=window).status_code == 200

    env.entra.app_roles = ["Calendars.ReadWrite"]
    writer = env.app_token()
    env.graph.restrict_app_access({ORG.upper()})
    assert env.call("POST", f"/users/{ORG}/events", writer, json=event_body()).status_code == 201
    blocked = env.call("POST", f"/users/{BOB}/events", writer, json=event_body())
    assert "[RAOP]" in graph_error(blocked, 403, "ErrorAccessDenied")
    env.graph.restrict_app_access(None)
    assert env.call("POST", f"/users/{BOB}/events", writer, json=event_body()).status_code == 201
    # findMeetingTimes is documented as delegated-only.
    find = env.call("POST", f"/users/{ORG}/findMeetingTimes", writer, json={})
    graph_error(find, 403, "ErrorAccessDenied")
    assert graph_error(env.call("GET", "/me/calendarView", writer), 400, "BadRequest") == (
        "/me request is only valid with delegated authentication flow."
    )


def test_delegated_token_own_mailbox_and_shared_scopes(env: Env) -> None:
    oid = str(uuid.uuid4())
    own = env.graph.add_mailbox(ORG, oid=oid)
    env.graph.add_mailbox(BOB)
    user = env.user_token(oid)
    assert env.call("POST", "/me/events", user, json=event_body()).status_code == 201
    assert env.call("POST", f"/users/{own.id}/events", user, json=event_body()).status_code == 201
    graph_error(
        env.call("POST", f"/users/{BOB}/events", user, json=event_body()), 403, "ErrorAccessDenied"
    )
    env.entra.user_scopes = ["Calendars.ReadWrite.Shared"]
    shared = env.user_token(oid)
    assert env.call("POST", f"/users/{BOB}/events", shared, json=event_body()).status_code == 201
    env.entra.user_scopes = ["Calendars.Read.Shared"]
    graph_error(
        env.call("POST", f"/users/{BOB}/events", env.user_token(oid), json=event_body()),
        403,
        "ErrorAccessDenied",
    )


# -- events --------------------------------------------------------------------------------------


def test_create_event_answer_copies_and_transaction_id(env: Env, token: str) -> None:
    body = event_body(
        body={"contentType": "HTML", "content": "<p>Agenda</p>"},
        attendees=[
            {"emailAddress": {"address": BOB, "name": "Bob"}, "type": "required"},
            {"emailAddress": {"address": "ext@elsewhere.test"}, "type": "optional"},
        ],
        isOnlineMeeting=True,
        onlineMeetingProvider="teamsForBusiness",
        categories=["Ontwikkelgesprek"],
        transactionId="talk-42",
        isReminderOn="true",  # OData converts JSON strings to the expected primitive type
    )
    headers = {"client-request-id": "my-correlation-id"}
    first = env.call("POST", f"/users/{ORG}/events", token, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.headers["client-request-id"] == "my-correlation-id"
    assert first.headers["request-id"]
    event = first.json()
    assert event["id"].startswith("AAMkAG")
    assert event["iCalUId"].startswith("040000008200E00074C5B7101A82E008")
    assert event["@odata.context"].endswith(f"/$metadata#users('{ORG}')/events/$entity")
    assert event["@odata.etag"] == f'W/"{event["changeKey"]}"'
    assert event["start"] == {
        "dateTime": "2027-03-01T09:00:00.0000000",
        "timeZone": "W. Europe Standard Time",
    }
    assert event["body"] == {"contentType": "html", "content": "<p>Agenda</p>"}
    assert event["organizer"] == {"emailAddress": {"name": "Olga Organiser", "address": ORG}}
    assert event["attendees"][0] == {
        "type": "required",
        "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
        "emailAddress": {"name": "Bob", "address": BOB},
    }
    assert event["onlineMeeting"]["joinUrl"].startswith(
        "https://teams.microsoft.com/l/meetup-join/"
    )
    assert event["transactionId"] == "talk-42"
    assert (event["showAs"], event["isCancelled"], event["isOrganizer"]) == ("busy", False, True)
    assert event["isReminderOn"] is True

    again = env.call("POST", f"/users/{ORG}/events", token, json=body)
    assert again.status_code == 201
    assert again.json()["id"] == event["id"]
    assert len(env.graph.events(ORG)) == 1
    [copy] = env.graph.events(BOB)
    assert copy["iCalUId"] == event["iCalUId"] and copy["id"] != event["id"]
    assert (copy["isOrganizer"], copy["showAs"], "transactionId" in copy) == (
        False,
        "tentative",
        False,
    )

    plain = env.call("POST", f"/users/{ORG}/events", token, json=event_body())
    assert "transactionId" not in plain.json()
    assert plain.json()["onlineMeeting"] is None


@pytest.mark.parametrize(
    ("extra", "status", "code", "message"),
    [
        (
            {"Subject": "x"},
            400,
            "RequestBodyRead",
            "The property 'Subject' does not exist on type 'microsoft.graph.event'. Make sure to "
            "only use property names that are defined by the type or mark the type as open type.",
        ),
        (
            {"attendees": [{"emailAddress": {"address": BOB, "mail": "x"}}]},
            400,
            "RequestBodyRead",
            "The property 'mail' does not exist on type 'microsoft.graph.emailAddress'. Make "
            "sure to only use property names that are defined by the type or mark the type as "
            "open type.",
        ),
        (
            {"subject": 5},
            400,
            "RequestBodyRead",
            "Cannot convert the literal '5' to the expected type 'Edm.String'.",
        ),
        (
            {"isOnlineMeeting": "yes"},
            400,
            "RequestBodyRead",
            "Cannot convert the literal 'yes' to the expected type 'Edm.Boolean'.",
        ),
        (
            {"reminderMinutesBeforeStart": True},
            400,
            "RequestBodyRead",
            "Cannot convert the literal 'True' to the expected type 'Edm.Int32'.",
        ),
        ({"showAs": "away"}, 400, "RequestBodyRead", "Requested value 'away' was not found."),
        (
            {"@odata.type": "#microsoft.graph.message"},
            400,
            "RequestBodyRead",
            "A resource with type 'microsoft.graph.message' was found, but it is not assignable "
            "to the expected type 'microsoft.graph.event'. The type specified in the resource "
            "must be equal to either the expected type or a derived type.",
        ),
        (
            {"start": {"dateTime": "2027-03-01T09:00:00", "timeZone": "Mars/Olympus"}},
            400,
            "TimeZoneNotSupportedException",
            "A valid TimeZone value must be specified. The following TimeZone value is not "
            "supported: 'Mars/Olympus'.",
        ),
        (
            {"end": {"dateTime": "2027-03-01T08:00:00", "timeZone": "Europe/Amsterdam"}},
            400,
            "ErrorInvalidRequest",
            "The end time must be after the start time.",
        ),
        (
            {"start": {"dateTime": "2027-03-01T09:00:00Z", "timeZone": "UTC"}},
            400,
            "UnableToDeserializePostBody",
            "were unable to deserialize ",
        ),
        (
            {"organizer": None},
            501,
            "NotImplemented",
            "GraphFake does not model writing the property 'organizer' of 'microsoft.graph.event'.",
        ),
    ],
)
def test_create_event_validation(
    env: Env, token: str, extra: dict[str, Any], status: int, code: str, message: str
) -> None:
    response = env.call("POST", f"/users/{ORG}/events", token, json=event_body(**extra))
    assert graph_error(response, status, code) == message
    assert env.graph.events(ORG) == []
    assert env.graph.requests[-1].status == status


def test_body_must_be_a_json_object(env: Env, token: str) -> None:
    url = f"{env.graph.base_url}/users/{ORG}/events"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    broken = env.http.post(url, content=b'{"subject": ', headers=headers)
    assert graph_error(broken, 400, "BadRequest").startswith("Unable to read JSON request payload.")
    listed = env.http.post(url, content=b"[]", headers=headers)
    assert "'StartArray'" in graph_error(listed, 400, "RequestBodyRead")
    twice = env.http.post(url, content=b'{"subject": "a", "subject": "b"}', headers=headers)
    assert "Duplicate" in graph_error(twice, 400, "RequestBodyRead")


def test_get_patch_delete_and_404s(env: Env, token: str) -> None:
    created = env.call(
        "POST",
        f"/users/{ORG}/events",
        token,
        json=event_body(attendees=[{"emailAddress": {"address": BOB}, "type": "required"}]),
    ).json()
    path = f"/users/{ORG.upper()}/events/{created['id']}"
    got = env.call("GET", path, token).json()
    assert got["start"] == {"dateTime": "2027-03-01T08:00:00.0000000", "timeZone": "UTC"}
    selected = env.call("GET", path, token, params={"$select": "subject,start"}).json()
    assert set(selected) == {"@odata.context", "@odata.etag", "id", "subject", "start"}

    patched = env.call(
        "PATCH",
        path,
        token,
        json={
            "subject": "Verplaatst",
            "start": {"dateTime": "2027-03-01T09:30:00", "timeZone": "UTC"},
            "end": {"dateTime": "2027-03-01T10:30:00", "timeZone": "UTC"},
        },
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["changeKey"] != created["changeKey"]
    [copy] = env.graph.events(BOB)
    assert (copy["subject"], copy["start"]["dateTime"]) == (
        "Verplaatst",
        "2027-03-01T09:30:00.0000000",
    )
    change_tx = env.call("PATCH", path, token, json={"transactionId": "other"})
    graph_error(change_tx, 400, "ErrorInvalidRequest")
    graph_error(env.call("PATCH", path, token, json={"bogus": 1}), 400, "RequestBodyRead")

    assert env.call("DELETE", path, token).status_code == 204
    assert env.graph.events(ORG) == []
    assert env.graph.events(BOB)[0]["isCancelled"] is True
    assert graph_error(env.call("GET", path, token), 404, "ErrorItemNotFound") == (
        "The specified object was not found in the store."
    )
    missing_user = env.call("GET", "/users/nobody@example.test/events/x", token)
    assert graph_error(missing_user, 404, "ErrorInvalidUser") == (
        "The requested user 'nobody@example.test' is invalid."
    )
    unknown = env.call("GET", f"/users/{ORG}/calendarz", token)
    assert (
        graph_error(unknown, 400, "BadRequest") == "Resource not found for the segment 'calendarz'."
    )


def test_cancel_by_organiser_and_not_by_attendee(env: Env, token: str) -> None:
    created = env.call(
        "POST",
        f"/users/{ORG}/events",
        token,
        json=event_body(attendees=[{"emailAddress": {"address": BOB}, "type": "required"}]),
    ).json()
    [copy] = env.graph.events(BOB)
    refused = env.call(
        "POST", f"/users/{BOB}/events/{copy['id']}/cancel", token, json={"Comment": "x"}
    )
    assert graph_error(refused, 400, "ErrorInvalidRequest") == (
        "Your request can't be completed. You need to be an organizer to cancel a meeting."
    )
    cancel = f"/users/{ORG}/events/{created['id']}/cancel"
    bad = env.call("POST", cancel, token, json={"comment": "x", "reason": "y"})
    graph_error(bad, 400, "RequestBodyRead")
    done = env.call("POST", cancel, token, json={"comment": "Sorry"})
    assert (done.status_code, done.content) == (202, b"")
    assert env.graph.events(ORG) == []
    [cancelled] = env.graph.events(BOB)
    assert cancelled["isCancelled"] is True
    assert cancelled["subject"] == "Canceled: Ontwikkelgesprek"
    graph_error(env.call("POST", cancel, token, json={}), 404, "ErrorItemNotFound")


# -- calendarView --------------------------------------------------------------------------------


def test_calendar_view_paging_select_and_time_zone(env: Env, token: str) -> None:
    for hour in range(12):
        env.graph.add_event(
            ORG,
            f"E{hour:02d}",
            MONDAY + timedelta(hours=hour),
            MONDAY + timedelta(hours=hour, minutes=30),
        )
    env.graph.add_event(
        ORG, "Next day", MONDAY + timedelta(days=1, hours=1), MONDAY + timedelta(days=1, hours=2)
    )
    window = {"startDateTime": "2027-03-01T01:00:00+01:00", "endDateTime": "2027-03-02T00:00:00Z"}
    prefer = {"Prefer": 'outlook.timezone="W. Europe Standard Time"'}
    first = env.call(
        "GET",
        f"/users/{ORG}/calendarView",
        token,
        params={**window, "$top": "5", "$select": "subject,start"},
        headers=prefer,
    )
    assert first.status_code == 200, first.text
    assert first.headers["Preference-Applied"] == 'outlook.timezone="W. Europe Standard Time"'
    page = first.json()
    assert [e["subject"] for e in page["value"]] == ["E00", "E01", "E02", "E03", "E04"]
    assert set(page["value"][0]) == {"@odata.etag", "id", "subject", "start"}
    assert page["value"][0]["start"] == {
        "dateTime": "2027-03-01T01:00:00.0000000",
        "timeZone": "W. Europe Standard Time",
    }
    subjects = [e["subject"] for e in page["value"]]
    while "@odata.nextLink" in page:
        assert page["@odata.nextLink"].startswith(env.graph.base_url)
        page = env.call("GET", page["@odata.nextLink"], token, headers=prefer).json()
        subjects += [e["subject"] for e in page["value"]]
    assert subjects == [f"E{h:02d}" for h in range(12)]

    utc = env.call("GET", f"/users/{ORG}/calendarView", token, params=window).json()
    assert len(utc["value"]) == 10  # default page size
    assert utc["value"][0]["start"] == {
        "dateTime": "2027-03-01T00:00:00.0000000",
        "timeZone": "UTC",
    }
    assert (
        "Preference-Applied"
        not in env.call("GET", f"/users/{ORG}/calendarView", token, params=window).headers
    )

    missing = env.call("GET", f"/users/{ORG}/calendarView", token)
    assert "StartDateTime and EndDateTime" in graph_error(missing, 400, "ErrorInvalidParameter")
    bad_select = env.call(
        "GET", f"/users/{ORG}/calendarView", token, params={**window, "$select": "subject,colour"}
    )
    assert graph_error(bad_select, 400, "RequestBroker--ParseUri") == (
        "Could not find a property named 'colour' on type 'microsoft.graph.event'."
    )


# -- free/busy -----------------------------------------------------------------------------------


def test_get_schedule_with_the_sdk_pascal_case_keys(env: Env, token: str) -> None:
    env.graph.add_event(ORG, "Busy", MONDAY + timedelta(hours=9), MONDAY + timedelta(hours=10))
    env.graph.add_event(
        ORG,
        "Maybe",
        MONDAY + timedelta(hours=10, minutes=30),
        MONDAY + timedelta(hours=11),
        show_as="tentative",
    )
    env.graph.add_event(
        ORG, "Off", MONDAY + timedelta(hours=11), MONDAY + timedelta(hours=12), is_cancelled=True
    )
    body = {
        "Schedules": [ORG.upper(), "nobody@example.test"],
        "StartTime": {"dateTime": "2027-03-01T08:00:00", "timeZone": "UTC"},
        "EndTime": {"dateTime": "2027-03-01T12:00:00", "timeZone": "UTC"},
        "AvailabilityViewInterval": 60,
    }
    answer = env.call("POST", f"/users/{BOB}/calendar/getSchedule", token, json=body)
    assert answer.status_code == 200, answer.text
    mine, unknown = answer.json()["value"]
    assert mine["scheduleId"] == ORG.upper()
    assert mine["availabilityView"] == "0210"
    assert [(i["subject"], i["status"]) for i in mine["scheduleItems"]] == [
        ("Busy", "busy"),
        ("Maybe", "tentative"),
    ]
    assert mine["scheduleItems"][0]["start"] == {
        "dateTime": "2027-03-01T09:00:00.0000000",
        "timeZone": "UTC",
    }
    assert mine["workingHours"] == {
        "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
        "startTime": "08:00:00.0000000",
        "endTime": "17:00:00.0000000",
        "timeZone": {"name": "W. Europe Standard Time"},
    }
    assert unknown["error"]["responseCode"] == "ErrorMailRecipientNotFound"

    too_long = {**body, "EndTime": {"dateTime": "2027-05-15T00:00:00", "timeZone": "UTC"}}
    graph_error(
        env.call("POST", f"/users/{BOB}/calendar/getSchedule", token, json=too_long),
        400,
        "ErrorInvalidParameter",
    )
    typo = {**body, "Schedule": [ORG]}
    graph_error(
        env.call("POST", f"/users/{BOB}/calendar/getSchedule", token, json=typo),
        400,
        "RequestBodyRead",
    )


def test_find_meeting_times_working_hours_busy_time_and_zones(env: Env) -> None:
    oid = str(uuid.uuid4())
    env.graph.add_mailbox(ORG, oid=oid)  # 08-17 Amsterdam = 07:00-16:00 UTC
    env.graph.add_mailbox(
        "sea@example.test", time_zone="Pacific Standard Time", start="06:00:00"
    )  # 14:00-01:00 UTC
    env.graph.add_event(ORG, "Busy", MONDAY + timedelta(hours=14), MONDAY + timedelta(hours=15))
    user = env.user_token(oid)
    body: dict[str, Any] = {
        "attendees": [
            {
                "emailAddress": {"address": "sea@example.test"},
                "type": "required",
                "@odata.type": "#microsoft.graph.attendeeBase",
            }
        ],
        "timeConstraint": {
            "activityDomain": "work",
            "timeslots": [
                {
                    "start": {"dateTime": "2027-03-01T00:00:00", "timeZone": "UTC"},
                    "end": {"dateTime": "2027-03-02T00:00:00", "timeZone": "UTC"},
                }
            ],
        },
        "meetingDuration": "PT30M",
        "returnSuggestionReasons": True,
    }
    answer = env.call(
        "POST",
        f"/users/{ORG}/findMeetingTimes",
        user,
        json=body,
        headers={"Prefer": 'outlook.timezone="Pacific Standard Time"'},
    )
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["emptySuggestionsReason"] == ""
    slots = [s["meetingTimeSlot"]["start"] for s in result["meetingTimeSuggestions"]]
    assert slots == [
        {"dateTime": "2027-03-01T07:00:00.0000000", "timeZone": "Pacific Standard Time"},
        {"dateTime": "2027-03-01T07:30:00.0000000", "timeZone": "Pacific Standard Time"},
    ]
    first = result["meetingTimeSuggestions"][0]
    assert (first["confidence"], first["organizerAvailability"]) == (100.0, "free")
    assert first["attendeeAvailability"] == [
        {
            "attendee": {"type": "required", "emailAddress": {"address": "sea@example.test"}},
            "availability": "free",
        }
    ]
    assert first["suggestionReason"]

    env.graph.add_event(
        "sea@example.test", "Gym", MONDAY + timedelta(hours=15), MONDAY + timedelta(hours=16)
    )
    none = env.call("POST", f"/users/{ORG}/findMeetingTimes", user, json=body).json()
    assert (none["meetingTimeSuggestions"], none["emptySuggestionsReason"]) == (
        [],
        "attendeesUnavailable",
    )

    anytime = {
        **body,
        "timeConstraint": {**body["timeConstraint"], "activityDomain": "unrestricted"},
        "maxCandidates": 3,
    }
    found = env.call("POST", f"/users/{ORG}/findMeetingTimes", user, json=anytime).json()
    assert [s["meetingTimeSlot"]["start"]["dateTime"] for s in found["meetingTimeSuggestions"]] == [
        "2027-03-01T00:00:00.0000000",
        "2027-03-01T00:30:00.0000000",
        "2027-03-01T01:00:00.0000000",
    ]
    timedelta_style = {**body, "meetingDuration": "0:30:00"}
    assert graph_error(
        env.call("POST", f"/users/{ORG}/findMeetingTimes", user, json=timedelta_style),
        400,
        "RequestBodyRead",
    ) == ("Cannot convert the literal '0:30:00' to the expected type 'Edm.Duration'.")


# -- fault injection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "TooManyRequests"), (503, "ServiceUnavailable"), (504, "GatewayTimeout")],
)
def test_fail_next(env: Env, token: str, status: int, code: str) -> None:
    env.graph.fail_next(1, status=status, retry_after=7, match=is_post_events)
    window = {"startDateTime": "2027-03-01T00:00:00", "endDateTime": "2027-03-02T00:00:00"}
    assert env.call("GET", f"/users/{ORG}/calendarView", token, params=window).status_code == 200
    failed = env.call("POST", f"/users/{ORG}/events", token, json=event_body())
    graph_error(failed, status, code)
    assert failed.headers["Retry-After"] == "7"
    assert env.graph.events(ORG) == []
    assert env.call("POST", f"/users/{ORG}/events", token, json=event_body()).status_code == 201
    assert [r.status for r in env.graph.requests] == [200, status, 201]


def test_drop_before_and_after_processing(env: Env, token: str) -> None:
    body = event_body(transactionId="tx-1")
    env.graph.drop_next(1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        env.call("POST", f"/users/{ORG}/events", token, json=body)
    assert env.graph.events(ORG) == []
    env.graph.drop_next(1, after_processing=True)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        env.call("POST", f"/users/{ORG}/events", token, json=body)
    [stored] = env.graph.events(ORG)
    retried = env.call("POST", f"/users/{ORG}/events", token, json=body)
    assert (retried.status_code, retried.json()["id"]) == (201, stored["id"])
    assert len(env.graph.events(ORG)) == 1
    assert [r.status for r in env.graph.requests] == [0, 0, 201]


def test_slow_next(env: Env, token: str) -> None:
    env.graph.slow_next(1, 0.3)
    began = time.monotonic()
    assert env.call("POST", f"/users/{ORG}/events", token, json=event_body()).status_code == 201
    assert time.monotonic() - began >= 0.3
    began = time.monotonic()
    assert env.call("POST", f"/users/{ORG}/events", token, json=event_body()).status_code == 201
    assert time.monotonic() - began < 0.3


def test_hold_next_processes_then_waits_for_release(env: Env, token: str) -> None:
    hold = env.graph.hold_next(is_post_events)
    answers: list[httpx.Response] = []

    def post() -> None:
        answers.append(env.call("POST", f"/users/{ORG}/events", token, json=event_body()))

    worker = threading.Thread(target=post)
    worker.start()
    assert hold.reached.wait(5)
    assert len(env.graph.events(ORG)) == 1  # processed ...
    assert answers == []  # ... but not answered
    assert hold.request is not None and hold.request.status == 201
    hold.release()
    worker.join(5)
    assert [a.status_code for a in answers] == [201]

    # stop() lets held answers go, so a forgotten release() cannot hang a test run.
    forgotten = env.graph.hold_next(is_post_events)
    worker = threading.Thread(target=post)
    worker.start()
    assert forgotten.reached.wait(5)
    env.graph.stop()
    worker.join(5)
    assert [a.status_code for a in answers] == [201, 201]


def test_fault_rate_is_deterministic_per_seed(env: Env, token: str) -> None:
    window = {"startDateTime": "2027-03-01T00:00:00", "endDateTime": "2027-03-02T00:00:00"}

    def run() -> list[int]:
        env.graph.fault_rate(0.5, seed=7, kinds=("429", "503", "504"))
        return [
            env.call("GET", f"/users/{ORG}/calendarView", token, params=window).status_code
            for _ in range(20)
        ]

    first, second = run(), run()
    assert first == second
    assert 200 in first and set(first) - {200}
    env.graph.fault_rate(0, seed=1)
    statuses = {
        env.call("GET", f"/users/{ORG}/calendarView", token, params=window).status_code
        for _ in range(10)
    }
    assert statuses == {200}


# -- the real SDK --------------------------------------------------------------------------------


def test_msgraph_sdk_create_event_and_get_schedule(env: Env, token: str) -> None:
    from kiota_abstractions.authentication import (
        AccessTokenProvider,
        AllowedHostsValidator,
        BaseBearerTokenAuthenticationProvider,
    )
    from msgraph import GraphServiceClient
    from msgraph.generated.models.attendee import Attendee
    from msgraph.generated.models.attendee_type import AttendeeType
    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
    from msgraph.generated.models.email_address import EmailAddress
    from msgraph.generated.models.event import Event
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
    from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import (
        GetSchedulePostRequestBody,
    )
    from msgraph.graph_request_adapter import GraphRequestAdapter
    from msgraph_core import GraphClientFactory

    class Tokens(AccessTokenProvider):
        async def get_authorization_token(
            self, uri: str, additional_authentication_context: dict[str, Any] | None = None
        ) -> str:
            return token

        def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
            return AllowedHostsValidator(["127.0.0.1"])

    event = Event(
        subject="Ontwikkelgesprek",
        body=ItemBody(content_type=BodyType.Html, content="<p>Agenda</p>"),
        start=DateTimeTimeZone(date_time="2027-03-01T09:00:00", time_zone="Europe/Amsterdam"),
        end=DateTimeTimeZone(date_time="2027-03-01T10:00:00", time_zone="Europe/Amsterdam"),
        attendees=[
            Attendee(
                email_address=EmailAddress(address=BOB, name="Bob"), type=AttendeeType.Required
            )
        ],
        is_online_meeting=True,
        online_meeting_provider=OnlineMeetingProviderType.TeamsForBusiness,
        categories=["Ontwikkelgesprek"],
        transaction_id="talk-7",
    )
    schedule_body = GetSchedulePostRequestBody(
        schedules=[ORG, BOB],
        start_time=DateTimeTimeZone(date_time="2027-03-01T07:00:00", time_zone="UTC"),
        end_time=DateTimeTimeZone(date_time="2027-03-01T11:00:00", time_zone="UTC"),
        availability_view_interval=60,
    )

    async def scenario() -> tuple[Any, Any]:
        http = httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(env.entra.ca_path)))
        adapter = GraphRequestAdapter(
            BaseBearerTokenAuthenticationProvider(Tokens()),
            client=GraphClientFactory.create_with_default_middleware(client=http),
        )
        adapter.base_url = env.graph.base_url
        client = GraphServiceClient(request_adapter=adapter)
        try:
            created = await client.users.by_user_id(ORG).events.post(event)
            schedule = await client.users.by_user_id(ORG).calendar.get_schedule.post(schedule_body)
        finally:
            await http.aclose()
        return created, schedule

    # A 429 first: the SDK's retry middleware waits Retry-After and sends the POST again. (With
    # "Retry-After: 0" it would fall back to its backoff of 3 s or more, so use 1.)
    env.graph.fail_next(1, status=429, retry_after=1, match=is_post_events)
    # In a thread of its own: Playwright's sync API (the browser tests) may keep an event
    # loop running in the main thread, where asyncio.run refuses to start.
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(asyncio.run(scenario()))
        except BaseException as error:  # re-raised below, in the test's thread
            outcome.append(error)

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(60)
    assert outcome, "the SDK scenario did not finish"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    created, schedule = outcome[0]

    assert created.transaction_id == "talk-7"
    assert created.online_meeting.join_url.startswith("https://teams.microsoft.com/")
    assert [r.status for r in env.graph.requests] == [429, 201, 200]
    sent = env.graph.requests[1].body
    assert sent["@odata.type"] == "#microsoft.graph.event"
    assert sent["attendees"][0]["@odata.type"] == "#microsoft.graph.attendee"
    assert set(env.graph.requests[2].body) == {
        "Schedules",
        "StartTime",
        "EndTime",
        "AvailabilityViewInterval",
    }
    mine, bobs = schedule.value
    assert mine.availability_view == "0200"
    assert bobs.availability_view == "0100"  # Bob's copy is tentative until he answers
    assert [item.status.value for item in mine.schedule_items] == ["busy"]
