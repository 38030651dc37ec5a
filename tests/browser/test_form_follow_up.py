"""The follow-up's date and time on the signed form, on paper, and on the school supervisor's
link, in Chromium: "Het vervolggesprek staat op dinsdag 13 april om 08:30", never "null".

The API's side (the time in the answers, and what it costs): tests/api/test_follow_up_time.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from playwright.sync_api import Browser, BrowserContext, Page, expect

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services import talks
from plugin.services.context import Services
from tests.api.test_form_integrity import share_link_path, sign_a_talk
from tests.browser.conftest import BrowserClock, PageErrors, check_accessibility
from tests.conftest import ApiClient

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def said_when(starts_at: datetime) -> str:
    """How a Dutch page says when the follow-up is (this year's, so without the year)."""
    return format_datetime(starts_at, "EEEE d MMMM 'om' HH:mm", tzinfo=AMSTERDAM, locale="nl")


@pytest.fixture
def supervisor_page(browser: Browser, clock: BrowserClock) -> Iterator[Page]:
    """The school supervisor's browser: nobody signed in, only the link."""
    errors = PageErrors()
    context: BrowserContext = browser.new_context(locale="nl-NL")
    clock.keep(context)
    page = context.new_page()
    errors.watch(page)
    yield page
    context.close()
    if errors.errors:
        pytest.fail("JavaScript errors on the share page:\n" + "\n".join(errors.errors))


def test_the_form_its_print_and_the_supervisors_link_say_when_the_follow_up_is(
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
    marco_api, sem_api = client_for(lead), client_for(learner)
    talk_id = sign_a_talk(marco_api, sem_api, make_talk, lead, learner, clock)
    follow_up_id = services.read(lambda s: talks.load_talk(s, lead, talk_id).follow_up_talk_id)
    assert follow_up_id is not None
    follow_up = services.read(lambda s: talks.load_talk(s, lead, follow_up_id))
    sentence = f"Het vervolggesprek staat op {said_when(follow_up.starts_at)}."

    marco = signed_in_page(lead, width=320)
    marco.goto(f"{live_server}/talks/{talk_id}/form")
    when = marco.locator("#follow-up-when")
    expect(when).to_have_text(sentence)
    link = marco.locator("#follow-up").get_by_role("link", name="Open het vervolggesprek")
    expect(link).to_have_attribute("href", f"/talks/{follow_up_id}")
    check_accessibility(marco)
    # On paper the sentence stays; the links, of no use there, go.
    marco.emulate_media(media="print")
    expect(when).to_be_visible()
    expect(link).to_be_hidden()

    # The school supervisor reads when it is, but gets no way into the next talk.
    supervisor_page.goto(f"{live_server}{share_link_path(marco_api, talk_id)}")
    box = supervisor_page.locator("#follow-up")
    expect(box.locator("#follow-up-when")).to_have_text(sentence)
    expect(box).to_have_text(sentence)  # nothing else: no "null", no links
    expect(box.get_by_role("link")).to_have_count(0)
    check_accessibility(supervisor_page)
