"""Text over a limit is never cut silently, in Chromium: on the preparation page (discussion
points) and the plan page (title, own goal) a live counter shows the count, a text over the
limit is not sent, the field says why, and everything typed stays.

The agreements panel's fields: tests/browser/test_panel.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services import talks
from plugin.services.context import Services
from plugin.store import repo
from tests.browser.conftest import check_accessibility

TOO_LONG = "Gebruik maximaal {max} tekens. Haal er {over} weg."
POINT = "Ik wil vaker zelfstandig een storing oplossen, met een collega in de buurt. "


def long_text(length: int) -> str:
    text = (POINT * (length // len(POINT) + 1))[:length]
    assert text == text.strip(), "the tests' texts have no spaces around them"
    return text


def saved_points(services: Services, person: Person, talk_id: str) -> list[str]:
    def read(s: Session) -> list[str]:
        mine = talks.load_talk(s, person, talk_id).preparation_of(person.id)
        return [p.text for p in mine.discussion_points()] if mine else []

    return services.read(read)


def test_a_discussion_point_over_the_limit_is_kept_and_not_saved(
    signed_in_page: Callable[..., Page],
    live_server: str,
    services: Services,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> None:
    talk = make_talk(lead, learner)
    sem = signed_in_page(learner, width=320)
    sem.goto(f"{live_server}/talks/{talk.id}/prepare")
    new_point, counter = sem.locator("#new-point"), sem.locator("#new-point-count")
    expect(counter).to_have_text("0/500 tekens")

    text = long_text(560)
    new_point.fill(text)
    expect(new_point).to_have_value(text)  # not cut at 500
    expect(counter).to_have_text("560/500 tekens · 60 te veel")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    sem.get_by_role("button", name="Punt toevoegen").click()
    error = sem.locator("#new-point-error")
    expect(error).to_have_text(TOO_LONG.format(max=500, over=60))
    expect(new_point).to_have_value(text)
    expect(new_point).to_have_attribute("aria-invalid", "true")
    expect(sem.locator("#my-points-empty")).to_be_visible()
    check_accessibility(sem)

    # Shortened, it fits: the message goes and the point is added and saved.
    fits = text[:450].rstrip()
    new_point.fill(fits)
    expect(error).to_have_count(0)
    expect(counter).to_have_class(re.compile(r"\bnear\b"))
    sem.get_by_role("button", name="Punt toevoegen").click()
    expect(sem.locator("#my-points li")).to_have_count(1)
    sem.get_by_role("button", name="Voorbereiding opslaan").click()
    expect(sem.locator("#prep-status")).to_contain_text("Opgeslagen om")
    assert saved_points(services, learner, talk.id) == [fits]

    # Editing the point past the limit: refused at the field, the text stays on screen.
    sem.get_by_role("button", name="Punt 1 bewerken").click()
    edit = sem.locator("#my-points input[type=text]")
    edit.fill(text)
    sem.get_by_role("button", name="Punt bijwerken").click()
    edit = sem.locator("#my-points input[type=text]")
    expect(edit).to_have_value(text)
    edit_id = edit.get_attribute("id")
    expect(sem.locator(f"#{edit_id}-error")).to_have_text(TOO_LONG.format(max=500, over=60))
    expect(sem.locator(f"#{edit_id}-count")).to_have_text("560/500 tekens · 60 te veel")
    assert saved_points(services, learner, talk.id) == [fits]


def test_the_plan_page_counts_its_title_and_own_goal_and_sends_nothing_too_long(
    signed_in_page: Callable[..., Page],
    live_server: str,
    services: Services,
    lead: Person,
    learner: Person,
) -> None:
    marco = signed_in_page(lead, width=320)
    marco.goto(f"{live_server}/talks/new")
    marco.locator("#learner").select_option(learner.id)
    marco.locator("#date").fill("2027-03-03")
    title, own_goal = marco.get_by_label("Titel (optioneel)"), marco.locator("#own-goal")
    expect(marco.locator("#title-count")).to_have_text("0/200 tekens")
    # The hint stays with the title for screen readers, next to the counter.
    expect(title).to_have_attribute("aria-describedby", "title-hint title-count")

    long_title = long_text(230)
    title.fill(long_title)
    expect(marco.locator("#title-count")).to_have_text("230/200 tekens · 30 te veel")
    marco.locator("#goal-items input[value='goals.own']").check()
    goal = long_text(520)
    own_goal.fill(goal)
    expect(marco.locator("#own-goal-count")).to_have_text("520/500 tekens · 20 te veel")

    marco.get_by_role("button", name="Gesprek inplannen").click()
    expect(marco.locator("#title-error")).to_have_text(TOO_LONG.format(max=200, over=30))
    expect(marco.locator("#own-goal-error")).to_have_text(TOO_LONG.format(max=500, over=20))
    expect(title).to_be_focused()
    expect(title).to_have_value(long_title)
    expect(own_goal).to_have_value(goal)
    check_accessibility(marco)
    assert marco.url.endswith("/talks/new")
    assert services.read(lambda s: list(repo.talks_of(s, lead))) == []


def test_the_share_form_keeps_a_long_name_and_says_what_is_wrong(
    signed_in_page, live_server, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner)
    marco = signed_in_page(lead)
    marco.goto(f"{live_server}/talks/{talk.id}/form")
    name = marco.locator("#share-name")
    long_name = "Bea " + "x" * 120
    name.fill(long_name)
    marco.locator("#share-email").fill("bea@school.example")
    expect(marco.locator("#share-name-count")).to_contain_text("/100")
    marco.locator("#share-form button[type=submit]").click()
    expect(marco.locator("#share-name-error, #share-form .field-error").first).to_contain_text(
        "Gebruik maximaal 100 tekens"
    )
    expect(name).to_have_value(long_name)
