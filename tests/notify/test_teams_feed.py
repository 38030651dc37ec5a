"""The Teams activity feed and its e-mail fallback, against the Graph fake (real msgraph-sdk)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from plugin.bootstrap import GraphWiring
from plugin.calendar.graph_client import GraphClient
from plugin.notify.channels import reminder_channel
from plugin.notify.fallback import FeedThenMail
from plugin.notify.graph_mail import KEY_PROPERTY, GraphMailChannel
from plugin.notify.message import ACTIVITY_TYPES, KINDS, compose
from plugin.notify.port import (
    GRAPH_MAIL,
    NOT_INSTALLED,
    PERMISSION,
    SMTP,
    TEAMS_FEED,
    DeliveryRejected,
    RetryableDeliveryError,
)
from plugin.notify.smtp import SmtpChannel
from plugin.notify.smtp_url import parse_smtp_url
from plugin.notify.teams_feed import NO_TEAMS_USER, ActivityFeedChannel
from plugin.settings import Settings
from plugin.teams_package import build_manifest
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import TEST_GRAPH_OPTIONS, microsoft_settings
from tests.microsoft.graph_fake import GraphFake, Recorded
from tests.notify.factories import ANNE, SEM, reminder
from tests.support.smtp import SmtpServer

ZONE = "Europe/Amsterdam"
TEAMS_APP_ID = "5b0c7a4e-0d6f-4a53-9a57-1f2a3b4c5d6e"
SENDER_MAILBOX = "gesprekken@contoso.example"
FEED_PATH = "/users/oid-sem/teamwork/sendActivityNotification"


@pytest.fixture
def world(entra: EntraFake, graph: GraphFake) -> GraphFake:
    """Sem has the app (a setup policy installed it); Anne has not. Both have mailboxes."""
    entra.app_roles = ["Calendars.ReadWrite", "TeamsActivity.Send", "Mail.Send", "Mail.ReadWrite"]
    catalog_id = graph.add_catalog_app(TEAMS_APP_ID, client_id=entra.client_id)
    graph.add_mailbox(SEM.email, display_name=SEM.name, oid="oid-sem")
    graph.add_mailbox(ANNE.email, display_name=ANNE.name, oid="oid-anne")
    graph.add_mailbox(SENDER_MAILBOX, display_name="Ontwikkelgesprek")
    graph.notify.install_app(SEM.email, catalog_id)
    graph.notify.use_manifest(
        build_manifest(
            app_id=TEAMS_APP_ID,
            public_url="https://talks.example.nl",
            client_id=entra.client_id,
            version="1.0.0",
        )
    )
    return graph


@pytest.fixture
def settings(tmp_path: Path, entra: EntraFake, graph: GraphFake) -> Settings:
    return microsoft_settings(tmp_path, "sqlite://", entra, graph).model_copy(
        update={"mail_mailbox": SENDER_MAILBOX}
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[GraphClient]:
    wiring = GraphWiring(settings, TEST_GRAPH_OPTIONS)
    yield wiring.client()
    wiring.close()


def calls(graph: GraphFake, ending: str) -> list[Recorded]:
    return [r for r in graph.requests if r.path.endswith(ending)]


def test_the_feed_gets_exactly_this_request(world: GraphFake, client: GraphClient) -> None:
    feed = ActivityFeedChannel(client, teams_app_id=TEAMS_APP_ID)
    message = compose(SEM, reminder("due_soon"), timezone=ZONE)

    delivery = feed.send(SEM, message)

    assert delivery.channel == TEAMS_FEED
    assert delivery.fallbacks == ()
    (call,) = calls(world, "sendActivityNotification")
    assert (call.method, call.path, call.status) == ("POST", FEED_PATH, 204)
    web_url = call.body["topic"]["webUrl"]
    assert call.body == {
        "activityType": "agreementDueSoon",
        "previewText": {
            "content": "Deze afspraak uit je gesprek met Marco moet af zijn op 4 januari 2027: "
            "VCA-diploma halen"
        },
        "templateParameters": [{"name": "date", "value": "4 januari 2027"}],
        "topic": {"source": "text", "value": "Ontwikkelgesprek januari", "webUrl": web_url},
    }
    # The recipient is the URL's user: Sem's Entra object id, at the fake Sem's mailbox.
    (sent,) = world.notify.activities
    assert sent.user == SEM.email
    # Clicking opens the app's personal tab; the reminder's link rides along.
    link = urlsplit(web_url)
    assert (link.scheme, link.netloc) == ("https", "teams.microsoft.com")
    assert link.path == f"/l/entity/{TEAMS_APP_ID}/overview"
    query = parse_qs(link.query)
    assert query["webUrl"] == [message.url]
    # Teams gives the tab the subEntityId as page.subPageId: the reminder's page, as a path.
    assert json.loads(query["context"][0]) == {"subEntityId": "/talks/t-1/prepare"}
    assert len(web_url) < 1024  # longer deep links are reported to fail


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_an_activity_type_of_the_manifest(
    world: GraphFake, client: GraphClient, kind: str
) -> None:
    # The fake checks the type and its template's parameters against the built manifest.
    feed = ActivityFeedChannel(client, teams_app_id=TEAMS_APP_ID)
    feed.send(SEM, compose(SEM, reminder(kind), timezone=ZONE))

    (call,) = calls(world, "sendActivityNotification")
    assert call.status == 204
    assert call.body["activityType"] == ACTIVITY_TYPES[kind]


def test_without_the_app_the_feed_refuses_and_smtp_mails_instead(
    world: GraphFake, client: GraphClient, smtp_server: Callable[..., SmtpServer]
) -> None:
    server = smtp_server(mode="starttls")
    mail = SmtpChannel(
        parse_smtp_url(server.url()),
        sender="Ontwikkelgesprek <gesprekken@example.nl>",
        ca_bundle=server.ca_path,
    )
    channel = FeedThenMail(ActivityFeedChannel(client, teams_app_id=TEAMS_APP_ID), mail)

    delivery = channel.send(ANNE, compose(ANNE, reminder("sign"), timezone=ZONE))

    assert delivery.channel == SMTP
    assert delivery.fallbacks == ((TEAMS_FEED, NOT_INSTALLED),)
    (call,) = calls(world, "sendActivityNotification")
    assert call.path == "/users/oid-anne/teamwork/sendActivityNotification"
    assert call.status == 403
    assert world.notify.activities == []
    (received,) = server.messages
    assert received.rcpt_tos == ("anne@example.nl",)
    assert received.message["Subject"] == "Sign off your talk with Marco"


def test_without_smtp_the_fallback_is_graph_mail_from_the_configured_mailbox(
    world: GraphFake, client: GraphClient, settings: Settings
) -> None:
    channel = reminder_channel(settings, graph=client, teams_app_id=TEAMS_APP_ID)
    assert channel is not None
    message = compose(ANNE, reminder("prepare"), timezone=ZONE)

    delivery = channel.send(ANNE, message)

    assert delivery.channel == GRAPH_MAIL
    assert delivery.fallbacks == ((TEAMS_FEED, NOT_INSTALLED),)
    # The refused feed, then: find a message with this reminder's key (none), make it a
    # draft, send the draft (graph_mail.py): four requests for this reminder.
    assert [(r.method, r.path, r.status) for r in world.requests] == [
        ("POST", FEED_PATH.replace("oid-sem", "oid-anne"), 403),
        ("GET", f"/users/{SENDER_MAILBOX}/messages", 200),
        ("POST", f"/users/{SENDER_MAILBOX}/messages", 201),
        ("POST", world.requests[3].path, 202),
    ]
    find, create, _send = world.requests[1:]
    assert find.query == {
        "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{KEY_PROPERTY}' "
        f"and ep/value eq '{message.key}')",
        "$select": "id,isDraft",
        "$top": "5",
    }
    assert create.body == {
        "@odata.type": "#microsoft.graph.message",
        "body": {"content": message.html, "contentType": "html"},
        "singleValueExtendedProperties": [{"id": KEY_PROPERTY, "value": message.key}],
        "subject": "Prepare for your talk with Marco",
        "toRecipients": [{"emailAddress": {"address": "anne@example.nl", "name": "Anne Jansen"}}],
    }
    assert _send.path.startswith(f"/users/{SENDER_MAILBOX}/messages/")
    assert _send.path.endswith("/send") and _send.body is None
    (sent,) = world.notify.mails
    assert sent.mailbox == SENDER_MAILBOX
    assert sent.message["subject"] == "Prepare for your talk with Marco"


def test_with_the_app_nothing_is_mailed(
    world: GraphFake, client: GraphClient, settings: Settings
) -> None:
    channel = reminder_channel(settings, graph=client, teams_app_id=TEAMS_APP_ID)
    assert channel is not None

    assert channel.send(SEM, compose(SEM, reminder(), timezone=ZONE)).channel == TEAMS_FEED
    assert calls(world, "/sendMail") == []


def test_a_missing_feed_permission_falls_back_and_warns(
    world: GraphFake,
    entra: EntraFake,
    client: GraphClient,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entra.app_roles = ["Calendars.ReadWrite", "Mail.Send", "Mail.ReadWrite"]
    channel = reminder_channel(settings, graph=client, teams_app_id=TEAMS_APP_ID)
    assert channel is not None

    with caplog.at_level(logging.WARNING, logger="plugin.notify"):
        delivery = channel.send(SEM, compose(SEM, reminder(), timezone=ZONE))

    assert delivery.channel == GRAPH_MAIL
    assert delivery.fallbacks == ((TEAMS_FEED, PERMISSION),)
    assert "activity feed refused person p-sem (permission)" in caplog.text


def test_a_throttled_feed_is_retried_later_and_mails_nothing(
    world: GraphFake, client: GraphClient, settings: Settings
) -> None:
    world.fail_next(1, status=429, retry_after=30)
    channel = reminder_channel(settings, graph=client, teams_app_id=TEAMS_APP_ID)
    assert channel is not None

    with pytest.raises(RetryableDeliveryError) as passing:
        channel.send(SEM, compose(SEM, reminder(), timezone=ZONE))

    assert passing.value.retry_after is not None
    assert passing.value.retry_after.total_seconds() == 30
    assert calls(world, "/sendMail") == []


def test_someone_without_a_teams_identity_gets_mail_without_asking_graph(
    world: GraphFake, client: GraphClient, settings: Settings
) -> None:
    local = replace(ANNE, object_id=None)
    channel = reminder_channel(settings, graph=client, teams_app_id=TEAMS_APP_ID)
    assert channel is not None

    delivery = channel.send(local, compose(local, reminder(), timezone=ZONE))

    assert delivery.fallbacks == ((TEAMS_FEED, NO_TEAMS_USER),)
    assert calls(world, "sendActivityNotification") == []


def test_graph_mail_outside_the_access_policy_is_refused(
    world: GraphFake, client: GraphClient, settings: Settings
) -> None:
    world.restrict_app_access({"someone.else@contoso.example"})
    channel = reminder_channel(settings, graph=client, teams_app_id=TEAMS_APP_ID)
    assert channel is not None

    with pytest.raises(DeliveryRejected) as refused:
        channel.send(ANNE, compose(ANNE, reminder(), timezone=ZONE))

    assert refused.value.reason == PERMISSION
    assert world.notify.mails == []


@pytest.mark.parametrize(
    ("roles", "refused_at"),
    [
        (["TeamsActivity.Send", "Mail.ReadWrite"], "/send"),  # no Mail.Send
        (["TeamsActivity.Send", "Mail.Send"], "/messages"),  # no Mail.ReadWrite: not found
    ],
)
def test_graph_mail_without_its_permissions_is_refused(
    world: GraphFake, entra: EntraFake, client: GraphClient, roles: list[str], refused_at: str
) -> None:
    entra.app_roles = ["Calendars.ReadWrite", *roles]
    mail = GraphMailChannel(client, mailbox=SENDER_MAILBOX)

    with pytest.raises(DeliveryRejected) as refused:
        mail.send(ANNE, compose(ANNE, reminder(), timezone=ZONE))

    assert refused.value.reason == PERMISSION
    assert [r.status for r in world.requests if r.path.endswith(refused_at)][-1] == 403
    assert world.notify.mails == []
