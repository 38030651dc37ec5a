"""Two-way calendar sync through Graph's real round trip: the service runs over HTTPS on
loopback, the worker subscribes to the lead's mailbox (Graph calls the validation handshake
on the service), the test acts as the lead in Outlook at the Graph fake, the fake POSTs its
notifications to the service's endpoint, and the worker (the outbox, drained on the tests'
clock) applies them. Lost, doubled and reordered notifications, lifecycle events, renewal and
reconciliation are played through the same path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from plugin.domain.clock import FixedClock
from plugin.domain.form import signing_hash
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_calendar import CANCELLED_IN_OUTLOOK, LEARNER_REMOVED
from plugin.domain.talk_state import TalkStatus
from plugin.jobs.outbox import Outbox
from plugin.services import calendar_sync, signoff, talks
from plugin.services.context import Links, Services
from plugin.services.followup import follow_up_id
from plugin.store import subscriptions as subs
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client
from tests.microsoft.graph_fake import GraphFake
from tests.microsoft.https_server import LoopbackHttps

AMS = ZoneInfo("Europe/Amsterdam")


@dataclass
class Synced:
    app: Flask
    entra: EntraFake
    svc: Services
    outbox: Outbox
    graph: GraphFake
    clock: FixedClock
    lead: Person
    learner: Person
    talk_id: str

    def talk(self) -> Talk:
        found = self.svc.read(lambda s: s.get(Talk, self.talk_id))
        assert found is not None
        return found

    def event_id(self) -> str:
        event_id = self.talk().event_id
        assert event_id
        return event_id

    def deliver_and_apply(self) -> list[int]:
        statuses = self.graph.deliver()
        self.outbox.drain()
        return statuses

    def page(self, who: Person, path: str) -> str:
        """A page as `who` sees it inside Teams (with their SSO token)."""
        headers = bearer(
            self.entra,
            self.clock,
            who.object_id,
            name=who.display_name,
            extra={"preferred_username": who.email},
        )
        answer = https_client(self.app).get(path, headers=headers)
        assert answer.status_code == 200
        return answer.get_data(as_text=True)

    def graph_calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path.split("?")[0]) for r in self.graph.requests if r.status]


@pytest.fixture
def synced(
    ms_app: Flask,
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    entra: EntraFake,
    clock: FixedClock,
    mailbox_people: Callable[[str], Person],
) -> Iterator[Synced]:
    """A talk booked in the lead's Outlook, and the lead's mailbox subscribed."""
    server = LoopbackHttps(ms_app, entra.ca)
    graph.now = clock.now
    ms_services.links = Links(
        f"https://127.0.0.1:{server.port}", teams_app_id=ms_services.links.teams_app_id
    )
    lead, learner = mailbox_people("Marco"), mailbox_people("Sem")
    talk = ms_services.write(
        lambda s: talks.plan_talk(
            ms_services,
            s,
            lead,
            learner_id=learner.id,
            starts_at=datetime(2027, 3, 9, 10, 0, tzinfo=AMS),
            duration_minutes=45,
            title=None,
            goals=[],
            own_goal="",
        )
    )
    ms_outbox.drain()  # booked (the tab job fails here: no permission; not this test's)
    calendar_sync.maintain(ms_services)
    world = Synced(ms_app, entra, ms_services, ms_outbox, graph, clock, lead, learner, talk.id)
    assert len(subscriptions(world)) == 1
    world.graph.deliver()  # what the booking itself caused: echoes
    world.outbox.drain()
    graph.clear_requests()
    try:
        yield world
    finally:
        server.stop()


def subscriptions(world: Synced) -> list[Any]:
    return world.svc.read(subs.all_subscriptions)


def test_the_handshake_went_to_the_service_and_a_moved_meeting_moves_the_talk(
    synced: Synced,
) -> None:
    [validation, *_] = [d for d in synced.graph.deliveries if d.kind == "validation"]
    assert validation.status == 200
    later = datetime(2027, 3, 10, 14, 0, tzinfo=AMS)
    synced.graph.user_moves_event(
        synced.lead.email, synced.event_id(), later, later + timedelta(minutes=45)
    )
    assert synced.deliver_and_apply() == [202]
    talk = synced.talk()
    assert talk.starts_at == later and talk.status is TalkStatus.PLANNED
    # One Graph request per applied change: the event, read back.
    assert synced.graph_calls() == [("GET", f"/users/{synced.lead.email}/events/{talk.event_id}")]


@pytest.mark.parametrize("how", ["cancel", "delete"])
def test_a_meeting_cancelled_in_outlook_cancels_the_talk(synced: Synced, how: str) -> None:
    if how == "cancel":
        synced.graph.user_cancels_event(synced.lead.email, synced.event_id())
    else:
        synced.graph.user_deletes_event(synced.lead.email, synced.event_id())
    synced.deliver_and_apply()
    talk = synced.talk()
    assert talk.status is TalkStatus.CANCELLED and talk.cancel_reason == CANCELLED_IN_OUTLOOK
    # Both see why, in their language.
    for who in (synced.lead, synced.learner):
        shown = synced.page(who, f"/talks/{talk.id}/prepare")
        assert "De afspraak is in Outlook geannuleerd" in shown
    # Nothing of ours is sent back: no cancellation of a meeting that is gone.
    assert [c for c in synced.graph_calls() if c[0] != "GET"] == []


def test_the_learner_taken_off_the_invite_needs_the_leads_attention(synced: Synced) -> None:
    synced.graph.user_removes_attendee(synced.lead.email, synced.event_id(), synced.learner.email)
    synced.deliver_and_apply()
    talk = synced.talk()
    assert talk.calendar_attention == LEARNER_REMOVED and talk.status is TalkStatus.PLANNED
    shown = synced.page(synced.lead, f"/talks/{talk.id}/prepare")
    assert "staat niet meer bij de genodigden in Outlook" in shown


def test_subject_and_body_edits_change_nothing(synced: Synced) -> None:
    before = synced.talk()
    synced.graph.user_edits_body(synced.lead.email, synced.event_id(), "<p>Mijn agenda</p>")
    synced.graph.user_changes_subject(synced.lead.email, synced.event_id(), "Anders genoemd")
    synced.deliver_and_apply()
    after = synced.talk()
    assert (after.title, after.starts_at, after.version) == (
        before.title,
        before.starts_at,
        before.version,
    )


def test_the_apps_own_write_echoes_back_as_nothing(synced: Synced) -> None:
    booked = synced.talk()
    moved_to = datetime(2027, 3, 11, 9, 0, tzinfo=AMS)
    synced.svc.write(
        lambda s: talks.update_talk(
            synced.svc,
            s,
            synced.lead,
            booked.id,
            expected_version=booked.version,
            starts_at=moved_to,
        )
    )
    synced.outbox.drain()  # the app's PATCH
    after_write = synced.talk()
    assert synced.deliver_and_apply() == [202]  # Graph tells us of our own change
    echoed = synced.talk()
    assert echoed.starts_at == moved_to and echoed.version == after_write.version


def test_duplicates_and_reordered_notifications_settle_on_the_last_state(
    synced: Synced,
) -> None:
    first = datetime(2027, 3, 10, 9, 0, tzinfo=AMS)
    last = datetime(2027, 3, 12, 9, 0, tzinfo=AMS)
    synced.graph.user_moves_event(
        synced.lead.email, synced.event_id(), first, first + timedelta(hours=1)
    )
    synced.graph.user_moves_event(
        synced.lead.email, synced.event_id(), last, last + timedelta(hours=1)
    )
    synced.graph.duplicate_next_notifications(2)
    synced.graph.reorder_queued()
    synced.deliver_and_apply()
    assert synced.talk().starts_at == last


def test_a_lost_notification_is_healed_by_reconciliation(synced: Synced) -> None:
    later = datetime(2027, 3, 10, 14, 0, tzinfo=AMS)
    synced.graph.drop_next_notifications(1)
    synced.graph.user_moves_event(
        synced.lead.email, synced.event_id(), later, later + timedelta(minutes=45)
    )
    synced.deliver_and_apply()
    assert synced.talk().starts_at != later  # nothing arrived
    synced.clock.advance(synced.svc.reconcile_every)
    synced.graph.clear_requests()
    calendar_sync.maintain(synced.svc)
    assert synced.talk().starts_at == later
    # One calendarView for the mailbox, whatever the number of its talks.
    assert [c for c in synced.graph_calls() if "calendarView" in c[1]] == [
        ("GET", f"/users/{synced.lead.email}/calendarView")
    ]


def test_renewal_comes_at_half_the_granted_lifetime(synced: Synced) -> None:
    [row] = subscriptions(synced)
    half = timedelta(seconds=row.lifetime_seconds / 2)
    synced.clock.set(row.expires_at - half - timedelta(minutes=1))
    calendar_sync.maintain(synced.svc)
    assert [c for c in synced.graph_calls() if c[0] == "PATCH"] == []
    synced.clock.advance(timedelta(minutes=2))
    calendar_sync.maintain(synced.svc)
    assert [c for c in synced.graph_calls() if c[0] == "PATCH"] == [
        ("PATCH", f"/subscriptions/{row.subscription_id}")
    ]
    [renewed] = subscriptions(synced)
    assert renewed.expires_at > row.expires_at


def test_lifecycle_events(synced: Synced) -> None:
    [row] = subscriptions(synced)
    assert synced.graph.send_lifecycle(row.subscription_id, "reauthorizationRequired") == 202
    synced.outbox.drain()
    assert ("PATCH", f"/subscriptions/{row.subscription_id}") in synced.graph_calls()
    assert synced.graph.send_lifecycle(row.subscription_id, "subscriptionRemoved") == 202
    synced.outbox.drain()
    [again] = subscriptions(synced)
    assert again.subscription_id != row.subscription_id
    later = datetime(2027, 3, 10, 14, 0, tzinfo=AMS)
    synced.graph.user_moves_event(
        synced.lead.email, synced.event_id(), later, later + timedelta(minutes=45)
    )
    synced.deliver_and_apply()
    assert synced.talk().starts_at == later  # the new subscription delivers


def test_a_lead_without_open_talks_is_unsubscribed(synced: Synced) -> None:
    talk = synced.talk()
    synced.svc.write(
        lambda s: talks.cancel_talk(
            synced.svc, s, synced.lead, talk.id, expected_version=talk.version
        )
    )
    synced.outbox.drain()
    calendar_sync.maintain(synced.svc)
    assert subscriptions(synced) == []
    assert synced.graph.subscriptions() == []


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # two workers, row locks
def test_two_workers_never_subscribe_one_mailbox_twice(synced: Synced) -> None:
    [row] = subscriptions(synced)
    synced.svc.write(lambda s: subs.remove(s, row.id))  # as if never made
    synced.graph.clear_requests()
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait(10)
        calendar_sync.maintain(synced.svc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(subscriptions(synced)) == 1
    assert [c for c in synced.graph_calls() if c == ("POST", "/subscriptions")] == [
        ("POST", "/subscriptions")
    ]


def test_missed_notifications_make_the_worker_compare_the_mailbox(synced: Synced) -> None:
    [row] = subscriptions(synced)
    later = datetime(2027, 3, 10, 14, 0, tzinfo=AMS)
    synced.graph.user_moves_event(
        synced.lead.email, synced.event_id(), later, later + timedelta(minutes=45)
    )
    # Graph lost what it had queued and says so.
    assert synced.graph.send_lifecycle(row.subscription_id, "missed") == 202
    assert synced.graph.queued_notifications() == []
    synced.outbox.drain()
    assert synced.talk().starts_at == later


def test_a_follow_up_dragged_to_before_its_talk_is_booked_again_by_the_policy(
    synced: Synced,
) -> None:
    talk = synced.talk()
    synced.clock.set(talk.starts_at + timedelta(minutes=10))
    calendar_sync.maintain(synced.svc)  # a week on: the worker's upkeep renewed meanwhile
    for who in (synced.lead, synced.learner):

        def sign(s: Any, who: Person = who) -> None:
            signoff.sign(synced.svc, s, who, talk.id, form_hash=signing_hash(s.get(Talk, talk.id)))

        synced.svc.write(sign)
    synced.outbox.drain()  # the follow-up is booked after the talk
    synced.deliver_and_apply()  # (the booking's own echoes)
    follow_up = synced.svc.read(lambda s: s.get(Talk, follow_up_id(talk.id)))
    assert follow_up is not None and follow_up.starts_at > talk.ends_at
    assert follow_up.event_id
    # The lead drags the follow-up in Outlook to the day before the talk.
    before = talk.starts_at - timedelta(days=1)
    synced.graph.user_moves_event(
        synced.lead.email, follow_up.event_id, before, before + timedelta(minutes=30)
    )
    synced.deliver_and_apply()
    synced.outbox.drain()
    again = synced.svc.read(lambda s: s.get(Talk, follow_up.id))
    assert again is not None and again.starts_at > talk.ends_at  # after its talk again
    [event] = [
        e
        for e in synced.graph.events(synced.lead.email)
        if synced.graph.immutable_id(synced.lead.email, e["id"]) == follow_up.event_id
    ]
    assert datetime.fromisoformat(event["start"]["dateTime"][:19]).replace(
        tzinfo=UTC
    ) == again.starts_at.astimezone(UTC)
