"""The Graph calendar adapter: the exact requests it sends, how Graph's failures come out,
and the msgraph-sdk traps from GRAPH.md, each against the loopback Graph fake."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import trustme

from plugin.bootstrap import GraphWiring
from plugin.calendar.graph import GraphCalendar
from plugin.calendar.graph_client import GraphOptions
from plugin.calendar.port import (
    Attendee,
    CalendarRejected,
    EventDraft,
    EventRef,
    RetryableCalendarError,
    SlotRequest,
)
from plugin.domain.schedule import Interval, WorkingHours
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import TEST_GRAPH_OPTIONS, microsoft_settings
from tests.microsoft.graph_fake import GraphFake, Recorded

AMS = ZoneInfo("Europe/Amsterdam")
LEAD = Attendee("p-lead", "Marco de Vries", "marco@contoso.example")
LEARNER = Attendee("p-learner", "Sem Jansen", "sem@contoso.example")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=AMS)


def make_calendar(
    tmp_path: Path, entra: EntraFake, graph: GraphFake, options: GraphOptions = TEST_GRAPH_OPTIONS
) -> Iterator[GraphCalendar]:
    wiring = GraphWiring(microsoft_settings(tmp_path, "sqlite://", entra, graph), options)
    yield wiring.calendar()
    wiring.close()


@pytest.fixture
def calendar(tmp_path: Path, entra: EntraFake, graph: GraphFake) -> Iterator[GraphCalendar]:
    graph.add_mailbox(LEAD.email, display_name=LEAD.name)
    graph.add_mailbox(LEARNER.email, display_name=LEARNER.name)
    yield from make_calendar(tmp_path, entra, graph)


def draft(**changes: object) -> EventDraft:
    values: dict[str, object] = {
        "transaction_id": f"talk-{uuid.uuid4()}",
        "organizer": LEAD,
        "attendees": (LEARNER,),
        "subject": "Ontwikkelgesprek Sem",
        "start": at(2, 10),
        "end": at(2, 10, 45),
        "body_text": "Bereid je voor.",
        "body_html": "<p>Bereid je voor: &lt;b&gt;</p>",
        "url": "https://og.example.test/talks/1",
    }
    values.update(changes)
    return EventDraft(**values)  # type: ignore[arg-type]


def graph_calls(graph: GraphFake) -> list[Recorded]:
    return list(graph.requests)


# -- what is sent ------------------------------------------------------------------------------


def test_create_sends_one_teams_meeting_with_a_transaction_id(
    calendar: GraphCalendar, graph: GraphFake
) -> None:
    the_draft = draft()
    ref = calendar.create_event(the_draft)
    (call,) = graph_calls(graph)
    assert (call.method, call.path, call.status) == ("POST", f"/users/{LEAD.email}/events", 201)
    body = call.body
    assert body["transactionId"] == the_draft.transaction_id
    assert body["isOnlineMeeting"] is True
    assert body["onlineMeetingProvider"] == "teamsForBusiness"
    assert body["categories"] == ["Ontwikkelgesprek"]
    assert body["body"] == {"contentType": "html", "content": "<p>Bereid je voor: &lt;b&gt;</p>"}
    assert body["start"] == {"dateTime": "2027-03-02T09:00:00", "timeZone": "UTC"}
    assert body["end"] == {"dateTime": "2027-03-02T09:45:00", "timeZone": "UTC"}
    assert [a["emailAddress"]["address"] for a in body["attendees"]] == [LEARNER.email]
    assert body["attendees"][0]["type"] == "required"
    assert call.headers["authorization"].startswith("Bearer ")
    uuid.UUID(call.headers["client-request-id"])  # a fresh id for correlation
    (stored,) = graph.events(LEAD.email)
    # The immutable id (asked for with `Prefer: IdType="ImmutableId"`): it survives moves.
    immutable = graph.immutable_id(LEAD.email, stored["id"])
    assert ref == EventRef(
        immutable, stored["iCalUId"], stored["onlineMeeting"]["joinUrl"], stored["changeKey"]
    )
    assert ref.join_url and ref.join_url.startswith("https://teams.microsoft.com/")


def test_update_and_cancel_send_patch_and_cancel(calendar: GraphCalendar, graph: GraphFake) -> None:
    ref = calendar.create_event(draft())
    graph.clear_requests()
    moved = calendar.update_event(ref, draft(start=at(3, 14), end=at(3, 15)))
    calendar.cancel_event(moved, LEAD)
    patch, cancel = graph_calls(graph)
    assert (patch.method, patch.path) == ("PATCH", f"/users/{LEAD.email}/events/{ref.event_id}")
    assert "transactionId" not in patch.body and "isOnlineMeeting" not in patch.body
    assert patch.body["start"]["dateTime"] == "2027-03-03T13:00:00"
    assert (cancel.method, cancel.path, cancel.status) == (
        "POST",
        f"/users/{LEAD.email}/events/{ref.event_id}/cancel",
        202,
    )
    assert moved.join_url == ref.join_url


def test_find_slot_is_one_get_schedule_for_everyone_with_no_durations(
    calendar: GraphCalendar, graph: GraphFake
) -> None:
    found = calendar.find_slot(
        SlotRequest(
            attendees=(LEAD, LEARNER),
            window=Interval(at(2, 8, 30), at(2, 17)),
            earliest=at(1, 9),
            horizon=at(12, 17),
            duration=timedelta(minutes=30),
            hours=WorkingHours(),
        )
    )
    assert found.slot == Interval(at(2, 8, 30), at(2, 9))
    (call,) = graph_calls(graph)
    assert (call.method, call.path) == ("POST", f"/users/{LEAD.email}/calendar/getSchedule")
    body = {k.lower(): v for k, v in call.body.items()}
    assert body["schedules"] == [LEAD.email, LEARNER.email]
    assert body["availabilityviewinterval"] == 1440
    # getSchedule takes date-times only: the SDK's timedelta trap (msgraph-sdk-python#1262,
    # "0:30:00" for a duration) cannot happen on this path. test_graph_fake shows the trap.
    assert body["starttime"] == {"dateTime": "2027-03-01T08:00:00", "timeZone": "UTC"}


def test_each_mailbox_counts_with_its_own_working_hours_and_time_zone(
    tmp_path: Path, entra: EntraFake, graph: GraphFake
) -> None:
    graph.add_mailbox(LEAD.email)
    # New York, 08:00–17:00 local: 14:00–23:00 in Amsterdam in early March.
    graph.add_mailbox(LEARNER.email, time_zone="Eastern Standard Time")
    for calendar in make_calendar(tmp_path, entra, graph):
        found = calendar.find_slot(
            SlotRequest(
                attendees=(LEAD, LEARNER),
                window=Interval(at(2, 8, 30), at(2, 17)),
                earliest=at(2, 8, 30),
                horizon=at(2, 17),
                duration=timedelta(minutes=30),
                hours=WorkingHours(),
            )
        )
        assert found.slot == Interval(at(2, 14), at(2, 14, 30))


def test_listing_pages_by_hand_and_keeps_the_prefer_header_on_every_page(
    calendar: GraphCalendar, graph: GraphFake
) -> None:
    for i in range(120):
        start = at(2, 8) + timedelta(minutes=5 * i)
        graph.add_event(LEAD.email, f"Item {i}", start, start + timedelta(minutes=5))
    events = calendar.list_events(LEAD, Interval(at(1, 0), at(8, 0)))
    assert [e.subject for e in events] == [f"Item {i}" for i in range(120)]
    pages = graph_calls(graph)
    assert len(pages) == 3
    for page in pages:
        assert page.path == f"/users/{LEAD.email}/calendarView"
        prefer = {p.strip() for p in page.headers["prefer"].split(",")}
        assert prefer == {'outlook.timezone="UTC"', 'IdType="ImmutableId"'}


# -- failures ----------------------------------------------------------------------------------


def test_the_sdk_retries_a_429_itself_after_retry_after(
    tmp_path: Path, entra: EntraFake, graph: GraphFake
) -> None:
    """The default middleware is in place: without it a 429 would not be retried."""
    graph.add_mailbox(LEAD.email)
    graph.add_mailbox(LEARNER.email)
    options = GraphOptions(request_timeout=10, call_timeout=30, max_retries=1, retry_delay=0)
    for calendar in make_calendar(tmp_path, entra, graph, options):
        graph.fail_next(1, status=429, retry_after=1)
        calendar.create_event(draft())
    first, second = graph_calls(graph)
    assert (first.status, second.status) == (429, 201)
    assert second.headers.get("retry-attempt") == "1"
    assert len(graph.events(LEAD.email)) == 1


@pytest.mark.parametrize("status", [429, 503, 504])
def test_throttling_and_outages_are_retryable_with_graphs_retry_after(
    calendar: GraphCalendar, graph: GraphFake, status: int
) -> None:
    graph.fail_next(1, status=status, retry_after=7)
    with pytest.raises(RetryableCalendarError) as caught:
        calendar.create_event(draft())
    assert caught.value.retry_after == timedelta(seconds=7)


def test_a_dropped_connection_is_retryable_and_the_retry_finds_the_first_event(
    calendar: GraphCalendar, graph: GraphFake
) -> None:
    the_draft = draft()
    graph.drop_next(1, after_processing=True)
    with pytest.raises(RetryableCalendarError):
        calendar.create_event(the_draft)
    ref = calendar.create_event(the_draft)
    (stored,) = graph.events(LEAD.email)
    assert ref.event_id == graph.immutable_id(LEAD.email, stored["id"])


def test_a_slow_answer_times_out_as_retryable(
    tmp_path: Path, entra: EntraFake, graph: GraphFake
) -> None:
    graph.add_mailbox(LEAD.email)
    graph.add_mailbox(LEARNER.email)
    options = GraphOptions(request_timeout=0.2, call_timeout=30, max_retries=0, retry_delay=0)
    for calendar in make_calendar(tmp_path, entra, graph, options):
        calendar.list_events(LEAD, Interval(at(1, 0), at(2, 0)))  # token and SDK warmed
        graph.slow_next(1, 1.0)
        with pytest.raises(RetryableCalendarError):
            calendar.list_events(LEAD, Interval(at(1, 0), at(2, 0)))


def test_a_missing_permission_is_a_rejection_the_talk_can_explain(
    calendar: GraphCalendar, graph: GraphFake, entra: EntraFake
) -> None:
    entra.app_roles = ["Calendars.Read"]
    with pytest.raises(CalendarRejected) as caught:
        calendar.create_event(draft())
    assert caught.value.reason == "calendar_permission"
    assert "403" in str(caught.value)


def test_a_mailbox_outside_the_access_policy_is_a_permission_rejection(
    calendar: GraphCalendar, graph: GraphFake
) -> None:
    graph.restrict_app_access({LEARNER.email})
    with pytest.raises(CalendarRejected) as caught:
        calendar.create_event(draft())
    assert caught.value.reason == "calendar_permission"


def test_an_unknown_mailbox_is_named(calendar: GraphCalendar) -> None:
    stranger = Attendee("p-x", "Nobody", "nobody@contoso.example")
    with pytest.raises(CalendarRejected) as caught:
        calendar.create_event(draft(organizer=stranger))
    assert caught.value.reason == "mailbox_not_found"
    with pytest.raises(CalendarRejected) as caught:
        calendar.find_slot(
            SlotRequest(
                attendees=(LEAD, stranger),
                window=Interval(at(2, 8, 30), at(2, 17)),
                earliest=at(2, 8, 30),
                horizon=at(2, 17),
                duration=timedelta(minutes=30),
                hours=WorkingHours(),
            )
        )
    assert caught.value.reason == "mailbox_not_found"


def test_cancelling_an_event_that_is_gone_counts_as_done(
    calendar: GraphCalendar, graph: GraphFake
) -> None:
    ref = calendar.create_event(draft())
    calendar.cancel_event(ref, LEAD)
    calendar.cancel_event(ref, LEAD)
    assert graph_calls(graph)[-1].status == 404


def test_a_wrong_client_secret_is_a_sign_in_rejection(
    tmp_path: Path, entra: EntraFake, graph: GraphFake
) -> None:
    graph.add_mailbox(LEAD.email)
    settings = microsoft_settings(tmp_path, "sqlite://", entra, graph).model_copy(
        update={"client_secret": None, "client_cert_path": None}
    )
    from pydantic import SecretStr

    settings = settings.model_copy(update={"client_secret": SecretStr("wrong")})
    wiring = GraphWiring(settings, TEST_GRAPH_OPTIONS)
    with pytest.raises(CalendarRejected) as caught:
        wiring.calendar().create_event(draft(attendees=()))
    wiring.close()
    assert caught.value.reason == "calendar_sign_in"
    assert "wrong" not in str(caught.value)
    assert graph.requests == []


def test_ca_bundle_variables_in_the_environment_do_not_override_our_trust(
    tmp_path: Path, entra: EntraFake, graph: GraphFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REQUESTS_CA_BUNDLE and friends point at an unrelated CA here; we still trust ours."""
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.setenv(name, str(other))
    graph.add_mailbox(LEAD.email)
    for calendar in make_calendar(tmp_path, entra, graph):
        assert calendar.list_events(LEAD, Interval(at(1, 0), at(2, 0))) == []
