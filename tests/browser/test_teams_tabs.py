"""The pages as Teams tabs in Chromium: framed by a stand-in Teams client at
teams.microsoft.com, with a stand-in for TeamsJS that reports the context and token the test
chooses. The app runs in Microsoft mode over https, validating tokens from the Entra fake.

What the host would do is played by `teams_harness.html` (the parent frame) and
`teams_standin.js` (TeamsJS inside the tab); both are served by Playwright routes at the
hosts the real ones live on, so the app's CSP (frame-ancestors, script-src) and the
subresource-integrity check are the real ones.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Error,
    Frame,
    Page,
    Route,
    expect,
)

from plugin.bootstrap import build_services, sso_validator
from plugin.domain.meeting import chat_id_from_join_url
from plugin.jobs.outbox import Outbox
from plugin.services.context import Services
from plugin.store import repo
from plugin.web.app import create_app
from plugin.web.context import STAMPS
from plugin.web.host import ScriptSource
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    BrowserClock,
    PageErrors,
    check_accessibility,
)
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import (  # noqa: F401  (fixtures)
    TEST_GRAPH_OPTIONS,
    entra,
    graph,
    microsoft_settings,
)
from tests.microsoft.graph_fake import GraphFake
from tests.microsoft.https_server import LoopbackHttps

HERE = Path(__file__).resolve().parent
STANDIN = (HERE / "teams_standin.js").read_bytes()
STANDIN_URL = "https://res.cdn.office.net/teams-js/0.0.0-standin/js/MicrosoftTeams.min.js"
HARNESS_URL = "https://teams.microsoft.com/_standin/harness.html"
CHAT = "19:meeting_MmU2ZjM5NzUtZmE1Yi00YzJiLWI0NzUtYTJkNzQ1Y2VhZDBh@thread.v2"
MARCO, SEM = str(uuid.uuid4()), str(uuid.uuid4())
LIVE = 3000  # ms
#: Chromium's console error for a script whose subresource-integrity hash does not match.
REFUSED_BY_INTEGRITY = re.compile(
    r"console error: Failed to find a valid digest in the 'integrity' attribute for resource "
    + re.escape(f"'{STANDIN_URL}'")
)


def integrity(body: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()


@dataclass
class TeamsWorld:
    """The app in Microsoft mode on https, and a browser with the stand-in Teams client."""

    base: str
    app: Flask
    services: Services
    outbox: Outbox
    entra: EntraFake
    clock: BrowserClock
    browser: Browser
    standin: bytes = STANDIN
    contexts: list[BrowserContext] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    errors: PageErrors = field(default_factory=PageErrors)

    def token(self, oid: str, name: str, tenant: str | None = None) -> str:
        issued = int(self.clock.now().timestamp())
        return self.entra.user_assertion(
            oid,
            tenant,
            issued_at=issued,
            name=name,
            extra={"preferred_username": f"{name}@contoso.test"},
        )

    def api(self, oid: str, name: str, method: str, path: str, **kw: Any) -> Any:
        client = self.app.test_client()
        headers = {"Authorization": f"Bearer {self.token(oid, name)}"}
        answer = client.open(path, method=method, headers=headers, base_url=self.base, **kw)
        assert answer.status_code < 300, answer.get_data(as_text=True)
        return answer.json

    def plan(self, **extra: Any) -> str:
        learner = self.api(SEM, "Sem", "GET", "/api/me")["id"]
        talk = self.api(
            MARCO,
            "Marco",
            "POST",
            "/api/talks",
            json={
                "learner_id": learner,
                "starts_at": (self.clock.now() + timedelta(days=1)).isoformat(),
                **extra,
            },
        )
        return str(talk["id"])

    def open_tab(
        self,
        path: str,
        *,
        oid: str = MARCO,
        name: str = "Marco",
        frame_context: str = "content",
        theme: str = "default",
        locale: str = "nl-NL",
        chat_id: str | None = CHAT,
        width: int = 320,
        height: int = 760,
        tenant_allowed: bool = True,
    ) -> tuple[Page, Frame]:
        context = self.browser.new_context(
            viewport={"width": max(width, 400), "height": height + 40},
            locale=locale,
            ignore_https_errors=True,  # the app's certificate comes from the fakes' own CA
        )
        self.contexts.append(context)
        self.clock.keep(context)  # the pages' Date.now() is the app's now
        # Playwright tries the newest route first: the catch-all goes in first.
        context.route(
            re.compile(r"^https://([a-z0-9-]+\.)*(microsoft|office)\.(com|net)/"),
            lambda route: route.abort(),
        )
        context.route(
            HARNESS_URL,
            lambda route: route.fulfill(
                body=(HERE / "teams_harness.html").read_bytes(), content_type="text/html"
            ),
        )
        context.route(STANDIN_URL, self._serve_standin)
        context.on("request", lambda request: self.requested.append(request.url))
        context.on("page", self.errors.watch)
        page = context.new_page()
        self.errors.watch(page)
        page.goto(HARNESS_URL)
        page.evaluate(
            "([context, token]) => { harness.context = context; harness.token = token; }",
            [
                {
                    "app": {"theme": theme, "locale": locale, "host": {"name": "Teams"}},
                    "page": {"id": "og-tab", "frameContext": frame_context},
                    "user": {"id": oid, "tenant": {"id": self.entra.tenant_id}},
                    "chat": {"id": chat_id} if chat_id else None,
                    "meeting": {"id": "MCMxOTptZWV0aW5n"} if chat_id else None,
                },
                self.token(oid, name, None if tenant_allowed else str(uuid.uuid4())),
            ],
        )
        page.evaluate("([url, w, h]) => harness.open(url, w, h)", [self.base + path, width, height])
        handle = page.locator("#tab").element_handle()
        assert handle is not None
        frame = handle.content_frame()
        assert frame is not None
        return page, frame

    def _serve_standin(self, route: Route) -> None:
        route.fulfill(
            body=self.standin,
            content_type="application/javascript",
            headers={"Access-Control-Allow-Origin": "*"},
        )

    def outside_requests(self) -> list[str]:
        allowed = {
            urlsplit(self.base).netloc,
            urlsplit(self.entra.authority_host).netloc,
        }
        return [
            url
            for url in self.requested
            if url not in (HARNESS_URL, STANDIN_URL)
            and not url.startswith("data:")
            and urlsplit(url).netloc not in allowed
        ]


@pytest.fixture(scope="module")
def teams_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium that lets a page at teams.microsoft.com frame the app on loopback.

    Real Teams frames a public host; here the app is on 127.0.0.1, which Chromium's Local
    Network Access checks would block for a public page. Only this check is switched off.
    """
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
        headless=True,
    )
    yield chromium
    chromium.close()


