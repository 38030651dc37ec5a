"""The admin page's "who leads whom" in Chromium: the admin pairs a lead with an intern from
the organisation's colleagues, adds pairs from a CSV file (a file with a wrong line adds
nothing and names the line), and removes a pair. At 320 px and at full width."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from plugin.domain.people import Person
from tests.browser.conftest import check_accessibility


@pytest.mark.parametrize("width", [320, 1280])
def test_the_admin_keeps_who_leads_whom(
    admin_app: Flask,
    signed_in_page: Callable[..., Page],
    live_server: str,
    hr: Person,
    make_person: Callable[..., Person],
    lead: Person,
    learner: Person,
    tmp_path: Path,
    width: int,
) -> None:
    lisa = make_person(display_name="Lisa Jansen", email="lisa@example.test")
    page = signed_in_page(hr, width=width)
    page.goto(f"{live_server}/admin")
    section = page.locator("#lead-pairs")
    expect(page.locator("#pairs-status")).to_have_text("Bijgewerkt.")
    expect(section).to_contain_text("Deze lijst telt nu niet")
    expect(page.locator("#pairs-list")).to_have_text("Nog geen koppels.")

    page.get_by_label("Leidinggevende", exact=True).select_option(
        label=f"{lead.display_name} ({lead.email})"
    )
    page.get_by_label("Medewerker of stagiair", exact=True).select_option(
        label=f"{learner.display_name} ({learner.email})"
    )
    page.get_by_role("button", name="Koppel toevoegen").click()
    expect(page.locator("#pairs-status")).to_have_text(
        f"{lead.display_name} is nu leidinggevende van {learner.display_name}."
    )
    expect(page.locator("#pairs-list")).to_contain_text(
        f"{lead.display_name} is leidinggevende van {learner.display_name}"
    )

    wrong = tmp_path / "koppels.csv"
    wrong.write_text(f"lead,learner\n{lead.email},{lisa.email}\niemand@example.test,{lisa.email}\n")
    page.get_by_label("Bestand (CSV)").set_input_files(str(wrong))
    page.get_by_role("button", name="Koppels uit bestand toevoegen").click()
    problem = page.locator("#pairs-import .form-error")
    expect(problem).to_contain_text("Er is niets toegevoegd: 1 regel klopt niet.")
    expect(problem).to_contain_text("Regel 3: Geen collega heeft het adres iemand@example.test")
    expect(page.locator("#pairs-list .pair")).to_have_count(1)
    section.screenshot(path=str(tmp_path / f"pairs-refused-{width}.png"))

    right = tmp_path / "goed.csv"
    right.write_text(f"lead,learner\n{lead.email},{lisa.email}\n")
    page.get_by_label("Bestand (CSV)").set_input_files(str(right))
    page.get_by_role("button", name="Koppels uit bestand toevoegen").click()
    expect(page.locator("#pairs-status")).to_have_text("Uit het bestand toegevoegd: 1.")
    expect(page.locator("#pairs-list .pair")).to_have_count(2)
    expect(problem).to_be_hidden()
    check_accessibility(page)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role(
        "button", name=f"Koppel {lead.display_name} en {learner.display_name} verwijderen"
    ).click()
    expect(page.locator("#pairs-status")).to_have_text(
        f"Koppel {lead.display_name} en {learner.display_name} is verwijderd."
    )
    expect(page.locator("#pairs-list .pair")).to_have_count(1)
    section.screenshot(path=str(tmp_path / f"pairs-{width}.png"))
