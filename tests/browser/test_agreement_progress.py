"""Progress on agreements after sign-off, on the signed form in Chromium: the learner marks
their agreement stuck with a note, the lead sees it beside the form (still intact) and marks it
done; a note over the limit is counted and not sent; the learner notes on the lead's agreement
but cannot close it; the next talk's panel still lists the stuck agreement. At 320 px and at
full width."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from tests.api.test_form_integrity import AGREED, sign_a_talk
from tests.browser.conftest import check_accessibility
from tests.conftest import ApiClient


def test_both_follow_an_agreement_on_the_signed_form(
    signed_in_page: Callable[..., Page],
    live_server: str,
    client_for: Callable[[Person], ApiClient],
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    marco_api, sem_api = client_for(lead), client_for(learner)
    talk_id = sign_a_talk(marco_api, sem_api, make_talk, lead, learner, clock)
    clock.set(clock.now() + timedelta(days=2))
    form_url = f"{live_server}/talks/{talk_id}/form"

    sem = signed_in_page(learner, width=320)
    sem.goto(form_url)
    mine = sem.locator(".progress-card")
    expect(mine.get_by_text("Nog niets bijgehouden.")).to_be_visible()
    # Over the limit: counted, refused on the page, nothing sent.
    note = mine.get_by_label("Toelichting")
    note.fill("x" * 1001)
    expect(mine.locator(".char-count")).to_contain_text("1001/1000")
    mine.get_by_role("button", name="Loopt vast").click()
    expect(mine.locator(".field-error")).to_contain_text("1000")
    expect(mine.get_by_text("Nog niets bijgehouden.")).to_be_visible()
    note.fill("Alle cursussen zitten vol tot mei")
    mine.get_by_role("button", name="Loopt vast").click()
    expect(mine.locator(".progress-history")).to_contain_text("Alle cursussen zitten vol tot mei")
    expect(mine.locator("h3 .badge")).to_have_text("Loopt vast")
    expect(sem.locator(".agreement-state")).to_have_text("Loopt vast")
    expect(mine.get_by_role("button", name="Weer oppakken")).to_be_visible()
    check_accessibility(sem)

    marco = signed_in_page(lead, width=1280)
    marco.goto(form_url)
    his = marco.locator(".progress-card")
    expect(his.locator(".progress-history")).to_contain_text("Sem")
    expect(his.locator(".progress-history")).to_contain_text("Alle cursussen zitten vol tot mei")
    expect(marco.locator("#intact")).to_contain_text("Formulier intact")
    his.get_by_label("Toelichting").fill("Plek gevonden bij een andere opleider")
    his.get_by_role("button", name="Afgerond").click()
    expect(his.locator("h3 .badge")).to_have_text("Afgerond")
    expect(his.get_by_role("button", name="Weer oppakken")).to_be_visible()
    marco.reload()
    expect(marco.locator("#intact")).to_contain_text("Formulier intact")
    marco_small = signed_in_page(lead, width=320)
    marco_small.goto(form_url)
    expect(marco_small.locator(".progress-card h3 .badge")).to_have_text("Afgerond")

    # Sem's page was open all along: after a reload he sees Marco's step too.
    sem.reload()
    expect(mine.locator(".progress-history li")).to_have_count(2)


def test_the_learner_adds_progress_to_the_leads_agreement_but_does_not_close_it(
    signed_in_page: Callable[..., Page],
    live_server: str,
    client_for: Callable[[Person], ApiClient],
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    marco_api, sem_api = client_for(lead), client_for(learner)
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=5))
    added = marco_api.post(
        f"/api/talks/{talk.id}/agreements",
        json={"what": "Marco regelt een leskist voor Sem", "owner": "lead"},
    ).json
    sem_api.post(f"/api/talks/{talk.id}/agreements/{added['id']}/confirm", json={"version": 1})
    for who in (marco_api, sem_api):
        assert who.sign(talk.id).status_code == 200

    sem = signed_in_page(learner, width=1280)
    sem.goto(f"{live_server}/talks/{talk.id}/form")
    mine = sem.locator(".progress-card")
    expect(mine.get_by_text("dat kiest Marco")).to_be_visible()
    expect(mine.get_by_role("button", name="Afgerond")).to_have_count(0)
    # An empty note: the server's message under the field.
    mine.get_by_role("button", name="Voortgang toevoegen").click()
    expect(mine.locator(".field-error")).to_be_visible()
    mine.get_by_label("Toelichting").fill("Is de leskist er al?")
    mine.get_by_role("button", name="Voortgang toevoegen").click()
    expect(mine.locator(".progress-history")).to_contain_text("Is de leskist er al?")


def test_the_next_talks_agenda_lists_the_stuck_agreement(
    signed_in_page: Callable[..., Page],
    live_server: str,
    client_for: Callable[[Person], ApiClient],
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    """The next talk's panel renders an earlier agreement that has progress (what it says
    is in tests/api/test_agreement_progress.py; the panel's words for it are the lead's)."""
    marco_api, sem_api = client_for(lead), client_for(learner)
    talk_id = sign_a_talk(marco_api, sem_api, make_talk, lead, learner, clock)
    [agreement] = marco_api.talk(talk_id)["agreements"]
    stuck = sem_api.post(
        f"/api/agreements/{agreement['id']}/progress",
        json={"version": agreement["version"], "kind": "stuck", "note": "Geen plek in de cursus"},
    )
    assert stuck.status_code == 200, stuck.json
    later = marco_api.talk(marco_api.talk(talk_id)["follow_up"]["talk_id"])
    clock.set(datetime.fromisoformat(later["starts_at"]))
    marco = signed_in_page(lead, width=320)
    marco.goto(f"{live_server}/talks/{later['id']}")
    expect(marco.locator(".agenda-item").filter(has_text=AGREED)).to_be_visible()
