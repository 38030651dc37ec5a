"""Bringing in an invite from another calendar (local mode): the plan page reads an .ics, the
talk takes its time, subject and attendees, and the lead gets the invite back updated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.support.tables import snapshot

INVITES = Path(__file__).parent.parent / "calendar" / "invites"


def ics(name: str) -> str:
    return (INVITES / name).read_text()


@pytest.fixture
def marco(make_person, client_for):
    return client_for(make_person(display_name="Marco de Vries", email="marco@installatie.example"))


@pytest.fixture
def sem(make_person):
    return make_person(display_name="Sem Bakker", email="sem.bakker@installatie.example")


@pytest.fixture
def lisa(make_person):
    return make_person(display_name="Lisa Jansen", email="lisa@installatie.example")


def test_reading_an_invite_shows_its_time_and_who_can_be_the_learner(marco, sem):
    answer = marco.post("/api/invites/read", json={"ics": ics("outlook_desktop.ics")})
    assert answer.status_code == 200, answer.json
    assert answer.json == {
        "subject": "Terugblik eerste maand",
        "starts_at": "2027-03-10T10:00:00+01:00",
        "ends_at": "2027-03-10T11:00:00+01:00",
        "duration_minutes": 60,
        "candidates": [
            {
                "id": sem.id,
                "name": "Sem Bakker",
                "email": "sem.bakker@installatie.example",
                "job_title": sem.job_title,
                "external": False,
            }
        ],
        "unknown": ["ruimte1@installatie.example"],
        "learner_id": sem.id,
    }


def test_the_talk_takes_the_invite_and_the_invite_comes_back_updated(marco, sem, services):
    answer = marco.post(
        "/api/talks/from-invite",
        json={"ics": ics("outlook_desktop.ics"), "goals": ["goals.learn"], "own_goal": ""},
    )
    assert answer.status_code == 201, answer.json
    talk = answer.json["talk"]
    assert talk["title"] == "Terugblik eerste maand"
    assert talk["learner"]["id"] == sem.id and talk["my_role"] == "lead"
    assert datetime.fromisoformat(talk["starts_at"]) == datetime(2027, 3, 10, 9, tzinfo=UTC)
    assert datetime.fromisoformat(talk["ends_at"]) - datetime.fromisoformat(
        talk["starts_at"]
    ) == timedelta(hours=1)

    invite = answer.json["invite"]
    assert invite["filename"].endswith(".ics")
    [event] = Calendar.from_ical(invite["ics"]).walk("VEVENT")
    original = Calendar.from_ical(ics("outlook_desktop.ics")).walk("VEVENT")[0]
    # The same event, one step newer: calendars replace the one they have.
    assert str(event["UID"]) == str(original["UID"])
    assert int(event["SEQUENCE"]) == 1
    assert str(event["SUMMARY"]) == "Terugblik eerste maand"
    assert event.decoded("DTSTART") == datetime(2027, 3, 10, 9, tzinfo=UTC)
    # The checklist and the talk's link on top, the organiser's own text below, untouched.
    description = str(event["DESCRIPTION"])
    link = f"/talks/{talk['id']}"
    assert link in description
    own = "Hoi Sem,\n\nZullen we even terugkijken op je eerste maand? Neem je logboek mee."
    assert own in description
    assert description.index(link) < description.index(own)
    assert [str(a).lower() for a in event["ATTENDEE"]] == [
        "mailto:sem.bakker@installatie.example",
        "mailto:ruimte1@installatie.example",
    ]


def test_several_colleagues_invited_need_a_choice(marco, sem, lisa, services):
    before = snapshot(services)
    answer = marco.post("/api/talks/from-invite", json={"ics": ics("outlook_web.ics")})
    assert answer.status_code == 422
    assert (answer.json["error"]["code"], answer.json["error"]["field"]) == (
        "choose_learner",
        "learner_id",
    )
    assert snapshot(services) == before
    chosen = marco.post(
        "/api/talks/from-invite", json={"ics": ics("outlook_web.ics"), "learner_id": lisa.id}
    )
    assert chosen.status_code == 201, chosen.json
    assert chosen.json["talk"]["learner"]["id"] == lisa.id
    [event] = Calendar.from_ical(chosen.json["invite"]["ics"]).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 3  # it was 2


def test_nobody_known_lists_the_addresses_and_makes_nothing(marco, services):
    before = snapshot(services)
    answer = marco.post("/api/talks/from-invite", json={"ics": ics("google.ics")})
    assert answer.status_code == 422
    error = answer.json["error"]
    assert (error["code"], error["field"]) == ("no_learner", "learner_id")
    assert "sem.bakker@installatie.example" in error["message"]
    assert "petra.jansen@roc.example" in error["message"]
    assert snapshot(services) == before


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("recurring.ics", "recurring"),
        ("two_events.ics", "several_events"),
        ("no_start.ics", "no_start"),
        ("all_day.ics", "all_day"),
        ("not_ical.txt", "not_ical"),
    ],
)
def test_a_bad_invite_is_refused_by_name_and_makes_nothing(marco, sem, services, name, code):
    before = snapshot(services)
    for url in ("/api/invites/read", "/api/talks/from-invite"):
        answer = marco.post(url, json={"ics": ics(name)})
        assert answer.status_code == 422, answer.json
        assert (answer.json["error"]["code"], answer.json["error"]["field"]) == (code, "invite")
        assert answer.json["error"]["message"].strip()
    assert snapshot(services) == before


def test_an_invite_in_the_past_is_refused(marco, sem, clock, services):
    clock.set(datetime(2027, 3, 12, tzinfo=UTC))
    before = snapshot(services)
    answer = marco.post("/api/talks/from-invite", json={"ics": ics("outlook_desktop.ics")})
    assert answer.status_code == 422
    assert (answer.json["error"]["code"], answer.json["error"]["field"]) == ("in_past", "starts_at")
    assert snapshot(services) == before


def test_a_file_over_256_kb_is_refused(marco, sem):
    text = ics("google.ics").replace("END:VEVENT", "X-PAD:" + "x" * 262_200 + "\r\nEND:VEVENT")
    answer = marco.post("/api/invites/read", json={"ics": text})
    assert answer.status_code in (413, 422), answer.json
    assert answer.json["error"]["code"] in ("file_too_large", "too_large")


def test_only_signed_in_colleagues_bring_in_invites(app, client_for, make_person):
    anonymous = app.test_client().post("/api/invites/read", json={"ics": ics("google.ics")})
    assert anonymous.status_code == 401
    supervisor = client_for(make_person(external=True, email="petra.jansen@roc.example"))
    refused = supervisor.post("/api/invites/read", json={"ics": ics("google.ics")})
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "external"
