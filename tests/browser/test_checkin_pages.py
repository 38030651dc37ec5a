"""A check-in's pages, in Dutch, as the lead and as the learner (local mode): the page before it
shows what it is for, the agreement and its progress (no checklist); the panel has no
agreements list, no feedback composer and no sign-off; the lead proposes a new due date, the
learner confirms it, and the agreement's due date changes (the lead's open panel follows). The
form page of a check-in leads to its panel.

Screenshots (checkin_page_*.png) with ``OG_CHECKIN_SCREENSHOTS=<folder>``."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from plugin.domain.agreement import Agreement
from tests.api.test_checkins import at
from tests.browser.conftest import check_accessibility
from tests.browser.test_overview_todo import fits
from tests.checkins.support import NOTE, proposed, slipped

SCREENSHOTS = os.environ.get("OG_CHECKIN_SCREENSHOTS")


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"checkin_page_{name}.png"), full_page=True)


def booked(services, clock, outbox, make_talk, lead, learner, client_for) -> tuple[str, str, Any]:
    """Sem's slipped agreement, its check-in accepted by Marco and booked: Thursday 11 March at
    09:00 (the first quarter free for both). The agreement's id, the check-in talk's id, and
    Marco's API client."""
    item = slipped(services, clock, outbox, make_talk, lead, learner)
    check_in_id = proposed(services, clock, outbox)["id"]
    marco = client_for(lead)
    offer = marco.get(f"/api/check-ins/{check_in_id}").json
    answer = marco.post(f"/api/check-ins/{check_in_id}/accept", json={"version": offer["version"]})
    assert answer.status_code == 200, answer.json
    outbox.drain()
    talk_id = marco.get(f"/api/check-ins/{check_in_id}").json["check_in_talk_id"]
    assert talk_id is not None
    return item.id, talk_id, marco


def open_at(signed_in_page, person, path: str, **options: Any) -> Page:
    page: Page = signed_in_page(person, **options)
    base = page.url.rstrip("/")
    page.goto(f"{base}{path}")
    return page


def test_the_page_before_a_check_in_shows_the_agreement_and_its_progress(
    services, signed_in_page, lead, learner, make_talk, client_for, clock, outbox
):
    _, talk_id, _ = booked(services, clock, outbox, make_talk, lead, learner, client_for)
    clock.set(at(3, 11, 8, 30))  # before it
    for person, width in ((learner, 320), (lead, 1280)):
        page = open_at(signed_in_page, person, f"/talks/{talk_id}", width=width)
        expect(page).to_have_url(f"{page.url.split('/talks/')[0]}/talks/{talk_id}/prepare")
        expect(page.locator("h1")).to_contain_text("Tussentijds gesprek")
        expect(page.locator("#check-in-reason")).to_have_text(
            "Deze afspraak moest op 10 mrt 2027 klaar zijn."
        )
        expect(page.locator("#check-in-agreement-card")).to_contain_text("Sem loopt een dag mee")
        expect(page.locator("#check-in-agreement-card")).to_contain_text("10 mrt 2027")
        history = page.locator("#check-in-history li")
        expect(history).to_have_count(2)
        expect(history.nth(0)).to_contain_text("5 mrt 2027")
        expect(history.nth(0)).to_contain_text(NOTE)  # as text, never as markup
        expect(history.nth(1)).to_contain_text("Loopt vast")
        # Nothing to prepare, no form to sign.
        expect(page.locator("#prep-root")).to_have_count(0)
        expect(page.get_by_role("link", name="Formulier")).to_have_count(0)
        if person is lead:
            expect(page.get_by_role("button", name="Verzetten")).to_be_visible()
        fits(page)
        check_accessibility(page)
        snap(page, f"about_{'lead' if person is lead else 'learner'}_{width}")


