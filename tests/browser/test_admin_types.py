"""The admin page's kinds of talk in Chromium: an admin uploads a file (a broken one is refused
under the field, naming where in the file), sees it listed, hides a built-in kind, and a lead
then finds the upload offered on the plan page and the hidden kind gone. At 320 px and at full
width.

(Here, not under tests/talk_types_admin: the browser fixtures' one Playwright per session
lives here.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from plugin.domain.people import Person
from tests.browser.conftest import check_accessibility
from tests.talk_types_admin.conftest import type_file

SHOTS = Path("/tmp/og-admin-types-shots")


def _file(name: str, text: str) -> dict[str, object]:
    return {"name": name, "mimeType": "application/json", "buffer": text.encode("utf-8")}


@pytest.mark.parametrize("width", [320, 1280])
def test_an_admin_adds_a_kind_and_hides_one_and_the_plan_page_follows(
    admin_app: Flask,
    signed_in_page: Callable[..., Page],
    live_server: str,
    hr: Person,
    lead: Person,
    learner: Person,
    width: int,
) -> None:
    SHOTS.mkdir(exist_ok=True)
    hanna = signed_in_page(hr, width=width)
    hanna.goto(f"{live_server}/admin")
    section = hanna.locator("#talk-types")
    expect(hanna.locator("#types-status")).to_have_text("Bijgewerkt.")
    cards = section.locator("#types-list li")
    expect(cards).to_have_count(4)
    first = cards.nth(0)
    expect(first).to_contain_text("Ontwikkelgesprek")
    expect(first).to_contain_text("Standaard")
    expect(first).to_contain_text("Ingebouwd in de app")
    expect(first).to_contain_text("Controlecode ")
    expect(first.get_by_role("button", name="Ontwikkelgesprek verbergen")).to_have_count(0)

    # A file with a fault: refused under the field, naming where in the file.
    broken = json.loads(type_file("exitgesprek"))
    del broken["sections"][0]["items"][1]["text"]["en"]
    field = hanna.get_by_label("Bestand (JSON)")
    field.set_input_files(_file("exit.json", json.dumps(broken)))  # type: ignore[arg-type]
    hanna.get_by_role("button", name="Bestand uploaden").click()
    expect(section.locator(".field-error")).to_contain_text(
        "Het bestand klopt niet bij sections[0].items[1].text.en: missing"
    )
    expect(cards).to_have_count(4)

    field.set_input_files(_file("exit.json", type_file("exitgesprek")))  # type: ignore[arg-type]
    hanna.get_by_role("button", name="Bestand uploaden").click()
    expect(hanna.locator("#types-saved")).to_have_text(
        "Gesprek exitgesprek is opgeslagen. Nieuwe gesprekken krijgen deze versie."
    )
    expect(section.locator(".field-error")).to_have_count(0)
    added = section.locator('li[data-type="exitgesprek"]')
    expect(added).to_contain_text("Hier toegevoegd")
    expect(added).to_contain_text("Gewijzigd door Hanna de Boer")

    hanna.get_by_role("button", name="Inwerk- of proeftijdgesprek verbergen").click()
    expect(hanna.locator("#types-status")).to_contain_text("is verborgen")
    hidden = section.locator('li[data-type="inwerkgesprek"]')
    expect(hidden).to_contain_text("Verborgen")
    expect(
        hidden.get_by_role("button", name="Inwerk- of proeftijdgesprek weer aanbieden")
    ).to_be_visible()
    check_accessibility(hanna)
    section.scroll_into_view_if_needed()
    hanna.screenshot(path=str(SHOTS / f"admin-{width}.png"), full_page=True)

    marco = signed_in_page(lead, width=width)
    marco.goto(f"{live_server}/talks/new")
    kind = marco.get_by_label("Soort gesprek")
    expect(kind.locator("option")).to_have_text(
        ["Ontwikkelgesprek", "Voortgangsgesprek BPV", "POP-gesprek", "Gesprek exitgesprek"]
    )
    kind.select_option("exitgesprek")
    expect(marco.locator("#goal-items")).to_contain_text("Veilig werken op de bouwplaats")
    marco.screenshot(path=str(SHOTS / f"plan-{width}.png"), full_page=True)

    # Removing the upload: it is gone from the list (a confirmation first).
    hanna.once("dialog", lambda dialog: dialog.accept())
    added.get_by_role("button", name="Gesprek exitgesprek verwijderen").click()
    expect(hanna.locator("#types-status")).to_have_text("Gesprek exitgesprek is verwijderd.")
    expect(added).to_have_count(0)
