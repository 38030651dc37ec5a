"""The admin page in Chromium: an admin finds it from the overview, sees a late talk without
its contents, saves terms (a bad one is named under its field, and nothing is saved), and
downloads a person's data, which the access log then shows. A colleague has no link and is
refused. At 320 px and at full width.

(Here, not under tests/admin: the browser fixtures' one Playwright per session lives here.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.web.admin_access import install
from tests.admin.conftest import HR_EMAIL
from tests.browser.conftest import check_accessibility


@pytest.fixture
def admin_app(app: Flask) -> Flask:
    install(app, SimpleNamespace(admins=HR_EMAIL))
    return app


@pytest.fixture
def hr(make_person: Callable[..., Person]) -> Person:
    return make_person(display_name="Hanna de Boer", email=HR_EMAIL)


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
