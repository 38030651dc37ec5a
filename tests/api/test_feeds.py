"""The iCalendar feed and the per-talk .ics, read back with icalendar field by field."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar

from plugin.domain.agreement import Owner
from plugin.services import agreements, signoff


def feed_path(client) -> str:
    return client.get("/api/me").json["feed_url"].removeprefix("http://og.test")


def signed_talk_with_agreements(services, clock, lead, learner, make_talk):
    talk = make_talk(lead, learner, title="Voortgang, week 9; stage")
    clock.set(talk.starts_at + timedelta(minutes=5))

    def agree(s):
        mine = agreements.add_agreement(
            services,
            s,
            lead,
            talk.id,
            what="Sem: rapport, met foto's",
            owner=Owner.LEARNER,
            due=date(2027, 3, 26),
        )
        agreements.confirm_agreement(services, s, learner, talk.id, mine.id, expected_version=1)
        lead_item = agreements.add_agreement(
            services,
            s,
            learner,
            talk.id,
            what="Marco plant meelopen",
            owner=Owner.LEAD,
            due=date(2027, 4, 2),
        )
        agreements.confirm_agreement(services, s, lead, talk.id, lead_item.id, expected_version=1)
        signoff.sign_as_shown(services, s, lead, talk.id)
        signoff.sign_as_shown(services, s, learner, talk.id)

    services.write(agree)
    return talk


def test_feed_lists_talks_as_events_and_own_open_agreements_as_todos(
    client_for, services, clock, lead, learner, make_talk
):
    talk = signed_talk_with_agreements(services, clock, lead, learner, make_talk)
    sem = client_for(learner)
    response = sem.get(feed_path(sem))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)

    assert str(cal["METHOD"]) == "PUBLISH"
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Amsterdam"]
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Voortgang, week 9; stage", "Vervolggesprek: Sem Learner"}
    event = events["Voortgang, week 9; stage"]
    assert event["DTSTART"].dt == talk.starts_at
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert event["DTEND"].dt == talk.ends_at
    assert str(event["ORGANIZER"]) == f"mailto:{lead.email}"
    assert event["ORGANIZER"].params["CN"] == lead.display_name
    assert [str(a) for a in [event["ATTENDEE"]]] == [f"mailto:{learner.email}"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == f"http://og.test/talks/{talk.id}"
    assert str(event["UID"]) == f"talk-{talk.id}@ontwikkelgesprek.local"

    # Sem's own agreement (owner learner) is a to-do; Marco's is not on Sem's list.
    todos = cal.walk("VTODO")
    assert [str(t["SUMMARY"]) for t in todos] == ["Sem: rapport, met foto's"]
    assert todos[0]["DUE"].dt == date(2027, 3, 26)
    assert str(todos[0]["STATUS"]) == "NEEDS-ACTION"

    marco = client_for(lead)
    marco_todos = Calendar.from_ical(marco.get(feed_path(marco)).data).walk("VTODO")
    assert [str(t["SUMMARY"]) for t in marco_todos] == ["Marco plant meelopen"]


def test_the_uid_is_stable_and_a_move_raises_the_sequence(
    client_for, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner)
    marco = client_for(lead)

    def event():
        return Calendar.from_ical(marco.get(feed_path(marco)).data).walk("VEVENT")[0]

    before = event()
    moved = marco.patch(
        f"/api/talks/{talk.id}",
        json={
            "starts_at": (talk.starts_at + timedelta(hours=2)).isoformat(),
            "version": marco.talk(talk.id)["version"],
        },
    )
    assert moved.status_code == 200
    after = event()
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after["DTSTART"].dt == talk.starts_at + timedelta(hours=2)


def test_a_cancelled_talk_stays_in_the_feed_as_cancelled(client_for, lead, learner, make_talk):
    talk = make_talk(lead, learner)
    marco = client_for(lead)
    assert (
        marco.post(
            f"/api/talks/{talk.id}/cancel", json={"version": marco.talk(talk.id)["version"]}
        ).status_code
        == 200
    )
    event = Calendar.from_ical(marco.get(feed_path(marco)).data).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"
    ics = Calendar.from_ical(marco.get(f"/api/talks/{talk.id}/event.ics").data)
    assert str(ics["METHOD"]) == "CANCEL"


def test_feed_urls_are_secret_and_renewable(app, client_for, lead, learner, make_talk):
    make_talk(lead, learner)
    marco = client_for(lead)
    old = feed_path(marco)
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 200
    person_id = old.split("/")[2]
    assert anonymous.get(f"/feeds/{person_id}/wrong-token.ics").status_code == 404
    assert anonymous.get(f"/feeds/{learner.id}/{old.split('/')[3]}").status_code == 404
    renewed = marco.post("/api/me/feed/renew").json["feed_url"].removeprefix("http://og.test")
    assert renewed != old
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(renewed).status_code == 200


def test_talk_ics_carries_the_checklist_and_the_link(client_for, lead, learner, make_talk):
    talk = make_talk(lead, learner, goals=["goals.learn", "goals.own"], own_goal="Eigen <doel>")
    response = client_for(learner).get(f"/api/talks/{talk.id}/event.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    description = str(event["DESCRIPTION"])
    assert f"http://og.test/talks/{talk.id}" in description
    assert "Eigen <doel>" in description
    assert "werkpleklerenindetechniek.nl" in description
    assert "Doelen" in description or "doel" in description.lower()


def test_invite_body_escapes_user_text_and_lists_the_checklist(services, lead, learner, make_talk):
    from sqlalchemy import select

    from plugin.store.working_tables import calendar_events

    make_talk(lead, learner, own_goal="<img src=x onerror=alert(1)>")
    html, text = services.read(
        lambda s: s.execute(select(calendar_events.c.body_html, calendar_events.c.body_text)).one()
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html
    assert "<img src=x onerror=alert(1)>" in text
    for section in services.template.sections:
        assert section.title.nl in text
        assert section.title.nl in html