@pytest.fixture
def teams(
    teams_browser: Browser,
    tmp_path: Path,
    db_url: str,
    entra: EntraFake,  # noqa: F811
    graph: GraphFake,  # noqa: F811
    clock: BrowserClock,
) -> Iterator[TeamsWorld]:
    holder: dict[str, Flask] = {}
    server = LoopbackHttps(lambda environ, start: holder["app"](environ, start), entra.ca)
    base = f"https://127.0.0.1:{server.port}"
    settings = microsoft_settings(tmp_path, db_url, entra, graph).model_copy(
        update={"public_url": base}
    )
    services, outbox = build_services(
        settings,
        base_url=base,
        clock=clock,
        migrate_schema=False,
        graph_options=TEST_GRAPH_OPTIONS,
    )
    app = create_app(
        services,
        mode="microsoft",
        secure_cookies=True,
        sso=sso_validator(settings, clock),
        teamsjs=ScriptSource(STANDIN_URL, integrity(STANDIN)),
    )
    holder["app"] = app
    entra.clock = lambda: clock.now().timestamp()  # assertions expire on the tests' clock
    world = TeamsWorld(base, app, services, outbox, entra, clock, teams_browser)
    try:
        yield world
    finally:
        for context in world.contexts:
            with suppress(Error):
                context.close()
        server.stop()
        app.extensions[STAMPS].stop()
        if services.graph is not None:
            services.graph.close()
        services.db.dispose()
    if world.errors.errors:
        pytest.fail("JavaScript errors on the pages:\n" + "\n".join(world.errors.errors))


def no_overflow(frame: Frame) -> None:
    overflow = frame.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the side panel"


