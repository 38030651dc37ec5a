"""The agreements panel in two browsers: live changes, an edit conflict, going offline."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from plugin.domain.agreement import Owner
from plugin.services import agreements, talks
from tests.browser.conftest import check_accessibility

LIVE = 2000  # ms: the other panel shows a change within 2 s


def open_panel(page: Page, live_server: str, talk_id: str) -> None:
    page.goto(f"{live_server}/talks/{talk_id}/panel")
    expect(page.locator("#agreements")).to_be_attached()


def add(page: Page, what: str) -> None:
    page.locator("#new-what").fill(what)
    page.locator("#add-form button[type=submit]").click()


def test_changes_show_live_on_the_other_panel(
    signed_in_page, live_server, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    marco, sem = signed_in_page(lead), signed_in_page(learner, width=320)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)

    add(marco, "Sem maakt een inregelrapport")
    card = sem.locator("#agreements li", has_text="Sem maakt een inregelrapport")
    expect(card).to_be_visible(timeout=LIVE)
    # The learner confirms the lead's wording; the lead sees it without reloading.
    card.get_by_role("button", name=re.compile("formulering bevestigen", re.I)).click()
    expect(marco.locator("#agreements .badge.ok")).to_be_visible(timeout=LIVE)
    # A live region tells screen-reader users about the other's change.
    expect(marco.locator("#og-announcer")).not_to_be_empty(timeout=LIVE)
    check_accessibility(sem)


def test_an_edit_conflict_shows_both_versions_and_lets_the_user_choose(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    item = services.write(
        lambda s: agreements.add_agreement(
            services, s, lead, talk.id, what="Oorspronkelijke tekst", owner=Owner.BOTH, due=None
        )
    )
    marco, sem = signed_in_page(lead), signed_in_page(learner)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)

    # Both open the editor on the same version.
    for page in (marco, sem):
        page.locator(f"#agreement-{item.id}").get_by_role("button", name="Bewerken").click()
    marco.locator(f"#edit-what-{item.id}").fill("Versie van Marco")
    marco.locator(f"#agreement-{item.id}").get_by_role("button", name="Opslaan").click()
    expect(marco.locator(f"#agreement-{item.id} .agreement-what")).to_have_text("Versie van Marco")

    sem.locator(f"#edit-what-{item.id}").fill("Versie van Sem")
    sem.locator(f"#agreement-{item.id}").get_by_role("button", name="Opslaan").click()
    conflict = sem.locator(f"#agreement-{item.id} .conflict")
    expect(conflict).to_be_visible()
    expect(conflict.locator(".mine")).to_contain_text("Versie van Sem")
    expect(conflict.locator(".theirs")).to_contain_text("Versie van Marco")
    check_accessibility(sem)
    conflict.get_by_role("button", name="Mijn versie houden").click()
    expect(sem.locator(f"#agreement-{item.id} .agreement-what")).to_have_text("Versie van Sem")
    expect(marco.locator(f"#agreement-{item.id} .agreement-what")).to_have_text(
        "Versie van Sem", timeout=LIVE
    )


def test_offline_keeps_input_and_saves_it_on_reconnect(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    marco, sem = signed_in_page(lead), signed_in_page(learner)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)

    marco.context.set_offline(True)
    status = marco.locator("#connection")
    expect(status).to_contain_text("Offline", timeout=LIVE)
    add(marco, "Afspraak gemaakt zonder verbinding")
    pending = marco.locator("#agreements li.pending", has_text="Afspraak gemaakt zonder verbinding")
    expect(pending).to_be_visible()
    saved = services.read(lambda s: talks.load_talk(s, lead, talk.id).agreements)
    assert saved == []

    marco.context.set_offline(False)
    expect(marco.locator("#agreements li.pending")).to_have_count(0, timeout=LIVE * 2)
    expect(
        sem.locator("#agreements li", has_text="Afspraak gemaakt zonder verbinding")
    ).to_be_visible(timeout=LIVE * 2)
    saved = services.read(lambda s: talks.load_talk(s, lead, talk.id).agreements)
    assert [a.what for a in saved] == ["Afspraak gemaakt zonder verbinding"]


def test_signing_in_the_panel_locks_it_and_books_the_follow_up(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))

    def agreed(s):
        item = agreements.add_agreement(
            services, s, lead, talk.id, what="Samen terugkijken", owner=Owner.BOTH, due=None
        )
        agreements.confirm_agreement(services, s, learner, talk.id, item.id, expected_version=1)

    services.write(agreed)
    marco, sem = signed_in_page(lead), signed_in_page(learner)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)
    marco.locator("#sign-button").click()
    expect(sem.locator("#sign-area .badge.ok")).to_have_count(1, timeout=LIVE)
    sem.locator("#sign-button").click()
    for page in (marco, sem):
        expect(page.locator("#follow-up-booked")).to_be_visible(timeout=LIVE)
        expect(page.locator("#add-section")).to_be_hidden()
