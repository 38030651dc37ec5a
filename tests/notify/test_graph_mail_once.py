"""A reminder e-mail through Graph goes out once, however its sending is cut short: the worker
killed after Graph sent it but before the outbox recorded it, an answer lost after the draft
was made or after it was sent. Against the Graph fake, with the real msgraph-sdk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from plugin.bootstrap import GraphWiring
from plugin.calendar.graph_client import GraphClient
from plugin.domain.agreement import Owner
from plugin.jobs.outbox import LEASE
from plugin.notify.graph_mail import GraphMailChannel
from plugin.notify.message import compose
from plugin.notify.port import GRAPH_MAIL, Delivery, Message, Recipient, RetryableDeliveryError
from plugin.services import agreements, signoff
from plugin.services import reminders as scanner
from plugin.settings import Settings
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import TEST_GRAPH_OPTIONS, microsoft_settings
from tests.microsoft.graph_fake import GraphFake, Recorded
from tests.notify.factories import ANNE, reminder

ZONE = "Europe/Amsterdam"
AMS = ZoneInfo(ZONE)
SENDER = "gesprekken@contoso.example"


@pytest.fixture
def world(entra: EntraFake, graph: GraphFake) -> GraphFake:
    entra.app_roles = ["Mail.Send", "Mail.ReadWrite"]
    graph.add_mailbox(SENDER, display_name="Ontwikkelgesprek")
    return graph


@pytest.fixture
def client(tmp_path: Path, entra: EntraFake, world: GraphFake) -> Iterator[GraphClient]:
    settings: Settings = microsoft_settings(tmp_path, "sqlite://", entra, world)
    wiring = GraphWiring(settings, TEST_GRAPH_OPTIONS)
    yield wiring.client()
    wiring.close()


@pytest.fixture
def channel(client: GraphClient) -> GraphMailChannel:
    return GraphMailChannel(client, mailbox=SENDER)


def is_send(request: Recorded) -> bool:
    return request.method == "POST" and request.path.endswith("/send")


def is_create(request: Recorded) -> bool:
    return request.method == "POST" and request.path == f"/users/{SENDER}/messages"


def test_a_reminder_costs_three_requests_and_a_repeat_one(
    world: GraphFake, channel: GraphMailChannel
) -> None:
    message = compose(ANNE, reminder(), timezone=ZONE)

    assert channel.send(ANNE, message).channel == GRAPH_MAIL
    assert len(world.requests) == 3  # find, draft, send
    # The same reminder again (the outbox repeating a job it did not see finish): found sent.
    assert channel.send(ANNE, message).channel == GRAPH_MAIL
    assert len(world.requests) == 4
    assert len(world.notify.mails) == 1
    (sent,) = world.notify.messages.in_folder(SENDER, "sentitems")
    assert sent["isDraft"] is False
    assert world.notify.messages.in_folder(SENDER, "drafts") == []


def test_another_reminder_is_another_mail(world: GraphFake, channel: GraphMailChannel) -> None:
    channel.send(ANNE, compose(ANNE, reminder(key="reminder-a"), timezone=ZONE))
    channel.send(ANNE, compose(ANNE, reminder(key="reminder-b"), timezone=ZONE))

    assert len(world.notify.mails) == 2


def test_an_answer_lost_after_sending_is_no_second_mail(
    world: GraphFake, channel: GraphMailChannel
) -> None:
    message = compose(ANNE, reminder(), timezone=ZONE)
    world.drop_next(1, after_processing=True, match=is_send)

    with pytest.raises(RetryableDeliveryError):
        channel.send(ANNE, message)
    assert len(world.notify.mails) == 1  # Graph sent it; we did not hear
    channel.send(ANNE, message)

    assert len(world.notify.mails) == 1
    assert [r.method for r in world.requests[3:]] == ["GET"]  # found it sent: nothing more


def test_an_answer_lost_after_the_draft_sends_that_draft(
    world: GraphFake, channel: GraphMailChannel
) -> None:
    message = compose(ANNE, reminder(), timezone=ZONE)
    world.drop_next(1, after_processing=True, match=is_create)

    with pytest.raises(RetryableDeliveryError):
        channel.send(ANNE, message)
    assert world.notify.mails == []
    channel.send(ANNE, message)

    assert len(world.notify.mails) == 1
    assert len([r for r in world.requests if is_create(r)]) == 1  # no second draft
    assert world.notify.messages.in_folder(SENDER, "drafts") == []


def test_a_draft_sent_meanwhile_is_done(
    world: GraphFake, channel: GraphMailChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found as a draft, then gone when sent (an earlier attempt's send moved it to Sent
    Items): Graph's 404 means done."""
    message = compose(ANNE, reminder(), timezone=ZONE)
    channel.send(ANNE, message)
    (draft_id,) = [r.path.split("/")[-2] for r in world.requests if is_send(r)]
    stale = [type("Found", (), {"id": draft_id, "is_draft": True})()]
    monkeypatch.setattr(channel, "_find", lambda key: stale)

    assert channel.send(ANNE, message).channel == GRAPH_MAIL

    assert [r.status for r in world.requests if is_send(r)] == [202, 404]
    assert len(world.notify.mails) == 1


class DiesAfterSending:
    """The worker killed right after the channel's send returned, before the outbox could
    record the job as done (its transaction never commits)."""

    def __init__(self, channel: GraphMailChannel) -> None:
        self.channel = channel
        self.alive = False

    def send(self, recipient: Recipient, message: Message) -> Delivery:
        delivery = self.channel.send(recipient, message)
        if not self.alive:
            raise KeyboardInterrupt("the worker was killed")
        return delivery


def test_a_worker_killed_between_send_and_record_mails_once(
    world: GraphFake,
    channel: GraphMailChannel,
    services,
    outbox,
    clock,
    lead,
    learner,
    make_talk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "after_enqueue", [])  # the worker drains, not the request
    dying = DiesAfterSending(channel)
    services.reminder_channel = lambda: dying
    clock.set(datetime(2026, 11, 30, 9, tzinfo=AMS))
    talk = make_talk(lead, learner, starts_at=datetime(2026, 11, 30, 10, tzinfo=AMS))
    clock.set(datetime(2026, 11, 30, 10, 30, tzinfo=AMS))

    def agree(s):
        item = agreements.add_agreement(
            services, s, lead, talk.id, what="Sem sluit een groep aan", owner=Owner.LEARNER,
            due=date(2026, 12, 14),
        )  # fmt: skip
        agreements.confirm_agreement(services, s, learner, talk.id, item.id, expected_version=1)
        signoff.sign_as_shown(services, s, lead, talk.id)
        signoff.sign_as_shown(services, s, learner, talk.id)

    services.write(agree)
    while outbox.drain():  # the invites and whatever the sign-off queued
        pass
    clock.set(datetime(2026, 12, 7, 9, tzinfo=AMS))
    world.requests.clear()
    assert scanner.scan_now(services) >= 1  # due soon (and the follow-up's preparation)
    sending = outbox.pending()

    with pytest.raises(KeyboardInterrupt):
        outbox.drain()
    assert len(world.notify.mails) == 1
    assert outbox.pending() == sending  # not recorded: the job runs again after its lease

    dying.alive = True
    clock.set(clock.now() + LEASE + timedelta(seconds=1))
    while outbox.drain():
        pass

    assert outbox.pending() == 0
    # One mail per job, the killed one's too: each reminder once.
    assert len(world.notify.mails) == sending
    assert len({m.message["id"] for m in world.notify.mails}) == sending