def test_the_side_panel_signs_in_with_the_teams_token_and_fits_320_px(
    teams: TeamsWorld,
) -> None:
    talk_id = teams.plan()
    teams.clock.set(teams.clock.now() + timedelta(days=1, minutes=1))
    page, frame = teams.open_tab(f"/talks/{talk_id}", frame_context="sidePanel")
    expect(frame.locator("#agreements")).to_be_attached()
    assert urlsplit(frame.url).path == f"/talks/{talk_id}/panel"
    expect(frame.locator(".site-header")).to_have_count(0)
    frame.locator("#new-what").fill("Sem oefent het inregelen van de cv-ketel")
    frame.locator("#add-form button[type=submit]").click()
    expect(frame.locator("#agreements li", has_text="inregelen van de cv-ketel")).to_be_visible(
        timeout=LIVE
    )
    no_overflow(frame)
    talk = teams.services.read(lambda s: repo.talk(s, teams.entra.tenant_id, talk_id))
    assert talk is not None and [a.what for a in talk.agreements] == [
        "Sem oefent het inregelen van de cv-ketel"
    ]
    # The token stays in the page's memory: no cookie, nothing in web storage.
    assert page.context.cookies() == []
    stored = frame.evaluate("localStorage.length + sessionStorage.length")
    assert stored == 0
    assert teams.outside_requests() == []
    check_accessibility(frame)  # type: ignore[arg-type]


@pytest.mark.parametrize(("teams_theme", "ours"), [("dark", "dark"), ("contrast", "contrast")])
def test_the_tab_takes_the_teams_theme_and_follows_its_changes(
    teams: TeamsWorld, teams_theme: str, ours: str
) -> None:
    talk_id = teams.plan()
    page, frame = teams.open_tab(f"/talks/{talk_id}", theme=teams_theme, width=800)
    expect(frame.locator("#main h1")).to_be_visible()
    expect(frame.locator("html")).to_have_attribute("data-theme", ours)
    check_accessibility(frame)  # type: ignore[arg-type]
    page.evaluate("harness.send('themeChange', 'default')")
    expect(frame.locator("html")).to_have_attribute("data-theme", "light")


def test_the_language_is_the_teams_locale(teams: TeamsWorld) -> None:
    _page, frame = teams.open_tab("/teams/personal", locale="en-GB", width=800)
    expect(frame.locator("html")).to_have_attribute("lang", "en")
    expect(frame.locator("#main h1")).to_be_visible()


def test_the_organiser_links_the_meeting_to_a_talk_they_lead(teams: TeamsWorld) -> None:
    talk_id = teams.plan()
    page, frame = teams.open_tab("/teams/configure", frame_context="settings", width=600)
    option = frame.get_by_role("radio", name=re.compile("met Sem"))
    expect(option).to_be_visible()
    option.check()
    page.wait_for_function("harness.validity === true")
    page.evaluate("harness.send('save')")
    page.wait_for_function("harness.saved.length === 1")
    assert page.evaluate("harness.saved") == ["ok"]
    config = page.evaluate("harness.config")
    assert config["entityId"] == talk_id
    assert config["contentUrl"] == f"{teams.base}/talks/{talk_id}"
    talk = teams.services.read(lambda s: repo.talk(s, teams.entra.tenant_id, talk_id))
    assert talk is not None and talk.meeting_chat_id == CHAT

    # Opened again, the page says which talk the meeting holds.
    _page2, frame2 = teams.open_tab("/teams/configure", frame_context="settings", width=600)
    expect(frame2.locator("#meeting-status")).to_contain_text("gekoppeld")
    expect(frame2.get_by_role("radio", name=re.compile("met Sem"))).to_be_checked()


def test_the_organiser_plans_a_new_talk_for_the_meeting(
    teams: TeamsWorld,
    graph: GraphFake,  # noqa: F811
) -> None:
    teams.api(SEM, "Sem", "GET", "/api/me")  # Sem has used the app once
    page, frame = teams.open_tab("/teams/configure", frame_context="settings", width=600)
    new = frame.get_by_role("radio", name=re.compile("nieuw gesprek"))
    expect(new).to_be_checked()  # Marco leads no talk yet
    frame.locator("#learner").select_option(label="Sem")
    frame.locator("#date").fill((teams.clock.now() + timedelta(days=3)).date().isoformat())
    frame.locator("#time").fill("10:30")
    page.evaluate("harness.send('save')")
    page.wait_for_function("harness.saved.length === 1")
    assert page.evaluate("harness.saved") == ["ok"]
    talk_id = page.evaluate("harness.config.entityId")
    talk = teams.services.read(lambda s: repo.talk(s, teams.entra.tenant_id, talk_id))
    assert talk is not None and talk.meeting_chat_id == CHAT
    teams.outbox.drain()
    # The meeting exists: nothing is booked (only our tab is pinned in its chat).
    assert [r for r in graph.requests if not r.path.startswith(("/chats/", "/appCatalogs"))] == []


