"""The Outlook add-in's task pane in Chromium, framed like Outlook on the web frames it.

`outlook_harness.html` plays Outlook (served at outlook.office.com): the appointment form with
its body beside the pane, 320 px wide. `office_standin.js` plays Office.js, served at Office.js's
own host, so the pane's Content-Security-Policy is the real one. The app runs in Microsoft mode
over https and validates tokens from the Entra fake.

Most tests answer `/api/outlook/*` with canned JSON (Playwright routes) to walk through what the
pane shows; the end-to-end ones at the bottom run against the real API and the Graph fake.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Error, Frame, Page, Route, expect

from plugin.bootstrap import build_services, sso_validator
from plugin.domain.clock import FixedClock
from plugin.jobs.outbox import Outbox
from plugin.services.context import Services
from plugin.web.app import create_app, taskpane_security_policy
from plugin.web.context import STAMPS
from plugin.web.outlook import OFFICEJS, OfficeScript
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PageErrors, check_accessibility
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
STANDIN_URL = "https://appsforoffice.microsoft.com/_standin/office.js"
HARNESS_URL = "https://outlook.office.com/_standin/harness.html"
MARCO = str(uuid.uuid4())
TALK_ID = str(uuid.uuid4())
SEM_ID, FATIMA_ID, ANJA_ID = (str(uuid.uuid4()) for _ in range(3))
ORGANISER_TEXT = "<p>Neem de werkbon van vorige week mee.</p>"
INVITE_HTML = (
    '<div id="og-invite"><p>Bereid je voor: <a href="https://og.test/t">checklist</a></p></div>'
)
#: Set to a folder to keep screenshots of the pane's states there.
SCREENSHOTS = os.environ.get("OG_TASKPANE_SCREENSHOTS")


def candidate(
    person_id: str, name: str, email: str, job: str | None, external: bool = False
) -> dict[str, Any]:
    return {"id": person_id, "name": name, "email": email, "job_title": job, "external": external}


CANDIDATES = [
    candidate(SEM_ID, "Sem Bakker", "sem@contoso.test", "Stagiair"),
    candidate(FATIMA_ID, "Fatima Yilmaz", "fatima@contoso.test", "Monteur"),
    candidate(ANJA_ID, "Anja Smit", "a.smit@school.test", None, external=True),
]


class Canned:
    """Answers for `/api/outlook/*` by path: used in turn, the last one repeats. Records calls."""

    def __init__(self, answers: dict[str, list[tuple[int, Any]]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, Any, dict[str, str]]] = []

    def __call__(self, route: Route) -> None:
        request = route.request
        path = urlsplit(request.url).path
        self.calls.append((path, request.post_data_json, request.headers))
        queue = self.answers.get(path)
        if not queue:
            route.fulfill(status=404, json={"error": {"code": "not_found", "message": "?"}})
            return
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        route.fulfill(status=status, json=body)

    def bodies(self, path: str) -> list[Any]:
        return [body for seen, body, _headers in self.calls if seen == path]


@dataclass
class OutlookWorld:
    """The app in Microsoft mode on https, and a browser with the stand-in Outlook."""

    base: str
    app: Flask
    services: Services
    outbox: Outbox
    entra: EntraFake
    clock: FixedClock
    browser: Browser
    contexts: list[BrowserContext] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    errors: PageErrors = field(default_factory=PageErrors)

    def token(self, oid: str = MARCO, name: str = "Marco de Vries", email: str = "") -> str:
        return self.entra.user_assertion(
            oid,
            issued_at=int(self.clock.now().timestamp()),
            name=name,
            extra={"preferred_username": email or f"{name.split()[0].lower()}@contoso.test"},
        )

    def appointment(self, **overrides: Any) -> dict[str, Any]:
        start = (self.clock.now() + timedelta(days=2)).replace(hour=9, minute=0)
        return {
            "subject": "Ontwikkelgesprek Sem",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "requiredAttendees": [
                {"emailAddress": "marco@contoso.test", "displayName": "Marco de Vries"},
                {"emailAddress": "sem@contoso.test", "displayName": "Sem Bakker"},
            ],
            "optionalAttendees": [{"emailAddress": "gast@elders.test", "displayName": "Gast"}],
            "organizer": {"emailAddress": "marco@contoso.test", "displayName": "Marco de Vries"},
            "itemId": None,
            "savedId": "AAMkAGstandin=",
            "body": ORGANISER_TEXT,
            **overrides,
        }

    def talk(self, **overrides: Any) -> dict[str, Any]:
        start = (self.clock.now() + timedelta(days=2)).replace(hour=9, minute=0)
        return {
            "id": TALK_ID,
            "title": "Ontwikkelgesprek Sem",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "status": "planned",
            "lead": {"id": MARCO, "name": "Marco de Vries"},
            "learner": {"id": SEM_ID, "name": "Sem Bakker"},
            "my_role": "lead",
            "version": 3,
            "url": f"{self.base}/talks/{TALK_ID}",
            "prepared": {"lead": True, "learner": False},
            **overrides,
        }

    def open_pane(
        self,
        *,
        canned: Canned | None = None,
        item: dict[str, Any] | None = None,
        office: dict[str, Any] | None = None,
        token: str | None = None,
        token_error: dict[str, Any] | None = None,
        locale: str = "en-GB",
        width: int = 320,
        height: int = 900,
    ) -> tuple[Page, Frame]:
        """Outlook with the pane open beside the appointment; `office` overrides the host's
        answers (displayLanguage, officeTheme, sets). English unless `office` says otherwise."""
        context = self.browser.new_context(
            viewport={"width": width + 420, "height": height + 20},
            locale=locale,
            ignore_https_errors=True,  # the app's certificate comes from the fakes' own CA
        )
        self.contexts.append(context)
        # Playwright tries the newest route first: the catch-all goes in first.
        context.route(
            re.compile(r"^https://([a-z0-9-]+\.)*(microsoft|office)\.(com|net)/"),
            lambda route: route.abort(),
        )
        context.route(
            HARNESS_URL,
            lambda route: route.fulfill(
                body=(HERE / "outlook_harness.html").read_bytes(), content_type="text/html"
            ),
        )
        context.route(
            STANDIN_URL,
            lambda route: route.fulfill(
                body=(HERE / "office_standin.js").read_bytes(),
                content_type="application/javascript",
            ),
        )
        if canned is not None:
            context.route(re.compile(re.escape(self.base) + r"/api/outlook/"), canned)
        context.on("request", lambda request: self.requested.append(request.url))
        context.on("page", self.errors.watch)
        page = context.new_page()
        self.errors.watch(page)
        page.goto(HARNESS_URL)
        host = {"displayLanguage": "en-US", **(office or {})}
        page.evaluate(
            "([item, office, token, tokenError]) => {"
            " Object.assign(harness.item, item); Object.assign(harness.office, office);"
            " harness.token = token; harness.tokenError = tokenError; }",
            [item or self.appointment(), host, token or self.token(), token_error],
        )
        page.evaluate(
            "([url, w, h]) => harness.open(url, w, h)",
            [f"{self.base}/outlook/taskpane", width, height],
        )
        handle = page.locator("#pane").element_handle()
        assert handle is not None
        frame = handle.content_frame()
        assert frame is not None
        return page, frame

    def outside_requests(self) -> list[str]:
        allowed = {urlsplit(self.base).netloc, urlsplit(self.entra.authority_host).netloc}
        return [
            url
            for url in self.requested
            if url not in (HARNESS_URL, STANDIN_URL)
            and not url.startswith("data:")
            and urlsplit(url).netloc not in allowed
        ]


@pytest.fixture(scope="module")
def outlook_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium that lets a page at outlook.office.com frame the app on loopback (real Outlook
    frames a public host; Local Network Access checks would block this one, and only they are
    switched off)."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
        headless=True,
    )
    yield chromium
    chromium.close()


@pytest.fixture
def outlook(
    outlook_browser: Browser,
    tmp_path: Path,
    db_url: str,
    entra: EntraFake,  # noqa: F811
    graph: GraphFake,  # noqa: F811
    clock: FixedClock,
) -> Iterator[OutlookWorld]:
    holder: dict[str, Flask] = {}
    server = LoopbackHttps(lambda environ, start: holder["app"](environ, start), entra.ca)
    base = f"https://127.0.0.1:{server.port}"
    settings = microsoft_settings(tmp_path, db_url, entra, graph).model_copy(
        update={"public_url": base}
    )
    services, outbox = build_services(
        settings, base_url=base, clock=clock, migrate_schema=False, graph_options=TEST_GRAPH_OPTIONS
    )
    app = create_app(
        services,
        mode="microsoft",
        secure_cookies=True,
        sso=sso_validator(settings, clock),
        officejs=OfficeScript(STANDIN_URL),
    )
    holder["app"] = app
    entra.clock = lambda: clock.now().timestamp()  # assertions expire on the tests' clock
    world = OutlookWorld(base, app, services, outbox, entra, clock, outlook_browser)
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


def snap(page: Page, name: str, frame: Frame | None = None) -> None:
    if SCREENSHOTS:
        if frame is not None:
            frame.evaluate("window.scrollTo(0, 0)")
        page.locator("#pane").screenshot(path=str(Path(SCREENSHOTS) / f"taskpane_{name}.png"))


def no_overflow(frame: Frame) -> None:
    overflow = frame.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the pane is {overflow}px wider than its frame"


def form_answer(**overrides: Any) -> dict[str, Any]:
    return {
        "talk": None,
        "candidates": CANDIDATES,
        "unknown": ["gast@elders.test"],
        "learner_id": None,
        **overrides,
    }


def error(status: int, code: str, message: str, field: str | None = None) -> tuple[int, Any]:
    return status, {"error": {"code": code, "field": field, "message": message}}


# -- the page itself --------------------------------------------------------------------------


def test_in_local_mode_the_pane_points_to_the_plan_page_and_loads_no_office_js(
    app: Flask, browser: Browser, live_server: str
) -> None:
    answer = app.test_client().get("/outlook/taskpane")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert 'href="/talks/new"' in html
    assert "appsforoffice" not in html and "taskpane.js" not in html
    assert "https://appsforoffice.microsoft.com" not in answer.headers["Content-Security-Policy"]
    context = browser.new_context(viewport={"width": 320, "height": 700}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/outlook/taskpane")
        expect(page.locator("main")).to_contain_text("works when Ontwikkelgesprek runs with")
        page.get_by_role("link", name="Plan a talk").click()
        page.wait_for_url(f"{live_server}/talks/new")  # (signed out: the welcome page)
        page.go_back()
        check_accessibility(page)
    finally:
        context.close()


def test_the_pane_may_run_office_js_and_nothing_else_from_outside(outlook: OutlookWorld) -> None:
    client = outlook.app.test_client()
    pane = client.get("/outlook/taskpane", base_url=outlook.base)
    assert pane.status_code == 200  # no sign-in needed: the page carries no personal data
    policy = pane.headers["Content-Security-Policy"]
    assert "script-src 'self' https://appsforoffice.microsoft.com;" in policy
    assert "unsafe-inline" not in policy and "res.cdn.office.net" not in policy
    assert "https://outlook.office.com" in policy.split("frame-ancestors")[1]
    # Other pages keep theirs (TeamsJS only); Office.js's real home is the default.
    assert (
        "appsforoffice"
        not in client.get("/about", base_url=outlook.base).headers["Content-Security-Policy"]
    )
    assert "script-src 'self' https://appsforoffice.microsoft.com;" in taskpane_security_policy(
        OFFICEJS
    )


def test_outside_outlook_the_pane_says_where_it_belongs(outlook: OutlookWorld) -> None:
    context = outlook.browser.new_context(ignore_https_errors=True, locale="en-GB")
    outlook.contexts.append(context)
    context.route(STANDIN_URL, lambda route: route.fulfill(path=HERE / "office_standin.js"))
    page = context.new_page()
    outlook.errors.watch(page)
    page.goto(f"{outlook.base}/outlook/taskpane")
    expect(page.locator("#problem-text")).to_contain_text("from an appointment in Outlook")


# -- with canned answers from the API ---------------------------------------------------------


def test_the_form_offers_the_invited_colleagues_and_says_who_cannot_be_chosen(
    outlook: OutlookWorld,
) -> None:
    canned = Canned({"/api/outlook/appointment": [(200, form_answer(learner_id=SEM_ID))]})
    page, frame = outlook.open_pane(canned=canned)
    expect(frame.locator("html")).to_have_attribute("lang", "en")  # Office's language
    expect(frame.get_by_role("radio", name=re.compile("Sem Bakker"))).to_be_checked()
    expect(frame.get_by_role("radio", name=re.compile("Fatima Yilmaz"))).not_to_be_checked()
    expect(frame.get_by_role("radio", name=re.compile("Anja Smit"))).to_have_count(0)
    expect(frame.locator("#not-choosable")).to_contain_text("Anja Smit: school supervisor")
    expect(frame.locator("#not-choosable")).to_contain_text("gast@elders.test")
    expect(frame.locator("#not-choosable-reason")).to_contain_text("outside your organisation")
    expect(frame.locator("#appointment")).to_contain_text("Ontwikkelgesprek Sem")
    expect(frame.locator("#own-goal-field")).to_be_hidden()
    frame.get_by_role("checkbox", name="Your own goal").check()
    expect(frame.locator("#own-goal")).to_be_visible()
    # No silent cut at 500: a counter, and the limit said at the field.
    expect(frame.locator("#own-goal")).not_to_have_attribute("maxlength", "500")
    expect(frame.locator("#own-goal-count")).to_contain_text("0/500")
    no_overflow(frame)
    snap(page, "form_light", frame)
    check_accessibility(frame)  # type: ignore[arg-type]
    long_goal = "Zelf de groepenkast aansluiten " * 18
    frame.locator("#own-goal").fill(long_goal)
    frame.get_by_role("button", name="Make it a development talk").click()
    expect(frame.locator("#own-goal-error")).to_contain_text("At most 500 characters")
    expect(frame.locator("#own-goal")).to_have_value(long_goal)
    assert canned.bodies("/api/outlook/talks") == []

    # What went to the API: the unsaved appointment (no id yet), the invited people without the
    # organiser, Office's token as a bearer, no cookies.
    [(_path, body, headers)] = canned.calls
    assert body == {
        "item_id": None,
        "attendees": [
            {"email": "sem@contoso.test", "name": "Sem Bakker"},
            {"email": "gast@elders.test", "name": "Gast"},
        ],
    }
    assert headers["authorization"] == f"Bearer {page.evaluate('harness.token')}"
    assert "cookie" not in headers
    assert outlook.outside_requests() == []


def test_a_saved_appointment_is_looked_up_by_its_id_and_shown_as_its_talk(
    outlook: OutlookWorld,
) -> None:
    talk = outlook.talk()
    canned = Canned({"/api/outlook/appointment": [(200, form_answer(talk=talk))]})
    page, frame = outlook.open_pane(canned=canned, item=outlook.appointment(itemId="AAMkExisting="))
    expect(frame.locator("#talk-view")).to_be_visible()
    expect(frame.locator("#talk-title")).to_have_text("Ontwikkelgesprek Sem")
    expect(frame.locator("#talk-with")).to_have_text("Sem Bakker")
    expect(frame.locator("#talk-status")).to_have_text("Planned")
    expect(frame.locator("#talk-prepared")).to_contain_text("You have prepared.")
    expect(frame.locator("#talk-prepared")).to_contain_text("Sem has not prepared yet.")
    assert canned.bodies("/api/outlook/appointment")[0]["item_id"] == "AAMkExisting="
    frame.get_by_role("link", name="Open the talk").click()
    page.wait_for_function("harness.opened.length === 1")
    assert page.evaluate("harness.opened") == [talk["url"]]
    no_overflow(frame)
    snap(page, "talk_light")
    check_accessibility(frame)  # type: ignore[arg-type]


def test_making_the_talk_saves_the_appointment_and_puts_the_preparation_on_top(
    outlook: OutlookWorld,
) -> None:
    talk = outlook.talk(prepared={"lead": False, "learner": False})
    canned = Canned(
        {
            "/api/outlook/appointment": [(200, form_answer())],
            "/api/outlook/talks": [
                (201, {"talk": talk, "created": True, "invite_html": INVITE_HTML}),
                (200, {"talk": talk, "created": False, "invite_html": None}),
            ],
        }
    )
    page, frame = outlook.open_pane(canned=canned)
    frame.get_by_role("radio", name=re.compile("Sem Bakker")).check()
    frame.get_by_role("checkbox", name=re.compile("^Give feedback")).check()
    frame.get_by_role("checkbox", name="Your own goal").check()
    frame.locator("#own-goal").fill("Samen de planning van januari doornemen")
    button = frame.get_by_role("button", name="Make it a development talk")
    button.dblclick()  # pressing twice makes one talk
    expect(frame.locator("#talk-view")).to_be_visible()
    expect(frame.locator("#talk-news")).to_contain_text("Send the appointment, so Sem gets it too")
    assert canned.bodies("/api/outlook/talks") == [
        {
            "item_id": "AAMkAGstandin=",
            "learner_id": SEM_ID,
            "goals": ["goals.feedback", "goals.own"],
            "own_goal": "Samen de planning van januari doornemen",
        }
    ]
    assert page.evaluate("harness.calls.filter((c) => c === 'save').length") == 1
    # The preparation went on top, as HTML, once; the organiser's own text stays below it.
    assert page.evaluate("harness.prepends") == [
        {"data": INVITE_HTML, "options": {"coercionType": "html"}}
    ]
    assert page.evaluate("harness.item.body") == INVITE_HTML + ORGANISER_TEXT
    expect(page.locator("#body #og-invite")).to_be_visible()
    expect(frame.locator("#talk-heading")).to_be_focused()


def test_when_the_body_cannot_be_changed_the_pane_offers_to_try_again(
    outlook: OutlookWorld,
) -> None:
    canned = Canned(
        {
            "/api/outlook/appointment": [(200, form_answer(learner_id=SEM_ID))],
            "/api/outlook/talks": [
                (201, {"talk": outlook.talk(), "created": True, "invite_html": INVITE_HTML})
            ],
        }
    )
    page, frame = outlook.open_pane(canned=canned)
    page.evaluate("harness.failPrepends = 1")
    frame.get_by_role("button", name="Make it a development talk").click()
    expect(frame.locator("#prepend-text")).to_have_text(
        "The preparation could not be put at the top of the invite."
    )
    assert page.evaluate("harness.item.body") == ORGANISER_TEXT
    frame.get_by_role("button", name="Add the preparation to the invite").click()
    expect(frame.locator("#prepend-problem")).to_be_hidden()
    expect(frame.locator("#talk-news")).to_have_text("The preparation is at the top of the invite.")
    assert page.evaluate("harness.item.body") == INVITE_HTML + ORGANISER_TEXT
    assert len(canned.bodies("/api/outlook/talks")) == 1


def test_errors_show_by_their_field_or_on_top_and_keep_the_choices(outlook: OutlookWorld) -> None:
    canned = Canned(
        {
            "/api/outlook/appointment": [(200, form_answer())],
            "/api/outlook/talks": [
                error(
                    422,
                    "not_an_attendee",
                    "This person is not invited to the appointment.",
                    "learner_id",
                ),
                error(403, "graph_consent_required", "Your administrator must allow this first."),
                error(503, "busy", "Many changes at once. Try again in a moment."),
                (201, {"talk": outlook.talk(), "created": True, "invite_html": INVITE_HTML}),
            ],
        }
    )
    _page, frame = outlook.open_pane(canned=canned)
    button = frame.get_by_role("button", name="Make it a development talk")
    button.click()  # nobody chosen: said before anything is sent
    expect(frame.locator("#learner-error")).to_have_text("Choose a learner.")
    assert canned.bodies("/api/outlook/talks") == []

    frame.get_by_role("radio", name=re.compile("Fatima")).check()
    frame.get_by_role("checkbox", name=re.compile("^Give attention")).check()
    button.click()
    learner_error = frame.locator("#learner-field [role=alert]")
    expect(learner_error).to_have_text("This person is not invited to the appointment.")
    expect(frame.get_by_role("radio", name=re.compile("Fatima"))).to_be_focused()
    check_accessibility(frame)  # type: ignore[arg-type]

    button.click()
    top = frame.locator("#talk-form .form-error")
    expect(top).to_have_text("Your administrator must allow this first.")
    expect(learner_error).to_be_hidden()
    button.click()
    expect(top).to_have_text("Many changes at once. Try again in a moment.")
    expect(frame.get_by_role("radio", name=re.compile("Fatima"))).to_be_checked()
    expect(frame.get_by_role("checkbox", name=re.compile("^Give attention"))).to_be_checked()
    expect(button).to_be_enabled()
    button.click()
    expect(frame.locator("#talk-view")).to_be_visible()
    assert len(canned.bodies("/api/outlook/talks")) == 4
    # Chromium logs the 503 as a console error; the pane handled it.
    busy = [e for e in outlook.errors.errors if "status of 503" in e]
    assert len(busy) == 1, outlook.errors.errors
    outlook.errors.errors.remove(busy[0])


def test_with_nobody_to_choose_the_pane_explains_and_offers_no_button(
    outlook: OutlookWorld,
) -> None:
    canned = Canned(
        {
            "/api/outlook/appointment": [
                (200, form_answer(candidates=[], unknown=["sem@contoso.test"])),
                (200, form_answer(candidates=CANDIDATES[:1], unknown=[])),
            ]
        }
    )
    _page, frame = outlook.open_pane(canned=canned)
    expect(frame.locator("#no-candidate")).to_be_visible()
    expect(frame.get_by_role("button", name="Make it a development talk")).to_be_hidden()
    expect(frame.locator("#goals")).to_be_hidden()
    frame.get_by_role("button", name="Check the invited people again").click()
    expect(frame.get_by_role("radio", name=re.compile("Sem Bakker"))).to_be_visible()
    expect(frame.get_by_role("button", name="Make it a development talk")).to_be_visible()


def test_unlinking_asks_in_the_pane_cancels_the_talk_and_shows_the_form_again(
    outlook: OutlookWorld,
) -> None:
    talk = outlook.talk()
    canned = Canned(
        {
            "/api/outlook/appointment": [
                (200, form_answer(talk=talk)),
                (200, form_answer(learner_id=SEM_ID)),
            ],
            f"/api/outlook/talks/{TALK_ID}/unlink": [
                (200, {"talk": {**talk, "status": "cancelled", "version": 4}})
            ],
        }
    )
    page, frame = outlook.open_pane(canned=canned, item=outlook.appointment(itemId="AAMkX="))
    unlink = frame.get_by_role("button", name="Remove the link", exact=True)
    unlink.click()
    expect(frame.locator("#unlink-confirm")).to_contain_text("The appointment in your calendar")
    expect(unlink).to_have_attribute("aria-expanded", "true")
    frame.get_by_role("button", name="Keep the link").click()
    expect(frame.locator("#unlink-confirm")).to_be_hidden()
    expect(unlink).to_be_focused()
    assert canned.bodies(f"/api/outlook/talks/{TALK_ID}/unlink") == []

    unlink.click()
    frame.get_by_role("button", name="Yes, remove the link").click()
    expect(frame.locator("#talk-form")).to_be_visible()
    expect(frame.locator("#pane-status")).to_have_text(
        "The link is removed and the talk is cancelled."
    )
    assert canned.bodies(f"/api/outlook/talks/{TALK_ID}/unlink") == [{"version": 3}]
    assert page.evaluate("harness.item.body") == ORGANISER_TEXT  # the appointment stays


def test_an_expired_token_is_renewed_once(outlook: OutlookWorld) -> None:
    canned = Canned(
        {
            "/api/outlook/appointment": [
                error(401, "unauthenticated", "Please sign in."),
                (200, form_answer()),
            ]
        }
    )
    page, frame = outlook.open_pane(canned=canned)
    expect(frame.get_by_role("radio", name=re.compile("Sem Bakker"))).to_be_visible()
    assert (
        page.evaluate("harness.tokens")
        == [{"allowSignInPrompt": True, "allowConsentPrompt": True}] * 2
    )


def test_a_stopped_sign_in_is_said_plainly_with_a_way_to_try_again(
    outlook: OutlookWorld,
) -> None:
    canned = Canned({"/api/outlook/appointment": [(200, form_answer())]})
    stopped = {"code": 13002, "name": "AbortedByUser", "message": "The user aborted."}
    page, frame = outlook.open_pane(canned=canned, token_error=stopped)
    expect(frame.locator("#problem-text")).to_have_text(
        "You did not finish signing in. Try again to go on."
    )
    assert canned.calls == []
    page.evaluate("harness.tokenError = null")
    frame.get_by_role("button", name="Try again").click()
    expect(frame.get_by_role("radio", name=re.compile("Sem Bakker"))).to_be_visible()
    expect(frame.locator("#pane-problem")).to_be_hidden()


def test_without_office_sso_the_pane_points_to_teams(outlook: OutlookWorld) -> None:
    _page, frame = outlook.open_pane(
        canned=Canned({}), office={"sets": {"Mailbox": "1.8", "IdentityAPI": "1.1"}}
    )
    expect(frame.locator("#problem-text")).to_contain_text("cannot sign you in")
    assert not any("/api/" in url for url in outlook.requested)


def test_the_pane_follows_office_language_and_dark_theme(outlook: OutlookWorld) -> None:
    canned = Canned({"/api/outlook/appointment": [(200, form_answer(learner_id=SEM_ID))]})
    dark = {"bodyBackgroundColor": "#1f1f1f", "bodyForegroundColor": "#ffffff"}
    page, frame = outlook.open_pane(
        canned=canned, office={"displayLanguage": "nl-NL", "officeTheme": dark}, locale="en-GB"
    )
    expect(frame.locator("html")).to_have_attribute("data-theme", "dark")
    expect(frame.locator("html")).to_have_attribute("lang", "nl")
    expect(frame.locator("#goals-legend")).to_have_text("Doelen van het gesprek")
    assert urlsplit(frame.url).query == "lang=nl"
    snap(page, "form_dark", frame)
    check_accessibility(frame)  # type: ignore[arg-type]


def test_the_talk_in_dark_and_the_form_at_full_width(outlook: OutlookWorld) -> None:
    """The talk view with its unlink question open, in Outlook's dark theme at 320 px, and the
    form in a wide pane: both fit (screenshots with OG_TASKPANE_SCREENSHOTS=<folder>)."""
    dark = {"officeTheme": {"bodyBackgroundColor": "#292929"}}
    canned = Canned({"/api/outlook/appointment": [(200, form_answer(talk=outlook.talk()))]})
    page, frame = outlook.open_pane(canned=canned, office=dark)
    expect(frame.locator("#talk-view")).to_be_visible()
    expect(frame.locator("html")).to_have_attribute("data-theme", "dark")
    frame.get_by_role("button", name="Remove the link", exact=True).click()
    expect(frame.get_by_role("button", name="Keep the link", exact=True)).to_be_visible()
    no_overflow(frame)
    snap(page, "talk_dark")
    canned = Canned({"/api/outlook/appointment": [(200, form_answer(learner_id=SEM_ID))]})
    page, frame = outlook.open_pane(canned=canned, width=1000)
    frame.get_by_role("checkbox", name="Your own goal").check()
    expect(frame.get_by_role("radio", name=re.compile("Sem Bakker"))).to_be_checked()
    no_overflow(frame)
    snap(page, "form_wide", frame)


def test_a_talk_of_a_recurring_meeting_says_it_is_one_of_a_series(outlook: OutlookWorld) -> None:
    talk = outlook.talk(series_id="series-1")
    canned = Canned({"/api/outlook/appointment": [(200, form_answer(talk=talk))]})
    _, frame = outlook.open_pane(canned=canned)
    expect(frame.locator("#talk-series")).to_contain_text("every time is a talk of its own")
    single = Canned({"/api/outlook/appointment": [(200, form_answer(talk=outlook.talk()))]})
    _, frame = outlook.open_pane(canned=single)
    expect(frame.locator("#talk-view")).to_be_visible()
    expect(frame.locator("#talk-series")).to_be_hidden()


# -- end to end: the real API, Graph and Entra fakes ------------------------------------------

SEM, FATIMA = str(uuid.uuid4()), str(uuid.uuid4())
MARCO_MAIL, SEM_MAIL, FATIMA_MAIL = "marco@contoso.test", "sem@contoso.test", "fatima@contoso.test"


def marcos_appointment(outlook: OutlookWorld, graph: GraphFake) -> tuple[dict[str, Any], str]:  # noqa: F811
    """Marco's Teams meeting with Sem, as Outlook has it (its body his own), and its EWS id.
    Marco, Sem and Fatima have mailboxes; Sem has opened the app once, Fatima has not."""
    outlook.entra.user_scopes.append("User.ReadBasic.All")  # translateExchangeIds, delegated
    for oid, name, address in (
        (MARCO, "Marco de Vries", MARCO_MAIL),
        (SEM, "Sem Bakker", SEM_MAIL),
        (FATIMA, "Fatima Yilmaz", FATIMA_MAIL),
    ):
        graph.add_mailbox(address, display_name=name, oid=oid)
    sem = outlook.token(SEM, "Sem Bakker", SEM_MAIL)
    client = outlook.app.test_client()
    me = client.get("/api/me", base_url=outlook.base, headers={"Authorization": f"Bearer {sem}"})
    assert me.status_code == 200, me.get_data(as_text=True)
    start = (outlook.clock.now() + timedelta(days=2)).replace(hour=9, minute=0, microsecond=0)
    event = graph.add_event(
        MARCO_MAIL,
        "Ontwikkelgesprek Sem",
        start,
        start + timedelta(hours=1),
        attendees=[SEM_MAIL],
        online_meeting=True,
        body=ORGANISER_TEXT,
    )
    item = outlook.appointment(
        start=start.isoformat(),
        end=(start + timedelta(hours=1)).isoformat(),
        requiredAttendees=[{"emailAddress": SEM_MAIL, "displayName": "Sem Bakker"}],
        optionalAttendees=[],
        organizer={"emailAddress": MARCO_MAIL, "displayName": "Marco de Vries"},
        savedId=graph.ews_id(MARCO_MAIL, event["id"]),
    )
    return item, graph.ews_id(MARCO_MAIL, event["id"])


def test_the_organiser_makes_the_appointment_a_talk_once_and_unlinks_it(
    outlook: OutlookWorld,
    graph: GraphFake,  # noqa: F811
) -> None:
    item, ews_id = marcos_appointment(outlook, graph)
    marco = outlook.token(MARCO, "Marco de Vries", MARCO_MAIL)
    page, frame = outlook.open_pane(item=item, token=marco)
    sem = frame.get_by_role("radio", name=re.compile("Sem Bakker"))
    expect(sem).to_be_checked()  # the one colleague invited
    frame.get_by_role("checkbox", name=re.compile("^Give feedback")).check()
    frame.get_by_role("button", name="Make it a development talk").click()
    expect(frame.locator("#talk-news")).to_contain_text("so Sem gets it too", timeout=5000)
    expect(frame.locator("#talk-with")).to_have_text("Sem Bakker")
    expect(frame.locator("#talk-status")).to_have_text("Planned")
    # The preparation on top of the appointment's text, Marco's own text below it.
    body = page.evaluate("harness.item.body")
    top = page.evaluate("harness.prepends[0].data")
    assert body == top + ORGANISER_TEXT
    talk_url = frame.locator("#open-talk").get_attribute("href") or ""
    assert talk_url.startswith(f"{outlook.base}/talks/") and talk_url.rsplit("/", 1)[1] in top

    # Opened again on the saved appointment: its talk. Pressed again where Outlook gives no id
    # until saving (Mailbox 1.7): the same talk, and nothing put into the body a second time.
    _page2, frame2 = outlook.open_pane(item={**item, "itemId": ews_id}, token=marco)
    expect(frame2.locator("#talk-view")).to_be_visible()
    older = {"sets": {"Mailbox": "1.7", "IdentityAPI": "1.3"}}
    page3, frame3 = outlook.open_pane(item={**item, "body": body}, office=older, token=marco)
    frame3.get_by_role("button", name="Make it a development talk").click()
    expect(frame3.locator("#talk-news")).to_have_text(
        "This appointment already was a development talk."
    )
    assert page3.evaluate("harness.prepends") == []
    assert frame3.locator("#open-talk").get_attribute("href") == talk_url

    frame3.get_by_role("button", name="Remove the link", exact=True).click()
    frame3.get_by_role("button", name="Yes, remove the link").click()
    expect(frame3.locator("#talk-form")).to_be_visible()
    expect(frame3.locator("#pane-status")).to_contain_text("the talk is cancelled")
    talk_id = talk_url.rsplit("/", 1)[1]
    status = outlook.app.test_client().get(
        f"/api/talks/{talk_id}", base_url=outlook.base, headers={"Authorization": f"Bearer {marco}"}
    )
    assert status.json is not None and status.json["status"] == "cancelled"
    assert outlook.outside_requests() == []


def test_another_organiser_can_neither_read_nor_link_the_appointment(
    outlook: OutlookWorld,
    graph: GraphFake,  # noqa: F811
) -> None:
    item, ews_id = marcos_appointment(outlook, graph)
    marco = outlook.token(MARCO, "Marco de Vries", MARCO_MAIL)
    _page, frame = outlook.open_pane(item=item, token=marco)
    frame.get_by_role("button", name="Make it a development talk").click()
    expect(frame.locator("#talk-view")).to_be_visible()

    # Fatima's Outlook names Marco's item: the server reads her mailbox only.
    fatima = outlook.token(FATIMA, "Fatima Yilmaz", FATIMA_MAIL)
    theirs = {**item, "itemId": ews_id, "savedId": ews_id, "organizer": None}
    page2, frame2 = outlook.open_pane(item=theirs, token=fatima)
    expect(frame2.locator("#talk-form")).to_be_visible()  # not Marco's talk
    frame2.get_by_role("radio", name=re.compile("Sem Bakker")).check()
    frame2.get_by_role("button", name="Make it a development talk").click()
    expect(frame2.locator("#talk-form .form-error")).to_have_text(
        "This appointment is not in your calendar. Save it first, or open it from your "
        "own calendar."
    )
    expect(frame2.locator("#talk-view")).to_be_hidden()
    assert page2.evaluate("harness.prepends") == []
