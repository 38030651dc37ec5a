"""Microsoft mode end to end, in process: talks planned, moved, cancelled and signed, their
events and follow-ups booked by the outbox through the real msgraph-sdk at the Graph fake.

Also the request counts per operation, and the fault test: 30% of Graph calls fail (429,
503, 504, dropped before or after the work, too slow) while 100 follow-ups are booked.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from plugin.domain.agreement import Owner
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import CalendarState, FollowUpStatus
from plugin.jobs import outbox as outbox_module
from plugin.jobs.outbox import Outbox
from plugin.services import agreements, signoff, talks
from plugin.services.context import Services
from plugin.services.followup import follow_up_id
from plugin.services.talks import PIN_TAB, POST_SUMMARY
from plugin.store.working_tables import outbox_jobs
from tests.microsoft.graph_fake import GraphFake


def plan(svc: Services, lead: Person, learner: Person, **values: Any) -> Talk:
    fields: dict[str, Any] = {
        "starts_at": svc.clock.now() + timedelta(days=1),
        "duration_minutes": 45,
        "title": None,
        "goals": ["goals.learn"],
        "own_goal": "",
    }
    fields.update(values)
    return svc.write(lambda s: talks.plan_talk(svc, s, lead, learner_id=learner.id, **fields))


def load(svc: Services, talk_id: str) -> Talk:
    found = svc.read(lambda s: s.get(Talk, talk_id))
    assert found is not None
    return found


def calls(graph: GraphFake) -> list[tuple[str, str]]:
    """(method, path shape) of each calendar request, ids replaced, so counts read plainly.

    Pinning our tab in the booked meeting's chat is counted in tests/microsoft/
    test_meeting_tabs.py (here the app has no permission for it, and the talk goes on)."""
    shapes = []
    for r in graph.requests:
        if not r.path.startswith("/users/"):
            continue
        parts = r.path.split("/")
        if len(parts) > 4 and parts[3] == "events":
            parts[4] = "{id}"
        if len(parts) > 2:
            parts[2] = "{user}"
        shapes.append((r.method, "/".join(parts)))
    return shapes


def test_a_planned_talk_becomes_a_teams_meeting_only_when_the_worker_runs(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    mailbox_people: Callable[[str], Person],
) -> None:
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    talk = plan(ms_services, lead, learner, own_goal="Leren <script>alert(1)</script>")
    assert graph.requests == []  # nothing remote in the request itself
    assert load(ms_services, talk.id).calendar_state is CalendarState.PENDING
    assert ms_outbox.drain() == 2  # the booking, then our tab in its meeting chat
    assert calls(graph) == [("POST", "/users/{user}/events")]
    (sent,) = [r for r in graph.requests if r.path.startswith("/users/")]
    assert sent.path == f"/users/{lead.email}/events"
    content = sent.body["body"]["content"]
    assert "<script>" not in content and "&lt;script&gt;" in content
    assert f"/talks/{talk.id}" in content
    stored = load(ms_services, talk.id)
    (event,) = graph.events(lead.email)
    assert stored.calendar_state is CalendarState.SYNCED
    immutable = graph.immutable_id(lead.email, event["id"])
    assert (stored.event_id, stored.event_ical_uid) == (immutable, event["iCalUId"])
    assert stored.join_url == event["onlineMeeting"]["joinUrl"]
    (copy,) = graph.events(learner.email)
    assert copy["iCalUId"] == event["iCalUId"]


def test_request_counts_per_operation(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    talk = plan(ms_services, lead, learner)
    ms_outbox.drain()
    assert calls(graph) == [("POST", "/users/{user}/events")]

    graph.clear_requests()
    booked = load(ms_services, talk.id)  # its version now, after the booking
    ms_services.write(
        lambda s: talks.update_talk(
            ms_services,
            s,
            lead,
            talk.id,
            starts_at=talk.starts_at + timedelta(hours=2),
            expected_version=booked.version,
        )
    )
    ms_outbox.drain()
    assert calls(graph) == [("PATCH", "/users/{user}/events/{id}")]

    # Sign it: the follow-up takes one free/busy look and one create, whatever the number of
    # attendees or agreements.
    graph.clear_requests()
    clock.advance(timedelta(days=1, hours=3))
    for who, other, text, owner in (
        (lead, learner, "Sem oefent", Owner.LEARNER),
        (learner, lead, "Marco plant", Owner.LEAD),
    ):
        added = ms_services.write(
            lambda s, who=who, text=text, owner=owner: agreements.add_agreement(
                ms_services, s, who, talk.id, what=text, owner=owner, due=None
            )
        )
        ms_services.write(
            lambda s, other=other, added=added: agreements.confirm_agreement(
                ms_services, s, other, talk.id, added.id, expected_version=added.version
            )
        )
    graph.clear_requests()
    for who in (lead, learner):
        ms_services.write(lambda s, who=who: signoff.sign_as_shown(ms_services, s, who, talk.id))
    ms_outbox.drain()
    assert calls(graph) == [
        ("POST", "/users/{user}/calendar/getSchedule"),
        ("POST", "/users/{user}/events"),
    ]
    signed = load(ms_services, talk.id)
    assert signed.follow_up_status is FollowUpStatus.BOOKED
    follow_up = load(ms_services, follow_up_id(talk.id))
    assert follow_up.event_id and follow_up.join_url
    created = [r for r in graph.requests if r.method == "POST" and r.path.endswith("/events")]
    invite = created[-1].body["body"]["content"]
    assert "Sem oefent" in invite and "Marco plant" in invite  # open agreements carried forward

    graph.clear_requests()
    ms_services.write(
        lambda s: talks.cancel_talk(
            ms_services, s, lead, follow_up.id, expected_version=follow_up.version
        )
    )
    ms_outbox.drain()
    assert calls(graph) == [("POST", "/users/{user}/events/{id}/cancel")]


def test_a_refused_calendar_shows_on_the_talk_and_its_follow_up(
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    graph.restrict_app_access({"someone.else@contoso.example"})
    talk = plan(ms_services, lead, learner)
    ms_outbox.drain()
    failed = load(ms_services, talk.id)
    assert failed.calendar_state is CalendarState.FAILED
    assert failed.calendar_error == "calendar_permission"
    clock.advance(timedelta(days=1, hours=3))
    for who in (lead, learner):
        ms_services.write(lambda s, who=who: signoff.sign_as_shown(ms_services, s, who, talk.id))
    ms_outbox.drain()
    signed = load(ms_services, talk.id)
    assert signed.follow_up_status is FollowUpStatus.NEEDS_ATTENTION
    assert signed.follow_up_reason == "calendar_permission"
    assert ms_outbox.pending() == 0


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # two workers, SKIP LOCKED
def test_a_hundred_follow_ups_under_30_percent_faults_are_each_booked_once(
    monkeypatch: pytest.MonkeyPatch,
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> None:
    leads = [mailbox_people(f"Lead{i}") for i in range(10)]
    learners = [mailbox_people(f"Learner{i}") for i in range(10)]
    signed: list[Talk] = []
    for i, lead in enumerate(leads):
        for j, learner in enumerate(learners):
            start = clock.now() + timedelta(days=1, minutes=15 * (i * 10 + j) % 480)
            signed.append(plan(ms_services, lead, learner, starts_at=start))
    ms_outbox.drain(limit=1000)  # the talks' own events, without faults
    clock.advance(timedelta(days=2))
    for talk in signed:
        for who in (talk.lead_id, talk.learner_id):
            viewer = next(p for p in leads + learners if p.id == who)
            ms_services.write(
                lambda s, v=viewer, t=talk: signoff.sign_as_shown(ms_services, s, v, t.id)
            )
    graph.clear_requests()
    graph.fault_rate(0.3, seed=20270301, retry_after=0, slow_seconds=0.0)
    # A booking is two or three requests: at 30 % faults one attempt in two fails, so eight
    # attempts leave about one job in two hundred failed, and which one depends on how the two
    # threads interleave. This test is about booking each follow-up exactly once, not about
    # how long to keep trying: it gives every job enough attempts.
    monkeypatch.setattr(outbox_module, "MAX_ATTEMPTS", 30)

    rounds = 0
    while ms_outbox.pending() and rounds < 50:
        rounds += 1
        workers = [threading.Thread(target=ms_outbox.drain, args=(1000,)) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        clock.advance(timedelta(hours=1))  # past every back-off
    graph.fault_rate(0, seed=0)

    assert ms_outbox.pending() == 0
    jobs = ms_services.read(
        lambda s: s.execute(select(outbox_jobs.c.kind, outbox_jobs.c.status)).all()
    )
    # Booking is what this test is about. (The summary cards for the meeting chats fail here:
    # nobody signed in Teams, so no lead consented to posting in their name; and the app has
    # no permission to pin its tab: tests/microsoft/test_meeting_tabs.py pins under faults.)
    assert {status for kind, status in jobs if kind not in (POST_SUMMARY, PIN_TAB)} == {"done"}
    faults = [r for r in graph.requests if r.status not in (200, 201, 202)]
    assert len(faults) >= 0.2 * len(graph.requests)  # the faults really happened
    for talk in signed:
        assert load(ms_services, talk.id).follow_up_status is FollowUpStatus.BOOKED
        fid = follow_up_id(talk.id)
        lead_email = next(p.email for p in leads if p.id == talk.lead_id)
        made = [e for e in graph.events(lead_email) if e.get("transactionId") == f"talk-{fid}"]
        assert len(made) == 1, (talk.id, made)
        assert load(ms_services, fid).event_id == graph.immutable_id(lead_email, made[0]["id"])
    # Nobody is double-booked, though two workers booked at once: neither a lead nor a
    # learner (who has ten leads here) has overlapping follow-ups.
    follow_ups = {f"talk-{follow_up_id(t.id)}" for t in signed}
    uids = {
        e["iCalUId"]
        for lead in leads
        for e in graph.events(lead.email)
        if e.get("transactionId") in follow_ups
    }
    for someone in leads + learners:
        spans = sorted(
            (e["start"]["dateTime"], e["end"]["dateTime"])
            for e in graph.events(someone.email)
            if e["iCalUId"] in uids
        )
        assert len(spans) == 10
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start
