"""The plan page under the `pairs` rule, in Chromium: a lead is offered only the people they
lead; someone who leads nobody is told so, with what to do."""

from __future__ import annotations

from playwright.sync_api import expect

from plugin.services import lead_pairs, lead_rule


def test_the_plan_page_offers_only_whom_i_lead(
    signed_in_page, live_server, make_person, services, settings
):
    marco = make_person(display_name="Marco de Vries", job_title="Praktijkopleider")
    sem = make_person(display_name="Sem Bakker", job_title="Stagiair")
    make_person(display_name="Lisa Jansen", job_title="Monteur")
    lead_rule.install(services, settings.model_copy(update={"lead_rule": "pairs"}))
    services.write(lambda s: lead_pairs.add(services, s, marco.email, sem.email, None))

    for person, width, expected in (
        (marco, 1000, ["Kies een medewerker of stagiair", "Sem Bakker (Stagiair)"]),
        (sem, 320, ["Je begeleidt nog niemand"]),
    ):
        page = signed_in_page(person, width=width)
        page.goto(f"{live_server}/talks/new")
        expect(page.locator("#learner option")).to_have_text(expected)
        hint = page.locator("#no-learners-hint")
        if person is sem:
            expect(hint).to_contain_text("Vraag de beheerder om je te koppelen")
        else:
            expect(hint).to_be_hidden()
