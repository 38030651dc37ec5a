"""The form page's changes of the talk (sharing) name the version the page saw; when the talk
moved on in the background meanwhile, the page takes the version it has now and the change
still goes through, once."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from plugin.services import sharing, talks


def test_sharing_still_works_after_the_talk_changed_behind_the_page(
    signed_in_page, live_server, lead, learner, make_talk, make_person, services
):
    talk = make_talk(lead, learner, title="Gesprek met Sem")
    marco = signed_in_page(lead)
    marco.goto(f"{live_server}/talks/{talk.id}/form")
    expect(marco.locator("#share-list")).to_contain_text("niet gedeeld")

    # Behind the page's back the talk gets a new version (here: shared with someone else).
    other = make_person(display_name="Bea School", email="bea@school.example", external=True)

    def share_elsewhere(session):
        current = talks.load_talk(session, lead, talk.id).version
        return sharing.share(services, session, lead, talk.id, other.id, expected_version=current)

    services.write(share_elsewhere)
    before = services.read(lambda s: talks.load_talk(s, lead, talk.id).version)

    marco.get_by_label("Naam").fill("Petra Jansen")
    marco.get_by_label("E-mailadres").fill("p.jansen@roc.example")
    marco.get_by_role("button", name="Link maken").click()
    expect(marco.locator("#share-url")).to_have_value(re.compile(r"/shared/[\w.-]+$"))
    expect(marco.locator("#share-form .form-error")).to_be_hidden()
    # One change, made once.
    assert services.read(lambda s: talks.load_talk(s, lead, talk.id).version) == before + 1

    # And the page now knows the version it caused: stopping the share needs no second try.
    marco.get_by_role("button", name="Stoppen met delen met Petra Jansen").click()
    expect(marco.locator("#share-list")).not_to_contain_text("Petra Jansen")
    assert services.read(lambda s: talks.load_talk(s, lead, talk.id).version) == before + 2
