"""The agreements panel in two browsers: live changes, an edit conflict, going offline, who
confirms what (worded for the reader), a wording the other replaced, text over a limit, and the
page's title."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, Route, expect

from plugin.domain.agreement import Owner
from plugin.services import agreements, talks
from tests.browser.conftest import check_accessibility

LIVE = 2000  # ms: the other panel shows a change within 2 s

# The panel's Dutch texts (plugin/translations/nl/LC_MESSAGES/messages.po). The test people are
# "Marco Lead" and "Sem Learner": the panel names the other by their first name.
CONFLICT = "Marco heeft deze afspraak aangepast terwijl jij hem bewerkte. Kies welke versie blijft."
CONFLICT_STATUS = "Nog niet opgeslagen: kies welke versie blijft."
REPLACED = "Marco heeft de formulering van je afspraak aangepast: bevestig of pas aan"
TOO_LONG = "Gebruik maximaal {max} tekens. Haal er {over} weg."


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
    item, other = (
        services.write(
            lambda s, what=what: agreements.add_agreement(
                services, s, lead, talk.id, what=what, owner=Owner.BOTH, due=None
            )
        )
        for what in ("Oorspronkelijke tekst", "Marco regelt een meeloopdag")
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
    expect(conflict.locator("p").first).to_have_text(CONFLICT)
    expect(conflict.locator(".mine h3")).to_have_text("Jouw versie")
    expect(conflict.locator(".mine")).to_contain_text("Versie van Sem")
    expect(conflict.locator(".theirs h3")).to_have_text("De versie van Marco")
    expect(conflict.locator(".theirs")).to_contain_text("Versie van Marco")
    # One choice, worded for one person: no Save or Cancel beside it.
    expect(sem.locator(f"#agreement-{item.id}").get_by_role("button")).to_have_text(
        ["Mijn versie bewaren", "Die van Marco nemen"]
    )
    # While the choice waits, the status line never says "Saved", not even after another
    # change that did go through.
    status = sem.locator("#connection")
    expect(status).to_have_text(CONFLICT_STATUS)
    sem.locator(f"#agreement-{other.id}").get_by_role(
        "button", name="Formulering bevestigen"
    ).click()
    expect(sem.locator(f"#agreement-{other.id} .badge.ok")).to_be_visible()
    expect(status).to_have_text(CONFLICT_STATUS)
    check_accessibility(sem)
    conflict.get_by_role("button", name="Mijn versie bewaren").click()
    expect(sem.locator(f"#agreement-{item.id} .agreement-what")).to_have_text("Versie van Sem")
    expect(status).to_have_text("Opgeslagen.")
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


def test_the_reader_confirms_as_you_and_hears_when_the_other_rewords_their_agreement(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    item = services.write(
        lambda s: agreements.add_agreement(
            services,
            s,
            learner,
            talk.id,
            what="Sem leest hoofdstuk 3",
            owner=Owner.LEARNER,
            due=None,
        )
    )
    marco, sem = signed_in_page(lead), signed_in_page(learner, width=320)
    open_panel(marco, live_server, talk.id)
    open_panel(sem, live_server, talk.id)
    sems, marcos = sem.locator(f"#agreement-{item.id}"), marco.locator(f"#agreement-{item.id}")
    # The one who confirms reads "your"; the other is named by first name, never oneself.
    expect(sems.locator(".badge.warn")).to_have_text("Wacht op de bevestiging van Marco")
    expect(marcos.locator(".badge.warn")).to_have_text("Wacht op jouw bevestiging")

    # Marco rewords Sem's agreement (Sem is not editing it): Sem is told, and sees what it was.
    marcos.get_by_role("button", name="Bewerken").click()
    marco.locator(f"#edit-what-{item.id}").fill("Sem leest hoofdstuk 3 en 4")
    marcos.get_by_role("button", name="Opslaan").click()
    replaced = sem.locator(f"#replaced-{item.id}")
    expect(replaced).to_have_text(REPLACED, timeout=LIVE)
    expect(sems).to_contain_text("Eerst stond er: Sem leest hoofdstuk 3")
    expect(sem.locator("#og-announcer")).to_have_text(REPLACED)
    expect(sems.locator(".badge.warn")).to_have_text("Wacht op jouw bevestiging")
    expect(marcos.locator(".badge.warn")).to_have_text("Wacht op de bevestiging van Sem")
    expect(marco.locator(f"#replaced-{item.id}")).to_have_count(0)
    check_accessibility(sem)

    # Sem confirms the new wording: the notice has done its work.
    sems.get_by_role("button", name="Formulering bevestigen").click()
    expect(replaced).to_have_count(0)
    expect(sems.locator(".badge.ok")).to_have_text("Je hebt de formulering bevestigd")
    expect(marcos.locator(".badge.ok")).to_have_text("Formulering bevestigd door Sem", timeout=LIVE)


def stored_whats(services, person, talk_id) -> list[str]:
    return services.read(lambda s: [a.what for a in talks.load_talk(s, person, talk_id).agreements])


def test_text_over_the_limit_is_counted_kept_and_not_sent(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    marco = signed_in_page(lead, width=320)
    open_panel(marco, live_server, talk.id)
    what, counter = marco.locator("#new-what"), marco.locator("#new-what-count")
    expect(counter).to_have_text("0/500 tekens")
    expect(what).to_have_attribute("aria-describedby", "new-what-count")

    # A paste of 600 characters: the browser used to cut it at 500, mid-word, without a word.
    text = ("Sem regelt zelfstandig een cv-installatie in, met de checklist erbij. " * 9)[:600]
    assert len(text) == 600 and text == text.strip()
    what.fill(text)
    expect(what).to_have_value(text)
    expect(counter).to_have_text("600/500 tekens · 100 te veel")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    expect(marco.locator("#og-announcer")).to_have_text("Te lang: gebruik maximaal 500 tekens.")

    # Sending is refused here, with the field's own message; nothing goes out, nothing is lost.
    marco.locator("#add-form button[type=submit]").click()
    error = marco.locator("#new-what-error")
    expect(error).to_have_text(TOO_LONG.format(max=500, over=100))
    expect(what).to_have_attribute("aria-invalid", "true")
    expect(what).to_have_attribute("aria-describedby", "new-what-count new-what-error")
    expect(what).to_be_focused()
    expect(what).to_have_value(text)
    check_accessibility(marco)
    assert stored_whats(services, lead, talk.id) == []

    # Shortened to near the limit: a warning only, the message goes, and it can be sent.
    fits = text[:490].rstrip()
    what.fill(fits)
    expect(counter).to_have_text(f"{len(fits)}/500 tekens")
    expect(counter).to_have_class(re.compile(r"\bnear\b"))
    expect(error).to_have_count(0)
    expect(what).not_to_have_attribute("aria-invalid", "true")
    expect(marco.locator("#og-announcer")).to_have_text("Weer binnen de 500 tekens.")
    marco.locator("#add-form button[type=submit]").click()
    card = marco.locator("#agreements li.card").first
    expect(card.locator(".agreement-what")).to_have_text(fits)
    expect(counter).to_have_text("0/500 tekens")  # the form is empty for the next one

    # Editing it over the limit: the same counter and message, and the stored text stays.
    card.get_by_role("button", name="Bewerken").click()
    edit = marco.locator("#agreements textarea[name=what]")
    edit.fill(text)
    item_id = (edit.get_attribute("id") or "").removeprefix("edit-what-")
    expect(marco.locator(f"#edit-what-{item_id}-count")).to_have_text(
        "600/500 tekens · 100 te veel"
    )
    marco.locator(f"#agreement-{item_id}").get_by_role("button", name="Opslaan").click()
    expect(marco.locator(f"#edit-what-{item_id}-error")).to_have_text(
        TOO_LONG.format(max=500, over=100)
    )
    expect(edit).to_have_value(text)
    assert stored_whats(services, lead, talk.id) == [fits]

    # Should a text get past the page, the server refuses it and says so at the field, in words.
    marco.locator(f"#agreement-{item_id}").get_by_role("button", name="Annuleren").click()
    what.evaluate("field => field.removeAttribute('data-maxlength')")
    what.fill(text)
    marco.locator("#add-form button[type=submit]").click()
    expect(error).to_have_text("Gebruik maximaal 500 tekens.")
    expect(what).to_have_value(text)
    assert stored_whats(services, lead, talk.id) == [fits]


def test_a_reaction_over_its_limit_is_kept_and_not_sent(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    item = services.write(
        lambda s: agreements.add_agreement(
            services,
            s,
            lead,
            talk.id,
            what="Sem maakt een inregelrapport",
            owner=Owner.LEARNER,
            due=None,
        )
    )
    sem = signed_in_page(learner, width=320)
    open_panel(sem, live_server, talk.id)
    card = sem.locator(f"#agreement-{item.id}")
    card.get_by_role("button", name="Reactie", exact=True).click()
    reaction = sem.locator(f"#react-{item.id}")
    text = ("Prima, graag met de checklist van de fabrikant erbij. " * 40)[:2100].strip()
    reaction.fill(text)
    over = len(text) - 2000
    expect(sem.locator(f"#react-{item.id}-count")).to_have_text(
        f"{len(text)}/2000 tekens · {over} te veel"
    )
    card.get_by_role("button", name="Reactie opslaan").click()
    expect(sem.locator(f"#react-{item.id}-error")).to_have_text(
        TOO_LONG.format(max=2000, over=over)
    )
    expect(reaction).to_have_value(text)
    stored = services.read(lambda s: talks.load_talk(s, learner, talk.id).agreements[0].reaction)
    assert stored in ("", None)


def test_the_talk_pages_name_the_talk_without_a_doubled_prefix(
    signed_in_page, live_server, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner)
    assert talk.title == "Ontwikkelgesprek: Sem Learner"
    clock.set(talk.starts_at + timedelta(minutes=1))
    marco = signed_in_page(lead)
    for path, tab in (
        ("panel", "Afspraken"),
        ("prepare", "Voorbereiding"),
        ("form", "Gespreksformulier"),
    ):
        marco.goto(f"{live_server}/talks/{talk.id}/{path}")
        expect(marco.locator("main h1")).to_have_text(talk.title)
        # "Afspraken · Ontwikkelgesprek: Sem Learner": one colon, and the app's name once.
        expect(marco).to_have_title(f"{tab} · {talk.title}")


def test_the_next_agreement_typed_while_one_is_saved_is_kept(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    marco = signed_in_page(lead, width=320)
    open_panel(marco, live_server, talk.id)
    posts = re.compile(r"/api/talks/[^/]+/agreements$")

    def type_the_next_one_meanwhile(route: Route) -> None:
        # The first agreement is on its way; Marco types the next before its answer is back.
        marco.locator("#new-what").fill("Marco regelt een meeloopdag")
        route.continue_()

    marco.route(posts, type_the_next_one_meanwhile)
    add(marco, "Sem maakt een inregelrapport")
    expect(marco.locator("#agreements li.card .agreement-what")).to_have_text(
        ["Sem maakt een inregelrapport"]
    )
    # The first one's answer does not empty the form under Marco's hands.
    expect(marco.locator("#new-what")).to_have_value("Marco regelt een meeloopdag")
    assert stored_whats(services, lead, talk.id) == ["Sem maakt een inregelrapport"]


def test_a_reaction_being_typed_keeps_its_text_and_caret_when_the_agreement_changes(
    signed_in_page, live_server, lead, learner, make_talk, clock, services
):
    """The other person changes the agreement while the learner types a reaction: the card
    is drawn again, and the typing goes on where it was."""
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=1))
    item = services.write(
        lambda s: agreements.add_agreement(
            services, s, lead, talk.id, what="Sem maakt een inregelrapport",
            owner=Owner.LEARNER, due=None,
        )
    )  # fmt: skip
    sem = signed_in_page(learner, width=320)
    open_panel(sem, live_server, talk.id)
    card = sem.locator(f"#agreement-{item.id}")
    card.get_by_role("button", name="Reactie", exact=True).click()
    reaction = sem.locator(f"#react-{item.id}")
    reaction.fill("Goed plan, ik")
    services.write(
        lambda s: agreements.edit_agreement(
            services, s, lead, talk.id, item.id, expected_version=item.version,
            changes={"what": "Sem maakt elke week een inregelrapport"},
        )
    )  # fmt: skip
    expect(card.locator(".agreement-what")).to_have_text("Sem maakt elke week een inregelrapport")
    expect(reaction).to_be_focused()
    sem.keyboard.type(" begin maandag.")
    expect(reaction).to_have_value("Goed plan, ik begin maandag.")
