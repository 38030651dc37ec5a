"""The calendar port's contract, run against every calendar: the local one (on SQLite and
PostgreSQL) and Microsoft Graph's adapter (real msgraph-sdk against the loopback Graph fake).

Create, move, cancel, find a slot, list, and an idempotent retry behave the same everywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plugin.bootstrap import GraphWiring
from plugin.calendar.local import LocalCalendar
from plugin.calendar.port import (
    Attendee,
    Calendar,
    CalendarEvent,
    CalendarRejected,
    EventDraft,
    EventRef,
    SlotRequest,
)
from plugin.domain.people import LOCAL_TENANT, Person
from plugin.domain.schedule import Interval, WorkingHours
from plugin.services.context import Services
from tests.conftest import database_url
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import TEST_GRAPH_OPTIONS, microsoft_settings
from tests.microsoft.graph_fake import GraphFake

AMS = ZoneInfo("Europe/Amsterdam")
HOURS = WorkingHours()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """March 2027 in Amsterdam (1 March is a Monday)."""
    return datetime(2027, 3, day, hour, minute, tzinfo=AMS)


class LocalInTransactions:
    """The local calendar with each call in its own transaction, as the outbox runs it."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return self._services.write(
                lambda s: getattr(LocalCalendar(s, self._services.clock.now), name)(*args, **kwargs)
            )

        return call


@dataclass
class Backend:
    name: str
    calendar: Calendar
    person: Callable[[str], Attendee]
    #: How the calendar names a person in `CalendarEvent.organizer_id`/`attendee_ids`.
    who: Callable[[Attendee], str]
    busy: Callable[[Attendee, datetime, datetime], None]


def local_backend(services: Services) -> Backend:
    calendar = LocalInTransactions(services)

    def person(name: str) -> Attendee:
        p = Person(
            id=services.new_id(),
            tenant_id=LOCAL_TENANT,
            object_id=name,
            display_name=name.title(),
            email=f"{name}@example.test",
        )
        services.write(lambda s: s.add(p))
        return Attendee(p.id, p.display_name, p.email)

    def busy(who: Attendee, start: datetime, end: datetime) -> None:
        calendar.create_event(draft(who, (), start, end, subject="Busy"))

    return Backend("local", calendar, person, lambda a: a.person_id, busy)  # type: ignore[arg-type]


def graph_backend(tmp_path: Path, entra: EntraFake, graph: GraphFake) -> Iterator[Backend]:
    settings = microsoft_settings(tmp_path, "sqlite:///:memory:", entra, graph)
    wiring = GraphWiring(settings, TEST_GRAPH_OPTIONS)

    def person(name: str) -> Attendee:
        address = f"{name}@contoso.example"
        graph.add_mailbox(address, display_name=name.title())
        return Attendee(str(uuid.uuid4()), name.title(), address)

    def busy(who: Attendee, start: datetime, end: datetime) -> None:
        graph.add_event(who.email, "Busy", start, end)

    yield Backend("graph", wiring.calendar(), person, lambda a: a.email.lower(), busy)
    wiring.close()


