"""One follow-up per track in Microsoft mode (the worker, real msgraph-sdk, the Graph fake), on
SQLite and PostgreSQL: a talk signed while a later talk of its track is planned already books
no other one. That talk is its follow-up, moved earlier in both Outlook calendars when the
policy wants it sooner and both are free then. A lost answer and two workers at once leave
one follow-up all the same.

The local calendar's side, over the API: tests/api/test_one_follow_up_per_track.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from plugin.domain.agreement import Owner
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.schedule import Interval
from plugin.domain.talk import Talk
from plugin.domain.talk_state import FollowUpStatus, TalkStatus
from plugin.jobs.outbox import Outbox
from plugin.services import agreements, signoff
from plugin.services.context import Services
from plugin.store.schema import talks as talks_table
from tests.microsoft.graph_fake import GraphFake, Recorded
from tests.microsoft.test_follow_up_calendars import span_of
from tests.microsoft.test_graph_flow import calls, load, plan

AMS = ZoneInfo("Europe/Amsterdam")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """2027 in Amsterdam."""
    return datetime(2027, month, day, hour, minute, tzinfo=AMS)


#: As in the API test: the first talk (2 March) is followed up on 13 April 08:30 by the
#: policy; the second (9 March) would be on 20 April, unless an agreement due 26 March wants
#: it in 23–25 March.
FIRST_FOLLOW_UP = Interval(at(4, 13, 8, 30), at(4, 13, 9))
SECOND_TALK = at(3, 9, 9)
DUE = date(2027, 3, 26)
MOVED = Interval(at(3, 23, 12), at(3, 23, 12, 30))


def sign(svc: Services, talk: Talk, *who: Person) -> None:
    for person in who:
        svc.write(lambda s, p=person: signoff.sign_as_shown(svc, s, p, talk.id))


def agree(svc: Services, talk: Talk, lead: Person, learner: Person, due: date | None) -> None:
    """One agreement of the learner's, written by the lead and confirmed by the learner."""
    added = svc.write(
        lambda s: agreements.add_agreement(
            svc, s, lead, talk.id, what="Sem rondt de rapportage af", owner=Owner.LEARNER, due=due
        )
    )
    svc.write(
        lambda s: agreements.confirm_agreement(
            svc, s, learner, talk.id, added.id, expected_version=added.version
        )
    )


def planned_in_track(svc: Services, track_id: str) -> list[Talk]:
    found = svc.read(
        lambda s: (
            s.execute(
                select(Talk).where(
                    talks_table.c.track_id == track_id,
                    talks_table.c.status == TalkStatus.PLANNED.value,
                )
            )
            .scalars()
            .all()
        )
    )
    return list(found)


def assert_in_both_outlook_calendars(
    graph: GraphFake, people: tuple[Person, ...], talk: Talk, expected: Interval
) -> None:
    """The talk is at `expected`, and so is its event in both mailboxes (once, no clash)."""
    assert Interval(talk.starts_at, talk.ends_at) == expected
    for person in people:
        events = [e for e in graph.events(person.email) if not e["isCancelled"]]
        mine = [e for e in events if e["iCalUId"] == talk.event_ical_uid]
        assert [span_of(e) for e in mine] == [expected], person.email
        clashes = [e["subject"] for e in events if e not in mine and span_of(e).overlaps(expected)]
        assert clashes == [], person.email


def first_follow_up(
    svc: Services, outbox: Outbox, clock: FixedClock, lead: Person, learner: Person
) -> Talk:
    """The first talk, held and signed, and its follow-up booked by the policy."""
    first = plan(svc, lead, learner, starts_at=at(3, 2, 9))
    outbox.drain()
    clock.set(first.starts_at + timedelta(minutes=5))
    sign(svc, first, lead, learner)
    outbox.drain()
    signed = load(svc, first.id)
    assert signed.follow_up_status is FollowUpStatus.BOOKED and signed.follow_up_talk_id
    follow_up = load(svc, signed.follow_up_talk_id)
    assert Interval(follow_up.starts_at, follow_up.ends_at) == FIRST_FOLLOW_UP
    return follow_up


