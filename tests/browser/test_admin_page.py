"""The admin page in Chromium: an admin finds it from the overview, sees a late talk without
its contents, saves terms (a bad one is named under its field, and nothing is saved), and
downloads a person's data, which the access log then shows. A colleague has no link and is
refused. At 320 px and at full width.

(Here, not under tests/admin: the browser fixtures' one Playwright per session lives here.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services import working_time
from plugin.services.context import Services
from tests.browser.conftest import check_accessibility


@pytest.mark.parametrize("width", [320, 1280])
def test_the_admin_page_for_an_admin_and_a_colleague(
    admin_app: Flask,
    signed_in_page: Callable[..., Page],
    live_server: str,
    hr: Person,
    lead: Person,
    learner: Person,
    make_talk: Callable[..., Talk],
    clock: FixedClock,
    width: int,
) -> None:
    make_talk(lead, learner, own_goal="Geheim doel")
    clock.set(clock.now() + timedelta(days=3))

    hanna = signed_in_page(hr, width=width)
    link = hanna.get_by_role("link", name="Beheer: termijnen, achterlopende gesprekken, inzagelog")
    link.click()
    expect(hanna.locator("#admin-status")).to_have_text("Bijgewerkt.")
    late = hanna.locator("#late-list")
    expect(late).to_contain_text("Marco Lead met Sem Learner")
    expect(late).to_contain_text("Niet gehouden: de tijd is voorbij")
    expect(hanna.locator("body")).not_to_contain_text("Geheim")

    months = hanna.get_by_label("Gesprekken bewaren (maanden na de laatste activiteit)")
    expect(months).to_have_value("24")
    months.fill("0")
    hanna.get_by_role("button", name="Termijnen opslaan").click()
    expect(hanna.locator("#retention_months-error")).to_have_text(
        "Vul een heel aantal maanden in, van 1 tot 1200."
    )
    months.fill("36")
    hanna.get_by_label("Vervolggesprek na (weken)").fill("4")
    hanna.get_by_role("button", name="Termijnen opslaan").click()
    expect(hanna.locator("#terms-saved")).to_contain_text("Opgeslagen")
    hanna.reload()
    expect(hanna.get_by_label("Vervolggesprek na (weken)")).to_have_value("4")
    expect(months).to_have_value("36")

    hanna.get_by_label("Persoon", exact=True).select_option(
        label=f"{learner.display_name} ({learner.email})"
    )
    with hanna.expect_download() as download:
        hanna.get_by_role("button", name="Gegevens downloaden").click()
    assert download.value.suggested_filename.endswith(".zip")
    expect(hanna.locator("#audit-list")).to_contain_text(
        "Hanna de Boer downloadde de gegevens van Sem Learner"
    )
    check_accessibility(hanna)

    marco = signed_in_page(lead, width=width)
    expect(marco.locator("#overview-status")).not_to_have_text("Laden…")
    expect(marco.locator("#admin-link")).to_be_hidden()
    answer = marco.goto(f"{live_server}/admin")
    assert answer is not None and answer.status == 403
    expect(marco.locator("h1")).to_have_text("Beheer")
    expect(marco.locator("body")).to_contain_text("Alleen een beheerder van deze app")


@pytest.mark.parametrize("width", [320, 1280])
def test_the_admin_sets_working_days_hours_and_holidays(
    admin_app: Flask,
    signed_in_page: Callable[..., Page],
    live_server: str,
    hr: Person,
    services: Services,
    width: int,
) -> None:
    hanna = signed_in_page(hr, width=width)
    hanna.goto(f"{live_server}/admin")
    week = hanna.locator("#week-form")
    monday = week.get_by_label("Maandag")
    expect(monday).to_be_checked()
    expect(week.get_by_label("Zaterdag")).not_to_be_checked()
    start = week.get_by_label("Werkdag begint om")
    end = week.get_by_label("Werkdag eindigt om")
    expect(start).to_have_value("08:30")
    expect(end).to_have_value("17:00")
    expect(week).to_contain_text("De tijden gelden in de tijdzone Europe/Amsterdam.")
    save = week.get_by_role("button", name="Werktijden opslaan")

    # No working day, then an end before the start: each named at its field, nothing saved.
    for day in ("Maandag", "Dinsdag", "Woensdag", "Donderdag", "Vrijdag"):
        week.get_by_label(day).uncheck()
    save.click()
    expect(hanna.locator("#week-days-error")).to_have_text("Kies minstens één werkdag.")
    for day in ("Maandag", "Dinsdag", "Woensdag", "Donderdag"):
        week.get_by_label(day).check()
    end.fill("08:00")
    save.click()
    expect(hanna.locator("#week-end-error")).to_have_text(
        "De werkdag moet later eindigen dan hij begint."
    )
    assert services.read(lambda s: working_time.stored_week(s, "local")) is None
    end.fill("16:00")

    # One own holiday, then the public holidays of a year with one click.
    week.get_by_label("Datum").fill("2027-12-27")
    week.get_by_label("Naam (hoeft niet)").fill("Tussen kerst en nieuwjaar")
    week.get_by_role("button", name="Vrije dag toevoegen").click()
    expect(hanna.locator("#holiday-list")).to_contain_text("Tussen kerst en nieuwjaar")
    expect(hanna.locator("#week-unsaved")).to_be_visible()
    week.get_by_label("Nederlandse feestdagen van").select_option(index=0)
    week.get_by_role("button", name="Feestdagen tonen").click()
    suggestions = hanna.locator("#national-list")
    expect(suggestions).to_contain_text("Koningsdag")
    hanna.locator("#national-add-all").click()
    expect(suggestions).to_contain_text("Alle feestdagen van")
    expect(hanna.locator("#holiday-list")).to_contain_text("Eerste kerstdag")
    save.click()
    expect(hanna.locator("#week-saved")).to_contain_text("Opgeslagen")
    expect(hanna.locator("#week-unsaved")).to_be_hidden()
    check_accessibility(hanna)

    stored = services.read(lambda s: working_time.stored_week(s, "local"))
    assert stored is not None and stored.days == frozenset({0, 1, 2, 3})
    assert len(stored.holidays) >= 10
    hanna.reload()
    expect(hanna.locator("#holiday-list")).to_contain_text("Koningsdag")
    expect(hanna.get_by_role("checkbox", name="Vrijdag")).not_to_be_checked()
    expect(hanna.locator("#week-form").get_by_label("Werkdag eindigt om")).to_have_value("16:00")
