""" "Pick a time yourself" (checkin_pick.js) on the lead's overview, for a proposed check-in for
which no time free for both was found: the lead picks a day and a time, and the check-in is
booked at that time; a time outside working hours is refused at the field, in Dutch.

overview.js offers the choice on the check-in's card in place of "accept" when the
proposal found no time.

Screenshots (checkin_pick_*.png) with ``OG_CHECKIN_SCREENSHOTS=<folder>``."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from plugin.domain.checkin import CheckIn
from plugin.domain.talk import Talk
from tests.api.test_checkins import at, signed_agreement
from tests.api.test_follow_up_booking import busy
from tests.browser.conftest import check_accessibility
from tests.browser.test_overview_todo import fits, overview
from tests.checkins.support import proposed

SCREENSHOTS = os.environ.get("OG_CHECKIN_SCREENSHOTS")


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"checkin_pick_{name}.png"), full_page=True)


def no_time(services, clock, outbox, make_talk, lead, learner) -> CheckIn:
    signed_agreement(services, clock, make_talk, lead, learner, date(2027, 3, 10))
    outbox.drain()
    busy(services, lead, at(3, 11, 7), at(3, 20, 0))
    clock.set(at(3, 11, 9))
    check_in_id = proposed(services, clock, outbox)["id"]
    found: CheckIn = services.read(lambda s: s.get(CheckIn, check_in_id))
    assert found.problem == "no_free_slot"
    return found


def mounted(signed_in_page, lead, check_in: CheckIn, width: int) -> Any:
    page = overview(signed_in_page, lead, width=width)
    card = page.locator(f"#todo-list li[data-check-in-id='{check_in.id}']")
    expect(card).to_contain_text("niet tegelijk vrij")
    expect(card.get_by_role("button", name="Inplannen", exact=True)).to_have_count(0)
    return page, card


def test_the_lead_picks_a_time_and_the_check_in_is_booked_then(
    services, signed_in_page, lead, learner, make_talk, clock, outbox
):
    check_in = no_time(services, clock, outbox, make_talk, lead, learner)
    page, card = mounted(signed_in_page, lead, check_in, width=320)
    card.get_by_role("button", name="Kies zelf een tijd").click()
    expect(card.get_by_label("Datum", exact=True)).to_be_focused()
    # Before working hours: said at the time field; nothing booked.
    card.get_by_label("Datum", exact=True).fill("2027-03-22")
    card.get_by_label("Tijd", exact=True).fill("07:00")
    card.get_by_role("button", name="Op deze tijd inplannen").click()
    expect(card.locator(".field-error")).to_have_text(
        "Kies een tijd op een werkdag, binnen de werktijden."
    )
    fits(page)
    check_accessibility(page)
    snap(page, "lead_320_refused")
    assert services.read(lambda s: s.get(CheckIn, check_in.id).state.value) == "proposed"

    card.get_by_label("Tijd", exact=True).fill("10:30")
    card.get_by_role("button", name="Op deze tijd inplannen").click()
    # Booked: the overview is drawn again without the proposal.
    expect(page.locator(f"#todo-list li[data-check-in-id='{check_in.id}']")).to_have_count(0)
    outbox.drain()
    booked = services.read(lambda s: s.get(CheckIn, check_in.id))
    assert booked.check_in_talk_id is not None
    talk = services.read(lambda s: s.get(Talk, booked.check_in_talk_id))
    assert talk.starts_at == at(3, 22, 10, 30)
    assert talk.ends_at == datetime.fromisoformat("2027-03-22T10:45:00+01:00")
