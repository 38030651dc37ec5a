"""What a change made in Outlook leaves on the pages: a talk whose learner was taken off the
meeting says so to the lead (preparation page and overview), and a talk cancelled in Outlook
says why to both (preparation page, and the overview's history). Set by the sync in Microsoft
mode (tests/microsoft/test_calendar_sync.py); the pages are the same in both modes, so they are
checked here on the local app. Screenshots with ``OG_NOTICE_SCREENSHOTS=<folder>``."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from plugin.domain.talk import Talk
from plugin.domain.talk_calendar import CANCELLED_IN_OUTLOOK, LEARNER_REMOVED
from plugin.domain.talk_state import TalkStatus
from tests.browser.conftest import check_accessibility
from tests.conftest import START

SCREENSHOTS = os.environ.get("OG_NOTICE_SCREENSHOTS")


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"notice_{name}.png"), full_page=True)


def mark(services: Any, talk_id: str, **fields: Any) -> None:
    def work(session: Any) -> None:
        talk = session.get(Talk, talk_id)
        for name, value in fields.items():
            setattr(talk, name, value)

    services.write(work)


def test_the_pages_say_what_outlook_changed(
    signed_in_page, live_server, lead, learner, make_talk, services
):
    off = make_talk(lead, learner, title="Sem niet meer uitgenodigd")
    gone = make_talk(
        lead, learner, title="In Outlook geannuleerd", starts_at=START + timedelta(days=3)
    )
    mark(services, off.id, calendar_attention=LEARNER_REMOVED)
    mark(services, gone.id, status=TalkStatus.CANCELLED, cancel_reason=CANCELLED_IN_OUTLOOK)

    for width in (320, 1280):
        page = signed_in_page(lead, width=width)
        page.goto(f"{live_server}/talks/{off.id}/prepare")
        expect(
            page.get_by_role("status").filter(has_text="staat niet meer bij de genodigden")
        ).to_be_visible()
        snap(page, f"lead_prepare_{width}")
        page.goto(f"{live_server}/")
        card = page.locator("#upcoming-list .card", has_text="Sem niet meer uitgenodigd")
        expect(card).to_contain_text("staat niet meer bij de genodigden in Outlook")
        expect(page.locator("body")).to_contain_text("Geannuleerd in Outlook")
        snap(page, f"lead_overview_{width}")
        check_accessibility(page)

    sem = signed_in_page(learner, width=320)
    sem.goto(f"{live_server}/talks/{gone.id}/prepare")
    expect(sem.get_by_text("De afspraak is in Outlook geannuleerd")).to_be_visible()
    snap(sem, "learner_cancelled_320")
    # The lead's notice about the learner is the lead's: the learner's page has none.
    sem.goto(f"{live_server}/talks/{off.id}/prepare")
    expect(sem.locator("#main")).not_to_contain_text("staat niet meer bij de genodigden")
