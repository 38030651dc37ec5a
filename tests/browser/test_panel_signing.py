"""The agreements panel in two browsers, lead and learner: a signature names the form as it was
shown, so one sent after the form changed is refused and the panel says what changed; removing
an agreement the other stands behind waits for their confirmation; the sign button says why it
has to wait before anyone clicks it; a signature that lapses says why; once both signed, the
panel says when the follow-up is.

The API's side: tests/api (signing with `form_hash`, removals that wait).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from playwright.sync_api import Dialog, Page, expect
from sqlalchemy.orm import Session

from plugin.domain.agreement import Agreement, Owner
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.services import agreements
from plugin.services.context import Services
from tests.browser.conftest import check_accessibility
from tests.browser.test_panel import LIVE, open_panel

# The panel's Dutch texts (plugin/translations/nl/LC_MESSAGES/messages.po).
SIGN = "Formulier aftekenen"
OFFLINE = "Offline"
FORM_CHANGED = (
    "Het formulier is veranderd nadat je het opende. Je hebt nog niet afgetekend. "
    "Lees wat er anders is en teken dan opnieuw af."
)
SIGNED_BY_ME = "Wacht op de handtekening van {name}."
BOTH_SIGNED = "Jullie hebben allebei afgetekend. Het gespreksformulier is vergrendeld."
SIGN_WAITING_REMOVAL = "Nog 1 verwijdering wacht op bevestiging:"
REMOVE = "Verwijderen"
REMOVE_ASK = (
    "Deze afspraak verwijderen? Heeft de ander hem al bevestigd, dan bevestigt die eerst het "
    "verwijderen."
)
REMOVAL_MINE = "Je vroeg {name} om het verwijderen te bevestigen."
REMOVAL_THEIRS = "{name} wil deze afspraak verwijderen."
REMOVAL_CONFIRM = "Verwijderen bevestigen"
REMOVAL_KEEP = "Houden"
REMOVAL_WITHDRAW = "Toch houden"
NOT_STARTED = "Het gesprek begint op dinsdag 2 maart om 09:00. Daarna kun je aftekenen."
WAITING = "Nog {count} afspraken wachten op bevestiging:"
SAVING = "Je wijzigingen worden nog opgeslagen."
EDITING = "Maak eerst je wijziging af: opslaan of annuleren."
LAPSED_MINE = (
    "Je handtekening is vervallen omdat de afspraken zijn veranderd. Lees ze en teken opnieuw."
)
LAPSED_THEIRS = (
    "De handtekening van Sem is vervallen omdat de afspraken zijn veranderd. "
    "Sem moet opnieuw aftekenen."
)


def agreed(services: Services, talk: Talk, author: Person, other: Person, what: str) -> Agreement:
    """An agreement written by `author` and confirmed in its wording by `other`."""

    def work(s: Session) -> Agreement:
        item = agreements.add_agreement(
            services, s, author, talk.id, what=what, owner=Owner.BOTH, due=None
        )
        return agreements.confirm_agreement(
            services, s, other, talk.id, item.id, expected_version=item.version
        )

    return services.write(work)


@dataclass(frozen=True)
class Stored:
    """The talk as the database holds it: its status, who signed, its agreements."""

    status: TalkStatus
    signers: list[str]
    agreements: dict[str, Agreement]


def stored(services: Services, talk_id: str) -> Stored:
    def read(s: Session) -> Stored:
        talk = s.get(Talk, talk_id)
        assert talk is not None
        return Stored(
            talk.status,
            sorted(signature.person_id for signature in talk.signatures),
            {a.id: a for a in talk.agreements},
        )

    return services.read(read)


def test_a_signature_sent_after_the_form_changed_is_refused_and_shows_what_changed(
    signed_in_page: Callable[..., Page],
    live_server: str,
    services: Services,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    item = agreed(services, talk, lead, learner, "Sem leest hoofdstuk 3")
    marco, sem = signed_in_page(lead), signed_in_page(learner, width=320)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)
    card = f"#agreement-{item.id}"
    expect(sem.locator(f"{card} .agreement-what")).to_have_text("Sem leest hoofdstuk 3")
    expect(sem.locator("#sign-button")).to_have_text(SIGN)
    expect(sem.locator("#sign-button")).to_be_enabled()

    # Sem presses "sign" without a connection: the signature waits, naming the form he saw.
    sem.context.set_offline(True)
    expect(sem.locator("#connection")).to_contain_text(OFFLINE, timeout=LIVE)
    sem.locator("#sign-button").click()
    expect(sem.locator("#sign-button")).to_be_disabled()  # kept, to be sent on reconnect
    assert stored(services, talk.id).signers == []

    # Meanwhile Marco rewords the agreement in his panel, Sem confirms the new wording (on his
    # phone, say: here through the service) and Marco signs the form as it now is.
    marco.locator(card).get_by_role("button", name="Bewerken").click()
    marco.locator(f"#edit-what-{item.id}").fill("Sem leest hoofdstuk 3 en 4")
    marco.locator(card).get_by_role("button", name="Opslaan").click()
    expect(marco.locator(f"{card} .agreement-what")).to_have_text("Sem leest hoofdstuk 3 en 4")
    expect(marco.locator(f"{card} .badge.warn")).to_be_visible()  # the wording waits for Sem
    reworded = stored(services, talk.id).agreements[item.id]
    assert (reworded.what, reworded.confirmed_by) == ("Sem leest hoofdstuk 3 en 4", None)
    services.write(
        lambda s: agreements.confirm_agreement(
            services, s, learner, talk.id, item.id, expected_version=reworded.version
        )
    )
    expect(marco.locator(f"{card} .badge.ok")).to_be_visible(timeout=LIVE)
    marco.locator("#sign-button").click()
    expect(marco.locator("#sign-area")).to_contain_text(
        SIGNED_BY_ME.format(name="Sem"), timeout=LIVE
    )
    assert stored(services, talk.id).signers == [lead.id]

    # Back online, the kept signature goes out for the form Sem saw: refused. The panel shows
    # the form as it is and what changed; nothing is signed in Sem's name.
    sem.context.set_offline(False)
    changed = sem.locator("#form-changed")
    expect(changed).to_be_visible(timeout=LIVE * 2)
    expect(changed.locator("p")).to_have_text(FORM_CHANGED)
    expect(changed.locator("li")).to_have_text(["Aangepast: Sem leest hoofdstuk 3 en 4"])
    # The status bar does not claim that everything done offline was saved.
    expect(sem.locator("#connection")).to_have_text(
        "Weer online. Niet alles wat je offline deed, kon worden opgeslagen: kijk hieronder."
    )
    expect(sem.locator(f"{card} .agreement-what")).to_have_text("Sem leest hoofdstuk 3 en 4")
    refused = stored(services, talk.id)
    assert (refused.status, refused.signers) == (TalkStatus.HELD, [lead.id])
    check_accessibility(sem)

    # Having read it, Sem signs again: now the form he signs is the form as it is.
    expect(sem.locator("#sign-button")).to_be_enabled()
    sem.locator("#sign-button").click()
    for page in (sem, marco):
        expect(page.locator("#sign-area")).to_contain_text(BOTH_SIGNED, timeout=LIVE)
    expect(changed).to_have_count(0)
    signed = stored(services, talk.id)
    assert signed.status is TalkStatus.SIGNED
    assert signed.signers == sorted([lead.id, learner.id])
    assert [a.what for a in signed.agreements.values()] == ["Sem leest hoofdstuk 3 en 4"]


def test_removing_a_confirmed_agreement_waits_for_the_other_to_confirm_it(
    signed_in_page: Callable[..., Page],
    live_server: str,
    services: Services,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    item = agreed(services, talk, lead, learner, "Marco regelt een meeloopdag")
    marco, sem = signed_in_page(lead), signed_in_page(learner, width=320)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)
    card = f"#agreement-{item.id}"
    expect(sem.locator(f"{card} .badge.ok")).to_be_visible()

    # Marco removes it, and accepts the question that says the other confirms first.
    asked: list[str] = []

    def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    marco.once("dialog", accept)
    marco.locator(card).get_by_role("button", name=REMOVE, exact=True).click()

    # Sem stands behind it, so it stays, marked as waiting for him; nobody can sign meanwhile.
    mine = marco.locator(card)
    expect(mine).to_contain_text(REMOVAL_MINE.format(name="Sem"), timeout=LIVE)
    assert asked == [REMOVE_ASK]
    expect(mine.get_by_role("button")).to_have_text([REMOVAL_WITHDRAW])
    waiting = stored(services, talk.id).agreements[item.id]
    assert waiting.removal_requested_by == lead.id

    theirs = sem.locator(card)
    expect(theirs).to_contain_text(REMOVAL_THEIRS.format(name="Marco"), timeout=LIVE)
    expect(theirs.get_by_role("button")).to_have_text([REMOVAL_CONFIRM, REMOVAL_KEEP])
    for page, waits_on in ((marco, "wacht op Sem"), (sem, "wacht op jou")):
        why = page.locator("#sign-why")
        expect(why.locator("p")).to_have_text([SIGN_WAITING_REMOVAL])
        expect(why.locator("li")).to_have_text([f"“Marco regelt een meeloopdag” – {waits_on}"])
        expect(page.locator("#sign-button")).to_be_disabled()
        expect(page.locator("#sign-button")).to_have_attribute("aria-describedby", "sign-why")
    check_accessibility(sem)

    # Sem confirms the removal: the agreement is gone, on both sides and in the database.
    theirs.get_by_role("button", name=REMOVAL_CONFIRM, exact=True).click()
    for page in (sem, marco):
        expect(page.locator(card)).to_have_count(0, timeout=LIVE)
        expect(page.locator("#no-agreements")).to_be_visible()
    assert stored(services, talk.id).agreements == {}


def test_the_sign_button_says_why_it_waits_before_anyone_clicks(
    signed_in_page: Callable[..., Page],
    live_server: str,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    # The talk is tomorrow, Tuesday 2 March 2027 at 09:00; the panel is open already.
    talk = make_talk(lead, learner)
    marco, sem = signed_in_page(lead), signed_in_page(learner, width=320)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)
    button, why = marco.locator("#sign-button"), marco.locator("#sign-why")
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("aria-describedby", "sign-why")
    expect(why).to_have_text(NOT_STARTED)
    check_accessibility(marco)

    # The talk begins: signing opens without a reload. No agreements is no reason to wait.
    clock.set(talk.starts_at + timedelta(minutes=1))
    expect(why).to_have_count(0, timeout=LIVE)
    expect(button).to_be_enabled()
    expect(button).not_to_have_attribute("aria-describedby", "sign-why")

    # Two agreements of Marco's wait for Sem: each side reads how many, which, and on whom.
    for what in ("Sem maakt een inregelrapport", "Marco regelt een meeloopdag"):
        marco.locator("#new-what").fill(what)
        marco.locator("#add-form button[type=submit]").click()
    waits = [
        "“Sem maakt een inregelrapport” – {who}",
        "“Marco regelt een meeloopdag” – {who}",
    ]
    for page, who in ((marco, "wacht op Sem"), (sem, "wacht op jou")):
        reasons = page.locator("#sign-why")
        expect(reasons.locator("p")).to_have_text([WAITING.format(count=2)], timeout=LIVE)
        expect(reasons.locator("li")).to_have_text([w.format(who=who) for w in waits])
        expect(page.locator("#sign-button")).to_be_disabled()
    check_accessibility(sem)

    # Sem confirms one without a connection: it waits to be saved, and the panel says so.
    sem.context.set_offline(True)
    expect(sem.locator("#connection")).to_contain_text(OFFLINE, timeout=LIVE)
    first = sem.locator("#agreements li.card").first
    first.get_by_role("button", name="Formulering bevestigen").click()
    expect(sem.locator("#sign-why p")).to_have_text([WAITING.format(count=2), SAVING])
    sem.context.set_offline(False)
    expect(sem.locator("#sign-why p")).to_have_text(
        ["Nog 1 afspraak wacht op bevestiging:"], timeout=LIVE * 2
    )

    # An open editor is a change not made yet: sign once it is saved or cancelled.
    last = sem.locator("#agreements li.card").last
    last.get_by_role("button", name="Bewerken").click()
    expect(sem.locator("#sign-why p")).to_have_text(
        ["Nog 1 afspraak wacht op bevestiging:", EDITING]
    )
    sem.locator("#agreements li.editor").get_by_role("button", name="Annuleren").click()
    last.get_by_role("button", name="Formulering bevestigen").click()
    for page in (sem, marco):
        expect(page.locator("#sign-why")).to_have_count(0, timeout=LIVE)
        expect(page.locator("#sign-button")).to_be_enabled()


def test_a_signature_that_lapses_says_why(
    signed_in_page: Callable[..., Page],
    live_server: str,
    services: Services,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    item = agreed(services, talk, lead, learner, "Sem leest hoofdstuk 3")
    marco, sem = signed_in_page(lead), signed_in_page(learner, width=320)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)
    sem.locator("#sign-button").click()
    expect(sem.locator("#sign-area .badge.ok")).to_have_text(
        [re.compile(r"^Je hebt afgetekend op ")]
    )
    expect(sem.locator("#sign-area")).to_contain_text("Wacht op de handtekening van Marco.")
    expect(marco.locator("#sign-area .badge.ok")).to_have_text(
        [re.compile(r"^Afgetekend door Sem op ")], timeout=LIVE
    )

    # Marco rewords the agreement: the server clears Sem's signature; both panels say why.
    card = f"#agreement-{item.id}"
    marco.locator(card).get_by_role("button", name="Bewerken").click()
    marco.locator(f"#edit-what-{item.id}").fill("Sem leest hoofdstuk 3 en 4")
    marco.locator(card).get_by_role("button", name="Opslaan").click()
    expect(sem.locator("#sign-lapsed")).to_have_text(LAPSED_MINE, timeout=LIVE)
    expect(sem.locator("#og-announcer")).to_have_text(LAPSED_MINE)
    expect(marco.locator("#sign-lapsed")).to_have_text(LAPSED_THEIRS, timeout=LIVE)
    expect(sem.locator("#sign-area .badge.ok")).to_have_count(0)
    assert stored(services, talk.id).signers == []
    check_accessibility(sem)

    # Sem reads it, confirms the new wording and signs again: the notice has done its work.
    sem.locator(card).get_by_role("button", name="Formulering bevestigen").click()
    sem.locator("#sign-button").click()
    expect(sem.locator("#sign-lapsed")).to_have_count(0)
    expect(marco.locator("#sign-lapsed")).to_have_count(0, timeout=LIVE)
