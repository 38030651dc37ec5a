"""Choosing the kind of talk on the plan page, in Chromium: each kind shows its own goals,
and the talk is planned as that kind (an invite brought in keeps the choice:
tests/browser/test_planning_types_everywhere.py)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from plugin.store import repo
from plugin.store.talk_type_tables import talk_type_versions
from tests.browser.conftest import check_accessibility


def test_a_lead_plans_a_bpv_progress_talk(signed_in_page, live_server, make_person, services):
    marco = make_person(display_name="Marco de Vries", job_title="Praktijkopleider")
    sem = make_person(display_name="Sem Bakker", job_title="Stagiair")
    page = signed_in_page(marco, width=320)
    page.goto(f"{live_server}/talks/new")
    kind = page.get_by_label("Soort gesprek")
    expect(kind.locator("option")).to_have_text(
        ["Ontwikkelgesprek", "Voortgangsgesprek BPV", "POP-gesprek", "Inwerk- of proeftijdgesprek"]
    )
    expect(kind).to_have_value("ontwikkelgesprek")
    expect(page.locator("#goal-items")).to_contain_text("Kennis, vaardigheden of gedrag")
    page.get_by_role("checkbox", name="Eigen doel").check()  # the own goal: kept across kinds
    expect(page.locator("#own-goal-field")).to_be_visible()

    kind.select_option("voortgangsgesprek-bpv")
    expect(page.locator("#talk-type-hint")).to_contain_text("stagebegeleider van school")
    expect(page.locator("#goal-items")).to_contain_text("Hoe het gaat: welbevinden en inzet")
    expect(page.locator("#goal-items")).not_to_contain_text("Kennis, vaardigheden of gedrag")
    expect(page.get_by_role("checkbox", name="Eigen doel")).to_be_checked()
    check_accessibility(page)

    page.locator("#learner").select_option(sem.id)
    page.locator("#date").fill("2027-03-10")
    page.get_by_label("Hoe het gaat: welbevinden en inzet").check()
    page.get_by_role("checkbox", name="Eigen doel").uncheck()
    page.get_by_role("button", name="Gesprek inplannen").click()
    expect(page).to_have_url(re.compile(r"/talks/[\w-]+/prepare$"))
    talk_id = page.url.split("/")[-2]
    talk = services.read(lambda s: repo.talk(s, marco.tenant_id, talk_id))
    assert talk.title == "Voortgangsgesprek BPV: Sem Bakker"
    assert talk.goals == ["goals.wellbeing"]
    with services.db.engine.connect() as connection:
        kept = connection.execute(
            talk_type_versions.select().where(talk_type_versions.c.content_hash == talk.template_id)
        ).one()
    assert kept.type_id == "voortgangsgesprek-bpv"