def second_talk_held(
    svc: Services, outbox: Outbox, clock: FixedClock, lead: Person, learner: Person
) -> Talk:
    """Another talk, planned by hand a week later, and held."""
    second = plan(svc, lead, learner, starts_at=SECOND_TALK)
    outbox.drain()
    clock.set(SECOND_TALK + timedelta(minutes=5))
    return second


def is_patch(r: Recorded) -> bool:
    return r.method == "PATCH" and "/events/" in r.path


@pytest.mark.parametrize(
    "due",
    [None, date(2027, 4, 15)],
    # Six weeks on is 20 April; due 15 April, the window is 12–14 April.
    ids=["before the policy's window", "within it"],
)
def test_a_planned_follow_up_within_or_before_the_policys_window_stays_with_no_graph_call(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
    due: date | None,
) -> None:
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    follow_up = first_follow_up(ms_services, ms_outbox, clock, lead, learner)
    second = second_talk_held(ms_services, ms_outbox, clock, lead, learner)
    agree(ms_services, second, lead, learner, due)
    sign(ms_services, second, lead, learner)
    graph.clear_requests()
    ms_outbox.drain()

    signed = load(ms_services, second.id)
    assert (signed.follow_up_status, signed.follow_up_talk_id) == (
        FollowUpStatus.BOOKED,
        follow_up.id,
    )
    assert calls(graph) == []  # nothing to look up, nothing to book or move
    assert [t.id for t in planned_in_track(ms_services, second.track_id)] == [follow_up.id]
    after = load(ms_services, follow_up.id)
    assert after.version == follow_up.version
    assert_in_both_outlook_calendars(graph, (lead, learner), after, FIRST_FOLLOW_UP)


