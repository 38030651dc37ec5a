"""Reading invites that other calendars saved as .ics (fixtures in tests/calendar/invites/,
written by hand from Outlook's and Google's documented output), and the rule for which
attendee is the learner."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from plugin.calendar.invite import MAX_INVITE_BYTES, read_invite
from plugin.domain.errors import InvalidInput
from plugin.domain.invite import choose_learner, invitees
from plugin.domain.people import Person

INVITES = Path(__file__).parent / "invites"
AMS = ZoneInfo("Europe/Amsterdam")


def invite(name: str):
    return read_invite((INVITES / name).read_bytes(), AMS)


def test_outlook_desktop_with_its_windows_time_zone_and_folded_lines():
    found = invite("outlook_desktop.ics")
    assert found.subject == "Terugblik eerste maand"
    assert found.start == datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam (CET)
    assert found.end == datetime(2027, 3, 10, 10, 0, tzinfo=UTC)
    assert found.uid.startswith("040000008200E00074C5B7101A82E008") and found.uid.endswith(
        "C0FFEE0123456789ABCDEF01234567"
    )
    assert found.sequence == 0
    assert found.description.startswith("Hoi Sem,\n\nZullen we even terugkijken")
    assert "Neem je logboek mee." in found.description  # unfolded across the line break
    assert found.organizer is not None and found.organizer.email == "marco@installatie.example"
    assert [(p.email, p.name) for p in found.attendees] == [
        ("Sem.Bakker@installatie.example", "Sem Bakker"),
        ("ruimte1@installatie.example", "Vergaderruimte 1"),
    ]


def test_outlook_on_the_web_in_summer_time_with_upper_case_mailto():
    found = invite("outlook_web.ics")
    assert found.start == datetime(2027, 3, 30, 6, 30, tzinfo=UTC)  # 08:30 CEST
    assert found.end == datetime(2027, 3, 30, 7, 15, tzinfo=UTC)
    assert found.sequence == 2
    assert [p.email for p in found.attendees] == [
        "sem.bakker@installatie.example",
        "lisa@installatie.example",
    ]


def test_google_calendar_in_utc_with_parameters_in_its_own_order():
    found = invite("google.ics")
    assert found.start == datetime(2027, 3, 11, 13, 0, tzinfo=UTC)
    assert found.end - found.start == (
        datetime(2027, 3, 11, 13, 45, tzinfo=UTC) - datetime(2027, 3, 11, 13, tzinfo=UTC)
    )
    assert found.uid == "5k2v8q1abcdefghij0123456789@google.com"
    assert [p.email for p in found.attendees] == [
        "sem.bakker@installatie.example",
        "marco@installatie.example",
        "petra.jansen@roc.example",
    ]


def test_a_floating_time_is_read_in_the_organisations_zone_and_a_duration_ends_it():
    found = invite("floating_with_duration.ics")
    assert found.start == datetime(2027, 3, 10, 9, 0, tzinfo=AMS)
    assert (found.end - found.start).total_seconds() == 45 * 60


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
def test_what_cannot_become_a_talk_is_refused_by_name(name, code):
    with pytest.raises(InvalidInput) as error:
        invite(name)
    assert (error.value.code, error.value.field) == (code, "invite")


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    padding = "X-PADDING:" + "x" * MAX_INVITE_BYTES
    text = (INVITES / "google.ics").read_text().replace("END:VEVENT", padding + "\r\nEND:VEVENT")
    with pytest.raises(InvalidInput) as error:
        read_invite(text, AMS)
    assert (error.value.code, error.value.params["max"]) == ("file_too_large", 256)


@pytest.mark.parametrize("text", ["", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "\x00\xff"])
def test_nothing_to_read(text):
    with pytest.raises(InvalidInput) as error:
        read_invite(text, AMS)
    assert error.value.code in ("not_ical", "no_event")


# -- who is the learner --------------------------------------------------------------------------

MARCO = Person("p-marco", "local", "o1", "Marco de Vries", "marco@installatie.example")
SEM = Person("p-sem", "local", "o2", "Sem Bakker", "sem.bakker@installatie.example")
LISA = Person("p-lisa", "local", "o3", "Lisa Jansen", "lisa@installatie.example")
PETRA = Person("p-petra", "local", "o4", "Petra Jansen", "petra.jansen@roc.example", external=True)
ELSEWHERE = Person("p-x", "other", "o5", "Sem elders", "ruimte1@installatie.example")
PEOPLE = {p.email.lower(): p for p in (MARCO, SEM, LISA, PETRA, ELSEWHERE)}


def test_the_only_colleague_among_the_attendees_is_the_learner():
    found = invitees(invite("outlook_desktop.ics"), MARCO, PEOPLE)
    # Addresses are matched whatever their case; a room of another tenant is not a colleague.
    assert found.candidates == (SEM,)
    assert found.unknown == ("ruimte1@installatie.example",)
    assert choose_learner(found, None) is SEM


def test_several_colleagues_need_a_choice_and_a_supervisor_is_never_the_learner():
    found = invitees(invite("outlook_web.ics"), MARCO, PEOPLE)
    assert found.candidates == (SEM, LISA)
    with pytest.raises(InvalidInput) as error:
        choose_learner(found, None)
    assert error.value.code == "choose_learner"
    assert error.value.params["candidates"] == [SEM.id, LISA.id]
    assert choose_learner(found, LISA.id) is LISA
    with pytest.raises(InvalidInput) as error:
        choose_learner(found, MARCO.id)  # the lead is not an attendee to choose
    assert error.value.code == "not_an_attendee"

    google = invitees(invite("google.ics"), MARCO, PEOPLE)
    assert google.candidates == (SEM,)
    assert google.unknown == ("petra.jansen@roc.example",)
    with pytest.raises(InvalidInput) as error:
        choose_learner(google, PETRA.id)
    assert error.value.code == "not_an_attendee"


def test_no_colleague_at_all_lists_the_unknown_addresses():
    found = invitees(invite("google.ics"), MARCO, {MARCO.email: MARCO})
    with pytest.raises(InvalidInput) as error:
        choose_learner(found, None)
    assert error.value.code == "no_learner"
    assert error.value.params["unknown"] == [
        "sem.bakker@installatie.example",
        "petra.jansen@roc.example",
    ]