def weekly_meeting(teams: TeamsWorld, graph: GraphFake) -> str:  # noqa: F811  (a Graph fake, passed in)
    """Marco's weekly Teams meeting with Sem (who has used the app once), from tomorrow at
    09:00: the chat id of its occurrences."""
    graph.now = teams.clock.now
    graph.add_mailbox("Marco@contoso.test", display_name="Marco", oid=MARCO)
    graph.add_mailbox("Sem@contoso.test", display_name="Sem", oid=SEM)
    teams.api(SEM, "Sem", "GET", "/api/me")  # Sem has used the app once
    first = (teams.clock.now() + timedelta(days=1)).replace(hour=9, minute=0, microsecond=0)
    event = graph.add_event(
        "Marco@contoso.test",
        "Wekelijks",
        first,
        first + timedelta(minutes=45),
        attendees=["Sem@contoso.test"],
        online_meeting=True,
        recurrence={
            "pattern": {
                "type": "weekly",
                "interval": 1,
                "daysOfWeek": [first.strftime("%A").lower()],
            },
            "range": {"type": "noEnd", "startDate": first.date().isoformat()},
        },
    )
    chat = chat_id_from_join_url(event["onlineMeeting"]["joinUrl"])
    assert chat
    return chat


def test_a_recurring_meeting_is_set_up_as_a_series_of_talks(
    teams: TeamsWorld,
    graph: GraphFake,  # noqa: F811
) -> None:
    chat = weekly_meeting(teams, graph)
    page, frame = teams.open_tab(
        "/teams/configure", frame_context="settings", chat_id=chat, width=600
    )
    frame.get_by_role("radio", name=re.compile("terugkerende afspraak")).check()
    expect(frame.locator("#series-talk")).to_be_visible()
    page.evaluate("harness.send('save')")
    page.wait_for_function("harness.saved.length === 1")
    assert page.evaluate("harness.saved") == ["ok"]
    assert page.evaluate("harness.config.contentUrl").endswith(f"/meetings/{quote(chat, safe='')}")
    made = teams.services.read(
        lambda s: [t for t in repo.talks_in_meeting(s, teams.entra.tenant_id, chat)]
    )
    assert len(made) >= 7 and len({t.series_id for t in made}) == 1
    # Set up again (another tab, or the settings reopened): nothing to choose any more.
    page, frame = teams.open_tab(
        "/teams/configure", frame_context="settings", chat_id=chat, width=600
    )
    expect(frame.locator("#meeting-status")).to_contain_text("reeks gesprekken")
    expect(frame.locator("#choice")).to_be_hidden()
    page.evaluate("harness.send('save')")
    page.wait_for_function("harness.saved.length === 1")
    assert page.evaluate("harness.saved") == ["ok"]
    assert page.evaluate("harness.config.contentUrl").endswith(f"/meetings/{quote(chat, safe='')}")


def test_a_changed_teamsjs_file_is_refused_by_its_integrity_hash(teams: TeamsWorld) -> None:
    teams.standin = STANDIN + b"\n// changed on the CDN\n"
    _page, frame = teams.open_tab("/teams/personal", width=600)
    expect(frame.locator("[role=alert]")).to_contain_text("Microsoft Teams gaf geen antwoord")
    assert not any("/api/" in url for url in teams.requested)
    # Chromium reports the refused script as a console error: that one, and no other.
    refused = [e for e in teams.errors.errors if REFUSED_BY_INTEGRITY.search(e)]
    assert len(refused) == 1, teams.errors.errors
    teams.errors.errors.remove(refused[0])
    assert teams.errors.errors == []


