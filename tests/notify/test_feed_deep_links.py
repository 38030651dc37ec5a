"""Each reminder links to where its step is taken, in its e-mail and, through the Teams
activity feed's deep link, in the personal tab (the context's `subEntityId`, which Teams gives
the tab as `page.subPageId`; static/js/teams.js opens it). Against the Graph fake."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from plugin.bootstrap import GraphWiring
from plugin.domain.reminders import ReminderKind
from plugin.notify.message import compose
from plugin.notify.teams_feed import ActivityFeedChannel, deep_link
from plugin.services.context import Links
from plugin.services.reminders import where_to_act
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import TEST_GRAPH_OPTIONS, microsoft_settings
from tests.microsoft.graph_fake import GraphFake
from tests.notify.factories import SEM, reminder

TEAMS_APP_ID = "5b0c7a4e-0d6f-4a53-9a57-1f2a3b4c5d6e"
TALK = "0d1a7aaf-d6b9-4d3d-9843-e91fb0eb2149"
#: A long public address, so the link's length is tested where it could matter.
BASE = "https://ontwikkelgesprekken.hogeschool-voorbeeldstad-en-omgeving.example.nl"
PLACES = {
    ReminderKind.PREPARE: f"/talks/{TALK}/prepare",
    ReminderKind.SIGN: f"/talks/{TALK}/panel",
    ReminderKind.DUE_SOON: f"/talks/{TALK}/form#progress",
    ReminderKind.OVERDUE: f"/talks/{TALK}/form#progress",
    ReminderKind.CHECK_IN: "/",
}


def sub_entity(web_url: str) -> tuple[str, str]:
    """(subEntityId, webUrl) of a Teams deep link to the personal tab."""
    link = urlsplit(web_url)
    assert (link.scheme, link.netloc) == ("https", "teams.microsoft.com")
    assert link.path == f"/l/entity/{TEAMS_APP_ID}/overview"
    query = parse_qs(link.query)
    assert set(query) == {"webUrl", "context"}
    return json.loads(query["context"][0])["subEntityId"], query["webUrl"][0]


@pytest.mark.parametrize("kind", list(ReminderKind))
def test_each_kind_links_to_where_its_step_is_taken(kind: ReminderKind) -> None:
    svc = SimpleNamespace(links=Links(base_url=BASE + "/"))

    url = where_to_act(svc, kind, TALK)  # type: ignore[arg-type]

    assert url == BASE + PLACES[kind]
    place, fallback = sub_entity(deep_link(TEAMS_APP_ID, url))
    assert (place, fallback) == (PLACES[kind], url)


@pytest.mark.parametrize("kind", [k for k in ReminderKind if k is not ReminderKind.CHECK_IN])
def test_the_feed_carries_the_place_to_the_graph_fake(
    tmp_path: Path, entra: EntraFake, graph: GraphFake, kind: ReminderKind
) -> None:
    entra.app_roles = ["TeamsActivity.Send"]
    catalog_id = graph.add_catalog_app(TEAMS_APP_ID, client_id=entra.client_id)
    graph.add_mailbox(SEM.email, display_name=SEM.name, oid="oid-sem")
    graph.notify.install_app(SEM.email, catalog_id)
    wiring = GraphWiring(
        microsoft_settings(tmp_path, "sqlite://", entra, graph), TEST_GRAPH_OPTIONS
    )
    try:
        feed = ActivityFeedChannel(wiring.client(), teams_app_id=TEAMS_APP_ID)
        url = BASE + PLACES[kind]
        feed.send(SEM, compose(SEM, reminder(kind.value, url=url), timezone="Europe/Amsterdam"))
    finally:
        wiring.close()

    (sent,) = graph.notify.activities
    web_url = sent.body["topic"]["webUrl"]
    assert sub_entity(web_url) == (PLACES[kind], url)
    assert len(web_url) < 1024  # Graph is reported to refuse longer ones
