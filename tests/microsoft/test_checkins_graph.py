"""A check-in in Microsoft mode: the agreement goes overdue, the worker finds the first quarter
free in both Outlook calendars (Graph free/busy, never in the scan or a web request), the
lead accepts, and the worker books it in both calendars (real msgraph-sdk, the Graph fake).

The local calendar's side, over the API: tests/api/test_checkins.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from plugin.domain.agreement import Owner
from plugin.domain.checkin import CheckIn, CheckInState
from plugin.domain.clock import FixedClock
from plugin.domain.form import signing_hash
from plugin.domain.people import Person
from plugin.domain.schedule import Interval
from plugin.domain.talk import Talk
from plugin.jobs.outbox import Outbox
from plugin.services import agreements, checkins, signoff, talks
from plugin.services import reminders as scanner
from plugin.services.context import Services
from tests.microsoft.graph_fake import GraphFake
from tests.microsoft.test_follow_up_calendars import span_of

AMS = ZoneInfo("Europe/Amsterdam")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """2027 in Amsterdam."""
    return datetime(2027, month, day, hour, minute, tzinfo=AMS)


def the_check_in(svc: Services) -> CheckIn:
    def read(s: Any) -> CheckIn:
        [found] = s.query(CheckIn).all()
        return found

    result: CheckIn = svc.read(read)
    return result


def test_an_overdue_agreement_gets_a_check_in_booked_in_both_outlook_calendars(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    svc = ms_services
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    talk = svc.write(
        lambda s: talks.plan_talk(
            svc,
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
    ms_outbox.drain()
    clock.set(at(3, 2, 9, 30))

    def agree_and_sign(s: Any) -> str:
        item = agreements.add_agreement(
            svc, s, lead, talk.id, what="Sem loopt een dag mee", owner=Owner.LEARNER,
            due=date(2027, 3, 10),
        )  # fmt: skip
        agreements.confirm_agreement(svc, s, learner, talk.id, item.id, expected_version=1)
        for who in (lead, learner):
            signoff.sign(svc, s, who, talk.id, form_hash=signing_hash(s.get(Talk, talk.id)))
        return item.id

    agreement_id = svc.write(agree_and_sign)
    ms_outbox.drain()  # the follow-up, in April

    # Thursday 11 March, the working day after the due date: Sem is busy until 10:00, Marco
    # from 10:00 to 10:30. Each calendar alone would give 09:00 or 10:00: both give 10:30.
    graph.add_event(learner.email, "Tandarts", at(3, 11, 9), at(3, 11, 10))
    graph.add_event(lead.email, "Werkoverleg", at(3, 11, 10), at(3, 11, 10, 30))
    clock.set(at(3, 11, 9))
    graph.clear_requests()
    assert svc.write(lambda s: len(checkins.propose(svc, s, clock.now()))) == 1
    assert graph.requests == []  # the scan asks Graph nothing: the worker does
    ms_outbox.drain()
    asked = [r for r in graph.requests if r.path.endswith("/calendar/getSchedule")]
    assert len(asked) == 1
    proposal = the_check_in(svc)
    assert proposal.agreement_id == agreement_id
    expected = Interval(at(3, 11, 10, 30), at(3, 11, 10, 45))
    assert proposal.slot_start is not None
    assert proposal.slot_end is not None
    assert Interval(proposal.slot_start, proposal.slot_end) == expected
    # The scan itself proposes nothing more for it.
    assert svc.write(lambda s: len(checkins.propose(svc, s, clock.now()))) == 0

    graph.clear_requests()
    svc.write(
        lambda s: checkins.accept(svc, s, lead, proposal.id, expected_version=proposal.version)
    )
    ms_outbox.drain()
    booked = the_check_in(svc)
    assert booked.state is CheckInState.ACCEPTED
    assert booked.check_in_talk_id is not None
    check_in_talk = svc.read(lambda s: s.get(Talk, booked.check_in_talk_id))
    assert check_in_talk is not None
    assert check_in_talk.check_in_of == agreement_id
    assert Interval(check_in_talk.starts_at, check_in_talk.ends_at) == expected
    # Free/busy once more (the slot is still free), then the booking.
    paths = [r.path for r in graph.requests if r.method == "POST"]
    assert sum(p.endswith("/calendar/getSchedule") for p in paths) == 1
    assert sum(p.endswith("/events") for p in paths) == 1
    for mailbox in (lead.email, learner.email):
        events = [e for e in graph.events(mailbox) if not e["isCancelled"]]
        mine = [e for e in events if e["iCalUId"] == check_in_talk.event_ical_uid]
        assert [span_of(e) for e in mine] == [expected], mailbox
        # The invite names the agreement.
        assert "Sem loopt een dag mee" in mine[0]["body"]["content"]
    # The scan, running meanwhile, proposes nothing and reminds nobody to sign it.
    clock.set(at(3, 12, 9))
    svc.write(lambda s: scanner.scan(svc, s))
    assert svc.read(lambda s: s.query(CheckIn).count()) == 1
