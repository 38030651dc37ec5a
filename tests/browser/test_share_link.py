"""The lead shares the form with a school supervisor by a link, in Chromium; the supervisor
reads it without signing in; stopping the share ends the link."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility


def test_the_lead_shares_the_form_and_stops_sharing(
    browser, signed_in_page, live_server, lead, learner, make_talk
):
    talk = make_talk(lead, learner, title="Gesprek met Sem")
    marco = signed_in_page(lead)
    marco.goto(f"{live_server}/talks/{talk.id}/form")
    expect(marco.locator("#share-list")).to_contain_text("niet gedeeld")
    marco.get_by_label("Naam").fill("Petra Jansen")
    marco.get_by_label("E-mailadres").fill("geen adres")
    marco.get_by_role("button", name="Link maken").click()
    expect(marco.locator("#share-email-error, #share-form .field-error").first).to_be_visible()
    marco.get_by_label("E-mailadres").fill("p.jansen@roc.example")
    marco.get_by_role("button", name="Link maken").click()
    link = marco.locator("#share-url")
    expect(link).to_have_value(re.compile(r"/shared/[\w.-]+$"))
    expect(marco.locator("#share-list")).to_contain_text("Petra Jansen (p.jansen@roc.example)")
    url = link.input_value()
    check_accessibility(marco)

    # The supervisor opens it in a browser that never signed in (the base URL is the app's).
    path = url[url.index("/shared/") :]
    petra = browser.new_context(locale="nl-NL")
    try:
        page = petra.new_page()
        page.goto(f"{live_server}{path}")
        expect(page.get_by_role("heading", name="Gesprek met Sem")).to_be_visible()
        expect(page.locator(".status-bar").first).to_contain_text("deelt dit gesprek met je")
        expect(page.locator("#share-form")).to_have_count(0)
        check_accessibility(page)

        marco.get_by_role("button", name="Stoppen met delen met Petra Jansen").click()
        expect(marco.locator("#share-list")).to_contain_text("niet gedeeld")
        assert page.goto(f"{live_server}{path}").status == 404
        expect(page.get_by_role("heading")).to_contain_text("werkt niet meer")
    finally:
        petra.close()
