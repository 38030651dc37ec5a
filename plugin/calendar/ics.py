"""iCalendar (RFC 5545) rendering for talk feeds and single-event downloads.

Pure functions over small frozen dataclasses; no web or database code. The
``icalendar`` package does the serialisation (escaping, folding at 75 octets,
CRLF line endings) and builds the VTIMEZONE from the zoneinfo database.

Choices worth knowing:

* Event times are written as local times with ``TZID`` of the calendar zone,
  plus exactly one matching VTIMEZONE. The one exception is the repeated hour
  when DST ends (a local time with ``fold=1``): iCalendar always reads an
  ambiguous local time as its *first* occurrence, so such a value is written in
  UTC instead to keep the instant exact.
* ``DTSTAMP`` is the object's ``last_modified`` (in UTC), never the wall clock,
  so equal input gives byte-identical output.
* Attendees get ``PARTSTAT=NEEDS-ACTION`` (the RFC 5545/5546 default: this
  application does not know what anybody answered in their own calendar) and
  ``RSVP=FALSE`` (no reply mail is expected).
* Cancelled events are ``TRANSP:TRANSPARENT`` so they no longer block time;
  all others are ``OPAQUE``.
* Text is written so that it reads back exactly, except that line endings
  (``\\r\\n``, ``\\r``) become ``\\n``: iCalendar has no way to write a carriage
  return. Calendar names and ``CN`` names are reduced to a single line.
* The calendar name is written both as RFC 7986 ``NAME`` and ``X-WR-CALNAME``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, Todo, vCalAddress, vCategory, vDuration, vText

__all__ = [
    "EVENT_STATUSES",
    "PRODID",
    "TODO_STATUSES",
    "IcsEvent",
    "IcsTodo",
    "Person",
    "ics_filename",
    "render_calendar",
]

PRODID = "-//Ontwikkelgesprek//Ontwikkelgesprek//NL"
EVENT_STATUSES = frozenset({"CONFIRMED", "CANCELLED", "TENTATIVE"})
TODO_STATUSES = frozenset({"NEEDS-ACTION", "COMPLETED", "CANCELLED"})

_METHOD_RE = re.compile(r"[A-Z][A-Z0-9-]*")
_BAD_EMAIL_RE = re.compile(r"[\s\x00-\x1f\x7f<>\"]")
_FILENAME_SLUG_MAX = 60
_FILENAME_FALLBACK = "ontwikkelgesprek"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone taking part in a talk: display name and e-mail address."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class IcsEvent:
    """One VEVENT; all datetimes must be timezone-aware."""

    uid: str
    sequence: int
    summary: str
    description: str
    start: datetime
    end: datetime
    organizer: Person
    attendees: tuple[Person, ...]
    url: str | None
    status: str
    created: datetime
    last_modified: datetime
    categories: tuple[str, ...] = ()
    location: str | None = None
    alarms: tuple[IcsAlarm, ...] = ()

    def __post_init__(self) -> None:
        """Reject values that would give an invalid or misleading event."""
        _check_common(self.uid, self.sequence, self.created, self.last_modified)
        _check_aware("start", self.start)
        _check_aware("end", self.end)
        if self.end < self.start:
            raise ValueError(f"event {self.uid!r} ends before it starts")
        if self.status not in EVENT_STATUSES:
            raise ValueError(f"event status must be one of {sorted(EVENT_STATUSES)}")


@dataclass(frozen=True, slots=True)
class IcsAlarm:
    """A VALARM that shows `description` a while before its event starts."""

    before: timedelta
    description: str


@dataclass(frozen=True, slots=True)
class IcsTodo:
    """One VTODO with an all-day due date."""

    uid: str
    sequence: int
    summary: str
    description: str
    due: date
    status: str
    url: str | None
    created: datetime
    last_modified: datetime
    categories: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Reject values that would give an invalid to-do."""
        _check_common(self.uid, self.sequence, self.created, self.last_modified)
        if isinstance(self.due, datetime):
            raise TypeError("todo due must be a date, not a datetime")
        if self.status not in TODO_STATUSES:
            raise ValueError(f"todo status must be one of {sorted(TODO_STATUSES)}")


