"""Booking the follow-up against real calendars (the local calendar, SQLite and PostgreSQL):
on a slot free in both people's calendars, and, when the window is full, *needs attention*
with the nearest options, one of which the two can then choose.

The busy times are real events in the local calendar, made through it as any booking is.
(The Graph calendar's side: tests/microsoft/test_follow_up_calendars.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plugin.calendar.local import LocalCalendar
from plugin.calendar.port import Attendee, EventDraft
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.schedule import Interval
from plugin.domain.talk import Talk
from plugin.services.context import Services
from tests.conftest import ApiClient

AMS = ZoneInfo("Europe/Amsterdam")
HALF_HOUR = timedelta(minutes=30)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """2027 in Amsterdam."""
    return datetime(2027, month, day, hour, minute, tzinfo=AMS)


#: The talk is on Tuesday 2 March 2027 at 09:00 (the tests' clock, plus a day). Six weeks on,
#: the follow-up policy looks in Tuesday 13 April to Monday 19 April, 08:30–17:00.
WINDOW_DAYS = [at(4, d, 0).date() for d in (13, 14, 15, 16, 19)]


def as_attendee(person: Person) -> Attendee:
    return Attendee(person.id, person.display_name, person.email)


def busy(
    services: Services,
    organizer: Person,
    start: datetime,
    end: datetime,
    *,
    attendees: tuple[Person, ...] = (),
) -> None:
    """An appointment in the local calendar, made through it (its own transaction)."""
    draft = EventDraft(
        transaction_id=f"busy-{services.new_id()}",
        organizer=as_attendee(organizer),
        attendees=tuple(as_attendee(p) for p in attendees),
        subject="Bezet",
        start=start,
        end=end,
        body_text="",
        body_html="",
        url="https://example.test/elders",
    )
    services.write(lambda s: LocalCalendar(s, services.clock.now).create_event(draft))


def events_of(client: ApiClient, start: datetime, end: datetime) -> list[dict[str, Any]]:
    window = {"start": start.isoformat(), "end": end.isoformat()}
    answer = client.get("/api/calendar/events", query_string=window)
    assert answer.status_code == 200, answer.json
    found: list[dict[str, Any]] = [e for e in answer.json["events"] if not e["cancelled"]]
    return found


def span(event: dict[str, Any]) -> Interval:
    return Interval(datetime.fromisoformat(event["start"]), datetime.fromisoformat(event["end"]))


def assert_booked_once_and_free_for_both(
    marco: ApiClient, sem: ApiClient, follow_up_id: str, expected: Interval
) -> None:
    """The follow-up is in both calendars at `expected`, overlapping nothing else in either."""
    around = (expected.start - timedelta(days=10), expected.end + timedelta(days=10))
    for who in (marco, sem):
        events = events_of(who, *around)
        mine = [e for e in events if e["ical_uid"].startswith(f"talk-{follow_up_id}@")]
        assert [span(e) for e in mine] == [expected]
        clashes = [e for e in events if e not in mine and span(e).overlaps(expected)]
        assert clashes == []


def sign_both(marco: ApiClient, sem: ApiClient, talk_id: str) -> dict[str, Any]:
    for who in (marco, sem):
        answer = who.sign(talk_id)
        assert answer.status_code == 200, answer.json
    signed: dict[str, Any] = answer.json
    assert signed["status"] == "signed"
    return signed


@pytest.fixture
def talk(make_talk: Callable[..., Talk], lead: Person, learner: Person, clock: FixedClock) -> Talk:
    talk = make_talk(lead, learner)
    assert talk.starts_at == at(3, 2, 9)
    return talk


@pytest.fixture
def colleague(make_person: Callable[..., Person]) -> Person:
    return make_person(display_name="Anna Collega")


def test_the_window_these_tests_rely_on(services: Services, talk: Talk, clock: FixedClock) -> None:
    window = services.policy.window_for(talk.starts_at, [], talk.starts_at + timedelta(minutes=5))
    assert window.window == Interval(at(4, 13, 8, 30), at(4, 19, 17))
    assert services.policy.duration == HALF_HOUR
    assert [d.weekday() for d in WINDOW_DAYS] == [1, 2, 3, 4, 0]


def test_the_follow_up_lands_on_a_slot_free_in_both_calendars(
    services: Services,
    marco: ApiClient,
    sem: ApiClient,
    talk: Talk,
    lead: Person,
    learner: Person,
    colleague: Person,
    clock: FixedClock,
) -> None:
    # The policy's first pick, 13 April 08:30, is taken in Sem's calendar (a meeting Anna
    # organises, Sem attends); right after it Marco is busy. Each alone would allow 08:30
    # (Marco's calendar) or 10:00 (Sem's): only both together give 11:00.
    busy(services, colleague, at(4, 13, 8, 30), at(4, 13, 10), attendees=(learner,))
    busy(services, lead, at(4, 13, 10), at(4, 13, 11))

    clock.set(talk.starts_at + timedelta(minutes=5))
    signed = sign_both(marco, sem, talk.id)

    assert signed["follow_up"]["status"] == "booked", signed["follow_up"]
    follow_up_id = signed["follow_up"]["talk_id"]
    follow_up = sem.talk(follow_up_id)
    expected = Interval(at(4, 13, 11), at(4, 13, 11) + HALF_HOUR)
    assert span({"start": follow_up["starts_at"], "end": follow_up["ends_at"]}) == expected
    assert follow_up["previous_talk_id"] == talk.id
    assert_booked_once_and_free_for_both(marco, sem, follow_up_id, expected)


@pytest.mark.parametrize("full", ["learner", "lead"])
def test_a_full_window_needs_attention_with_the_nearest_options_and_one_can_be_chosen(
    services: Services,
    marco: ApiClient,
    sem: ApiClient,
    talk: Talk,
    lead: Person,
    learner: Person,
    clock: FixedClock,
    full: str,
) -> None:
    # One person's calendar is full every working hour of the window; the other is busy on
    # the morning of the nearest day before it, so the options need both calendars too.
    full_one, other = (learner, lead) if full == "learner" else (lead, learner)
    for day in WINDOW_DAYS:
        busy(services, full_one, at(4, day.day, 8, 30), at(4, day.day, 17))
    busy(services, other, at(4, 12, 8, 30), at(4, 12, 11))

    clock.set(talk.starts_at + timedelta(minutes=5))
    signed = sign_both(marco, sem, talk.id)

    assert signed["follow_up"]["status"] == "needs_attention"
    view = sem.get(f"/api/talks/{talk.id}/follow-up").json
    assert (view["status"], view["reason"], view["talk_id"]) == (
        "needs_attention",
        "no_free_slot",
        None,
    )
    # The three nearest days with time free for both, each day's first free half hour:
    # Monday 12 April after Marco's or Sem's morning, Tuesday 20 and Wednesday 21 April.
    offered = [
        Interval(datetime.fromisoformat(o["starts_at"]), datetime.fromisoformat(o["ends_at"]))
        for o in view["options"]
    ]
    assert offered == [
        Interval(at(4, 12, 11), at(4, 12, 11, 30)),
        Interval(at(4, 20, 8, 30), at(4, 20, 9)),
        Interval(at(4, 21, 8, 30), at(4, 21, 9)),
    ]
    # Nothing was booked meanwhile: no follow-up in either calendar.
    for who in (marco, sem):
        subjects = {e["subject"] for e in events_of(who, at(4, 1, 0), at(5, 31, 0))}
        assert subjects == {"Bezet"}

    chosen = view["options"][0]
    answer = sem.post(
        f"/api/talks/{talk.id}/follow-up",
        json={"starts_at": chosen["starts_at"], "version": sem.talk(talk.id)["version"]},
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "booked", answer.json
    follow_up = marco.talk(answer.json["talk_id"])
    assert datetime.fromisoformat(follow_up["starts_at"]) == offered[0].start
    assert follow_up["previous_talk_id"] == talk.id
    assert marco.get(f"/api/talks/{talk.id}/follow-up").json["options"] == []
    assert_booked_once_and_free_for_both(marco, sem, answer.json["talk_id"], offered[0])
