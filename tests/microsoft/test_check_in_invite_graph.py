"""A check-in's invite in Microsoft mode: the event the worker creates through Graph (real
msgraph-sdk, the Graph fake) carries the agreement and its dated progress, escaped, in the
organisation's language, in both Outlook calendars; and with no time free for both, the time
the lead picks is booked as it is.

(The local calendar's side: tests/checkins/test_check_in_invite.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from plugin.domain.agreement import Agreement, Owner
from plugin.domain.agreement_progress import ProgressKind
from plugin.domain.checkin import CheckIn
from plugin.domain.clock import FixedClock
from plugin.domain.form import signing_hash
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.jobs.outbox import Outbox
from plugin.services import agreements, checkins, progress, signoff, talks
from plugin.services.context import Services
from tests.microsoft.graph_fake import GraphFake
from tests.microsoft.test_checkins_graph import at, the_check_in

NOTE = "Planning <b>vol</b> & de bus rijdt niet"


def slipped(
    svc: Services, ms_outbox: Outbox, clock: FixedClock, lead: Person, learner: Person
) -> str:
    """Sem's agreement of Tuesday 2 March, due 10 March, signed; a progress note on 5 March
    and "stuck" on 8 March; the clock on Thursday 11 March at 09:00. The agreement's id."""
    talk = svc.write(
        lambda s: talks.plan_talk(
            svc, s, lead, learner_id=learner.id, starts_at=at(3, 2, 9), duration_minutes=45,
            title=None, goals=["goals.learn"], own_goal="",
        )
    )  # fmt: skip
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

    agreement_id: str = svc.write(agree_and_sign)
    ms_outbox.drain()
    for moment, kind, note in (
        (at(3, 5, 11), ProgressKind.NOTE, NOTE),
        (at(3, 8, 14), ProgressKind.STUCK, None),
    ):
        clock.set(moment)

        def step(s: Any, kind: ProgressKind = kind, note: str | None = note) -> None:
            version = s.get(Agreement, agreement_id).version
            progress.record(
                svc, s, learner, agreement_id, kind=kind, note=note, expected_version=version
            )

        svc.write(step)
    clock.set(at(3, 11, 9))
    return agreement_id


def test_the_check_in_event_carries_the_agreement_and_its_progress(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    svc = ms_services
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    slipped(svc, ms_outbox, clock, lead, learner)
    svc.write(lambda s: checkins.propose(svc, s, clock.now()))
    ms_outbox.drain()
    proposal = the_check_in(svc)
    svc.write(
        lambda s: checkins.accept(svc, s, lead, proposal.id, expected_version=proposal.version)
    )
    ms_outbox.drain()
    booked: CheckIn = the_check_in(svc)
    check_in_talk = svc.read(lambda s: s.get(Talk, booked.check_in_talk_id))
    assert check_in_talk is not None
    for mailbox in (lead.email, learner.email):
        [event] = [
            e
            for e in graph.events(mailbox)
            if not e["isCancelled"] and e["iCalUId"] == check_in_talk.event_ical_uid
        ]
        body = event["body"]["content"]
        assert event["subject"].startswith("Tussentijds gesprek: ")
        assert "Sem loopt een dag mee" in body
        assert "uiterlijk" in body.lower() and "10 maart 2027" in body
        assert "5 maart 2027" in body and "8 maart 2027" in body
        assert "Loopt vast" in body
        assert "Planning &lt;b&gt;vol&lt;/b&gt; &amp; de bus rijdt niet" in body
        assert "<b>vol" not in body
        for section in svc.template.sections:
            assert section.title.nl not in body  # no checklist: nothing to prepare


def test_with_no_time_free_the_lead_picks_one_and_it_is_booked_without_free_busy(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    svc = ms_services
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    slipped(svc, ms_outbox, clock, lead, learner)
    # Marco's Outlook is full for the 5 working days.
    graph.add_event(lead.email, "Beurs", at(3, 11, 7), at(3, 20, 0))
    svc.write(lambda s: checkins.propose(svc, s, clock.now()))
    ms_outbox.drain()
    proposal = the_check_in(svc)
    assert (proposal.slot_start, proposal.problem) == (None, "no_free_slot")

    graph.clear_requests()
    chosen = at(3, 22, 10, 30)
    svc.write(
        lambda s: checkins.accept(
            svc, s, lead, proposal.id, expected_version=proposal.version, starts_at=chosen
        )
    )
    ms_outbox.drain()
    booked = the_check_in(svc)
    check_in_talk = svc.read(lambda s: s.get(Talk, booked.check_in_talk_id))
    assert check_in_talk is not None
    assert (check_in_talk.starts_at, check_in_talk.ends_at) == (chosen, at(3, 22, 10, 45))
    # The lead's time is booked as it is: one request, the event; no free/busy.
    paths = [r.path for r in graph.requests if r.method == "POST"]
    assert not any(p.endswith("/calendar/getSchedule") for p in paths), paths
    assert sum(p.endswith("/events") for p in paths) == 1
    for mailbox in (lead.email, learner.email):
        mine = [e for e in graph.events(mailbox) if e["iCalUId"] == check_in_talk.event_ical_uid]
        assert len(mine) == 1, mailbox
