"""A proposed check-in on the lead's overview: why and when, accepted or dismissed in one
keyboard step; the learner sees no proposal. (Local mode, the local calendar.)

Screenshots (checkin_*.png) with ``OG_CHECKIN_SCREENSHOTS=<folder>``."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from plugin.services import reminders as scanner
from tests.browser.conftest import check_accessibility
from tests.browser.test_overview_todo import fits, overview, todo_texts

SCREENSHOTS = os.environ.get("OG_CHECKIN_SCREENSHOTS")
WHAT = "Sem regelt een meeloopdag"
AMS = ZoneInfo("Europe/Amsterdam")


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"checkin_{name}.png"), full_page=True)


def overdue_and_proposed(services, make_talk, lead, learner, client_for, clock) -> Any:
    """Sem's agreement from Tuesday 2 March was due on the 3rd; on Thursday 4 March at 10:00
    the reminder scan proposes a check-in to Marco, and the worker finds its time."""
    talk = make_talk(lead, learner, title="Voortgang stage")
    marco, sem = client_for(lead), client_for(learner)
    clock.set(talk.starts_at + timedelta(minutes=5))
    made = marco.post(
        f"/api/talks/{talk.id}/agreements",
        json={"what": WHAT, "owner": "learner", "due": "2027-03-03"},
    )
    assert made.status_code == 201, made.json
    url = f"/api/talks/{talk.id}/agreements/{made.json['id']}/confirm"
    assert sem.post(url, json={"version": 1}).status_code == 200
    clock.set(talk.ends_at + timedelta(minutes=1))
    assert marco.sign(talk.id).status_code == 200
    assert sem.sign(talk.id).status_code == 200
    clock.set(clock.now().replace(day=4, hour=9))  # Thursday 4 March, 10:00 in Amsterdam
    services.write(lambda s: scanner.scan(services, s))
    return marco


def check_in_card(page: Page) -> Any:
    return page.locator("#todo-list li[data-check-in-id]")


def test_the_lead_accepts_a_check_in_in_one_keyboard_step(
    services, signed_in_page, lead, learner, make_talk, client_for, clock
):
    marco = overdue_and_proposed(services, make_talk, lead, learner, client_for, clock)
    page = overview(signed_in_page, lead, width=320)
    card = check_in_card(page)
    expect(card).to_have_count(1)
    expect(card).to_contain_text(WHAT)
    expect(card).to_contain_text("Deze afspraak moest op 3 mrt 2027 klaar zijn.")
    # The first quarter free for both (the follow-up, booked near the due date, comes first).
    [todo] = [t for t in marco.get("/api/overview").json["todo"] if t["kind"] == "check_in"]
    starts = datetime.fromisoformat(todo["check_in"]["starts_at"]).astimezone(AMS)
    expect(card).to_contain_text(f"15 minuten op donderdag 4 maart om {starts:%H:%M}")
    fits(page)
    snap(page, "lead_320")
    check_accessibility(page)

    accept = card.get_by_role("button", name="Inplannen")
    accept.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#og-announcer")).to_have_text(
        "Het tussentijds gesprek komt in jullie beide agenda's."
    )
    expect(check_in_card(page)).to_have_count(0)
    # Booked: the check-in is a 15-minute talk in Marco's upcoming talks and calendar.
    upcoming = [
        t for t in marco.get("/api/overview").json["upcoming"] if "Tussentijds" in t["title"]
    ]
    assert len(upcoming) == 1, upcoming
    expect(page.locator("#upcoming-list")).to_contain_text("Tussentijds gesprek: Sem")
    # Nothing to prepare for it.
    assert not any("Tussentijds" in t for t in todo_texts(page)), todo_texts(page)

    wide = overview(signed_in_page, lead, width=1280)
    snap(wide, "lead_wide_after")


def test_the_lead_dismisses_it_and_the_learner_never_sees_it(
    services, signed_in_page, lead, learner, make_talk, client_for, clock
):
    overdue_and_proposed(services, make_talk, lead, learner, client_for, clock)
    sem = overview(signed_in_page, learner, width=320)
    assert not any("Tussentijds" in t for t in todo_texts(sem))
    expect(check_in_card(sem)).to_have_count(0)
    snap(sem, "learner_320")

    page = overview(signed_in_page, lead, width=1280)
    snap(page, "lead_wide")
    check_in_card(page).get_by_role("button", name="Niet nodig").click()
    expect(page.locator("#og-announcer")).to_contain_text("Geen tussentijds gesprek.")
    expect(check_in_card(page)).to_have_count(0)
    # The next scans propose nothing for the same date.
    clock.set(clock.now() + timedelta(days=1))
    services.write(lambda s: scanner.scan(services, s))
    page.reload()
    expect(page.locator("#overview-status")).to_be_hidden()
    expect(check_in_card(page)).to_have_count(0)
