"""What the signed form page and the school supervisor's share page show, in Chromium, once a
stored row of the signed form was changed behind the app's back (SQLite and PostgreSQL).

The API's side of the same check, for every kind of change: tests/api/test_form_integrity.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services.context import Services
from tests.api.test_form_integrity import share_link_path, sign_a_talk, tamper
from tests.browser.conftest import PageErrors
from tests.conftest import ApiClient

INTACT = "Formulier intact: de afgetekende inhoud komt overeen met de hash."
NOT_INTACT = re.compile(r"^⚠ Let op: het afgetekende formulier komt niet overeen met de hash")


@pytest.fixture
def supervisor_page(browser: Browser) -> Iterator[Page]:
    """A browser of the school supervisor: nobody signed in, only the link. Fails the test on
    any JavaScript error."""
    errors = PageErrors()
    context: BrowserContext = browser.new_context(locale="nl-NL")
    page = context.new_page()
    errors.watch(page)
    yield page
    context.close()
    if errors.errors:
        pytest.fail("JavaScript errors on the share page:\n" + "\n".join(errors.errors))


def intact_slot_says(page: Page, intact: bool) -> None:
    slot = page.locator("#intact")
    if intact:
        expect(slot).to_have_text(f"✓ {INTACT}")
        expect(slot).to_have_class(re.compile(r"(^|\s)ok(\s|$)"))
    else:
        expect(slot).to_have_text(NOT_INTACT)
        expect(slot).to_have_class(re.compile(r"(^|\s)offline(\s|$)"))
        expect(slot).not_to_have_class(re.compile(r"(^|\s)ok(\s|$)"))


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_the_form_and_share_pages_warn_when_the_signed_form_was_changed(
    signed_in_page: Callable[..., Page],
    supervisor_page: Page,
    live_server: str,
    client_for: Callable[[Person], ApiClient],
    services: Services,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    marco, sem = client_for(lead), client_for(learner)
    talk_id = sign_a_talk(marco, sem, make_talk, lead, learner, clock)
    shared = share_link_path(marco, talk_id)
    form_page = signed_in_page(lead)
    form_page.goto(f"{live_server}/talks/{talk_id}/form")
    supervisor_page.goto(f"{live_server}{shared}")
    for page in (form_page, supervisor_page):
        intact_slot_says(page, intact=True)  # untouched: the check's verdict, not a default

    tamper(services, "agreement_reworded", talk_id)

    form_page.reload()
    supervisor_page.reload()
    for page in (form_page, supervisor_page):
        intact_slot_says(page, intact=False)
        # The changed text shows, with the warning beside it.
        expect(page.locator("article.talk-form")).to_contain_text("Sem hoeft geen cv-installatie")
