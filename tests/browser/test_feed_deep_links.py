"""A reminder's deep link into the personal tab opens its page: Teams gives the tab the
activity feed link's subEntityId (notify/teams_feed.py) as `page.subPageId`, and teams.js
opens that page of the app, and only a page of the app. In Chromium, with the stand-in Teams
client of test_teams_tabs.py."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Frame, expect

from plugin.domain.reminders import ReminderKind
from plugin.notify.teams_feed import deep_link
from plugin.services.reminders import where_to_act
from tests.browser.test_teams_tabs import (  # noqa: F401  (fixtures)
    TeamsWorld,
    entra,
    graph,
    teams,
    teams_browser,
)

APP_ID = "5b0c7a4e-0d6f-4a53-9a57-1f2a3b4c5d6e"


def sub_page_id(kind: ReminderKind, world: TeamsWorld, talk_id: str) -> str:
    """What Teams hands the tab for the feed's notification of this kind about the talk."""
    link = urlsplit(deep_link(APP_ID, where_to_act(world.services, kind, talk_id)))
    return json.loads(parse_qs(link.query)["context"][0])["subEntityId"]


def open_personal_tab_at(world: TeamsWorld, wanted: str) -> Frame:
    """The personal tab, opened again as Teams opens it for a deep link with `wanted`."""
    page, frame = world.open_tab("/teams/personal", width=800)
    expect(frame.locator("#main h1")).to_be_visible()
    page.evaluate("(id) => { harness.context.page.subPageId = id; }", wanted)
    page.evaluate("(url) => harness.open(url, 800, 760)", f"{world.base}/teams/personal")
    return frame


@pytest.mark.parametrize(
    ("kind", "lands_on"),
    [
        (ReminderKind.PREPARE, r"/prepare$"),
        (ReminderKind.SIGN, r"/panel$"),
        (ReminderKind.OVERDUE, r"/form#progress$"),
    ],
)
def test_a_reminders_deep_link_opens_its_page_in_the_personal_tab(
    teams: TeamsWorld,  # noqa: F811
    kind: ReminderKind,
    lands_on: str,
) -> None:
    talk_id = teams.plan()
    frame = open_personal_tab_at(teams, sub_page_id(kind, teams, talk_id))

    frame.wait_for_url(re.compile(rf"/talks/{talk_id}{lands_on}"))
    expect(frame.locator("#main h1")).to_be_visible()


@pytest.mark.parametrize("wanted", ["/", "//elsewhere.example/talks", "/api/me", "javascript:1"])
def test_anything_else_stays_on_the_overview(
    teams: TeamsWorld,  # noqa: F811
    wanted: str,
) -> None:
    frame = open_personal_tab_at(teams, wanted)

    expect(frame.locator("#todo-heading")).to_be_visible()
    assert urlsplit(frame.url).path == "/teams/personal"
