"""The lead moves and cancels a talk from its pages (local mode, the real API): the preparation
page and the overview offer Verzetten and Gesprek annuleren to the lead of a planned talk, and
to nobody else. The server's rules and messages hold; nothing typed is lost on a refusal.

Screenshots of the open form and the learner's view with ``OG_MOVE_SCREENSHOTS=<folder>``."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from plugin.services import talks
from tests.browser.conftest import check_accessibility
from tests.conftest import START

#: Set to a folder to keep screenshots (move_*.png) of the form and the learner's view.
SCREENSHOTS = os.environ.get("OG_MOVE_SCREENSHOTS")
#: The talk of the tests: Tuesday 2 March 2027, 09:00 in Amsterdam, 45 minutes.
TITLE = "Voortgang stage"


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"move_{name}.png"))


def events_of(client: Any) -> list[dict[str, Any]]:
    window = {"start": START.isoformat(), "end": (START + timedelta(days=30)).isoformat()}
    response = client.get("/api/calendar/events", query_string=window)
    assert response.status_code == 200, response.json
    events: list[dict[str, Any]] = response.json["events"]
    return events


def open_page(signed_in_page, live_server: str, person, path: str, **options: Any) -> Page:
    page = signed_in_page(person, **options)
    page.goto(f"{live_server}{path}")
    page.wait_for_load_state("networkidle")
    return page


def buttons(scope: Page | Locator) -> tuple[Locator, Locator]:
    return (
        scope.get_by_role("button", name="Verzetten", exact=True),
        scope.get_by_role("button", name="Gesprek annuleren", exact=True),
    )


def no_actions(page: Page) -> None:
    """Neither button, in any language: not even the place for them."""
    for button in buttons(page):
        expect(button).to_have_count(0)
    expect(page.locator(".talk-actions")).to_have_count(0)


def fits(page: Page) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"scrolls sideways: {scroll_width} > {inner_width}"


def test_the_lead_moves_the_talk_from_the_preparation_page(
    signed_in_page, live_server, lead, learner, make_talk, client_for
):
    talk = make_talk(lead, learner, title=TITLE)
    marco = open_page(signed_in_page, live_server, lead, f"/talks/{talk.id}/prepare", width=1280)
    move, _cancel = buttons(marco)
    move.click()

    form = marco.locator("form.talk-move")
    date = form.get_by_label("Datum")
    # The talk's own time, in the Netherlands; the focus is in the form.
    expect(date).to_be_focused()
    expect(date).to_have_value("2027-03-02")
    expect(form.get_by_label("Tijd")).to_have_value("09:00")
    expect(form.get_by_label("Duur")).to_have_value("45")
    check_accessibility(marco)
    snap(marco, "prepare_1280_light")

    date.fill("2027-03-04")
    form.get_by_label("Tijd").fill("13:30")
    form.get_by_label("Duur").select_option("60")
    form.get_by_role("button", name="Nieuwe tijd opslaan").click()

    expect(marco.locator(".talk-actions-status")).to_have_text(
        "Het gesprek staat nu op donderdag 4 maart 2027 om 13:30."
    )
    expect(form).to_have_count(0)
    expect(move).to_be_focused()
    expect(marco.locator("#talk-when")).to_contain_text("4 mrt")
    snap(marco, "prepare_1280_moved")

    new_start = datetime.fromisoformat("2027-03-04T13:30:00+01:00")
    seen = client_for(lead).talk(talk.id)
    assert datetime.fromisoformat(seen["starts_at"]) == new_start
    assert datetime.fromisoformat(seen["ends_at"]) == new_start + timedelta(minutes=60)
    assert seen["calendar"]["state"] == "synced"
    # The local calendar's event moved with it, for both.
    for who in (lead, learner):
        [event] = events_of(client_for(who))
        assert datetime.fromisoformat(event["start"]) == new_start
        assert event["cancelled"] is False


def test_a_move_into_the_past_is_refused_at_the_date_and_nothing_changes(
    signed_in_page, live_server, lead, learner, make_talk, client_for
):
    talk = make_talk(lead, learner, title=TITLE)
    before = client_for(lead).talk(talk.id)
    marco = open_page(
        signed_in_page, live_server, lead, f"/talks/{talk.id}/prepare", width=320, theme="dark"
    )
    buttons(marco)[0].click()
    form = marco.locator("form.talk-move")
    fits(marco)
    check_accessibility(marco)
    snap(marco, "prepare_320_dark")

    form.get_by_label("Datum").fill("2027-02-20")
    form.get_by_label("Tijd").fill("14:15")
    form.get_by_role("button", name="Nieuwe tijd opslaan").click()

    date = form.get_by_label("Datum")
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(date).to_be_focused()
    # The message sits at the date, and the date field names it.
    expect(date).to_have_accessible_description("Deze datum ligt in het verleden.")
    expect(form.locator(".field-error")).to_have_text("Deze datum ligt in het verleden.")
    # What was typed stays; the form stays open.
    expect(date).to_have_value("2027-02-20")
    expect(form.get_by_label("Tijd")).to_have_value("14:15")
    fits(marco)
    snap(marco, "prepare_320_dark_error")

    after = client_for(lead).talk(talk.id)
    assert (after["starts_at"], after["version"]) == (before["starts_at"], before["version"])

    # Escape closes the form, back on Verzetten; the next one starts from the talk's own time.
    date.press("Escape")
    expect(form).to_have_count(0)
    expect(buttons(marco)[0]).to_be_focused()
    buttons(marco)[0].click()
    expect(form.get_by_label("Datum")).to_have_value("2027-03-02")
    form.get_by_role("button", name="Annuleren", exact=True).click()
    expect(form).to_have_count(0)


def test_a_background_change_does_not_block_the_move(
    signed_in_page, live_server, lead, learner, make_talk, client_for, services
):
    talk = make_talk(lead, learner, title=TITLE)
    marco = open_page(signed_in_page, live_server, lead, f"/talks/{talk.id}/prepare")
    buttons(marco)[0].click()
    form = marco.locator("form.talk-move")

    # Meanwhile the talk gets a new version behind the page (a new title here; a calendar
    # sync does the same to the version).
    def change(session):
        current = talks.load_talk(session, lead, talk.id).version
        talks.update_talk(
            services, session, lead, talk.id, expected_version=current, title="Nieuwe titel"
        )

    services.write(change)
    version = client_for(lead).talk(talk.id)["version"]

    form.get_by_label("Tijd").fill("10:00")
    form.get_by_role("button", name="Nieuwe tijd opslaan").click()
    expect(marco.locator(".talk-actions-status")).to_contain_text("om 10:00")
    seen = client_for(lead).talk(talk.id)
    assert datetime.fromisoformat(seen["starts_at"]) == datetime.fromisoformat(
        "2027-03-02T10:00:00+01:00"
    )
    assert seen["title"] == "Nieuwe titel"
    assert seen["version"] == version + 1  # one change, made once


def test_the_lead_moves_and_cancels_from_the_overview(
    signed_in_page, live_server, lead, learner, make_talk, client_for
):
    talk = make_talk(lead, learner, title=TITLE)
    other = make_talk(lead, learner, title="Tweede gesprek", starts_at=START + timedelta(days=5))
    marco = open_page(signed_in_page, live_server, lead, "/", width=320)
    card = marco.locator("#upcoming-list li.card", has_text=TITLE)
    move, _cancel = buttons(card)
    # Which talk a button is about: the card's title describes it.
    expect(move).to_have_accessible_description(TITLE)

    move.click()
    form = card.locator("form.talk-move")
    expect(form.get_by_label("Datum")).to_be_focused()
    fits(marco)
    check_accessibility(marco)
    snap(marco, "overview_320_light")
    form.get_by_label("Datum").fill("2027-03-10")
    form.get_by_role("button", name="Nieuwe tijd opslaan").click()

    # The overview is drawn again: the talk now comes after the other one, with its new time.
    moved = marco.locator("#upcoming-list li.card", has_text=TITLE)
    expect(moved.get_by_role("status")).to_have_text(
        "Het gesprek staat nu op woensdag 10 maart 2027 om 09:00."
    )
    expect(marco.locator("#upcoming-list li.card").last).to_contain_text(TITLE)
    expect(buttons(moved)[0]).to_be_focused()
    assert client_for(lead).talk(talk.id)["starts_at"].startswith("2027-03-10T08:00:00")

    # Cancelling asks first; "no" keeps the talk.
    buttons(moved)[1].click()
    question = moved.get_by_role("group")
    expect(question).to_contain_text("Het gesprek met Sem Learner gaat dan niet door.")
    no = question.get_by_role("button", name="Nee, niet annuleren")
    expect(no).to_be_focused()
    check_accessibility(marco)
    snap(marco, "overview_320_confirm")
    no.click()
    expect(question).to_have_count(0)
    assert client_for(lead).talk(talk.id)["status"] == "planned"

    buttons(moved)[1].click()
    moved.get_by_role("button", name="Ja, gesprek annuleren").click()
    status = marco.locator("#upcoming-status")
    expect(status).to_have_text("Het gesprek van woensdag 10 maart 2027 om 09:00 is geannuleerd.")
    expect(status).to_be_focused()
    expect(marco.locator("#upcoming-list")).not_to_contain_text(TITLE)
    expect(marco.locator("#upcoming-list")).to_contain_text(other.title)
    expect(marco.locator("#history-list li", has_text=TITLE)).to_contain_text("Geannuleerd")
    assert client_for(lead).talk(talk.id)["status"] == "cancelled"


def test_cancel_on_the_preparation_page_asks_then_locks_the_page(
    signed_in_page, live_server, lead, learner, make_talk, client_for
):
    talk = make_talk(lead, learner, title=TITLE)
    marco = open_page(
        signed_in_page, live_server, lead, f"/talks/{talk.id}/prepare", width=1280, theme="dark"
    )
    expect(marco.locator("#prep-form")).to_be_visible()
    _move, cancel = buttons(marco)
    snap(marco, "prepare_1280_dark")

    cancel.click()
    question = marco.locator(".talk-confirm")
    expect(question).to_contain_text("Weet je het zeker?")
    check_accessibility(marco)
    snap(marco, "prepare_1280_dark_confirm")
    question.press("Escape")  # Escape is "no" too
    expect(question).to_have_count(0)
    assert client_for(lead).talk(talk.id)["status"] == "planned"

    cancel.click()
    marco.get_by_role("button", name="Ja, gesprek annuleren").click()
    notice = marco.locator("#cancelled-notice")
    expect(notice).to_have_text(
        "Dit gesprek is geannuleerd. Je kunt de voorbereiding lezen, maar niet meer wijzigen."
    )
    expect(notice).to_be_focused()
    snap(marco, "prepare_1280_dark_cancelled")
    # Read-only now: no buttons, no preparation form.
    no_actions(marco)
    expect(marco.locator("#prep-form")).to_have_count(0)
    expect(marco.locator("#checklist-heading")).to_be_visible()

    assert client_for(lead).talk(talk.id)["status"] == "cancelled"
    for who in (lead, learner):
        [event] = events_of(client_for(who))
        assert event["cancelled"] is True

    # And so it stays after a reload.
    marco.reload()
    expect(marco.get_by_text("Dit gesprek is geannuleerd.")).to_be_visible()
    no_actions(marco)


def test_a_talk_held_in_outlook_is_moved_in_outlook(
    signed_in_page, live_server, lead, learner, make_talk, services
):
    talk = make_talk(lead, learner, title=TITLE)

    def from_outlook(session):
        talks.load_talk(session, lead, talk.id).event_from_outlook = True

    services.write(from_outlook)
    marco = open_page(signed_in_page, live_server, lead, f"/talks/{talk.id}/prepare")
    move, cancel = buttons(marco)
    move.click()
    marco.locator("form.talk-move").get_by_role("button", name="Nieuwe tijd opslaan").click()
    status = marco.locator(".talk-actions-status")
    expect(status).to_contain_text("Verzet die afspraak in Outlook")
    expect(status).to_be_focused()
    expect(marco.locator("form.talk-move")).to_have_count(0)
    expect(move).to_have_count(0)
    expect(cancel).to_be_visible()  # cancelling is still the lead's to do here
    snap(marco, "prepare_outlook")


def test_the_learner_sees_no_buttons(signed_in_page, live_server, lead, learner, make_talk):
    talk = make_talk(lead, learner, title=TITLE)
    for path in (f"/talks/{talk.id}/prepare", "/"):
        sem = open_page(signed_in_page, live_server, learner, path, width=320)
        if path == "/":
            expect(sem.locator("#upcoming-list")).to_contain_text(TITLE)
        else:
            expect(sem.locator("#prep-form")).to_be_visible()
            snap(sem, "learner_prepare_320")
        no_actions(sem)


def test_a_held_talk_offers_neither(
    signed_in_page, live_server, lead, learner, make_talk, services, clock
):
    talk = make_talk(lead, learner, title=TITLE, starts_at=START + timedelta(hours=1))
    clock.set(talk.starts_at + timedelta(minutes=5))

    def hold(session):
        current = talks.load_talk(session, lead, talk.id).version
        talks.mark_held(services, session, lead, talk.id, expected_version=current)

    services.write(hold)
    for path in (f"/talks/{talk.id}/prepare", "/"):
        marco = open_page(signed_in_page, live_server, lead, path)
        expect(marco.locator("main")).to_contain_text(TITLE)
        no_actions(marco)
