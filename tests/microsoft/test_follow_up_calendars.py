"""The follow-up is booked on a slot free in both Outlook calendars (Microsoft mode: the worker,
real msgraph-sdk, the Graph fake's free/busy), on SQLite and PostgreSQL.

The local calendar's side, over the API: tests/api/test_follow_up_booking.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from plugin.domain.clock import FixedClock
from plugin.domain.form import signing_hash
from plugin.domain.people import Person
from plugin.domain.schedule import Interval
from plugin.domain.talk import Talk
from plugin.domain.talk_state import FollowUpStatus
from plugin.jobs.outbox import Outbox
from plugin.services import signoff, talks
from plugin.services.context import Services
from plugin.services.followup import follow_up_id
from tests.microsoft.graph_fake import GraphFake, zone

AMS = ZoneInfo("Europe/Amsterdam")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """2027 in Amsterdam."""
    return datetime(2027, month, day, hour, minute, tzinfo=AMS)


def load(svc: Services, talk_id: str) -> Talk:
    found = svc.read(lambda s: s.get(Talk, talk_id))
    assert found is not None
    return found


def sign(svc: Services, who: Person, talk_id: str) -> None:
    """Sign as `who`, naming the form as it stands (what the API's client reads and sends)."""

    def work(s: Any) -> None:
        shown = s.get(Talk, talk_id)
        signoff.sign(svc, s, who, talk_id, form_hash=signing_hash(shown))

    svc.write(work)


def span_of(event: dict[str, Any]) -> Interval:
    def instant(value: dict[str, str]) -> datetime:
        tz = zone(value["timeZone"])
        assert tz is not None
        return datetime.fromisoformat(value["dateTime"][:19]).replace(tzinfo=tz)

    return Interval(instant(event["start"]), instant(event["end"]))


def test_the_follow_up_lands_on_a_slot_free_in_both_outlook_calendars(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    talk = ms_services.write(
        lambda s: talks.plan_talk(
            ms_services,
            s,
            lead,
            learner_id=learner.id,
            starts_at=at(3, 2, 9),
            duration_minutes=45,
            title=None,
            goals=["goals.learn"],
            own_goal="",
        )
    )
    ms_outbox.drain()  # the talk's own meeting
    # Six weeks on, the policy's first pick is Tuesday 13 April 08:30. Sem has an appointment
    # then; right after it Marco has one. Each calendar alone would give 08:30 (Marco's) or
    # 10:00 (Sem's): only both together give 11:00.
    window = ms_services.policy.window_for(talk.starts_at, [], talk.starts_at)
    assert window.window.start == at(4, 13, 8, 30)
    graph.add_event(learner.email, "Tandarts", at(4, 13, 8, 30), at(4, 13, 10))
    graph.add_event(lead.email, "Werkoverleg", at(4, 13, 10), at(4, 13, 11))

    clock.set(talk.starts_at + timedelta(minutes=5))
    for who in (lead, learner):
        sign(ms_services, who, talk.id)
    graph.clear_requests()
    ms_outbox.drain()

    # One free/busy question about both mailboxes, then the booking.
    asked = [r for r in graph.requests if r.path.endswith("/calendar/getSchedule")]
    assert len(asked) == 1
    # (Graph reads action parameters case-insensitively; the SDK sends "Schedules".)
    schedules = {k.lower(): v for k, v in asked[0].body.items()}["schedules"]
    assert sorted(schedules) == sorted([lead.email, learner.email])
    signed = load(ms_services, talk.id)
    assert signed.follow_up_status is FollowUpStatus.BOOKED
    follow_up = load(ms_services, follow_up_id(talk.id))
    expected = Interval(at(4, 13, 11), at(4, 13, 11, 30))
    assert Interval(follow_up.starts_at, follow_up.ends_at) == expected
    # In both Outlook calendars at that time, and clashing with nothing in either.
    for mailbox in (lead.email, learner.email):
        events = [e for e in graph.events(mailbox) if not e["isCancelled"]]
        booked = [e for e in events if e["iCalUId"] == follow_up.event_ical_uid]
        assert [span_of(e) for e in booked] == [expected], mailbox
        clashes = [
            e["subject"] for e in events if e not in booked and span_of(e).overlaps(expected)
        ]
        assert clashes == [], mailbox
