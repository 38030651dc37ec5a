"""Bringing in an invite on the plan page, in Chromium: choose the .ics, the page takes its
time and invited people, the talk is planned and the updated invite can be downloaded."""

from __future__ import annotations

import re
from pathlib import Path

from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility

INVITES = Path(__file__).parent.parent / "calendar" / "invites"


def test_a_lead_brings_in_an_outlook_invite_and_gets_it_back_updated(
    signed_in_page, live_server, make_person, tmp_path
):
    marco = make_person(display_name="Marco de Vries", email="marco@installatie.example")
    sem = make_person(
        display_name="Sem Bakker", email="sem.bakker@installatie.example", job_title="Stagiair"
    )
    make_person(display_name="Lisa Jansen", email="lisa@installatie.example")
    page = signed_in_page(marco, width=320)
    page.goto(f"{live_server}/talks/new")
    expect(page.locator("#learner option")).not_to_have_count(1)

    # Not an invite: said at the file field, nothing changes.
    page.set_input_files("#invite-file", str(INVITES / "not_ical.txt"))
    expect(page.locator("#invite-file-error")).to_contain_text("Dit is geen agenda-uitnodiging")
    expect(page.locator("#invite-summary")).to_be_hidden()

    page.set_input_files("#invite-file", str(INVITES / "outlook_web.ics"))
    expect(page.locator("#invite-what")).to_contain_text("Voortgang stage")
    # The time comes from the invite and stays as it says; only the two colleagues invited
    # can be chosen.
    expect(page.locator("#date")).to_have_value("2027-03-30")
    expect(page.locator("#time")).to_have_value("08:30")
    expect(page.locator("#duration")).to_have_value("45")
    expect(page.locator("#date")).to_be_disabled()
    expect(page.locator("#learner option")).to_have_text(
        ["Kies een medewerker of stagiair", "Sem Bakker (Stagiair)", "Lisa Jansen"]
    )
    expect(page.locator("#title")).to_have_value("Voortgang stage")
    check_accessibility(page)

    page.locator("#learner").select_option(sem.id)
    page.get_by_role("button", name="Gesprek inplannen").click()
    done = page.locator("#planned-from-invite")
    expect(done).to_be_visible()
    expect(done).to_contain_text("Sem Bakker")
    with page.expect_download() as waiting:
        page.locator("#invite-download").click()
    saved = tmp_path / "invite.ics"
    waiting.value.save_as(saved)
    [event] = Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    original = Calendar.from_ical((INVITES / "outlook_web.ics").read_bytes()).walk("VEVENT")[0]
    assert str(event["UID"]) == str(original["UID"]) and int(event["SEQUENCE"]) == 3
    check_accessibility(page)
    page.locator("#planned-prepare").click()
    expect(page).to_have_url(re.compile(r"/talks/[\w-]+/prepare$"))