@pytest.fixture(params=["local-sqlite", "local-postgresql", "graph"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The conftest's databases, chosen by the calendar kind (Graph needs none: SQLite)."""
    yield from database_url(
        request, tmp_path, "postgresql" if kind == "local-postgresql" else "sqlite"
    )


@pytest.fixture
def backend(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if kind.startswith("local"):
        yield local_backend(request.getfixturevalue("services"))
    else:
        yield from graph_backend(
            tmp_path, request.getfixturevalue("entra"), request.getfixturevalue("graph")
        )


def draft(
    organizer: Attendee,
    attendees: tuple[Attendee, ...],
    start: datetime,
    end: datetime,
    *,
    subject: str = "Ontwikkelgesprek",
    transaction_id: str | None = None,
) -> EventDraft:
    return EventDraft(
        transaction_id=transaction_id or f"talk-{uuid.uuid4()}",
        organizer=organizer,
        attendees=attendees,
        subject=subject,
        start=start,
        end=end,
        body_text="Bereid je voor.",
        body_html="<p>Bereid je voor.</p>",
        url="https://og.example.test/talks/1",
    )


def week_of(backend: Backend, who: Attendee) -> list[CalendarEvent]:
    return list(backend.calendar.list_events(who, Interval(at(1, 0), at(8, 0))))


def active(events: list[CalendarEvent], ref: EventRef) -> list[CalendarEvent]:
    return [e for e in events if e.ref.ical_uid == ref.ical_uid and not e.cancelled]


def test_created_event_shows_in_both_calendars(backend: Backend) -> None:
    lead, learner = backend.person("marco"), backend.person("sem")
    ref = backend.calendar.create_event(draft(lead, (learner,), at(2, 10), at(2, 10, 45)))
    assert ref.event_id and ref.ical_uid
    for who in (lead, learner):
        (event,) = active(week_of(backend, who), ref)
        assert event.subject == "Ontwikkelgesprek"
        assert (event.start, event.end) == (at(2, 10), at(2, 10, 45))
        assert event.organizer_id == backend.who(lead)
        assert event.attendee_ids == (backend.who(learner),)
    # Categories are the organiser's own (Outlook does not send them to attendees).
    (organised,) = active(week_of(backend, lead), ref)
    assert organised.categories == ("Ontwikkelgesprek",)


def test_a_retried_create_makes_no_second_event(backend: Backend) -> None:
    lead, learner = backend.person("marco"), backend.person("sem")
    first = draft(lead, (learner,), at(2, 10), at(2, 11), transaction_id="talk-retry")
    ref = backend.calendar.create_event(first)
    again = backend.calendar.create_event(first)
    assert again.event_id == ref.event_id and again.ical_uid == ref.ical_uid
    assert len(week_of(backend, lead)) == 1
    assert len(week_of(backend, learner)) == 1


def test_moving_an_event_moves_it_for_both(backend: Backend) -> None:
    lead, learner = backend.person("marco"), backend.person("sem")
    original = draft(lead, (learner,), at(2, 10), at(2, 11))
    ref = backend.calendar.create_event(original)
    moved = EventDraft(**{**original.__dict__, "start": at(4, 14), "end": at(4, 15)})
    ref2 = backend.calendar.update_event(ref, moved)
    assert ref2.ical_uid == ref.ical_uid
    for who in (lead, learner):
        (event,) = active(week_of(backend, who), ref)
        assert (event.start, event.end) == (at(4, 14), at(4, 15))


def test_a_cancelled_event_is_active_nowhere_and_cancelling_again_is_fine(
    backend: Backend,
) -> None:
    lead, learner = backend.person("marco"), backend.person("sem")
    ref = backend.calendar.create_event(draft(lead, (learner,), at(2, 10), at(2, 11)))
    backend.calendar.cancel_event(ref, lead)
    backend.calendar.cancel_event(ref, lead)
    for who in (lead, learner):
        assert active(week_of(backend, who), ref) == []


def test_updating_an_unknown_event_is_rejected(backend: Backend) -> None:
    lead, learner = backend.person("marco"), backend.person("sem")
    ref = backend.calendar.create_event(draft(lead, (learner,), at(2, 10), at(2, 11)))
    gone = EventRef(event_id=ref.event_id[:-4] + "AAAA", ical_uid="x")
    with pytest.raises(CalendarRejected):
        backend.calendar.update_event(gone, draft(lead, (learner,), at(2, 12), at(2, 13)))


def test_listing_shows_only_the_window(backend: Backend) -> None:
    lead, learner = backend.person("marco"), backend.person("sem")
    inside = backend.calendar.create_event(draft(lead, (learner,), at(2, 10), at(2, 11)))
    backend.calendar.create_event(draft(lead, (learner,), at(9, 10), at(9, 11)))
    events = list(backend.calendar.list_events(lead, Interval(at(2, 0), at(3, 0))))
    assert [e.ref.ical_uid for e in events] == [inside.ical_uid]


def request(
    attendees: tuple[Attendee, ...], window: Interval, earliest: datetime, horizon: datetime
) -> SlotRequest:
    return SlotRequest(
        attendees=attendees,
        window=window,
        earliest=earliest,
        horizon=horizon,
        duration=timedelta(minutes=30),
        hours=HOURS,
        options=3,
    )


def test_find_slot_takes_the_first_time_free_for_everyone(backend: Backend) -> None:
    lead, learner = backend.person("marco"), backend.person("sem")
    backend.busy(lead, at(2, 8, 30), at(2, 12))
    backend.busy(learner, at(2, 12), at(2, 13, 15))
    tuesday = Interval(at(2, 8, 30), at(2, 17))
    found = backend.calendar.find_slot(request((lead, learner), tuesday, at(1, 9), at(12, 17)))
    assert found.slot == Interval(at(2, 13, 15), at(2, 13, 45))
    assert found.options == ()


def test_find_slot_offers_the_nearest_free_times_when_the_window_is_full(
    backend: Backend,
) -> None:
    lead, learner = backend.person("marco"), backend.person("sem")
    backend.busy(lead, at(2, 8), at(2, 12, 30))
    backend.busy(learner, at(2, 12, 30), at(2, 18))
    backend.busy(lead, at(1, 9), at(1, 17))  # Monday too
    tuesday = Interval(at(2, 8, 30), at(2, 17))
    found = backend.calendar.find_slot(request((lead, learner), tuesday, at(1, 9), at(12, 17)))
    assert found.slot is None
    assert [o.start for o in found.options] == [at(3, 8, 30), at(4, 8, 30), at(5, 8, 30)]
