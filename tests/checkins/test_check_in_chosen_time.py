"""When no time free for both is found within the 5 working days, the lead picks one: `POST
/api/check-ins/<id>/accept` `{version, starts_at}` books the 15 minutes at that time in both
calendars (local mode), as it is. The time is checked first: to come, on a working day within
working hours, the lead's to pick; a bad one is refused naming `starts_at`, and nothing is
saved.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.api.test_checkins import at, events_of, signed_agreement
from tests.api.test_follow_up_booking import busy
from tests.checkins.support import proposed
from tests.support.tables import snapshot

QUARTER = timedelta(minutes=15)


@pytest.fixture
def no_time(services, clock, outbox, make_talk, lead, learner, marco) -> dict[str, Any]:
    """Sem's agreement due 10 March; Marco's calendar is full from Thursday 11 March to the
    Friday a week on: the proposal finds no time (`no_free_slot`)."""
    signed_agreement(services, clock, make_talk, lead, learner, date(2027, 3, 10))
    outbox.drain()
    busy(services, lead, at(3, 11, 7), at(3, 20, 0))
    clock.set(at(3, 11, 9))
    offer = marco.get(f"/api/check-ins/{proposed(services, clock, outbox)['id']}").json
    assert (offer["starts_at"], offer["problem"]) == (None, "no_free_slot")
    return offer


def booked_talk(marco, outbox, check_in_id: str) -> dict[str, Any]:
    outbox.drain()
    answer = marco.get(f"/api/check-ins/{check_in_id}").json
    assert answer["check_in_talk_id"] is not None, answer
    return marco.get(f"/api/talks/{answer['check_in_talk_id']}").json


def test_the_lead_picks_a_time_and_it_is_booked_in_both_calendars(
    services, clock, outbox, no_time, marco, sem
) -> None:
    chosen = at(3, 22, 10, 30)  # Monday, after Marco's busy days
    answer = marco.post(
        f"/api/check-ins/{no_time['id']}/accept",
        json={"version": no_time["version"], "starts_at": chosen.isoformat()},
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["state"] == "accepted"
    assert datetime.fromisoformat(answer.json["starts_at"]) == chosen
    talk = booked_talk(marco, outbox, no_time["id"])
    assert datetime.fromisoformat(talk["starts_at"]) == chosen
    assert datetime.fromisoformat(talk["ends_at"]) == chosen + QUARTER
    for who in (marco, sem):
        mine = [
            e
            for e in events_of(who, at(3, 22, 0), at(3, 23, 0))
            if e["ical_uid"].startswith(f"talk-{talk['id']}@")
        ]
        assert len(mine) == 1


def test_a_picked_time_is_booked_as_it_is_even_when_one_of_them_is_busy(
    services, clock, outbox, no_time, marco
) -> None:
    # The lead knows nothing is free for both: the time they pick is theirs to choose.
    chosen = at(3, 12, 14)  # inside Marco's busy days
    answer = marco.post(
        f"/api/check-ins/{no_time['id']}/accept",
        json={"version": no_time["version"], "starts_at": chosen.isoformat()},
    )
    assert answer.status_code == 200, answer.json
    talk = booked_talk(marco, outbox, no_time["id"])
    assert datetime.fromisoformat(talk["starts_at"]) == chosen


def test_without_a_picked_time_an_accepted_one_still_finds_none(
    services, clock, outbox, no_time, marco
) -> None:
    answer = marco.post(
        f"/api/check-ins/{no_time['id']}/accept", json={"version": no_time["version"]}
    )
    assert answer.status_code == 200, answer.json
    outbox.drain()
    again = marco.get(f"/api/check-ins/{no_time['id']}").json
    assert (again["state"], again["problem"], again["check_in_talk_id"]) == (
        "proposed",
        "no_free_slot",
        None,
    )


@pytest.mark.parametrize(
    ("starts_at", "why"),
    [
        (at(3, 11, 8).isoformat(), "in the past"),
        (at(3, 13, 10).isoformat(), "a Saturday"),
        (at(3, 15, 7, 30).isoformat(), "before working hours"),
        (at(3, 15, 16, 50).isoformat(), "ends after working hours"),
        (at(3, 15, 10).replace(year=2029).isoformat(), "more than a year ahead"),
        ("2027-03-15T10:00:00", "no time zone"),
        ("maandag", "not a time"),
    ],
)
def test_a_bad_time_is_refused_on_starts_at_and_nothing_is_saved(
    services, no_time, marco, starts_at: str, why: str
) -> None:
    before = snapshot(services)
    answer = marco.post(
        f"/api/check-ins/{no_time['id']}/accept",
        json={"version": no_time["version"], "starts_at": starts_at},
    )
    assert answer.status_code == 422, (why, answer.json)
    error = answer.json["error"]
    fields = [error.get("field"), *(d.get("field") for d in error.get("details", []))]
    assert "starts_at" in fields, (why, error)
    assert snapshot(services) == before


def test_only_the_lead_picks_a_time(services, no_time, sem, client_for, make_person) -> None:
    other = client_for(make_person(display_name="Anna Collega"))
    url = f"/api/check-ins/{no_time['id']}/accept"
    before = snapshot(services)
    for starts_at in (at(3, 22, 10), at(3, 13, 10)):  # a good time, and a Saturday
        body = {"version": no_time["version"], "starts_at": starts_at.isoformat()}
        # The right comes first: the learner's time is not even looked at.
        assert sem.post(url, json=body).status_code == 403
        assert other.post(url, json=body).status_code == 404
    assert snapshot(services) == before


def test_with_no_time_free_the_lead_is_still_reminded(
    services, clock, outbox, make_talk, lead, learner, mailbox
) -> None:
    from plugin.services import reminders as scanner

    signed_agreement(services, clock, make_talk, lead, learner, date(2027, 3, 10))
    outbox.drain()
    busy(services, lead, at(3, 11, 7), at(3, 20, 0))
    clock.set(at(3, 11, 9))
    services.write(lambda s: scanner.scan(services, s))
    outbox.drain()
    to_lead = [
        m.message.get_body(("plain",)).get_content()
        for m in mailbox.messages
        if lead.email in m.rcpt_tos
    ]
    assert [t for t in to_lead if "Sem loopt een dag mee" in t]
    # It says no time was found, and names no time of its own.
    assert [t for t in to_lead if "Kies zelf een tijd" in " ".join(t.split())]
    assert not [t for t in to_lead if "We stellen" in " ".join(t.split())]
