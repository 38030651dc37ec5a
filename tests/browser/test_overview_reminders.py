"""The overview in Chromium: each person turns a kind of reminder off and it stays off after a
reload; the learner marks an agreement stuck from the overview and the lead sees it there, with
the steps the lead may take; a step on an agreement changed meanwhile shows it as it is now and
keeps what was typed. At 320 px and at full width."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Page, expect

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from tests.api.test_form_integrity import AGREED, sign_a_talk
from tests.browser.conftest import check_accessibility
from tests.conftest import ApiClient


def test_a_reminder_turned_off_stays_off(
    signed_in_page: Callable[..., Page],
    live_server: str,
    client_for: Callable[[Person], ApiClient],
    lead: Person,
    learner: Person,
) -> None:
    sem = signed_in_page(learner, width=320)
    sem.goto(f"{live_server}/")
    section = sem.locator("section", has=sem.get_by_role("heading", name="Herinneringen"))
    prepare = section.get_by_role("switch", name="Voorbereiden: twee werkdagen voor een gesprek")
    expect(prepare).to_be_checked()
    expect(section.get_by_role("switch")).to_have_count(5)
    # Keyboard only: focus the switch and press space.
    prepare.focus()
    sem.keyboard.press("Space")
    expect(prepare).not_to_be_checked()
    expect(sem.locator("#og-announcer")).to_contain_text("Herinnering uit")
    check_accessibility(sem)
    sem.reload()
    expect(prepare).not_to_be_checked()
    expect(section.get_by_role("switch", name="Aftekenen", exact=False)).to_be_checked()
    # Stored for Sem alone, as the API says.
    off = [
        k["kind"] for k in client_for(learner).get("/api/me/reminders").json["kinds"] if not k["on"]
    ]
    assert off == ["prepare"]
    assert all(k["on"] for k in client_for(lead).get("/api/me/reminders").json["kinds"])
    # And on again.
    prepare.click()
    expect(prepare).to_be_checked()
    sem.reload()
    expect(prepare).to_be_checked()


def test_stuck_from_the_overview_is_seen_by_the_other(
    signed_in_page: Callable[..., Page],
    live_server: str,
    client_for: Callable[[Person], ApiClient],
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    marco_api, sem_api = client_for(lead), client_for(learner)
    sign_a_talk(marco_api, sem_api, make_talk, lead, learner, clock)
    clock.set(clock.now() + timedelta(days=2))

    sem = signed_in_page(learner, width=320)
    sem.goto(f"{live_server}/")
    card = sem.locator("#mine-list li.card", has_text=AGREED)
    expect(card).to_be_visible()
    card.get_by_text("Voortgang bijwerken").click()
    card.get_by_label("Toelichting").fill("Alle cursussen zitten vol tot mei")
    card.get_by_role("button", name="Loopt vast").click()
    expect(card.locator(".badge", has_text="Loopt vast")).to_be_visible()
    expect(card.locator(".progress-latest")).to_contain_text("Loopt vast")
    expect(card.locator(".progress-latest")).to_contain_text("Alle cursussen zitten vol tot mei")
    expect(sem.locator("#og-announcer")).to_contain_text("Gemarkeerd")
    # Stuck now: picking it up again is offered, stuck is not.
    expect(card.get_by_role("button", name="Weer oppakken")).to_be_visible()
    expect(card.get_by_role("button", name="Loopt vast")).to_have_count(0)
    check_accessibility(sem)

    marco = signed_in_page(lead, width=1280)
    marco.goto(f"{live_server}/")
    his = marco.locator("#learners-list li.card", has_text=AGREED)
    expect(his.locator(".badge", has_text="Loopt vast")).to_be_visible()
    expect(his.locator(".progress-latest")).to_contain_text("Alle cursussen zitten vol tot mei")
    # The lead follows it up: he may close it from here.
    his.get_by_text("Voortgang bijwerken").click()
    his.get_by_role("button", name="Afgerond").click()
    expect(marco.locator("#learners-list li.card", has_text=AGREED)).to_have_count(0)
    expect(marco.locator("#og-announcer")).to_contain_text("afgerond")
    expect(marco.locator("#agreements-heading")).to_be_focused()
    sem.reload()
    expect(sem.locator("#mine-list li.card", has_text=AGREED)).to_have_count(0)


def test_a_step_on_a_changed_agreement_shows_it_as_it_is_now_and_keeps_my_text(
    signed_in_page: Callable[..., Page],
    live_server: str,
    client_for: Callable[[Person], ApiClient],
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    marco_api, sem_api = client_for(lead), client_for(learner)
    sign_a_talk(marco_api, sem_api, make_talk, lead, learner, clock)
    clock.set(clock.now() + timedelta(days=2))
    sem = signed_in_page(learner, width=320)
    sem.goto(f"{live_server}/")
    card = sem.locator("#mine-list li.card", has_text=AGREED)
    card.get_by_text("Voortgang bijwerken").click()
    # Meanwhile Marco writes a note: the agreement Sem's page holds is one version behind.
    [item] = marco_api.get("/api/overview").json["open_agreements"]["my_learners"]
    url = f"/api/agreements/{item['id']}/progress"
    noted = marco_api.post(
        url, json={"version": item["version"], "kind": "note", "note": "Hoe gaat het?"}
    )
    assert noted.status_code == 200, noted.json
    card.get_by_label("Toelichting").fill("De cursus zit vol")
    card.get_by_role("button", name="Loopt vast").click()
    expect(card.locator(".form-error")).to_contain_text("intussen")
    expect(card.locator(".progress-latest")).to_contain_text("Hoe gaat het?")
    expect(card.get_by_label("Toelichting")).to_have_value("De cursus zit vol")
    expect(card.get_by_label("Toelichting")).to_be_focused()
    # Sent again, now on the current version.
    card.get_by_role("button", name="Loopt vast").click()
    expect(card.locator(".progress-latest")).to_contain_text("De cursus zit vol")
    expect(card.locator(".form-error")).to_be_hidden()