def test_outside_a_host_the_page_says_where_it_belongs(teams: TeamsWorld) -> None:
    context = teams.browser.new_context(ignore_https_errors=True, locale="nl-NL")
    teams.contexts.append(context)
    context.on("request", lambda request: teams.requested.append(request.url))
    page = context.new_page()
    teams.errors.watch(page)
    page.goto(teams.base + "/teams/personal")
    expect(page.locator("[role=alert]")).to_contain_text("Open Ontwikkelgesprek in Microsoft Teams")
    teams_link = page.get_by_role("link", name="Openen in Teams")
    expect(teams_link).to_have_attribute(
        "href", re.compile(r"^https://teams\.microsoft\.com/l/entity/[0-9a-f-]{36}/overview$")
    )
    # A talk's link (as in the Outlook invite) opens that talk in the personal app.
    talk_id = teams.plan()
    page.goto(f"{teams.base}/talks/{talk_id}")
    href = page.get_by_role("link", name="Openen in Teams").get_attribute("href") or ""
    context = json.loads(parse_qs(urlsplit(href).query)["context"][0])
    assert context == {"subEntityId": talk_id}
    assert not any("res.cdn.office.net" in url for url in teams.requested)


def test_the_lead_gives_consent_in_a_pop_up_and_the_talk_is_signed(
    teams: TeamsWorld,
    graph: GraphFake,  # noqa: F811
) -> None:
    fake = teams.entra
    fake.user_scopes.append("ChatMessage.Send")
    fake.redirect_uris.add(f"{teams.base}/teams/consent/done")
    fake.browser_user(MARCO, name="Marco", username="Marco@contoso.test")
    graph.add_chat(CHAT, [MARCO, SEM])
    talk_id = teams.plan(meeting_chat_id=CHAT, chat_summary=True)
    teams.clock.set(teams.clock.now() + timedelta(days=1, minutes=1))
    fake.require_consent(MARCO)

    page, frame = teams.open_tab(f"/talks/{talk_id}", frame_context="sidePanel")
    frame.locator("#sign-button").click()
    step = frame.locator("#consent-step")
    expect(step).to_contain_text("samenvatting van de afspraken")
    with page.context.expect_page() as popup:
        frame.get_by_role("button", name="Toestaan en aftekenen").click()
    expect(popup.value.locator("[role=status]")).to_contain_text("Dank je", timeout=LIVE)
    expect(frame.locator("#sign-area .badge.ok")).to_have_count(1, timeout=LIVE)
    assert not fake.consent_required(MARCO)
    talk = teams.services.read(lambda s: repo.talk(s, teams.entra.tenant_id, talk_id))
    assert talk is not None and [s.person_id for s in talk.signatures] == [talk.lead_id]
    assert teams.outside_requests() == []


def test_in_the_personal_app_the_lead_plans_a_talk_and_lands_on_its_preparation(
    teams: TeamsWorld,
) -> None:
    teams.api(SEM, "Sem", "GET", "/api/me")
    _page, frame = teams.open_tab("/teams/personal", frame_context="content", width=900)
    frame.get_by_role("link", name="Gesprek plannen").first.click()
    frame.locator("#learner").select_option(label="Sem")
    frame.locator("#date").fill((teams.clock.now() + timedelta(days=2)).date().isoformat())
    frame.locator("#plan-form button[type=submit]").click()
    # A new page in the tab: the shell again, signed in again with the token, then the page.
    expect(frame.locator("#main h1")).to_be_visible(timeout=LIVE)
    frame.wait_for_url(re.compile(r"/talks/[0-9a-f-]+/prepare$"))
    expect(frame.locator(".site-header")).to_have_count(0)


def test_a_token_the_server_refuses_shows_a_plain_message(teams: TeamsWorld) -> None:
    page, frame = teams.open_tab("/teams/personal", width=600, tenant_allowed=False)
    expect(frame.locator("[role=alert]")).to_contain_text("Teams kon je niet aanmelden")
    assert page.evaluate("harness.calls.filter((c) => c === 'getAuthToken').length") == 2


def test_a_deep_link_into_the_personal_app_opens_its_talk(teams: TeamsWorld) -> None:
    talk_id = teams.plan()
    page, frame = teams.open_tab("/teams/personal", width=800)
    expect(frame.locator("#main h1")).to_be_visible()
    page.evaluate("(id) => { harness.context.page.subPageId = id; }", talk_id)
    page.evaluate("(url) => harness.open(url, 800, 760)", f"{teams.base}/teams/personal")
    frame.wait_for_url(re.compile(rf"/talks/{talk_id}/prepare$"))
    expect(frame.locator("#main h1")).to_be_visible()
