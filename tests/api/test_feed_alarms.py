"""A subscribed calendar reminds too: each planned talk in the feed carries a VALARM the day
before, with the link to its preparation, in the reader's language."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar


def feed_path(client) -> str:
    return client.get("/api/me").json["feed_url"].removeprefix("http://og.test")


def test_planned_talks_remind_the_day_before_with_the_preparation_link(
    client_for, services, lead, learner, make_talk
):
    talk = make_talk(lead, learner, title="Voortgang stage")
    sem = client_for(learner)
    response = sem.get(feed_path(sem))
    assert response.status_code == 200
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -timedelta(days=1)
    description = str(alarm["DESCRIPTION"])
    assert "Voortgang stage" in description
    assert f"http://og.test/talks/{talk.id}/prepare" in description
    assert description.startswith("Morgen")


def test_the_alarm_speaks_the_readers_language(client_for, make_person, lead, make_talk):
    english = make_person(display_name="Sam Learner", locale="en")
    make_talk(lead, english, title="Progress")
    sam = client_for(english)
    (event,) = Calendar.from_ical(sam.get(feed_path(sam)).data).walk("VEVENT")
    (alarm,) = event.walk("VALARM")
    assert str(alarm["DESCRIPTION"]).startswith("Tomorrow: Progress. Prepare it here: http")


def test_a_cancelled_talk_reminds_nobody(client_for, services, lead, learner, make_talk):
    talk = make_talk(lead, learner)
    marco, sem = client_for(lead), client_for(learner)
    version = marco.talk(talk.id)["version"]
    assert marco.post(f"/api/talks/{talk.id}/cancel", json={"version": version}).status_code == 200
    (event,) = Calendar.from_ical(sem.get(feed_path(sem)).data).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.walk("VALARM") == []
