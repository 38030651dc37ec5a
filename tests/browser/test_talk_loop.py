"""The whole talk the guide describes, by a lead and a learner, each in their own browser:
plan, prepare, agree live, confirm and react, sign, and find the follow-up booked."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.conftest import START

LIVE = 2000  # ms


def feed_of(page: Page, live_server: str) -> Calendar:
    feed_url = page.locator("#feed-url").input_value()
    path = urlparse(feed_url).path
    response = page.request.get(f"{live_server}{path}")
    assert response.ok
    return Calendar.from_ical(response.body())


# The main loop on both databases (the rest of the browser suite runs on SQLite only): the
# live panel's polling, optimistic locks and the follow-up booking through real PostgreSQL too.
@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_a_lead_and_a_learner_do_the_whole_talk(signed_in_page, live_server, lead, learner, clock):
    marco = signed_in_page(lead)
    sem = signed_in_page(learner, width=320)

    # 1. Plan: Wednesday 3 March 2027, 10:00 in Amsterdam.
    marco.goto(f"{live_server}/talks/new")
    marco.locator("#learner").select_option(learner.id)
    marco.locator("#date").fill("2027-03-03")
    marco.locator("#time").fill("10:00")
    marco.locator("#goal-items input[type=checkbox]").first.check()
    marco.locator("#plan-form button[type=submit]").click()
    marco.wait_for_url("**/prepare")
    talk_id = marco.url.split("/talks/")[1].split("/")[0]

    # 2. Both prepare and see each other's shared points.
    sem.goto(f"{live_server}/talks/{talk_id}/prepare")
    sem.locator("#new-point").fill("Ik wil meer storingsdienst doen")
    sem.locator("#add-point").click()
    sem.locator("#save-prep").click()
    expect(sem.locator("#prep-status")).not_to_be_empty()
    marco.locator("#new-point").fill("Rapportages op tijd inleveren")
    marco.locator("#add-point").click()
    marco.locator("#save-prep").click()
    expect(marco.locator("#prep-status")).not_to_be_empty()
    marco.reload()
    expect(marco.locator(".prep-other")).to_contain_text("Ik wil meer storingsdienst doen")
    sem.reload()
    expect(sem.locator(".prep-other")).to_contain_text("Rapportages op tijd inleveren")

    # 3. The talk starts; both open the agreements panel and see each other's edits live.
    clock.set(START + timedelta(days=2, hours=1, minutes=5))
    for page in (marco, sem):
        page.goto(f"{live_server}/talks/{talk_id}/panel")
    marco.locator("#new-what").fill("Sem regelt zelfstandig een cv-installatie in")
    marco.locator("#new-owner").select_option("learner")
    marco.locator("#new-due").fill("2027-03-24")
    marco.locator("#add-form button[type=submit]").click()
    first = sem.locator("#agreements li", has_text="Sem regelt zelfstandig")
    expect(first).to_be_visible(timeout=LIVE)
    sem.locator("#new-what").fill("Marco plant een dag meelopen met de storingsdienst")
    sem.locator("#new-owner").select_option("lead")
    sem.locator("#add-form button[type=submit]").click()
    second = marco.locator("#agreements li", has_text="Marco plant een dag meelopen")
    expect(second).to_be_visible(timeout=LIVE)

    # 4. The learner confirms the lead's wording and reacts; the lead confirms the learner's.
    first.get_by_role("button", name="Formulering bevestigen").click()
    expect(
        marco.locator("#agreements li", has_text="Sem regelt").locator(".badge.ok")
    ).to_be_visible(timeout=LIVE)
    sem.locator("#agreements li", has_text="Sem regelt").get_by_role(
        "button", name="Reactie"
    ).click()
    sem.locator("#agreements li", has_text="Sem regelt").locator("textarea").fill(
        "Prima, graag met de checklist van de fabrikant."
    )
    sem.get_by_role("button", name="Reactie opslaan").click()
    expect(marco.locator("#agreements")).to_contain_text(
        "Prima, graag met de checklist van de fabrikant.", timeout=LIVE
    )
    second.get_by_role("button", name="Formulering bevestigen").click()
    expect(sem.locator("#agreements .badge.ok")).to_have_count(2, timeout=LIVE)

    # 5. Both sign.
    marco.locator("#sign-button").click()
    expect(sem.locator("#sign-area .badge.ok")).to_have_count(1, timeout=LIVE)
    sem.locator("#sign-button").click()
    for page in (marco, sem):
        expect(page.locator("#follow-up-booked")).to_be_visible(timeout=LIVE)

    # After: the follow-up is in both overviews and both feeds ...
    follow_up_href = marco.locator("#follow-up-booked a").get_attribute("href")
    assert follow_up_href is not None
    follow_up_id = follow_up_href.rstrip("/").split("/")[-1]
    for page in (marco, sem):
        page.goto(f"{live_server}/")
        expect(page.locator(f"#upcoming-list a[href*='{follow_up_id}']")).to_be_visible()
        feed = feed_of(page, live_server)
        uids = [str(event["UID"]) for event in feed.walk("VEVENT")]
        assert f"talk-{follow_up_id}@ontwikkelgesprek.local" in uids

    # ... and the open agreements show in its preparation.
    sem.goto(f"{live_server}/talks/{follow_up_id}/prepare")
    earlier = sem.locator("#earlier")
    expect(earlier).to_contain_text("Sem regelt zelfstandig een cv-installatie in")
    expect(earlier).to_contain_text("Marco plant een dag meelopen met de storingsdienst")

    # The signed form is read-only, intact and credits the guide.
    marco.goto(f"{live_server}/talks/{talk_id}/form")
    expect(marco.locator("main")).to_contain_text("werkpleklerenindetechniek.nl")
    # (Its only inputs are the lead's sharing controls and the progress notes beside it, which
    # are a history of their own, outside the signed form itself.)
    form = marco.locator("article.talk-form")
    sharing = "section[aria-labelledby=share-heading]"
    outside = f"{sharing} input, #progress textarea, #progress input"
    expect(form.locator(f"textarea:not({outside}), input[type=text]:not({outside})")).to_have_count(
        0
    )
    expect(form.locator(f"{sharing} input[type=text]")).to_have_count(2)  # name, link
    expect(form.locator("#progress textarea")).to_have_count(2)  # one per agreement