def render_calendar(
    *,
    name: str,
    events: Iterable[IcsEvent],
    todos: Iterable[IcsTodo] = (),
    method: str | None = None,
    timezone: str = "Europe/Amsterdam",
    refresh: timedelta | None = timedelta(hours=1),
) -> bytes:
    """Render a VCALENDAR with the given events and to-dos, in the given order.

    ``method`` is e.g. ``"PUBLISH"`` for a subscribed feed or ``"REQUEST"`` for a
    single downloadable invitation; ``refresh`` sets REFRESH-INTERVAL and
    X-PUBLISHED-TTL (``None`` leaves both out). Raises ``ValueError`` for an
    unknown ``timezone``, a malformed ``method``, a non-positive ``refresh`` or
    an unusable e-mail address.
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown timezone {timezone!r}") from error
    if method is not None and not _METHOD_RE.fullmatch(method):
        raise ValueError(f"invalid METHOD {method!r}")
    if refresh is not None and refresh <= timedelta(0):
        raise ValueError("refresh must be a positive duration")
    event_list = list(events)
    todo_list = list(todos)

    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if method is not None:
        calendar.add("METHOD", method)
    # The library types NAME/X-WR-CALNAME as "unknown" and would write them
    # verbatim; RFC 5545/7986 make them TEXT, so escape them like any text.
    label = _text(" ".join(name.split()))
    calendar.add("NAME", label)
    calendar.add("X-WR-CALNAME", label)
    calendar.add("X-WR-TIMEZONE", timezone)
    if refresh is not None:
        calendar.add("REFRESH-INTERVAL", vDuration(refresh), parameters={"VALUE": "DURATION"})
        # An X- property is not typed by icalendar: pass a vDuration or it
        # would be written as str(timedelta), e.g. "1:00:00".
        calendar.add("X-PUBLISHED-TTL", vDuration(refresh))

    for event in event_list:
        calendar.add_component(_event_component(event, zone))
    for todo in todo_list:
        calendar.add_component(_todo_component(todo))

    if event_list:
        local_years = [
            moment.astimezone(zone).year
            for event in event_list
            for moment in (event.start, event.end)
        ]
        # The library's default VTIMEZONE range is 1970-2038; cover exactly
        # the years in use instead (smaller, and correct beyond 2038).
        calendar.add_missing_timezones(
            first_date=date(min(local_years), 1, 1),
            last_date=date(max(local_years) + 1, 1, 1),
        )
    output: bytes = calendar.to_ical()
    return output


def ics_filename(summary: str, start: date) -> str:
    """Return a safe ASCII file name such as ``ontwikkelgesprek-2027-03-29.ics``."""
    ascii_text = (
        unicodedata.normalize("NFKD", summary).encode("ascii", "ignore").decode("ascii").lower()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    slug = slug[:_FILENAME_SLUG_MAX].rstrip("-") or _FILENAME_FALLBACK
    day = date(start.year, start.month, start.day)
    return f"{slug}-{day.isoformat()}.ics"


class _ExactText(vText):
    """TEXT value that escapes a literal backslash before ``N`` too.

    ``vText`` first turns the two characters ``\\N`` into a line break, so
    ``C:\\Nieuw`` would come back as ``C:`` + newline + ``ieuw``. This class
    applies plain RFC 5545 escaping, which the parser reverses exactly.
    """

    __slots__ = ()

    def to_ical(self) -> bytes:
        """Escape backslash, semicolon, comma and line breaks (RFC 5545 3.3.11)."""
        escaped = (
            str(self)
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\n", "\\n")
        )
        return escaped.encode("utf-8")


def _text(value: str) -> _ExactText:
    """Wrap user text for exact round-tripping, normalising line endings."""
    return _ExactText(value.replace("\r\n", "\n").replace("\r", "\n"))


def _categories(values: tuple[str, ...]) -> vCategory:
    """CATEGORIES value whose items escape like :class:`_ExactText`."""
    category = vCategory(list(values))
    category.cats = [_text(value) for value in values]  # vCategory re-wraps in vText
    return category


def _address(person: Person, role: str | None) -> vCalAddress:
    """``mailto:`` address with CN (and, for attendees, scheduling parameters)."""
    email = person.email.strip()
    if "@" not in email or _BAD_EMAIL_RE.search(email):
        raise ValueError(f"unusable e-mail address {person.email!r}")
    address = vCalAddress(f"mailto:{email}")
    cn = " ".join(person.name.split())
    if cn:
        address.params["CN"] = cn
    if role is not None:
        address.params["ROLE"] = role
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "FALSE"
    return address


def _event_component(event: IcsEvent, zone: ZoneInfo) -> Event:
    """Build the VEVENT for one :class:`IcsEvent`."""
    component = Event()
    component.add("UID", event.uid)
    component.add("SEQUENCE", event.sequence)
    component.add("DTSTAMP", _utc(event.last_modified))
    component.add("CREATED", _utc(event.created))
    component.add("LAST-MODIFIED", _utc(event.last_modified))
    component.add("DTSTART", _in_zone(event.start, zone))
    component.add("DTEND", _in_zone(event.end, zone))
    component.add("SUMMARY", _text(event.summary))
    if event.description:
        component.add("DESCRIPTION", _text(event.description))
    if event.location:
        component.add("LOCATION", _text(event.location))
    if event.url:
        component.add("URL", event.url)
    if event.categories:
        component.add("CATEGORIES", _categories(event.categories))
    component.add("STATUS", event.status)
    component.add("TRANSP", "TRANSPARENT" if event.status == "CANCELLED" else "OPAQUE")
    component.add("ORGANIZER", _address(event.organizer, None))
    for attendee in event.attendees:
        component.add("ATTENDEE", _address(attendee, "REQ-PARTICIPANT"))
    for alarm in event.alarms:
        valarm = Alarm()
        valarm.add("ACTION", "DISPLAY")
        valarm.add("TRIGGER", -alarm.before)  # before DTSTART
        valarm.add("DESCRIPTION", _text(alarm.description))
        component.add_component(valarm)
    return component


def _todo_component(todo: IcsTodo) -> Todo:
    """Build the VTODO for one :class:`IcsTodo`."""
    component = Todo()
    component.add("UID", todo.uid)
    component.add("SEQUENCE", todo.sequence)
    component.add("DTSTAMP", _utc(todo.last_modified))
    component.add("CREATED", _utc(todo.created))
    component.add("LAST-MODIFIED", _utc(todo.last_modified))
    component.add("DUE", todo.due)  # a date: written as DUE;VALUE=DATE
    component.add("SUMMARY", _text(todo.summary))
    if todo.description:
        component.add("DESCRIPTION", _text(todo.description))
    if todo.url:
        component.add("URL", todo.url)
    if todo.categories:
        component.add("CATEGORIES", _categories(todo.categories))
    component.add("STATUS", todo.status)
    if todo.status == "COMPLETED":
        # No separate completion time is known; the last change is the closest.
        component.add("COMPLETED", _utc(todo.last_modified))
        component.add("PERCENT-COMPLETE", 100)
    return component


def _in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """The instant as local time in ``zone``, or UTC if that would be ambiguous."""
    local = moment.astimezone(zone)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


def _utc(moment: datetime) -> datetime:
    """The instant in UTC."""
    return moment.astimezone(UTC)


def _check_aware(field: str, moment: datetime) -> None:
    """Raise unless ``moment`` is a timezone-aware datetime."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{field} must be a datetime")
    tz: tzinfo | None = moment.tzinfo
    if tz is None or tz.utcoffset(moment) is None:
        raise ValueError(f"{field} must be timezone-aware")


def _check_common(uid: str, sequence: int, created: datetime, last_modified: datetime) -> None:
    """Checks shared by events and to-dos."""
    if not uid.strip():
        raise ValueError("uid must not be empty")
    if isinstance(sequence, bool) or sequence < 0:
        raise ValueError("sequence must be a non-negative integer")
    _check_aware("created", created)
    _check_aware("last_modified", last_modified)
