"""The overview answers "what should I do now?": its to-dos at the top, most urgent first, each
with one link (reached by keyboard) to where it is done; a short, friendly line when there is
nothing; and the lead's list of the learners' agreements without the lead's own.

Screenshots (todo_*.png) with ``OG_TODO_SCREENSHOTS=<folder>``."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility

#: Set to a folder to keep screenshots of the overview, as lead and learner, narrow and wide.
SCREENSHOTS = os.environ.get("OG_TODO_SCREENSHOTS")
TITLE = "Voortgang stage"


def snap(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"todo_{name}.png"), full_page=True)


def fits(page: Page) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"scrolls sideways: {scroll_width} > {inner_width}"


def overview(signed_in_page, person, **options: Any) -> Page:
    page: Page = signed_in_page(person, **options)
    expect(page.locator("#overview-status")).to_be_hidden()
    return page


def todo_texts(page: Page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("#todo-list li").all_inner_texts()]


def signed_talk_with_agreements(make_talk, lead, learner, client_for, clock) -> Any:
    """A talk held on Tuesday 2 March with three agreements (Marco's, Sem's, both), signed."""
    talk = make_talk(lead, learner, title=TITLE)
    marco, sem = client_for(lead), client_for(learner)
    clock.set(talk.starts_at + timedelta(minutes=5))
    for what, owner, due in (
        ("Marco regelt een meeloopdag", "lead", "2027-03-03"),
        ("Samen de planning maken", "both", "2027-03-10"),
        ("Sem leest de handleiding", "learner", "2027-03-30"),
    ):
        made = marco.post(
            f"/api/talks/{talk.id}/agreements", json={"what": what, "owner": owner, "due": due}
        )
        assert made.status_code == 201, made.json
        confirmed = sem.post(
            f"/api/talks/{talk.id}/agreements/{made.json['id']}/confirm", json={"version": 1}
        )
        assert confirmed.status_code == 200, confirmed.json
    clock.set(talk.ends_at + timedelta(minutes=1))
    assert marco.sign(talk.id).status_code == 200
    assert sem.sign(talk.id).status_code == 200
    return talk


def test_a_preparation_to_fill_in_is_one_keyboard_step_away(
    signed_in_page, live_server, lead, learner, make_talk
):
    talk = make_talk(lead, learner, title=TITLE)
    page = overview(signed_in_page, learner, width=320)
    todo = page.locator("#todo-list")
    # At the top: before the upcoming talks.
    headings = page.locator("main h2").all_inner_texts()
    assert headings.index("Te doen") < headings.index("Komende gesprekken"), headings
    [text] = todo_texts(page)
    assert text.startswith(f"Voorbereiding {TITLE}"), text
    assert "Gesprek op dinsdag 2 maart om 09:00" in text
    link = todo.get_by_role("link", name="Vul je voorbereiding in")
    expect(link).to_have_attribute("href", f"/talks/{talk.id}/prepare")
    fits(page)
    snap(page, "learner_320")
    check_accessibility(page)

    # Tab from the top of the page until the to-do's link has the focus, then follow it.
    for _ in range(30):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the to-do's link is not reachable by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/talks/{talk.id}/prepare")


def test_the_lead_sees_the_most_urgent_first_and_whose_each_agreement_is(
    signed_in_page, lead, learner, make_talk, client_for, clock
):
    signed_talk_with_agreements(make_talk, lead, learner, client_for, clock)
    clock.set(clock.now().replace(day=4, hour=9))  # Thursday 4 March, 10:00 in Amsterdam
    page = overview(signed_in_page, lead, width=1280)
    texts = todo_texts(page)
    # Overdue first, then the shared agreement due within five working days; Sem's own
    # agreement is Sem's to-do, not Marco's. (The follow-up, booked before the 3rd, comes later.)
    overdue = next(i for i, t in enumerate(texts) if "Marco regelt een meeloopdag" in t)
    soon = next(i for i, t in enumerate(texts) if "Samen de planning maken" in t)
    assert overdue == 0 and soon > overdue, texts
    assert texts[0].startswith("Over tijd Marco regelt een meeloopdag Uiterlijk 3 mrt 2027")
    assert not any("Sem leest de handleiding" in t for t in texts), texts
    expect(page.locator("#todo-list li").first.get_by_role("link")).to_have_text("Open het gesprek")

    # The learners' list holds Sem's own agreement once, saying whose; the shared one is
    # under "mine", saying with whom.
    learners = page.locator("#learners-list li")
    expect(learners).to_have_count(1)
    expect(learners).to_contain_text("Sem leest de handleiding")
    expect(learners).to_contain_text("Sem Learner")
    mine = page.locator("#mine-list li")
    expect(mine).to_have_count(2)
    expect(mine.filter(has_text="Samen de planning maken")).to_contain_text("Samen met Sem")
    snap(page, "lead_wide")
    check_accessibility(page)

    narrow = overview(signed_in_page, lead, width=320)
    fits(narrow)
    snap(narrow, "lead_320")

    sem = overview(signed_in_page, learner, width=1280)
    sem_texts = todo_texts(sem)
    assert any("Samen de planning maken" in t for t in sem_texts), sem_texts
    expect(sem.locator("#mine-list li").filter(has_text="Samen de planning")).to_contain_text(
        "Samen met Marco"
    )
    snap(sem, "learner_wide")


def test_nothing_to_do_says_so_briefly(signed_in_page, make_person):
    page = overview(signed_in_page, make_person(display_name="Nina Nieuw"), width=320)
    expect(page.locator("#todo-list")).to_have_text("Je bent bij: er wacht nu niets op je.")
    fits(page)
    snap(page, "empty_320")
    english = overview(signed_in_page, make_person(display_name="Ed English"), lang="en")
    expect(english.get_by_role("heading", name="To do")).to_be_visible()
    expect(english.locator("#todo-list")).to_have_text(
        "You are all caught up: nothing is waiting for you."
    )
