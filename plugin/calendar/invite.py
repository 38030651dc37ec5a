"""Reading an invite that another calendar saved as iCalendar (Outlook's and Google's "save as
.ics" of one event, or its text pasted) into a domain `Invite`.

The ``icalendar`` package parses (line unfolding, parameters in any order, escaped text) and
resolves times: a ``TZID`` through the file's own VTIMEZONE (Outlook writes Windows zone names
such as "W. Europe Standard Time"), UTC ``Z`` times as they are. A floating time (no zone) is
read in the organisation's zone. What a talk cannot be made of is refused with a code that
names the problem; nothing is guessed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component

from plugin.domain.errors import InvalidInput
from plugin.domain.invite import Invite, InvitedPerson

#: Larger than any single-event invite; the limit the plan page names too.
MAX_INVITE_BYTES = 256 * 1024
FIELD = "invite"


def read_invite(data: bytes | str, zone: ZoneInfo) -> Invite:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_INVITE_BYTES:
        raise InvalidInput("file_too_large", FIELD, max=MAX_INVITE_BYTES // 1024)
    try:
        calendar = Calendar.from_ical(raw.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("not_ical", FIELD) from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise InvalidInput("not_ical", FIELD)
    events = calendar.walk("VEVENT")
    if not events:
        raise InvalidInput("no_event", FIELD)
    if len(events) > 1:
        raise InvalidInput("several_events", FIELD)
    return _invite(events[0], zone)


def _invite(event: Component, zone: ZoneInfo) -> Invite:
    if any(key in event for key in ("RRULE", "RDATE", "RECURRENCE-ID")):
        raise InvalidInput("recurring", FIELD)
    if "DTSTART" not in event:
        raise InvalidInput("no_start", FIELD)
    start = _moment(event.decoded("DTSTART"), zone)
    if "DTEND" in event:
        end = _moment(event.decoded("DTEND"), zone)
    elif "DURATION" in event and isinstance(event.decoded("DURATION"), timedelta):
        end = start + event.decoded("DURATION")
    else:
        raise InvalidInput("no_end", FIELD)
    uid = str(event.get("UID", "")).strip()
    if not uid:
        raise InvalidInput("no_uid", FIELD)
    return Invite(
        uid=uid,
        sequence=_sequence(event),
        subject=str(event.get("SUMMARY", "")).strip(),
        description=str(event.get("DESCRIPTION", "")),
        start=start,
        end=end,
        organizer=_person(event["ORGANIZER"]) if "ORGANIZER" in event else None,
        attendees=tuple(
            person
            for person in (_person(value) for value in _as_list(event.get("ATTENDEE")))
            if person is not None
        ),
    )


def _moment(value: object, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    if isinstance(value, date):
        raise InvalidInput("all_day", FIELD)  # a talk has a time, not only a day
    raise InvalidInput("not_ical", FIELD)


def _sequence(event: Component) -> int:
    try:
        return max(0, int(event.get("SEQUENCE", 0)))
    except (TypeError, ValueError):
        return 0


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _person(value: object) -> InvitedPerson | None:
    """An ``ORGANIZER``/``ATTENDEE``: its address (``mailto:`` in any case) and ``CN``."""
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if "@" not in text:
        return None  # not an e-mail address (a room, a group URI): nobody to match
    params = getattr(value, "params", {})
    return InvitedPerson(email=text.strip(), name=str(params.get("CN", "")).strip())
