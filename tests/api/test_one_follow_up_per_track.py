"""One follow-up per track, over the API in local mode (the local calendar; SQLite and
PostgreSQL): a talk signed while a later talk of its track is planned already books no other
one. That later talk is its follow-up, takes its open agreements on its agenda, and moves
earlier when the policy wants it sooner and both are free then.

(Microsoft mode, against the Graph fake, and two workers at once: tests/microsoft/
test_one_follow_up_per_track.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plugin.calendar.local import LocalCalendar
from plugin.calendar.port import EventDraft, EventRef
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.schedule import Interval
from plugin.domain.talk import Talk
from plugin.jobs.outbox import Outbox, enqueue
from plugin.services.context import Services
from plugin.services.talks import BOOK_FOLLOW_UP, job_key
from tests.api.test_follow_up_booking import as_attendee, busy, events_of, sign_both, span
from tests.conftest import ApiClient

AMS = ZoneInfo("Europe/Amsterdam")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """2027 in Amsterdam."""
    return datetime(2027, month, day, hour, minute, tzinfo=AMS)


#: The first talk is on Tuesday 2 March 09:00; its follow-up, by the policy, on Tuesday
#: 13 April 08:30. The second talk is on Tuesday 9 March 09:00: six weeks on is 20 April,
#: after that follow-up. An agreement due Friday 26 March wants it in 23–25 March instead.
FIRST_FOLLOW_UP = Interval(at(4, 13, 8, 30), at(4, 13, 9))
SECOND_TALK = at(3, 9, 9)
DUE = date(2027, 3, 26)
DUE_WINDOW_DAYS = (23, 24, 25)


def created(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 201, answer.json
    found: dict[str, Any] = answer.json
    return found


def agree(
    writer: ApiClient, other: ApiClient, talk_id: str, what: str, owner: str, due: date | None
) -> str:
    """An agreement, written by one and confirmed by the other; its id."""
    body: dict[str, Any] = {"what": what, "owner": owner}
    if due is not None:
        body["due"] = due.isoformat()
    made = created(writer.post(f"/api/talks/{talk_id}/agreements", json=body))
    confirmed = other.post(
        f"/api/talks/{talk_id}/agreements/{made['id']}/confirm", json={"version": made["version"]}
    )
    assert confirmed.status_code == 200, confirmed.json
    return str(made["id"])


def appointment(services: Services, organizer: Person, start: datetime, end: datetime) -> EventRef:
    """An appointment of one person in the local calendar, made through it."""
    draft = EventDraft(
        transaction_id=f"busy-{services.new_id()}",
        organizer=as_attendee(organizer),
        attendees=(),
        subject="Bezet",
        start=start,
        end=end,
        body_text="",
        body_html="",
        url="https://example.test/elders",
    )
    return services.write(lambda s: LocalCalendar(s, services.clock.now).create_event(draft))


def when(talk: dict[str, Any]) -> Interval:
    return Interval(
        datetime.fromisoformat(talk["starts_at"]), datetime.fromisoformat(talk["ends_at"])
    )


def planned_in_track(client: ApiClient, track_id: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = client.get("/api/talks").json["talks"]
    return [t for t in listed if t["track_id"] == track_id and t["status"] == "planned"]


def earlier_agreements(client: ApiClient, talk_id: str) -> list[str]:
    """The ids of the earlier talks' agreements on this talk's agenda."""
    items = client.talk(talk_id)["agenda"]["items"]
    return [i["agreement"]["id"] for i in items if "agreement" in i]


def assert_once_in_both_calendars(
    marco: ApiClient, sem: ApiClient, talk_id: str, expected: Interval
) -> None:
    """The talk's event is in both calendars at `expected` (only there), clashing with nothing."""
    around = (at(3, 1, 0), at(5, 31, 0))
    for who in (marco, sem):
        events = events_of(who, *around)
        mine = [e for e in events if e["ical_uid"].startswith(f"talk-{talk_id}@")]
        assert [span(e) for e in mine] == [expected]
        assert [e for e in events if e not in mine and span(e).overlaps(expected)] == []