def test_a_planned_follow_up_moves_earlier_in_both_outlook_calendars(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    follow_up = first_follow_up(ms_services, ms_outbox, clock, lead, learner)
    second = second_talk_held(ms_services, ms_outbox, clock, lead, learner)
    agree(ms_services, second, lead, learner, DUE)
    # Marco is busy the morning of the 23rd: the first time free for both is 12:00.
    graph.add_event(lead.email, "Werkoverleg", at(3, 23, 8, 30), at(3, 23, 12))
    sign(ms_services, second, lead, learner)
    graph.clear_requests()
    ms_outbox.drain()

    signed = load(ms_services, second.id)
    assert (signed.follow_up_status, signed.follow_up_talk_id) == (
        FollowUpStatus.BOOKED,
        follow_up.id,
    )
    # One free/busy question, one update of the event that is there: no new event.
    assert calls(graph) == [
        ("POST", "/users/{user}/calendar/getSchedule"),
        ("PATCH", "/users/{user}/events/{id}"),
    ]
    assert [t.id for t in planned_in_track(ms_services, second.track_id)] == [follow_up.id]
    moved = load(ms_services, follow_up.id)
    assert moved.event_id == follow_up.event_id
    assert_in_both_outlook_calendars(graph, (lead, learner), moved, MOVED)
    # Its new changeKey is kept: the update's change notification is no news to the talk.
    assert moved.event_change_key not in (None, follow_up.event_change_key)


def test_a_lost_answer_to_the_move_moves_it_once(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    follow_up = first_follow_up(ms_services, ms_outbox, clock, lead, learner)
    second = second_talk_held(ms_services, ms_outbox, clock, lead, learner)
    agree(ms_services, second, lead, learner, DUE)
    graph.add_event(lead.email, "Werkoverleg", at(3, 23, 8, 30), at(3, 23, 12))
    sign(ms_services, second, lead, learner)
    # Graph moves the event, but its answer never arrives: the job is tried again later.
    graph.drop_next(1, after_processing=True, match=is_patch)
    graph.clear_requests()
    ms_outbox.drain()
    assert load(ms_services, second.id).follow_up_status is FollowUpStatus.BOOKING
    clock.advance(timedelta(hours=1))  # past the back-off
    ms_outbox.drain()

    signed = load(ms_services, second.id)
    assert (signed.follow_up_status, signed.follow_up_talk_id) == (
        FollowUpStatus.BOOKED,
        follow_up.id,
    )
    # The event at 12:00 is its own: the retry finds it there (one read of the calendar)
    # rather than taking the next free time after it.
    assert [c for c in calls(graph) if c[0] == "GET"] == [("GET", "/users/{user}/calendarView")]
    moves = [r for r in graph.requests if is_patch(r)]
    assert len(moves) == 2 and moves[0].body["start"] == moves[1].body["start"]
    assert [t.id for t in planned_in_track(ms_services, second.track_id)] == [follow_up.id]
    assert_in_both_outlook_calendars(graph, (lead, learner), load(ms_services, follow_up.id), MOVED)


def lock_waits(svc: Services) -> int:
    """Backends of this database waiting for a lock (PostgreSQL)."""
    with svc.db.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )


def until(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Waits for another thread's state change (looks every 20 ms)."""
    pause = threading.Event()
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        pause.wait(0.02)
    return False


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # two workers: row locks
def test_two_sign_offs_booked_by_two_workers_at_once_leave_one_follow_up(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    morning = plan(ms_services, lead, learner, starts_at=at(3, 2, 9))
    afternoon = plan(ms_services, lead, learner, starts_at=at(3, 2, 14))
    ms_outbox.drain()
    clock.set(at(3, 2, 15))
    sign(ms_services, morning, lead, learner)
    sign(ms_services, afternoon, lead, learner)
    graph.clear_requests()

    # The first worker books the morning's follow-up and is held inside Graph's create,
    # holding both people. The second takes the afternoon's booking and must wait for it.
    def is_create(r: Recorded) -> bool:
        return r.method == "POST" and r.path.endswith("/events")

    hold = graph.hold_next(is_create)
    outcome: dict[str, Any] = {}
    first = threading.Thread(target=lambda: outcome.setdefault("first", ms_outbox.drain(1)))
    second = threading.Thread(target=lambda: outcome.setdefault("second", ms_outbox.drain(1)))
    first.start()
    try:
        assert hold.reached.wait(30), "the first worker never sent its create"
        second.start()
        assert until(lambda: lock_waits(ms_services) > 0), "the second worker did not wait"
    finally:
        hold.release()
        first.join(60)
        if second.ident is not None:  # started
            second.join(60)
    assert outcome == {"first": 1, "second": 1}
    ms_outbox.drain()  # what follows (the summary cards), one worker

    follow_ups = {load(ms_services, t.id).follow_up_talk_id for t in (morning, afternoon)}
    assert len(follow_ups) == 1 and None not in follow_ups
    (planned,) = planned_in_track(ms_services, morning.track_id)
    assert planned.id in follow_ups
    assert len([r for r in graph.requests if is_create(r)]) == 1
    assert_in_both_outlook_calendars(
        graph, (lead, learner), planned, Interval(planned.starts_at, planned.ends_at)
    )


def test_a_planned_follow_up_whose_event_was_not_made_is_made_at_its_earlier_time(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    held = second_talk_held(ms_services, ms_outbox, clock, lead, learner)
    # The next talk, planned by hand for April, got no event: the calendar refused it then.
    graph.restrict_app_access({"someone.else@contoso.example"})
    later = plan(ms_services, lead, learner, starts_at=at(4, 20, 10), duration_minutes=30)
    ms_outbox.drain()
    assert load(ms_services, later.id).event_id is None
    graph.restrict_app_access(None)
    agree(ms_services, held, lead, learner, DUE)
    graph.add_event(lead.email, "Werkoverleg", at(3, 23, 8, 30), at(3, 23, 12))
    sign(ms_services, held, lead, learner)
    graph.clear_requests()
    ms_outbox.drain()

    assert load(ms_services, held.id).follow_up_talk_id == later.id
    # Moved, then its event made there (nothing to update before).
    assert calls(graph) == [
        ("POST", "/users/{user}/calendar/getSchedule"),
        ("POST", "/users/{user}/events"),
    ]
    made = load(ms_services, later.id)
    assert made.event_id is not None
    assert_in_both_outlook_calendars(graph, (lead, learner), made, MOVED)
