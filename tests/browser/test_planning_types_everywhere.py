"""Choosing the kind of talk wherever a talk is planned, in Chromium: the plan page with an
invite brought in, the Outlook task pane (framed like Outlook on the web, 320 px and wide) and
the Teams meeting set-up page (one talk, or a series). Each offers the organisation's kinds in
the viewer's language, the default chosen first, and the talk is planned as the kind chosen.

Screenshots of the pane and the set-up page with OG_TYPES_SCREENSHOTS=<folder>.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Frame, Page, expect

from plugin.services.context import Services
from plugin.store import repo
from plugin.store import talk_types as stored
from tests.browser.conftest import check_accessibility
from tests.browser.test_outlook_taskpane import MARCO as PANE_MARCO
from tests.browser.test_outlook_taskpane import (  # noqa: F401  (fixtures)
    MARCO_MAIL,
    OutlookWorld,
    marcos_appointment,
    outlook,
    outlook_browser,
)
from tests.browser.test_teams_tabs import (  # noqa: F401  (fixtures)
    MARCO,
    SEM,
    TeamsWorld,
    teams,
    teams_browser,
    weekly_meeting,
)
from tests.microsoft.fixtures import entra, graph  # noqa: F401  (fixtures)
from tests.microsoft.graph_fake import GraphFake

INVITES = Path(__file__).parent.parent / "calendar" / "invites"
SCREENSHOTS = os.environ.get("OG_TYPES_SCREENSHOTS")


def kind_of(services: Services, tenant_id: str, talk_id: str) -> str:
    def read(session: object) -> str:
        talk = repo.talk(session, tenant_id, talk_id)  # type: ignore[arg-type]
        assert talk is not None
        content = stored.stored_content(session, talk.template_id)  # type: ignore[arg-type]
        assert content is not None
        return str(content["id"])

    return services.read(read)


def snap(page: Page, name: str, frame: str) -> None:
    """The framed page (`frame`: the harness's frame element) from its top."""
    if SCREENSHOTS:
        page.locator(frame).screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


def no_overflow(frame: Frame) -> None:
    overflow = frame.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than its frame"


# -- the plan page, with an invite -------------------------------------------------------------


def test_an_invite_is_planned_as_the_kind_chosen(
    signed_in_page, live_server, make_person, services
):
    marco = make_person(display_name="Marco de Vries", email="marco@installatie.example")
    make_person(display_name="Sem Bakker", email="sem.bakker@installatie.example")
    page = signed_in_page(marco, lang="en", width=320)
    page.goto(f"{live_server}/talks/new")
    page.set_input_files("#invite-file", str(INVITES / "outlook_web.ics"))
    expect(page.locator("#invite-summary")).to_be_visible()
    kind = page.get_by_label("Kind of talk")
    expect(kind).to_be_enabled()
    expect(kind).to_have_value("ontwikkelgesprek")
    kind.select_option("pop-gesprek")
    expect(page.locator("#goal-items")).to_contain_text("Development goals, written as behaviour")
    page.get_by_role("checkbox", name=re.compile("^Development goals")).check()
    page.get_by_role("button", name="Plan the talk").click()
    expect(page.locator("#planned-from-invite")).to_be_visible()
    href = page.locator("#planned-prepare").get_attribute("href") or ""
    talk_id = href.split("/")[2]
    assert kind_of(services, marco.tenant_id, talk_id) == "pop-gesprek"
    check_accessibility(page)


# -- the Outlook task pane ---------------------------------------------------------------------


def test_the_pane_makes_the_appointment_the_kind_of_talk_chosen(
    outlook: OutlookWorld,  # noqa: F811
    graph: GraphFake,  # noqa: F811
) -> None:
    item, _ews_id = marcos_appointment(outlook, graph)
    marco = outlook.token(PANE_MARCO, "Marco de Vries", MARCO_MAIL)
    page, frame = outlook.open_pane(item=item, token=marco, height=1500)
    kind = frame.get_by_label("Kind of talk")
    expect(kind).to_be_visible()
    expect(kind).to_have_value("ontwikkelgesprek")
    expect(kind.locator("option")).to_have_count(4)
    expect(frame.locator("#goal-items")).to_contain_text("Give feedback")
    frame.get_by_role("checkbox", name="Your own goal").check()
    expect(frame.get_by_role("button", name="Make it a development talk")).to_be_visible()
    kind.select_option("voortgangsgesprek-bpv")
    # The BPV talk's own goals; the own goal, which every kind has, stays ticked.
    expect(frame.locator("#goal-items")).to_contain_text("How things are going")
    expect(frame.locator("#talk-type-hint")).to_contain_text("school supervisor")
    expect(frame.get_by_role("checkbox", name="Your own goal")).to_be_checked()
    expect(frame.locator("#own-goal")).to_be_visible()
    frame.locator("#own-goal").fill("Zelf een storing vinden")
    no_overflow(frame)
    frame.evaluate("window.scrollTo(0, 0)")
    snap(page, "taskpane_type_320", "#pane")
    check_accessibility(frame)  # type: ignore[arg-type]
    frame.get_by_role("button", name="Make it a talk", exact=True).click()
    expect(frame.locator("#talk-news")).to_contain_text("so Sem gets it too", timeout=5000)
    expect(frame.locator("#talk-news")).to_contain_text("The talk is ready.")
    talk_id = (frame.locator("#open-talk").get_attribute("href") or "").rsplit("/", 1)[1]
    tenant = outlook.entra.tenant_id
    assert kind_of(outlook.services, tenant, talk_id) == "voortgangsgesprek-bpv"
    # The top of the invite is the BPV talk's checklist (in the organisation's language).
    assert "welbevinden en inzet" in page.evaluate("harness.prepends[0].data")


def test_the_pane_offers_the_kinds_in_dutch_at_full_width(
    outlook: OutlookWorld,  # noqa: F811
    graph: GraphFake,  # noqa: F811
) -> None:
    item, _ews_id = marcos_appointment(outlook, graph)
    marco = outlook.token(PANE_MARCO, "Marco de Vries", MARCO_MAIL)
    page, frame = outlook.open_pane(
        item=item, token=marco, office={"displayLanguage": "nl-NL"}, width=900, height=1300
    )
    kind = frame.get_by_label("Soort gesprek")
    expect(kind.locator("option")).to_have_text(
        ["Ontwikkelgesprek", "Voortgangsgesprek BPV", "POP-gesprek", "Inwerk- of proeftijdgesprek"]
    )
    kind.select_option(label="Inwerk- of proeftijdgesprek")
    expect(frame.locator("#goals-legend")).not_to_be_empty()
    no_overflow(frame)
    frame.evaluate("window.scrollTo(0, 0)")
    snap(page, "taskpane_type_wide_nl", "#pane")
    check_accessibility(frame)  # type: ignore[arg-type]


# -- the Teams meeting set-up page -------------------------------------------------------------


def test_the_meeting_set_up_plans_a_talk_of_the_kind_chosen(
    teams: TeamsWorld,  # noqa: F811
) -> None:
    teams.api(SEM, "Sem", "GET", "/api/me")  # Sem has used the app once
    page, frame = teams.open_tab(
        "/teams/configure", frame_context="settings", width=320, height=1200
    )
    expect(frame.get_by_role("radio", name=re.compile("nieuw gesprek"))).to_be_checked()
    kind = frame.get_by_label("Soort gesprek")
    expect(kind).to_be_visible()
    expect(kind).to_have_value("ontwikkelgesprek")
    kind.select_option(label="POP-gesprek")
    expect(frame.locator("#talk-type-hint")).not_to_be_empty()
    frame.locator("#learner").select_option(label="Sem")
    frame.locator("#date").fill((teams.clock.now() + timedelta(days=3)).date().isoformat())
    frame.locator("#time").fill("10:30")
    no_overflow(frame)
    snap(page, "configure_type_320", "#tab")
    check_accessibility(frame)  # type: ignore[arg-type]
    page.evaluate("harness.send('save')")
    page.wait_for_function("harness.saved.length === 1")
    assert page.evaluate("harness.saved") == ["ok"]
    talk_id = page.evaluate("harness.config.entityId")
    assert kind_of(teams.services, teams.entra.tenant_id, talk_id) == "pop-gesprek"


def test_the_meeting_set_up_makes_a_series_of_the_kind_chosen(
    teams: TeamsWorld,  # noqa: F811
    graph: GraphFake,  # noqa: F811
) -> None:
    chat = weekly_meeting(teams, graph)
    page, frame = teams.open_tab(
        "/teams/configure", frame_context="settings", chat_id=chat, width=1000
    )
    kind = frame.get_by_label("Soort gesprek")
    expect(kind).to_be_hidden()  # nothing to plan yet: no kind to choose
    frame.get_by_role("radio", name=re.compile("terugkerende afspraak")).check()
    expect(kind).to_be_visible()
    kind.select_option(label="Inwerk- of proeftijdgesprek")
    no_overflow(frame)
    snap(page, "configure_series_type_wide", "#tab")
    page.evaluate("harness.send('save')")
    page.wait_for_function("harness.saved.length === 1")
    assert page.evaluate("harness.saved") == ["ok"]
    made = teams.services.read(lambda s: repo.talks_in_meeting(s, teams.entra.tenant_id, chat))
    assert len(made) >= 7
    tenant = teams.entra.tenant_id
    assert {kind_of(teams.services, tenant, t.id) for t in made} == {"inwerkgesprek"}
