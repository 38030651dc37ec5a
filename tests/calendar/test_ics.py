"""Tests for the iCalendar rendering in plugin.calendar.ics."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from plugin.calendar.ics import IcsEvent, IcsTodo, Person, ics_filename, render_calendar

AMS = ZoneInfo("Europe/Amsterdam")
TRICKY = "Regel 1, met komma; en puntkomma\nRegel 2: C:\\Nieuw\\map \\n \\, ë é 🎉\n\n"
MANAGER = Person("Marieke van Dijk", "marieke@example.com")
EMPLOYEE = Person("Jan de Vries, jr.", "jan@example.com")


def _event(**changes: Any) -> IcsEvent:
    base = IcsEvent(
        uid="talk-1@ontwikkelgesprek.example",
        sequence=3,
        summary="Ontwikkelgesprek Jan; ronde 2, voorjaar",
        description=TRICKY,
        start=datetime(2027, 3, 29, 10, 0, tzinfo=AMS),
        end=datetime(2027, 3, 29, 11, 30, tzinfo=AMS),
        organizer=MANAGER,
        attendees=(MANAGER, EMPLOYEE),
        url="https://og.example/talks/1?tab=agenda&x=a,b",
        status="CONFIRMED",
        created=datetime(2027, 1, 5, 9, 0, tzinfo=UTC),
        last_modified=datetime(2027, 2, 6, 13, 15, 30, tzinfo=UTC),
        categories=("Ontwikkelgesprek", "Team A, B"),
        location="Kamer 3.14; 3e verdieping",
    )
    return replace(base, **changes)


def _todo(**changes: Any) -> IcsTodo:
    base = IcsTodo(
        uid="goal-7@ontwikkelgesprek.example",
        sequence=1,
        summary="Cursus volgen: Python, SQL; Flask",
        description=TRICKY,
        due=date(2027, 6, 30),
        status="NEEDS-ACTION",
        url="https://og.example/goals/7",
        created=datetime(2027, 1, 5, 9, 0, tzinfo=UTC),
        last_modified=datetime(2027, 2, 6, 13, 0, tzinfo=UTC),
        categories=("Doel",),
    )
    return replace(base, **changes)


EVENTS = (
    _event(),
    _event(
        uid="talk-2@ontwikkelgesprek.example",
        sequence=0,
        summary="Eindejaarsgesprek",
        description="",
        start=datetime(2027, 10, 31, 9, 0, tzinfo=AMS),
        end=datetime(2027, 10, 31, 10, 0, tzinfo=AMS),
        attendees=(EMPLOYEE,),
        url=None,
        status="CANCELLED",
        categories=(),
        location=None,
    ),
)
TODOS = (_todo(), _todo(uid="goal-8@ontwikkelgesprek.example", status="COMPLETED", url=None))


def _render(**kwargs: Any) -> bytes:
    params: dict[str, Any] = {
        "name": "Gesprekken van Jan",
        "events": EVENTS,
        "todos": TODOS,
        "method": "PUBLISH",
    }
    params.update(kwargs)
    return render_calendar(**params)


def _parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def _calname(cal: Calendar) -> str:
    """X-WR-CALNAME as TEXT: icalendar parses it as an untyped value, still escaped."""
    raw = cal["X-WR-CALNAME"].to_ical().decode()
    assert raw == cal["NAME"].to_ical().decode()
    return re.sub(r"\\([\\;,nN])", lambda m: {"n": "\n", "N": "\n"}.get(m[1], m[1]), raw)


def _utc(moment: datetime) -> datetime:
    """Compare instants in UTC: aware datetimes in a DST fold never equal other zones."""
    return moment.astimezone(UTC)


def test_calendar_properties() -> None:
    cal = _parse(_render())
    assert str(cal["PRODID"]) == "-//Ontwikkelgesprek//Ontwikkelgesprek//NL"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert _calname(cal) == "Gesprekken van Jan"
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Amsterdam"
    assert cal.refresh_interval == timedelta(hours=1)
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert cal["X-PUBLISHED-TTL"].to_ical() == b"PT1H"
    assert len(cal.events) == 2
    assert len(cal.todos) == 2


def test_raw_calendar_header_lines() -> None:
    lines = _render(refresh=timedelta(minutes=30)).split(b"\r\n")
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT30M" in lines
    assert b"X-PUBLISHED-TTL:PT30M" in lines
    assert b"METHOD:PUBLISH" in lines


def test_optional_calendar_properties_left_out() -> None:
    cal = _parse(_render(method=None, refresh=None, name="a, b; c\\d ë"))
    assert "METHOD" not in cal
    assert "REFRESH-INTERVAL" not in cal
    assert "X-PUBLISHED-TTL" not in cal
    assert _calname(cal) == "a, b; c\\d ë"


def test_request_method() -> None:
    cal = _parse(_render(method="REQUEST", events=EVENTS[:1], todos=()))
    assert str(cal["METHOD"]) == "REQUEST"


def test_events_field_by_field() -> None:
    cal = _parse(_render())
    first, second = cal.events
    source = EVENTS[0]
    assert str(first["UID"]) == source.uid
    assert first["SEQUENCE"] == 3
    assert str(first["SUMMARY"]) == source.summary
    assert str(first["DESCRIPTION"]) == TRICKY
    assert str(first["LOCATION"]) == "Kamer 3.14; 3e verdieping"
    assert str(first["URL"]) == source.url
    assert str(first["STATUS"]) == "CONFIRMED"
    assert str(first["TRANSP"]) == "OPAQUE"
    assert [str(c) for c in first["CATEGORIES"].cats] == ["Ontwikkelgesprek", "Team A, B"]
    assert first["DTSTAMP"].dt == source.last_modified
    assert first["DTSTAMP"].dt.utcoffset() == timedelta(0)
    assert first["CREATED"].dt == source.created
    assert first["LAST-MODIFIED"].dt == source.last_modified

    start, end = first["DTSTART"].dt, first["DTEND"].dt
    assert start.tzinfo is not None
    assert end.tzinfo is not None
    assert start == source.start
    assert end == source.end
    assert first["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert first["DTEND"].params["TZID"] == "Europe/Amsterdam"

    organizer = first["ORGANIZER"]
    assert str(organizer) == "mailto:marieke@example.com"
    assert organizer.params["CN"] == "Marieke van Dijk"
    attendees = first["ATTENDEE"]
    assert [str(a) for a in attendees] == ["mailto:marieke@example.com", "mailto:jan@example.com"]
    assert [a.params["CN"] for a in attendees] == ["Marieke van Dijk", "Jan de Vries, jr."]
    for attendee in attendees:
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "FALSE"

    assert str(second["UID"]) == "talk-2@ontwikkelgesprek.example"
    assert second["SEQUENCE"] == 0
    assert str(second["STATUS"]) == "CANCELLED"
    assert str(second["TRANSP"]) == "TRANSPARENT"
    assert "URL" not in second
    assert "LOCATION" not in second
    assert "DESCRIPTION" not in second
    assert "CATEGORIES" not in second
    # a single attendee is parsed as one value, not a list
    assert str(second["ATTENDEE"]) == "mailto:jan@example.com"


def test_cancelled_status_line() -> None:
    assert b"\r\nSTATUS:CANCELLED\r\n" in _render()


def test_one_vtimezone_with_standard_and_daylight() -> None:
    data = _render()
    assert data.count(b"BEGIN:VTIMEZONE") == 1
    cal = _parse(data)
    (vtimezone,) = cal.timezones
    assert str(vtimezone["TZID"]) == "Europe/Amsterdam"
    names = {sub.name for sub in vtimezone.subcomponents}
    assert names == {"STANDARD", "DAYLIGHT"}
    # the VTIMEZONE comes before the events that use it
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")
    assert cal.get_missing_tzids() == set()


def test_vtimezone_covers_years_after_2038() -> None:
    event = _event(
        start=datetime(2041, 7, 1, 9, tzinfo=AMS), end=datetime(2041, 7, 1, 10, tzinfo=AMS)
    )
    cal = _parse(render_calendar(name="x", events=[event]))
    (vtimezone,) = cal.timezones
    assert {sub.name for sub in vtimezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert cal.events[0].start == event.start
    assert cal.events[0].start.utcoffset() == timedelta(hours=2)


def test_no_events_no_vtimezone() -> None:
    data = render_calendar(name="Leeg", events=[])
    assert b"VTIMEZONE" not in data
    cal = _parse(data)
    assert cal.events == []
    assert _calname(cal) == "Leeg"


def test_other_timezone() -> None:
    event = _event()
    cal = _parse(render_calendar(name="x", events=[event], timezone="America/New_York"))
    assert cal.events[0]["DTSTART"].params["TZID"] == "America/New_York"
    assert cal.events[0].start == event.start
    assert [str(tz["TZID"]) for tz in cal.timezones] == ["America/New_York"]


def test_unknown_timezone_rejected() -> None:
    for bad in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(ValueError, match="timezone"):
            render_calendar(name="x", events=[], timezone=bad)


@pytest.mark.parametrize(
    ("start_utc", "offset_hours"),
    [
        (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), 1),  # 01:30 CET, before spring forward
        (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), 2),  # 03:30 CEST, after it
        (datetime(2027, 3, 28, 8, 0, tzinfo=UTC), 2),  # 10:00 CEST
        (datetime(2027, 10, 31, 0, 30, tzinfo=UTC), 2),  # 02:30 CEST, first occurrence
        (datetime(2027, 10, 31, 9, 0, tzinfo=UTC), 1),  # 10:00 CET
    ],
)
def test_dst_change_maps_to_correct_instant(start_utc: datetime, offset_hours: int) -> None:
    event = _event(start=start_utc, end=start_utc + timedelta(hours=2))
    cal = _parse(render_calendar(name="x", events=[event]))
    (parsed,) = cal.events
    assert parsed["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert _utc(parsed.start) == start_utc
    assert _utc(parsed.end) == start_utc + timedelta(hours=2)
    assert parsed.start.utcoffset() == timedelta(hours=offset_hours)


def test_dst_local_wall_clock_values() -> None:
    spring = _event(
        start=datetime(2027, 3, 28, 1, 30, tzinfo=AMS),  # CET
        end=datetime(2027, 3, 28, 3, 30, tzinfo=AMS),  # CEST: one real hour later
    )
    autumn = _event(
        uid="b",
        start=datetime(2027, 10, 31, 10, tzinfo=AMS),
        end=datetime(2027, 10, 31, 11, tzinfo=AMS),
    )
    data = render_calendar(name="x", events=[spring, autumn])
    assert b"DTSTART;TZID=Europe/Amsterdam:20270328T013000" in data
    assert b"DTEND;TZID=Europe/Amsterdam:20270328T033000" in data
    assert b"DTSTART;TZID=Europe/Amsterdam:20271031T100000" in data
    first, second = _parse(data).events
    assert _utc(first.start) == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert _utc(first.end) - _utc(first.start) == timedelta(hours=1)
    assert _utc(second.start) == datetime(2027, 10, 31, 9, tzinfo=UTC)


def test_repeated_autumn_hour_written_in_utc() -> None:
    second_0230 = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 CET (fold=1)
    event = _event(start=second_0230, end=second_0230 + timedelta(hours=1))
    data = render_calendar(name="x", events=[event])
    assert b"DTSTART:20271031T013000Z" in data
    assert b"DTEND;TZID=Europe/Amsterdam:20271031T033000" in data
    (parsed,) = _parse(data).events
    assert _utc(parsed.start) == second_0230
    assert _utc(parsed.end) == second_0230 + timedelta(hours=1)


def test_todos_field_by_field() -> None:
    first, second = _parse(_render()).todos
    source = TODOS[0]
    assert str(first["UID"]) == source.uid
    assert first["SEQUENCE"] == 1
    assert str(first["SUMMARY"]) == source.summary
    assert str(first["DESCRIPTION"]) == TRICKY
    assert first["DUE"].dt == date(2027, 6, 30)
    assert not isinstance(first["DUE"].dt, datetime)
    assert first["DUE"].params["VALUE"] == "DATE"
    assert str(first["STATUS"]) == "NEEDS-ACTION"
    assert str(first["URL"]) == source.url
    assert [str(c) for c in first["CATEGORIES"].cats] == ["Doel"]
    assert first["DTSTAMP"].dt == source.last_modified
    assert first["CREATED"].dt == source.created
    assert first["LAST-MODIFIED"].dt == source.last_modified
    assert "COMPLETED" not in first

    assert str(second["UID"]) == "goal-8@ontwikkelgesprek.example"
    assert str(second["STATUS"]) == "COMPLETED"
    assert second["COMPLETED"].dt == source.last_modified
    assert second["PERCENT-COMPLETE"] == 100
    assert "URL" not in second


def test_due_line_is_a_date() -> None:
    assert b"\r\nDUE;VALUE=DATE:20270630\r\n" in _render()


@pytest.mark.parametrize(
    "text",
    [
        "komma, puntkomma; dubbele punt: backslash \\ eind\\",
        "C:\\Nieuw\\Notities",  # the library alone would turn \N into a newline
        "letterlijk \\n en \\N en \\, en \\;",
        "regel 1\nregel 2\n\nregel 4",
        "ë é ï ß ø 中文 🎉👍🏽",
        "x" * 200 + "ë" * 100 + "🎉" * 50,
        "\ttab and trailing space ",
    ],
)
def test_text_round_trips_exactly(text: str) -> None:
    event = _event(summary=text, description=text, location=text, categories=(text, "b"))
    todo = _todo(summary=text, description=text)
    cal = _parse(render_calendar(name=text, events=[event], todos=[todo]))
    (parsed,) = cal.events
    assert str(parsed["SUMMARY"]) == text
    assert str(parsed["DESCRIPTION"]) == text
    assert str(parsed["LOCATION"]) == text
    assert [str(c) for c in parsed["CATEGORIES"].cats] == [text, "b"]
    (parsed_todo,) = cal.todos
    assert str(parsed_todo["SUMMARY"]) == text
    assert str(parsed_todo["DESCRIPTION"]) == text
    assert _calname(cal) == " ".join(text.split())


def test_carriage_returns_become_newlines() -> None:
    event = _event(description="a\r\nb\rc")
    (parsed,) = _parse(render_calendar(name="x", events=[event])).events
    assert str(parsed["DESCRIPTION"]) == "a\nb\nc"


def test_names_with_special_characters() -> None:
    organizer = Person('Ëlla "El" O\'Brien;\nteam', "ella@example.com")
    event = _event(organizer=organizer, attendees=(organizer,))
    (parsed,) = _parse(render_calendar(name="x", events=[event])).events
    assert parsed["ORGANIZER"].params["CN"] == 'Ëlla "El" O\'Brien; team'
    assert parsed["ATTENDEE"].params["CN"] == 'Ëlla "El" O\'Brien; team'


@pytest.mark.parametrize("email", ["", "  ", "geen-adres", "a b@example.com", "a\nb@example.com"])
def test_bad_email_rejected(email: str) -> None:
    event = _event(attendees=(Person("X", email),))
    with pytest.raises(ValueError, match="e-mail"):
        render_calendar(name="x", events=[event])


def test_email_whitespace_stripped() -> None:
    event = _event(organizer=Person("X", " x@example.com\n"))
    (parsed,) = _parse(render_calendar(name="x", events=[event])).events
    assert str(parsed["ORGANIZER"]) == "mailto:x@example.com"


def test_deterministic_output() -> None:
    assert _render() == _render()
    assert render_calendar(name="x", events=iter(EVENTS), todos=iter(TODOS)) == render_calendar(
        name="x", events=list(EVENTS), todos=list(TODOS)
    )


def test_order_as_given() -> None:
    reversed_events = tuple(reversed(EVENTS))
    cal = _parse(_render(events=reversed_events, todos=tuple(reversed(TODOS))))
    assert [str(e["UID"]) for e in cal.events] == [e.uid for e in reversed_events]
    assert [str(t["UID"]) for t in cal.todos] == [t.uid for t in reversed(TODOS)]


def test_lines_folded_and_crlf() -> None:
    long_text = "Een lange beschrijving met ë, é en 🎉 " * 20
    data = _render(events=(*EVENTS, _event(uid="long", description=long_text)))
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # something was folded
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character
    (parsed,) = [e for e in _parse(data).events if str(e["UID"]) == "long"]
    assert str(parsed["DESCRIPTION"]) == long_text


def test_invalid_input_rejected() -> None:
    naive = datetime(2027, 3, 29, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        _event(start=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        _todo(created=naive)
    with pytest.raises(TypeError):
        _event(start=date(2027, 3, 29))
    with pytest.raises(ValueError, match="ends before"):
        _event(end=datetime(2027, 3, 29, 9, tzinfo=AMS))
    with pytest.raises(ValueError, match="status"):
        _event(status="confirmed")
    with pytest.raises(ValueError, match="status"):
        _todo(status="DONE")
    with pytest.raises(TypeError):
        _todo(due=datetime(2027, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="uid"):
        _todo(uid=" ")
    with pytest.raises(ValueError, match="sequence"):
        _event(sequence=-1)
    with pytest.raises(ValueError, match="METHOD"):
        render_calendar(name="x", events=[], method="publish")
    with pytest.raises(ValueError, match="refresh"):
        render_calendar(name="x", events=[], refresh=timedelta(0))


def test_events_in_other_offsets_are_converted() -> None:
    start = datetime(2027, 5, 1, 8, tzinfo=UTC)
    event = _event(start=start, end=start + timedelta(hours=1))
    data = render_calendar(name="x", events=[event])
    assert b"DTSTART;TZID=Europe/Amsterdam:20270501T100000" in data


@pytest.mark.parametrize(
    ("summary", "start", "expected"),
    [
        ("Ontwikkelgesprek", date(2027, 3, 29), "ontwikkelgesprek-2027-03-29.ics"),
        ("Gesprek met Zoë & Émile", date(2027, 1, 2), "gesprek-met-zoe-emile-2027-01-02.ics"),
        ("../../etc/passwd", date(2027, 1, 2), "etc-passwd-2027-01-02.ics"),
        ("C:\\Windows\\system32", date(2027, 1, 2), "c-windows-system32-2027-01-02.ics"),
        ("", date(2027, 1, 2), "ontwikkelgesprek-2027-01-02.ics"),
        ("🎉🎉 ;:*?<>|", date(2027, 1, 2), "ontwikkelgesprek-2027-01-02.ics"),
        ("中文", date(2027, 1, 2), "ontwikkelgesprek-2027-01-02.ics"),
        ("  --Jaar  gesprek--  ", date(2027, 1, 2), "jaar-gesprek-2027-01-02.ics"),
        ("CON", date(2027, 1, 2), "con-2027-01-02.ics"),
        ("a\nb\x00c", date(2027, 1, 2), "a-b-c-2027-01-02.ics"),
        (
            "Ontwikkelgesprek",
            datetime(2027, 3, 29, 23, 30, tzinfo=AMS),
            "ontwikkelgesprek-2027-03-29.ics",
        ),
    ],
)
def test_ics_filename(summary: str, start: date, expected: str) -> None:
    assert ics_filename(summary, start) == expected


def test_ics_filename_long_summary() -> None:
    name = ics_filename("woord " * 50, date(2027, 3, 29))
    assert name.endswith("-2027-03-29.ics")
    assert len(name) <= 60 + len("-2027-03-29.ics")
    assert "--" not in name
    assert name.isascii()
    assert "/" not in name
    assert "\\" not in name
