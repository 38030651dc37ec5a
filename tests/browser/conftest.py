"""Browser fixtures: one headless Chromium per session, the test's Flask app on a real port,
pages signed in as a person, and an axe-core accessibility check.

The browsers run on the tests' clock too (`clock`): a page's `Date.now()` is the app's now, and
follows it when a test moves the clock, so what a page works out from the time (has the talk
begun?) agrees with the server.

Browser tests run on SQLite only (the API tests cover both databases); a test that needs
PostgreSQL asks for it with ``@pytest.mark.parametrize("db_url", ["postgresql"],
indirect=True)`` (or ``["sqlite", "postgresql"]`` for both, as the main talk loop does) or
uses the ``pg_db_url`` fixture.
"""

from __future__ import annotations

import itertools
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    sync_playwright,
)
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.identity.local import issue_signin_token
from plugin.services.context import Services
from tests.admin.conftest import admin_app, hr  # noqa: F401  (fixtures: the admin pages' tests)
from tests.conftest import START
from tests.support.postgres import _execute_on_database, drop_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parent.parent / ".npm" / "node_modules" / "axe-core" / "axe.min.js"
LOCALES = {"nl": "nl-NL", "en": "en-GB"}
#: Console messages of requests that fail because the test took the browser offline.
OFFLINE_ERRORS = ("net::ERR_INTERNET_DISCONNECTED", "net::ERR_NETWORK_CHANGED")
#: Chromium logs every 4xx/5xx response as a console error; only 5xx count as errors here.
CLIENT_ERROR_RESPONSE = re.compile(
    r"Failed to load resource: the server responded with a status of 4\d\d\b"
)
_names = itertools.count(1)


# -- databases --------------------------------------------------------------------------------


def _with_database(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def _postgres_database(request: pytest.FixtureRequest) -> Iterator[str]:
    server: str = request.getfixturevalue("pg_server")
    template: str = request.getfixturevalue("pg_template")
    name = f"og_browser_{next(_names)}"
    _execute_on_database(server, f"CREATE DATABASE {{}} TEMPLATE {template}", name)
    try:
        yield _with_database(server, name)
    finally:
        drop_database(server, name)


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite only (overrides the root fixture's sqlite/postgresql parametrisation).

    A test can still ask for PostgreSQL: parametrize ``db_url`` indirectly with "postgresql".
    """
    kind = getattr(request, "param", "sqlite")
    assert kind in ("sqlite", "postgresql"), kind
    with ExitStack() as stack:
        if kind == "postgresql":
            url = stack.enter_context(_postgres_database(request))
        else:
            path = tmp_path / "test.db"
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
            url = f"sqlite:///{path}"
        yield url


@pytest.fixture
def pg_db_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database (a copy of the session's template)."""
    with _postgres_database(request) as url:
        yield url


# -- browser and server -----------------------------------------------------------------------


class BrowserClock(FixedClock):
    """The tests' clock, which the browsers follow: `Date.now()` in every page of a context it
    keeps (`keep`) is its time, also after the test moves it. Timers in the pages run as usual."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at)
        self._contexts: list[BrowserContext] = []

    def keep(self, context: BrowserContext) -> None:
        self._contexts.append(context)
        context.clock.set_fixed_time(self.now())

    def advance(self, delta: timedelta) -> None:
        super().advance(delta)
        self._follow()

    def set(self, at: datetime) -> None:
        super().set(at)
        self._follow()

    def _follow(self) -> None:
        for context in self._contexts:
            with suppress(Error):  # closed by the test already
                context.clock.set_fixed_time(self.now())


@pytest.fixture
def clock() -> BrowserClock:
    return BrowserClock(START)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test's app on 127.0.0.1 (a free port), in a thread: its base URL.

    The app runs on the test's FixedClock, so a test can move time between steps.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# -- signed-in pages --------------------------------------------------------------------------


class PageErrors:
    """JavaScript errors of the pages of one test: console errors and uncaught exceptions."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._watched: set[int] = set()

    def watch(self, page: Page) -> None:
        if id(page) in self._watched:
            return
        self._watched.add(id(page))
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if any(code in message.text for code in OFFLINE_ERRORS):
            return  # the test went offline on purpose
        if CLIENT_ERROR_RESPONSE.match(message.text):
            return  # a 4xx answer (a 409, the favicon's 404): the page's code handles those
        location = message.location.get("url", "") if message.location else ""
        self.errors.append(f"{page.url}: console error: {message.text} ({location})")


@pytest.fixture
def signed_in_page(
    browser: Browser, live_server: str, services: Services, clock: BrowserClock
) -> Iterator[Callable[..., Page]]:
    """``signed_in_page(person, width=1000, theme=None, lang=None)``: a new browser context
    (width×800, Dutch unless ``lang`` says otherwise, the theme cookie if given) signed in as
    ``person`` through a one-time link; returns the page, which is then on ``/``.

    The test fails at teardown if any of its pages had a JavaScript error: an uncaught
    exception, or a console error other than a 4xx response (Chromium logs those, but the
    page's code handles them) or a request that failed because the test went offline.
    """
    contexts: list[BrowserContext] = []
    watcher = PageErrors()

    def open_page(
        person: Person, width: int = 1000, theme: str | None = None, lang: str | None = None
    ) -> Page:
        locale = LOCALES.get(lang, lang) if lang else "nl-NL"
        context = browser.new_context(viewport={"width": width, "height": 800}, locale=locale)
        contexts.append(context)
        clock.keep(context)
        if theme is not None:
            context.add_cookies([{"name": "og_theme", "value": theme, "url": live_server}])
        context.on("page", watcher.watch)
        page = context.new_page()
        watcher.watch(page)
        token = services.write(lambda s: issue_signin_token(s, person, services.clock.now()))
        response = page.goto(f"{live_server}/signin/{token}")
        assert page.url == f"{live_server}/", f"sign-in did not land on /: {page.url}"
        assert response is not None
        return page

    yield open_page

    for context in contexts:
        with suppress(Error):
            context.close()
    if watcher.errors:
        pytest.fail("JavaScript errors on the pages:\n" + "\n".join(watcher.errors))


# -- accessibility ----------------------------------------------------------------------------


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page; fail on any serious or critical violation."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}); run `bash tests/install.sh`")
    # Not `page.add_script_tag(path=...)`: that inlines the script, which the app's
    # Content-Security-Policy (default-src 'self') rightly blocks. Evaluating through the
    # DevTools protocol is not subject to the page's CSP, and leaves it switched on.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result: dict[str, Any] = page.evaluate('axe.run(document, {resultTypes: ["violations"]})')
    bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    if not bad:
        return
    lines = [f"axe found {len(bad)} serious or critical violation(s) on {page.url}:"]
    for violation in bad:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')}".rstrip())
    pytest.fail("\n".join(lines))