def test_the_lead_proposes_a_new_due_date_and_the_learner_confirms_it(
    services, signed_in_page, lead, learner, make_talk, client_for, clock, outbox
):
    agreement_id, talk_id, marco = booked(
        services, clock, outbox, make_talk, lead, learner, client_for
    )
    clock.set(at(3, 11, 9, 5))  # during the check-in
    page = open_at(signed_in_page, lead, f"/talks/{talk_id}/panel", width=1280)
    # No agreements of its own, no feedback composer, no sign-off.
    expect(page.get_by_role("heading", name="Aftekenen")).to_be_hidden()
    expect(page.get_by_role("heading", name="Nieuwe afspraak")).to_be_hidden()
    expect(page.locator("#feedback-section")).to_be_hidden()
    expect(page.get_by_role("button", name="Formulier aftekenen")).to_have_count(0)
    expect(page.get_by_role("heading", name="Wat jullie nu afspreken")).to_be_visible()
    expect(page.locator("#check-in-what")).to_have_text("Sem loopt een dag mee")
    check_accessibility(page)
    snap(page, "panel_lead_wide")

    # Nothing changed: said at the field, nothing sent.
    page.get_by_role("button", name="Voorstellen aan Sem").click()
    expect(page.locator("#outcome-due-error")).to_have_text(
        "Pas eerst de formulering aan of kies een nieuwe datum."
    )
    page.get_by_label("Nieuwe datum (optioneel)").fill("2027-03-24")
    page.get_by_role("button", name="Voorstellen aan Sem").click()
    expect(page.locator("#og-announcer")).to_have_text("Naar Sem gestuurd om te bevestigen.")
    expect(page.locator("#check-in-proposal")).to_contain_text(
        "Dit heb jij voorgesteld. Wacht op de bevestiging van Sem."
    )
    expect(page.locator("#check-in-proposal")).to_contain_text("24 mrt 2027")
    # Not changed before Sem confirms.
    expect(page.locator("#check-in-due")).to_contain_text("10 mrt 2027")
    assert services.read(lambda s: s.get(Agreement, agreement_id).due.isoformat()) == "2027-03-10"

    sem = open_at(signed_in_page, learner, f"/talks/{talk_id}/panel", width=320)
    proposal = sem.locator("#check-in-proposal")
    expect(proposal).to_contain_text("Marco stelt dit voor.")
    expect(proposal).to_contain_text("24 mrt 2027")
    fits(sem)
    snap(sem, "panel_learner_320_proposed")
    sem.get_by_role("button", name="Wijziging bevestigen").click()
    expect(sem.locator("#og-announcer")).to_have_text("Bevestigd. De afspraak is aangepast.")
    expect(sem.locator("#check-in-confirmed")).to_be_visible()
    expect(sem.locator("#check-in-due")).to_contain_text("24 mrt 2027")
    check_accessibility(sem)
    snap(sem, "panel_learner_320_confirmed")

    # The agreement changed; Marco's open panel follows.
    assert services.read(lambda s: s.get(Agreement, agreement_id).due.isoformat()) == "2027-03-24"
    expect(page.locator("#check-in-confirmed")).to_be_visible()
    expect(page.locator("#check-in-due")).to_contain_text("24 mrt 2027")
    snap(page, "panel_lead_wide_confirmed")
    # The overview's open agreements say the new date too.
    mine = marco.get("/api/overview").json["open_agreements"]
    listed = [a for group in mine.values() for a in group if a["id"] == agreement_id]
    assert [a["due"] for a in listed] == ["2027-03-24"]


def test_a_check_in_has_no_form_page_and_cannot_be_written_before_it_starts(
    services, signed_in_page, lead, learner, make_talk, client_for, clock, outbox
):
    _, talk_id, _ = booked(services, clock, outbox, make_talk, lead, learner, client_for)
    clock.set(at(3, 11, 8, 30))
    page = open_at(signed_in_page, learner, f"/talks/{talk_id}/form", width=1000)
    expect(page).to_have_url(f"{page.url.split('/talks/')[0]}/talks/{talk_id}/panel")
    expect(page.locator("#check-in-not-started")).to_have_text(
        "Zodra het tussentijds gesprek begonnen is, schrijf je hier op wat jullie afspreken."
    )
    expect(page.locator("#outcome-form")).to_be_hidden()
    # Once it starts, the form opens without a reload.
    clock.set(at(3, 11, 9) + timedelta(minutes=1))
    expect(page.locator("#outcome-form")).to_be_visible(timeout=20000)


def test_the_check_in_pages_in_english(
    services, signed_in_page, lead, learner, make_talk, client_for, clock, outbox
):
    _, talk_id, _ = booked(services, clock, outbox, make_talk, lead, learner, client_for)
    clock.set(at(3, 11, 8, 30))
    page = open_at(signed_in_page, learner, f"/talks/{talk_id}/prepare", lang="en")
    expect(page.get_by_role("heading", name="What this check-in is for")).to_be_visible()
    # (ui.js's formatDate writes English dates the American way: "Mar 10, 2027".)
    expect(page.locator("#check-in-reason")).to_contain_text("This agreement was due on Mar 10")
    expect(page.locator("#check-in-history li").nth(1)).to_contain_text("Stuck")
    clock.set(at(3, 11, 9, 5))
    page.get_by_role("link", name="Open the check-in").click()
    expect(page.get_by_role("heading", name="What you agree now")).to_be_visible()
    expect(page.get_by_role("button", name="Propose to Marco")).to_be_visible()
    snap(page, "panel_learner_en")
