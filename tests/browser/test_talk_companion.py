"""The panel as the place where the talk is held well, in two browsers: the agenda both see live
(notes, discussed, items left), the talk's clock, the question check, the agreement check, an
agenda item or a feedback suggestion made an agreement, private feedback drafts, hints folded
and remembered, and an earlier agreement closed by the right person."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from plugin.domain.agreement import Owner
from plugin.services import agreements, preparation, signoff
from tests.browser.conftest import check_accessibility

LIVE = 2000  # ms: the other panel shows a change within 2 s
GOALS = ["goals.learn", "goals.feedback"]


def open_panel(page: Page, live_server: str, talk_id: str) -> None:
    page.goto(f"{live_server}/talks/{talk_id}/panel")
    expect(page.locator("#agenda-items > li").first).to_be_visible()


def item(page: Page, key: str):  # type: ignore[no-untyped-def]
    return page.locator(f'#agenda-items > li[data-key="{key}"]')


def test_the_agenda_is_shared_live_with_notes_and_the_talks_clock(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    talk = make_talk(lead, learner, goals=GOALS)
    services.write(
        lambda s: preparation.prepare(
            services, s, learner, talk.id, ticked=[], points=[{"text": "Nieuwe accuboor"}],
            expected_version=0,
        )
    )  # fmt: skip
    clock.set(talk.starts_at + timedelta(minutes=5))
    marco, sem = signed_in_page(lead), signed_in_page(learner, width=320)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)

    # The goals with questions to ask, and Sem's shared point, on both sides.
    learn = item(marco, "goal:goals.learn")
    expect(learn).to_contain_text("Kennis, vaardigheden of gedrag ontwikkelen")
    expect(learn.locator(".questions li").first).to_be_visible()
    expect(marco.locator("#agenda-items")).to_contain_text("Punt van Sem: Nieuwe accuboor")
    expect(sem.locator("#agenda-items")).to_contain_text("Jouw punt: Nieuwe accuboor")
    expect(marco.locator("#talk-running")).to_have_text("Bezig · 5 van 45 min · nog 3 op de agenda")

    # The prompt to summarise sits with the item the talk is on, and moves on with it.
    summarise = 'details[data-hint="summarise"]'
    expect(learn.locator(summarise)).to_contain_text("in je eigen woorden")
    expect(marco.locator(summarise)).to_have_count(1)
    learn.locator("textarea").fill("Sem wil zelf storingen zoeken")
    learn.get_by_role("button", name="Notitie opslaan").click()
    expect(item(marco, "goal:goals.feedback").locator(summarise)).to_be_visible()
    expect(marco.locator(summarise)).to_have_count(1)
    seen = item(sem, "goal:goals.learn")
    expect(seen.locator(".agenda-note")).to_contain_text(
        "Sem wil zelf storingen zoeken", timeout=LIVE
    )
    expect(seen.locator("input[type=checkbox]")).to_be_checked()
    expect(sem.locator("#talk-running")).to_contain_text("nog 2 op de agenda", timeout=LIVE)
    check_accessibility(sem)


def test_a_note_typed_is_kept_while_the_other_saves_theirs(
    signed_in_page, live_server, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner, goals=GOALS)
    clock.set(talk.starts_at + timedelta(minutes=5))
    marco, sem = signed_in_page(lead), signed_in_page(learner)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)
    mine = item(sem, "goal:goals.feedback").locator("textarea")
    mine.fill("Half getypt door Sem")
    learn = item(marco, "goal:goals.learn")
    learn.locator("textarea").fill("Van Marco")
    learn.get_by_role("button", name="Notitie opslaan").click()
    expect(item(sem, "goal:goals.learn").locator(".agenda-note")).to_contain_text(
        "Van Marco", timeout=LIVE
    )
    expect(mine).to_have_value("Half getypt door Sem")


def test_an_agenda_item_becomes_an_agreement_in_one_step_and_is_checked(
    signed_in_page, live_server, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner, goals=GOALS)
    clock.set(talk.starts_at + timedelta(minutes=5))
    marco = signed_in_page(lead)
    open_panel(marco, live_server, talk.id)
    learn = item(marco, "goal:goals.learn")
    learn.locator("textarea").fill("Beter je best doen")
    learn.get_by_role("button", name="Maak er een afspraak van").click()
    expect(marco.locator("#new-what")).to_have_value("Beter je best doen")
    expect(marco.locator("#new-what")).to_be_focused()
    check = marco.locator("#add-form-check")
    expect(check.locator('li[data-code="vague_verb"]')).to_be_visible()
    expect(check).to_contain_text("Hoe weten jullie allebei dat het gelukt is?")
    marco.locator("#new-what").fill(
        "Sem zoekt elke storing eerst zelf op met de storingstabel; Marco kijkt het na"
    )
    marco.locator("#new-owner").select_option("learner")
    marco.locator("#new-due").fill("2027-04-01")
    expect(check.locator('li[data-code="complete"]')).to_be_visible()
    # Hints never block: a vague agreement is added all the same.
    marco.locator("#new-what").fill("Beter je best doen")
    marco.locator("#add-form button[type=submit]").click()
    expect(marco.locator("#agreements")).to_contain_text("Beter je best doen")


def test_the_question_check_suggests_an_open_question(
    signed_in_page, live_server, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner, goals=GOALS)
    clock.set(talk.starts_at + timedelta(minutes=5))
    marco = signed_in_page(lead, width=320)
    open_panel(marco, live_server, talk.id)
    marco.locator("#question-text").fill("Ging het goed op de bouw?")
    result = marco.locator("#question-result")
    expect(result).to_contain_text("Gesloten vraag")
    expect(result.locator(".suggestion")).to_contain_text("Hoe ging het op de bouw?")
    marco.locator("#question-text").fill("Wat ging er goed op de bouw?")
    expect(result).to_contain_text("Open vraag")


def test_feedback_drafts_are_private_and_the_suggestion_becomes_an_agreement(
    signed_in_page, live_server, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner, goals=GOALS)
    clock.set(talk.starts_at + timedelta(minutes=5))
    marco, sem = signed_in_page(lead), signed_in_page(learner)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)
    marco.locator("#feedback-new").click()
    marco.locator("#feedback-positive").fill("Je werkt netjes en veilig.")
    marco.locator("#feedback-behaviour").fill("Je bent altijd zo slordig met de werkbon.")
    expect(marco.locator('#feedback-behaviour-hints li[data-code="judgement"]')).to_be_visible()
    marco.locator("#feedback-behaviour").fill(
        "Ik zag gisteren dat de werkbon van de klant in Zeist niet was ingevuld."
    )
    expect(marco.locator('#feedback-behaviour-hints li[data-code="judgement"]')).to_have_count(0)
    marco.locator("#feedback-effect").fill("Daardoor kon kantoor niet factureren. Hoe zie jij dat?")
    marco.locator("#feedback-suggestion").fill(
        "Sem vult de werkbon in voordat hij bij de klant weggaat; Marco kijkt vrijdag mee"
    )
    marco.get_by_role("button", name="Concept bewaren").click()
    draft = marco.locator(".feedback-draft")
    expect(draft).to_contain_text("Ik zag gisteren")
    marco.reload()
    expect(marco.locator(".feedback-draft")).to_contain_text("Ik zag gisteren")
    # Sem never sees Marco's draft.
    expect(sem.locator(".feedback-draft")).to_have_count(0)
    expect(sem.locator("body")).not_to_contain_text("Ik zag gisteren")

    marco.locator(".feedback-draft").get_by_role("button", name="Suggestie als afspraak").click()
    expect(sem.locator("#agreements")).to_contain_text("Sem vult de werkbon in", timeout=LIVE)
    expect(marco.locator(".feedback-draft")).to_contain_text("De suggestie is nu een afspraak")


def test_hints_fold_away_and_stay_folded_for_that_person(
    signed_in_page, live_server, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner, goals=GOALS)
    clock.set(talk.starts_at + timedelta(minutes=5))
    marco = signed_in_page(lead)
    open_panel(marco, live_server, talk.id)
    questions = item(marco, "goal:goals.learn").locator('details[data-hint="questions"]')
    expect(questions).to_have_attribute("open", "")
    questions.locator("summary").click()
    # Every block of that kind folds, and the server remembers it.
    for block in marco.locator('details[data-hint="questions"]').all():
        expect(block).not_to_have_attribute("open", "")
    saved = "() => fetch('/api/me').then(r => r.json()).then(me => me.folded_hints.length > 0)"
    marco.wait_for_function(saved)
    marco.reload()
    expect(
        item(marco, "goal:goals.learn").locator('details[data-hint="questions"]')
    ).not_to_have_attribute("open", "")
    # Sem's hints are his own.
    sem = signed_in_page(learner)
    open_panel(sem, live_server, talk.id)
    expect(
        item(sem, "goal:goals.learn").locator('details[data-hint="questions"]')
    ).to_have_attribute("open", "")


def test_an_earlier_agreement_is_closed_by_the_lead_with_a_note_not_by_the_learner(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    first = make_talk(lead, learner, goals=GOALS)
    clock.set(first.starts_at + timedelta(minutes=5))
    item_id = services.write(
        lambda s: agreements.add_agreement(
            services, s, lead, first.id, what="Marco regelt de cursus NEN 3140",
            owner=Owner.LEAD, due=None,
        ).id
    )  # fmt: skip
    services.write(
        lambda s: agreements.confirm_agreement(
            services, s, learner, first.id, item_id, expected_version=1
        )
    )
    for person in (lead, learner):
        services.write(
            lambda s, person=person: signoff.sign_as_shown(services, s, person, first.id)
        )
    later = make_talk(lead, learner, goals=GOALS, starts_at=first.starts_at + timedelta(days=30))
    clock.set(later.starts_at + timedelta(minutes=5))
    marco, sem = signed_in_page(lead), signed_in_page(learner)
    open_panel(marco, live_server, later.id)
    open_panel(sem, live_server, later.id)
    key = f"earlier:{item_id}"
    expect(item(sem, key)).to_contain_text("Marco regelt de cursus NEN 3140")
    expect(item(sem, key)).to_contain_text("Dit is een afspraak voor Marco: Marco sluit hem af.")
    expect(item(sem, key).get_by_role("button", name="Afgerond")).to_have_count(0)
    item(marco, key).get_by_label("Wat is ervan gekomen?").fill("Cursus gevolgd in maart")
    item(marco, key).get_by_role("button", name="Afgerond").click()
    expect(item(sem, key)).to_contain_text("Cursus gevolgd in maart", timeout=LIVE)
    expect(item(sem, key).locator(".badge.ok")).to_have_text("Afgerond")


def test_the_preparation_page_is_live_and_each_writes_an_own_goal(
    signed_in_page, live_server, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner, goals=GOALS)
    marco, sem = signed_in_page(lead), signed_in_page(learner, width=320)
    for page in (marco, sem):
        page.goto(f"{live_server}/talks/{talk.id}/prepare")
        expect(page.locator("#own-goal")).to_be_visible()
    sem.locator("#own-goal").fill("Ik wil zelf een groep aansluiten")
    sem.get_by_role("button", name="Eigen doel opslaan").click()
    expect(sem.locator("#own-goal-status")).to_have_text("Eigen doel opgeslagen.")
    # Marco sees it without reloading, and what he is typing meanwhile stays.
    marco.locator("#own-goal").fill("Half getypt")
    expect(marco.locator("#goals-section")).to_contain_text(
        "Eigen doel van Sem Learner: Ik wil zelf een groep aansluiten", timeout=LIVE
    )
    expect(marco.locator("#own-goal")).to_have_value("Half getypt")
    # A shared point appears on the other's page live.
    sem.locator("#new-point").fill("Nieuwe accuboor")
    sem.locator("#add-point").click()
    expect(marco.locator("#other-section")).to_contain_text("Nieuwe accuboor", timeout=4 * LIVE)


def test_the_form_records_the_learners_goal_and_what_was_heard(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    talk = make_talk(lead, learner, goals=GOALS)
    clock.set(talk.starts_at + timedelta(minutes=5))
    marco = signed_in_page(lead)
    open_panel(marco, live_server, talk.id)
    learn = item(marco, "goal:goals.learn")
    learn.locator("textarea").fill("Sem wil zelf storingen zoeken")
    learn.get_by_role("button", name="Notitie opslaan").click()
    expect(learn.locator(".agenda-note")).to_contain_text("Sem wil zelf storingen zoeken")
    marco.goto(f"{live_server}/talks/{talk.id}/form")
    summary = marco.locator("#summary")
    expect(summary).to_contain_text("Kennis, vaardigheden of gedrag ontwikkelen")
    expect(summary).to_contain_text("Sem wil zelf storingen zoeken")


def test_two_notes_on_one_item_lose_nothing(
    signed_in_page, live_server, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner, goals=GOALS)
    clock.set(talk.starts_at + timedelta(minutes=5))
    marco, sem = signed_in_page(lead), signed_in_page(learner)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)
    mine = item(sem, "goal:goals.learn").locator("textarea")
    mine.fill("Sem: meer zelf doen")
    learn = item(marco, "goal:goals.learn")
    learn.locator("textarea").fill("Marco: storingen zoeken")
    learn.get_by_role("button", name="Notitie opslaan").click()
    expect(learn.locator(".agenda-note")).to_contain_text("Marco: storingen zoeken")
    item(sem, "goal:goals.learn").get_by_role("button", name="Notitie opslaan").click()
    # Refused as stale: Sem reads Marco's note, and keeps his own text to combine.
    alert = item(sem, "goal:goals.learn").locator(".form-error")
    expect(alert).to_contain_text("Marco schreef hier intussen een notitie")
    expect(alert).to_contain_text("Marco: storingen zoeken")
    field = item(sem, "goal:goals.learn").locator("textarea")
    expect(field).to_have_value("Sem: meer zelf doen")
    field.fill("Marco: storingen zoeken. Sem: meer zelf doen")
    item(sem, "goal:goals.learn").get_by_role("button", name="Notitie opslaan").click()
    expect(item(marco, "goal:goals.learn").locator(".agenda-note")).to_contain_text(
        "Sem: meer zelf doen", timeout=LIVE
    )