@pytest.fixture
def first_signed(
    marco: ApiClient,
    sem: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> tuple[Talk, str, str]:
    """The first talk, signed with one open agreement: (talk, its agreement, its follow-up)."""
    talk = make_talk(lead, learner)
    assert talk.starts_at == at(3, 2, 9)
    clock.set(talk.starts_at + timedelta(minutes=5))
    agreement = agree(
        marco, sem, talk.id, "Sem regelt zelfstandig een installatie in", "learner", None
    )
    signed = sign_both(marco, sem, talk.id)
    assert signed["follow_up"]["status"] == "booked", signed["follow_up"]
    follow_up_id = signed["follow_up"]["talk_id"]
    assert when(marco.talk(follow_up_id)) == FIRST_FOLLOW_UP
    return talk, agreement, follow_up_id


def second_talk(
    make_talk: Callable[..., Talk], lead: Person, learner: Person, clock: FixedClock
) -> Talk:
    """The lead plans another talk by hand, a week later, and it is held."""
    talk = make_talk(lead, learner, starts_at=SECOND_TALK)
    clock.set(SECOND_TALK + timedelta(minutes=5))
    return talk


#: Where the second talk's policy puts its follow-up, and an agreement due date that gives it.
POLICY_WINDOWS = {
    # Six weeks after the second talk: the follow-up planned already comes before.
    "before the window": (None, Interval(at(4, 20, 8, 30), at(4, 26, 17))),
    # Due Thursday 15 April: from three working days before to the day before. The follow-up
    # planned already is in it (not on its first time, which is free).
    "within the window": (date(2027, 4, 15), Interval(at(4, 12, 8, 30), at(4, 14, 17))),
}


@pytest.mark.parametrize("case", list(POLICY_WINDOWS))
def test_a_second_sign_off_books_no_second_follow_up_and_the_planned_one_stays(
    services: Services,
    marco: ApiClient,
    sem: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
    first_signed: tuple[Talk, str, str],
    case: str,
) -> None:
    first, first_agreement, follow_up_id = first_signed
    due, policy_window = POLICY_WINDOWS[case]
    second = second_talk(make_talk, lead, learner, clock)
    new_agreement = agree(marco, sem, second.id, "Marco plant een dag meelopen", "lead", due)
    dues = [due] if due else []
    assert services.policy.window_for(SECOND_TALK, dues, clock.now()).window == policy_window

    signed = sign_both(marco, sem, second.id)

    # The follow-up planned already is this talk's follow-up too, at its own time: it is
    # where the policy wants it, or sooner.
    follow = signed["follow_up"]
    assert (follow["status"], follow["talk_id"]) == ("booked", follow_up_id)
    assert when(follow) == FIRST_FOLLOW_UP
    assert [t["id"] for t in planned_in_track(sem, second.track_id)] == [follow_up_id]
    assert when(sem.talk(follow_up_id)) == FIRST_FOLLOW_UP
    assert_once_in_both_calendars(marco, sem, follow_up_id, FIRST_FOLLOW_UP)
    # Its agenda has both talks' open agreements, the new one included.
    assert earlier_agreements(sem, follow_up_id) == [first_agreement, new_agreement]
    # The first talk still names it as its follow-up.
    assert marco.talk(first.id)["follow_up"]["talk_id"] == follow_up_id


def test_the_planned_follow_up_moves_earlier_when_an_agreement_falls_due_sooner(
    services: Services,
    outbox: Outbox,
    marco: ApiClient,
    sem: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
    first_signed: tuple[Talk, str, str],
) -> None:
    first, _, follow_up_id = first_signed
    second = second_talk(make_talk, lead, learner, clock)
    due_soon = agree(marco, sem, second.id, "Sem rondt de rapportage af", "learner", DUE)
    # The policy wants the follow-up in 23–25 March. Marco is busy the morning of the 23rd:
    # the first time free for both is 12:00.
    morning = appointment(services, lead, at(3, 23, 8, 30), at(3, 23, 12))

    signed = sign_both(marco, sem, second.id)

    moved = Interval(at(3, 23, 12), at(3, 23, 12, 30))
    follow = signed["follow_up"]
    assert (follow["status"], follow["talk_id"]) == ("booked", follow_up_id)
    assert when(follow) == moved
    assert [t["id"] for t in planned_in_track(marco, second.track_id)] == [follow_up_id]
    assert when(sem.talk(follow_up_id)) == moved
    assert_once_in_both_calendars(marco, sem, follow_up_id, moved)
    assert due_soon in earlier_agreements(marco, follow_up_id)
    # The first talk's answer says the new time as well.
    assert when(marco.talk(first.id)["follow_up"]) == moved

    # The job again (an outbox retry after it was done): nothing changes, though Marco's
    # morning is free now and a new search would take it.
    services.write(lambda s: LocalCalendar(s, clock.now).cancel_event(morning, as_attendee(lead)))
    before = sem.talk(follow_up_id)
    services.write(
        lambda s: enqueue(
            s, BOOK_FOLLOW_UP, {"talk_id": second.id}, clock.now(), key=job_key(second.id)
        )
    )
    outbox.drain()
    assert sem.talk(follow_up_id) == before
    assert [t["id"] for t in planned_in_track(marco, second.track_id)] == [follow_up_id]
    assert_once_in_both_calendars(marco, sem, follow_up_id, moved)


def test_the_planned_follow_up_stays_when_no_earlier_time_is_free_for_both(
    services: Services,
    marco: ApiClient,
    sem: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
    first_signed: tuple[Talk, str, str],
) -> None:
    _, _, follow_up_id = first_signed
    second = second_talk(make_talk, lead, learner, clock)
    agree(marco, sem, second.id, "Sem rondt de rapportage af", "learner", DUE)
    for day in DUE_WINDOW_DAYS:  # Sem's days in the policy's window are full
        busy(services, learner, at(3, day, 8, 30), at(3, day, 17))

    signed = sign_both(marco, sem, second.id)

    assert (signed["follow_up"]["status"], signed["follow_up"]["talk_id"]) == (
        "booked",
        follow_up_id,
    )
    assert [t["id"] for t in planned_in_track(marco, second.track_id)] == [follow_up_id]
    assert when(sem.talk(follow_up_id)) == FIRST_FOLLOW_UP
    assert_once_in_both_calendars(marco, sem, follow_up_id, FIRST_FOLLOW_UP)


@pytest.mark.parametrize("order", ["earlier first", "later first"])
def test_two_talks_signed_in_either_order_leave_one_booked_follow_up(
    marco: ApiClient,
    sem: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
    order: str,
) -> None:
    # Two talks on one day, both held; then both are signed, in either order.
    morning = make_talk(lead, learner, starts_at=at(3, 2, 9))
    afternoon = make_talk(lead, learner, starts_at=at(3, 2, 14))
    clock.set(at(3, 2, 15))
    signing = [morning, afternoon] if order == "earlier first" else [afternoon, morning]
    follow_ups = [sign_both(marco, sem, t.id)["follow_up"] for t in signing]

    assert [f["status"] for f in follow_ups] == ["booked", "booked"]
    assert follow_ups[0]["talk_id"] == follow_ups[1]["talk_id"]
    (planned,) = planned_in_track(marco, morning.track_id)
    assert planned["id"] == follow_ups[0]["talk_id"]
    assert_once_in_both_calendars(marco, sem, planned["id"], when(planned))


def test_a_planned_talk_after_a_full_window_takes_the_chosen_time(
    services: Services,
    marco: ApiClient,
    sem: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    # The first talk's follow-up needs attention: Sem is busy all through the window.
    talk = make_talk(lead, learner)
    for day in (13, 14, 15, 16, 19):
        busy(services, learner, at(4, day, 8, 30), at(4, day, 17))
    clock.set(talk.starts_at + timedelta(minutes=5))
    assert sign_both(marco, sem, talk.id)["follow_up"]["status"] == "needs_attention"
    options = sem.get(f"/api/talks/{talk.id}/follow-up").json["options"]
    chosen = options[0]
    assert datetime.fromisoformat(chosen["starts_at"]) == at(4, 12, 8, 30)
    # Meanwhile Marco plans the next talk by hand, in May.
    planned = make_talk(lead, learner, starts_at=at(5, 3, 10), duration_minutes=30)

    answer = sem.post(
        f"/api/talks/{talk.id}/follow-up",
        json={"starts_at": chosen["starts_at"], "version": sem.talk(talk.id)["version"]},
    )

    # The talk planned by hand is the follow-up, moved to the chosen time: none is added.
    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["talk_id"]) == ("booked", planned.id)
    chosen_time = Interval(at(4, 12, 8, 30), at(4, 12, 9))
    assert [t["id"] for t in planned_in_track(marco, talk.track_id)] == [planned.id]
    assert when(marco.talk(planned.id)) == chosen_time
    assert_once_in_both_calendars(marco, sem, planned.id, chosen_time)
