"""Every page, in a real browser: accessible in each theme (axe-core), usable at 320 px,
in Dutch by default and in English on request, and without requests to other hosts.

Nothing here is skipped: a page whose template is missing fails."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from plugin.domain.agreement import Owner
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services import agreements, signoff
from plugin.services.context import Services
from tests.browser.conftest import check_accessibility

PAGES = ["overview", "plan", "prepare", "panel", "form"]
THEMES = ["light", "dark", "contrast"]
#: The agreement waiting for confirmation in the talk under way (what its panel shows).
LIVE_AGREEMENT = "Sem leest de veiligheidsinstructie"
SETTLE_MS = 5_000


@pytest.fixture
def page_paths(
    services: Services,
    clock: FixedClock,
    lead: Person,
    learner: Person,
    make_talk: Callable[..., Talk],
) -> dict[str, str]:
    """A path for each page, with data behind it: a talk to prepare (in two days), one
    under way (for the panel, with an agreement waiting for confirmation) and a signed one."""
    start = clock.now()
    upcoming = make_talk(lead, learner, starts_at=start + timedelta(days=2))
    signed = make_talk(lead, learner, starts_at=start + timedelta(hours=1))
    live = make_talk(lead, learner, starts_at=start + timedelta(hours=3))

    clock.set(signed.starts_at + timedelta(minutes=5))

    def agree_and_sign(s: object) -> None:
        mine = agreements.add_agreement(
            services,
            s,
            learner,
            signed.id,
            what="Ik oefen het offertetraject",
            owner=Owner.LEARNER,
            due=date(2027, 4, 1),
        )
        agreements.confirm_agreement(services, s, lead, signed.id, mine.id, expected_version=1)
        theirs = agreements.add_agreement(
            services,
            s,
            lead,
            signed.id,
            what="Marco plant een meeloopdag",
            owner=Owner.LEAD,
            due=None,
        )
        agreements.confirm_agreement(services, s, learner, signed.id, theirs.id, expected_version=1)
        signoff.sign_as_shown(services, s, lead, signed.id)
        signoff.sign_as_shown(services, s, learner, signed.id)

    services.write(agree_and_sign)

    clock.set(live.starts_at + timedelta(minutes=5))
    services.write(
        lambda s: agreements.add_agreement(
            services,
            s,
            lead,
            live.id,
            what=LIVE_AGREEMENT,
            owner=Owner.LEARNER,
            due=None,
        )
    )
    return {
        "overview": "/",
        "plan": "/talks/new",
        "prepare": f"/talks/{upcoming.id}/prepare",
        "panel": f"/talks/{live.id}/panel",
        "form": f"/talks/{signed.id}/form",
    }


def open_as_lead(
    signed_in_page: Callable[..., Page],
    live_server: str,
    lead: Person,
    path: str,
    **options: object,
) -> Page:
    page = signed_in_page(lead, **options)
    response = page.goto(f"{live_server}{path}")
    assert response is not None
    assert response.status == 200, f"{path}: HTTP {response.status}"
    settle(page)
    return page


def settle(page: Page) -> None:
    """Wait until the page's scripts have fetched and rendered; not settling in 5 s fails the
    test (a page checked half-rendered would pass for the wrong reason)."""
    if urlsplit(page.url).path.endswith("/panel"):
        # The live panel polls every 500 ms, so its network never goes idle: wait until it
        # shows the talk's agreement instead.
        agreement = page.locator("#agreements li", has_text=LIVE_AGREEMENT)
        expect(agreement).to_be_visible(timeout=SETTLE_MS)
    else:
        page.wait_for_load_state("networkidle", timeout=SETTLE_MS)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", PAGES)
def test_page_is_accessible_in_each_theme(
    signed_in_page, live_server, lead, page_paths, name, theme
):
    page = open_as_lead(signed_in_page, live_server, lead, page_paths[name], theme=theme)
    expect(page.locator("html")).to_have_attribute("data-theme", theme)
    check_accessibility(page)


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_320_px_wide(signed_in_page, live_server, lead, page_paths, name):
    page = open_as_lead(signed_in_page, live_server, lead, page_paths[name], width=320)
    expect(page.locator("main h1").first).to_be_visible()
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{name} scrolls sideways at 320 px: scrollWidth {scroll_width} > {inner_width}"
    )


@pytest.mark.parametrize("name", PAGES)
def test_page_speaks_dutch_by_default_and_english_on_request(
    signed_in_page, live_server, lead, page_paths, name
):
    page = open_as_lead(signed_in_page, live_server, lead, page_paths[name])
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("main h1").first).to_be_visible()

    response = page.goto(f"{live_server}{page_paths[name]}?lang=en")
    assert response is not None
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1").first).to_be_visible()


@pytest.mark.parametrize("name", PAGES)
def test_page_sends_no_request_to_another_host(signed_in_page, live_server, lead, page_paths, name):
    page = signed_in_page(lead)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(f"{live_server}{page_paths[name]}")
    assert response is not None
    assert response.status == 200
    settle(page)
    assert requested, "the page made no requests at all"
    elsewhere = [
        url
        for url in requested
        if not url.startswith(f"{live_server}/") and not url.startswith(("data:", "blob:"))
    ]
    assert not elsewhere, f"{name} sent requests to other hosts: {elsewhere}"
