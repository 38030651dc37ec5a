"""A protocol-faithful fake of the Microsoft Graph v1.0 calendar and chat endpoints, for tests.

It runs over HTTPS on 127.0.0.1 (a werkzeug threaded server, TLS from the Entra fake's trustme
CA by default, so ``entra.ca_path`` trusts both fakes) and serves, under ``/v1.0``:

- ``POST /users/{u}/events``; ``GET``/``PATCH``/``DELETE /users/{u}/events/{id}``;
  ``POST /users/{u}/events/{id}/cancel``;
- ``GET /users/{u}/calendarView`` (``$select``, ``$top``, ``$skip``, ``@odata.nextLink``);
- ``POST /users/{u}/findMeetingTimes`` and ``POST /users/{u}/calendar/getSchedule``;
- ``POST``/``GET /chats/{chat-id}/messages`` for chats made with ``add_chat`` (see "Chats").

``{u}`` is a mailbox id or address (case-insensitive); ``/me`` works with delegated tokens.

What it checks, like Graph:

- **Tokens.** RS256 signed by the Entra fake, ``aud`` Graph, ``tid`` the Entra fake's tenant.
  Failures are 401 ``InvalidAuthenticationToken`` (with ``WWW-Authenticate``); a token without
  any permission is 401 ``NoPermissionsInAccessToken``. App-only tokens (no ``scp``) need
  ``Calendars.Read``/``Calendars.ReadWrite`` roles; delegated tokens need the matching scopes,
  and ``.Shared`` scopes for another user's mailbox. Missing → 403 ``ErrorAccessDenied``.
  ``restrict_app_access`` models an Exchange application access policy (the "[RAOP]" 403).
- **findMeetingTimes permissions.** Graph documents this action as delegated-only
  ("Application: Not supported"), so an app-only token gets 403 ``ErrorAccessDenied`` unless
  ``allow_app_find_meeting_times`` is set to True.
- **Bodies.** Read strictly like Graph's OData reader: event property names are case-sensitive,
  unknown ones are 400 ``RequestBodyRead``, JSON values of the wrong kind are 400
  ``RequestBodyRead`` "Cannot convert the literal '…' to the expected type 'Edm.…'" while JSON
  strings are converted as OData does (``"true"`` is a valid ``Edm.Boolean``, ``"0:30:00"`` is
  not a valid ``Edm.Duration``). ``@odata.type`` is accepted where it names the declared type
  (or a derived one): the SDK sends ``#microsoft.graph.event`` and ``#microsoft.graph.attendee``
  (``#microsoft.graph.attendeeBase`` in findMeetingTimes). Action parameters (cancel,
  getSchedule, findMeetingTimes) are matched case-insensitively, since the SDK sends
  ``Schedules``/``StartTime``/``Comment``. Real event properties that this fake does not model
  (``recurrence``, ``organizer``, ``id``, …) are answered 501 ``NotImplemented``: a test
  limit, not a Graph answer.
- **Errors** have Graph's shape, with ``innerError`` date/request-id/client-request-id; every
  answer carries ``request-id`` and ``client-request-id`` (echoed when the client sent one).

Choices where Graph's behaviour is not documented (keep them in mind when reading tests):

- ``transactionId``: a second POST with a transactionId already used in that mailbox (and whose
  event still exists) creates nothing and answers 201 with the existing event.
- Attendees that are mailboxes of the fake get a copy (same iCalUId, own id, ``isOrganizer``
  false, ``showAs`` "tentative" as Exchange places unanswered invitations). PATCH updates the
  copies; cancel, DELETE by the organiser, or removing an attendee marks the copies
  ``isCancelled`` with a "Canceled: " subject; cancel and DELETE remove the organiser's event.
- A missing start/end is 400 ``ErrorInvalidRequest``; an end before the start is 400
  ``ErrorInvalidRequest`` "The end time must be after the start time."; a ``dateTime`` that is not
  ``YYYY-MM-DDTHH:MM:SS[.fffffff]`` is 400 ``UnableToDeserializePostBody``.
- findMeetingTimes: candidates on 30-minute boundaries inside the time slots (default: the next
  7 days), inside the working hours of the organiser and every *required* attendee that is a
  mailbox (``activityDomain`` work/unknown: their days; personal: all days; unrestricted: all
  hours). The organiser must be free (unless ``isOrganizerOptional``). The confidence is the
  documented average chance of attendance (free 100, unknown 49, otherwise 0) and must reach
  ``minimumAttendeePercentage`` (default 50, as documented). Ordered by confidence, then time;
  ``maxCandidates`` defaults to 5 (Graph documents no default). Busy means ``showAs`` other than
  free/unknown and not cancelled. ``emptySuggestionsReason`` is "organizerUnavailable" when the
  organiser was never free in working hours, else "attendeesUnavailable".
- getSchedule: ``availabilityView`` takes the strongest status per interval
  (oof > busy > tentative > workingElsewhere > free); cancelled events are left out.
- An unknown ``Prefer: outlook.timezone`` is ignored (UTC, no ``Preference-Applied``).

Chats (``add_chat(chat_id, member_oids)``; ``chat_messages(chat_id)`` gives what was posted):

- **Sending** (``POST /chats/{id}/messages``) needs a *delegated* token with ``ChatMessage.Send``
  or ``Chat.ReadWrite`` (else 403 ``Forbidden`` "Missing scope permissions on the request…").
  Graph lets applications post only when importing messages into a chat in migration mode, so
  an app-only token gets 403 ``Forbidden`` with the text reported for that case
  (MicrosoftDocs/msteams-docs#12992, microsoftgraph/microsoft-graph-docs-contrib#1914); those
  reports do not show the status and code, so the fake uses 403 ``Forbidden``, as for the other
  permission failures. Then: an unknown chat is 404 ``NotFound``; a user who is not a member of
  the chat gets 403 ``Forbidden`` "Forbidden" (the answer reported for lost access to a chat,
  microsoft-graph-docs#14677 and #15787).
- **Bodies** are read strictly like events (``body``, ``attachments``, ``subject``,
  ``importance``). Each ``<attachment id="X"></attachment>`` in an html body must name an
  attachment, and each attachment must be named once in the body; adaptive-card attachments
  (``application/vnd.microsoft.card.adaptive``) must carry a JSON *string* of an object with
  ``"type": "AdaptiveCard"`` and a string ``version``. Failures are 400 ``BadRequest`` (a fake
  choice for texts Graph does not document); other attachment types are 501 (not modelled).
- **Answers**: 201 with the chatMessage (an id of epoch milliseconds, ``createdDateTime``,
  ``from.user`` with the token's ``oid`` and ``tid``, body, attachments). ``GET`` lists the
  chat's messages newest first (``$top``, at most 50; no paging) for members with ``Chat.Read``,
  ``Chat.ReadWrite`` or ``ChatMessage.Read``, or for an app with ``Chat.Read.All``/
  ``Chat.ReadWrite.All``.

Fault injection (``fail_next``, ``drop_next``, ``slow_next``, ``fault_rate``, ``hold_next``)
acts before (or, for ``drop_after``/holds/slow, after) the normal processing; fault answers are
recorded in ``requests`` too (a dropped connection has status 0).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import math
import random
import re
import secrets
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import time as dtime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import jwt
import trustme
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from werkzeug.wrappers import Request, Response

from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.https_server import LoopbackHttps

GRAPH_AUDIENCES = ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"]
JSON_CONTENT_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;"
    "charset=utf-8"
)
ACCESS_DENIED = "Access is denied. Check credentials and try again."
RAOP_DENIED = (
    "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy "
    "settings."
)
NO_JSON = (
    "Unable to read JSON request payload. Please ensure Content-Type header is set and payload "
    "is of valid JSON format."
)
FAULT_KINDS = ("429", "503", "504", "drop", "drop_after", "slow")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ZERO_TIME = "0001-01-01T00:00:00Z"
DEFAULT_MAX_CANDIDATES = 5
MAX_SCHEDULE_WINDOW = timedelta(days=62)
STEP = timedelta(minutes=30)

# Permissions per kind of operation: (app roles, delegated own mailbox, delegated other mailbox).
_APP = {
    "read": {"Calendars.Read", "Calendars.ReadWrite"},
    "write": {"Calendars.ReadWrite"},
    "find": {"Calendars.Read", "Calendars.ReadWrite"},
}
_OWN = {
    "read": {
        "Calendars.Read",
        "Calendars.ReadWrite",
        "Calendars.Read.Shared",
        "Calendars.ReadWrite.Shared",
    },
    "write": {"Calendars.ReadWrite", "Calendars.ReadWrite.Shared"},
}
_OWN["find"] = _OWN["read"]
_SHARED = {
    "read": {"Calendars.Read.Shared", "Calendars.ReadWrite.Shared"},
    "write": {"Calendars.ReadWrite.Shared"},
}
_SHARED["find"] = _SHARED["read"]

# Strength of a free/busy status, and its availabilityView digit.
_STATUS_RANK = {"free": 0, "unknown": 0, "workingElsewhere": 1, "tentative": 2, "busy": 3, "oof": 4}
_VIEW_DIGIT = {"free": "0", "unknown": "0", "tentative": "1", "busy": "2", "oof": "3"}
_VIEW_DIGIT["workingElsewhere"] = "4"


# -- public data ----------------------------------------------------------------------------------


@dataclass
class Recorded:
    """One request as the fake saw it (``path`` without the ``/v1.0`` prefix)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class Mailbox:
    id: str
    address: str
    display_name: str
    time_zone: str
    days: tuple[str, ...]
    start: str
    end: str
    oid: str
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    transactions: dict[str, str] = field(default_factory=dict)


@dataclass
class Chat:
    id: str
    members: set[str]
    messages: list[dict[str, Any]] = field(default_factory=list)


class Hold:
    """A request that is processed, then kept from answering until ``release()``."""

    def __init__(self, match: Callable[[Recorded], bool]) -> None:
        self.match = match
        self.reached = threading.Event()
        self.request: Recorded | None = None
        self._released = threading.Event()
        self._claimed = False

    def release(self) -> None:
        self._released.set()


# -- internals: errors, faults, schema ------------------------------------------------------------


class GraphError(Exception):
    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class _Dropped(ConnectionAbortedError):
    """Raised after shutting the socket down; werkzeug treats it as a dropped connection."""


@dataclass
class _Fault:
    kind: str  # "status", "drop", "drop_after" or "slow"
    remaining: int = 1
    status: int = 429
    retry_after: int | None = None
    seconds: float = 0.0
    match: Callable[[Recorded], bool] | None = None


@dataclass(frozen=True, eq=False)
class _Prim:
    edm: str


@dataclass(frozen=True, eq=False)
class _Enum:
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class _Complex:
    name: str
    props: dict[str, Any]
    derived: tuple[str, ...] = ()
    unmodelled: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class _Coll:
    item: Any


STRING = _Prim("Edm.String")
BOOLEAN = _Prim("Edm.Boolean")
INT32 = _Prim("Edm.Int32")
DOUBLE = _Prim("Edm.Double")
DURATION = _Prim("Edm.Duration")
DATETIMEOFFSET = _Prim("Edm.DateTimeOffset")

BODY_TYPE = _Enum("microsoft.graph.bodyType", ("text", "html"))
ATTENDEE_TYPE = _Enum("microsoft.graph.attendeeType", ("required", "optional", "resource"))
FREE_BUSY = _Enum(
    "microsoft.graph.freeBusyStatus",
    ("unknown", "free", "tentative", "busy", "oof", "workingElsewhere"),
)
IMPORTANCE = _Enum("microsoft.graph.importance", ("low", "normal", "high"))
SENSITIVITY = _Enum(
    "microsoft.graph.sensitivity", ("normal", "personal", "private", "confidential")
)
PROVIDER = _Enum(
    "microsoft.graph.onlineMeetingProviderType",
    ("unknown", "skypeForBusiness", "skypeForConsumer", "teamsForBusiness"),
)
RESPONSE_TYPE = _Enum(
    "microsoft.graph.responseType",
    ("none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"),
)
ACTIVITY_DOMAIN = _Enum(
    "microsoft.graph.activityDomain", ("unknown", "work", "personal", "unrestricted")
)
LOCATION_TYPE = _Enum(
    "microsoft.graph.locationType",
    (
        "default",
        "conferenceRoom",
        "homeAddress",
        "businessAddress",
        "geoCoordinates",
        "streetAddress",
        "hotel",
        "restaurant",
        "localBusiness",
        "postalAddress",
    ),
)
UNIQUE_ID_TYPE = _Enum(
    "microsoft.graph.locationUniqueIdType",
    ("unknown", "locationStore", "directory", "private", "bing"),
)

EMAIL_ADDRESS = _Complex("emailAddress", {"address": STRING, "name": STRING})
DATE_TIME_TIME_ZONE = _Complex("dateTimeTimeZone", {"dateTime": STRING, "timeZone": STRING})
ITEM_BODY = _Complex("itemBody", {"contentType": BODY_TYPE, "content": STRING})
RESPONSE_STATUS = _Complex("responseStatus", {"response": RESPONSE_TYPE, "time": DATETIMEOFFSET})
_LOCATION_PROPS: dict[str, Any] = {
    "displayName": STRING,
    "locationEmailAddress": STRING,
    "locationUri": STRING,
    "locationType": LOCATION_TYPE,
    "uniqueId": STRING,
    "uniqueIdType": UNIQUE_ID_TYPE,
}
LOCATION = _Complex("location", _LOCATION_PROPS)
LOCATION_ITEM = _Complex(
    "locationConstraintItem", {**_LOCATION_PROPS, "resolveAvailability": BOOLEAN}
)
ATTENDEE = _Complex(
    "attendee", {"emailAddress": EMAIL_ADDRESS, "type": ATTENDEE_TYPE, "status": RESPONSE_STATUS}
)
ATTENDEE_BASE = _Complex(
    "attendeeBase", {"emailAddress": EMAIL_ADDRESS, "type": ATTENDEE_TYPE}, derived=("attendee",)
)
TIME_SLOT = _Complex("timeSlot", {"start": DATE_TIME_TIME_ZONE, "end": DATE_TIME_TIME_ZONE})
TIME_CONSTRAINT = _Complex(
    "timeConstraint", {"activityDomain": ACTIVITY_DOMAIN, "timeSlots": _Coll(TIME_SLOT)}
)
LOCATION_CONSTRAINT = _Complex(
    "locationConstraint",
    {"isRequired": BOOLEAN, "suggestLocation": BOOLEAN, "locations": _Coll(LOCATION_ITEM)},
)
_TYPES: dict[str, _Complex] = {
    t.name: t
    for t in (
        EMAIL_ADDRESS,
        DATE_TIME_TIME_ZONE,
        ITEM_BODY,
        RESPONSE_STATUS,
        LOCATION,
        LOCATION_ITEM,
        ATTENDEE,
        ATTENDEE_BASE,
        TIME_SLOT,
        TIME_CONSTRAINT,
        LOCATION_CONSTRAINT,
    )
}

# Relationships of an event: never in a body.
_EVENT_NAVIGATION = frozenset(
    [
        "attachments",
        "calendar",
        "extensions",
        "instances",
        "exceptionOccurrences",
        "multiValueExtendedProperties",
        "singleValueExtendedProperties",
    ]
)
# Real event properties (v1.0) that this fake stores or serves but does not accept in a body.
_EVENT_NOT_WRITABLE_HERE = _EVENT_NAVIGATION | frozenset(
    [
        "id",
        "createdDateTime",
        "lastModifiedDateTime",
        "changeKey",
        "originalStartTimeZone",
        "originalEndTimeZone",
        "originalStart",
        "iCalUId",
        "uid",
        "hasAttachments",
        "bodyPreview",
        "isCancelled",
        "isOrganizer",
        "isDraft",
        "seriesMasterId",
        "type",
        "webLink",
        "onlineMeetingUrl",
        "occurrenceId",
        "responseStatus",
        "locations",
        "recurrence",
        "organizer",
        "onlineMeeting",
        "cancelledOccurrences",
    ]
)
EVENT = _Complex(
    "event",
    {
        "subject": STRING,
        "body": ITEM_BODY,
        "start": DATE_TIME_TIME_ZONE,
        "end": DATE_TIME_TIME_ZONE,
        "attendees": _Coll(ATTENDEE),
        "isOnlineMeeting": BOOLEAN,
        "onlineMeetingProvider": PROVIDER,
        "categories": _Coll(STRING),
        "transactionId": STRING,
        "showAs": FREE_BUSY,
        "importance": IMPORTANCE,
        "sensitivity": SENSITIVITY,
        "isReminderOn": BOOLEAN,
        "reminderMinutesBeforeStart": INT32,
        "allowNewTimeProposals": BOOLEAN,
        "responseRequested": BOOLEAN,
        "hideAttendees": BOOLEAN,
        "isAllDay": BOOLEAN,
        "location": LOCATION,
    },
    unmodelled=_EVENT_NOT_WRITABLE_HERE,
)
#: Properties a $select may name (structural properties of microsoft.graph.event).
EVENT_SELECTABLE = {
    name.lower(): name for name in (set(EVENT.props) | _EVENT_NOT_WRITABLE_HERE) - _EVENT_NAVIGATION
}

CANCEL_PARAMS: dict[str, Any] = {"comment": STRING}
SCHEDULE_PARAMS: dict[str, Any] = {
    "schedules": _Coll(STRING),
    "startTime": DATE_TIME_TIME_ZONE,
    "endTime": DATE_TIME_TIME_ZONE,
    "availabilityViewInterval": INT32,
}
FIND_PARAMS: dict[str, Any] = {
    "attendees": _Coll(ATTENDEE_BASE),
    "locationConstraint": LOCATION_CONSTRAINT,
    "timeConstraint": TIME_CONSTRAINT,
    "meetingDuration": DURATION,
    "maxCandidates": INT32,
    "isOrganizerOptional": BOOLEAN,
    "returnSuggestionReasons": BOOLEAN,
    "minimumAttendeePercentage": DOUBLE,
}

CHAT_IMPORTANCE = _Enum("microsoft.graph.chatMessageImportance", ("normal", "high", "urgent"))
CHAT_ATTACHMENT = _Complex(
    "chatMessageAttachment",
    {
        "id": STRING,
        "contentType": STRING,
        "contentUrl": STRING,
        "content": STRING,
        "name": STRING,
        "thumbnailUrl": STRING,
        "teamsAppId": STRING,
    },
)
#: Real chatMessage properties this fake does not accept in a body (answered 501).
_CHAT_MESSAGE_NOT_WRITABLE_HERE = frozenset(
    [
        "id",
        "replyToId",
        "from",
        "etag",
        "messageType",
        "createdDateTime",
        "lastModifiedDateTime",
        "lastEditedDateTime",
        "deletedDateTime",
        "summary",
        "chatId",
        "channelIdentity",
        "locale",
        "webUrl",
        "mentions",
        "reactions",
        "hostedContents",
        "policyViolation",
        "eventDetail",
        "messageHistory",
        "replies",
    ]
)
CHAT_MESSAGE = _Complex(
    "chatMessage",
    {
        "body": ITEM_BODY,
        "attachments": _Coll(CHAT_ATTACHMENT),
        "subject": STRING,
        "importance": CHAT_IMPORTANCE,
    },
    unmodelled=_CHAT_MESSAGE_NOT_WRITABLE_HERE,
)
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
APP_ONLY_CHAT_POST = (
    "Message POST is allowed in application-only context only for import purposes. Refer to "
    "https://docs.microsoft.com/microsoftteams/platform/graph-api/import-messages/"
    "import-external-messages-to-teams for more details."
)
_CHAT_SEND_SCOPES = ("ChatMessage.Send", "Chat.ReadWrite")
_CHAT_READ_SCOPES = ("Chat.Read", "Chat.ReadWrite", "ChatMessage.Read")
_CHAT_READ_ROLES = ("Chat.Read.All", "Chat.ReadWrite.All")
_ATTACHMENT_TAG = re.compile(
    r"<attachment\s+id\s*=\s*(?:\"([^\"]*)\"|'([^']*)')\s*/?>", re.IGNORECASE
)

_LOCAL_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$")
_QUERY_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
    r"(Z|[+-]\d{2}:\d{2})?$"
)
_DURATION = re.compile(
    r"^(-)?P(?!$)(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_INT = re.compile(r"^\s*[+-]?\d+\s*$")
_FLOAT = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_PREFER_TZ = re.compile(r'outlook\.timezone\s*=\s*(?:"([^"]*)"|([^,;\s]+))', re.IGNORECASE)


# -- time helpers ---------------------------------------------------------------------------------

_WINDOWS_ZONES = {name.lower(): olson for name, olson in WINDOWS_TO_OLSON.items()}


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo | None:
    """A Windows ("W. Europe Standard Time") or IANA ("Europe/Amsterdam") name, or None."""
    if not name or not name.strip():
        return None
    olson = _WINDOWS_ZONES.get(name.lower())
    if olson is not None:
        return ZoneInfo(olson)
    if name.upper() == "UTC":
        return UTC
    if "/" not in name or name.startswith("/") or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return None


def graph_datetime(value: datetime) -> str:
    """Wall time as Graph writes it: seven fractional digits, no offset."""
    return value.strftime("%Y-%m-%dT%H:%M:%S") + f".{value.microsecond:06d}0"


def _stamp(value: datetime | None = None) -> str:
    return graph_datetime((value or datetime.now(UTC)).astimezone(UTC)) + "Z"


def _parse_local(value: str) -> datetime | None:
    match = _LOCAL_DATETIME.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0").ljust(7, "0")[:6])
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro)
    except ValueError:
        return None


def _in_zone(value: datetime, zone_name: str) -> dict[str, str]:
    tz = zone(zone_name)
    assert tz is not None
    return {"dateTime": graph_datetime(value.astimezone(tz)), "timeZone": zone_name}


def _utc_of(dttz: dict[str, Any]) -> datetime:
    """The UTC instant of a stored (already validated) dateTimeTimeZone."""
    local = _parse_local(dttz["dateTime"])
    tz = zone(dttz["timeZone"])
    assert local is not None and tz is not None
    return local.replace(tzinfo=tz).astimezone(UTC)


def _check_dttz(value: Any, what: str) -> datetime:
    """Validate a dateTimeTimeZone from a request as Exchange does; return its UTC instant."""
    if not isinstance(value, dict):
        raise GraphError(400, "ErrorInvalidRequest", f"The {what} must be specified.")
    tz_name = value.get("timeZone") or ""
    tz = zone(tz_name)
    if tz is None:
        raise GraphError(
            400,
            "TimeZoneNotSupportedException",
            "A valid TimeZone value must be specified. The following TimeZone value is not "
            f"supported: '{tz_name}'.",
        )
    local = _parse_local(value.get("dateTime") or "")
    if local is None:
        raise GraphError(400, "UnableToDeserializePostBody", "were unable to deserialize ")
    return local.replace(tzinfo=tz).astimezone(UTC)


def _ceil_step(value: datetime) -> datetime:
    seconds = value.timestamp()
    step = STEP.total_seconds()
    return datetime.fromtimestamp(math.ceil(seconds / step) * step, UTC)


def _overlaps(start: datetime, end: datetime, lo: datetime, hi: datetime) -> bool:
    if start == end:
        return lo <= start < hi
    return start < hi and end > lo


# -- strict JSON / OData reading ------------------------------------------------------------------


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _node(value: Any) -> str:
    if isinstance(value, dict):
        return "StartObject"
    if isinstance(value, list):
        return "StartArray"
    return "PrimitiveValue"


def _body_read(message: str) -> GraphError:
    return GraphError(400, "RequestBodyRead", message)


def _literal(value: Any) -> str:
    """How .NET prints a JSON value in ODataLib's conversion errors."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _convert_error(value: Any, edm: str) -> GraphError:
    return _body_read(
        f"Cannot convert the literal '{_literal(value)}' to the expected type '{edm}'."
    )


def _read_primitive(value: Any, typ: _Prim, name: str) -> Any:
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise _body_read(
            f"An unexpected '{_node(value)}' node was found for property named '{name}' when "
            "reading from the JSON reader. A 'PrimitiveValue' node was expected."
        )
    edm = typ.edm
    if isinstance(value, str):
        # ODataLib converts JSON strings to the expected primitive type.
        if edm == "Edm.String":
            return value
        if edm == "Edm.Boolean" and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if edm == "Edm.Int32" and _INT.match(value) and -(2**31) <= int(value) < 2**31:
            return int(value)
        if edm == "Edm.Double" and _FLOAT.match(value):
            return float(value)
        if edm == "Edm.Duration":
            duration = _parse_duration(value)
            if duration is not None:
                return duration
        if edm == "Edm.DateTimeOffset":
            with contextlib.suppress(ValueError):
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
                if parsed.tzinfo is not None:
                    return value
        raise _convert_error(value, edm)
    if isinstance(value, bool):
        if edm == "Edm.Boolean":
            return value
        raise _convert_error(value, edm)
    if isinstance(value, int):
        if edm == "Edm.Int32" and -(2**31) <= value < 2**31:
            return value
        if edm == "Edm.Double":
            return float(value)
        raise _convert_error(value, edm)
    if isinstance(value, float):
        if edm == "Edm.Double":
            return value
        raise _convert_error(value, edm)
    raise _convert_error(value, edm)


def _parse_duration(value: str) -> timedelta | None:
    match = _DURATION.match(value)
    if match is None or value.endswith("T"):
        return None
    sign, days, hours, minutes, seconds = match.groups()
    duration = timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=float(seconds or 0),
    )
    return -duration if sign else duration


def _read_value(value: Any, typ: Any, name: str, ci: bool) -> Any:
    if isinstance(typ, _Coll):
        if value is None:
            kind = _type_name(typ)
            raise _body_read(
                f"A null value was found for the property named '{name}', which has the "
                f"expected type '{kind}[Nullable=False]'. The expected type "
                f"'{kind}[Nullable=False]' does not allow null values."
            )
        if not isinstance(value, list):
            raise _body_read(
                f"An unexpected '{_node(value)}' node was found when reading from the JSON "
                "reader. A 'StartArray' node was expected."
            )
        items = []
        for item in value:
            if item is None:
                raise _body_read(
                    f"A null value was found in a collection of type '{_type_name(typ)}'. "
                    "Null values are not allowed in this collection."
                )
            items.append(_read_value(item, typ.item, name, ci))
        return items
    if isinstance(typ, _Complex):
        if value is None:
            return None
        if not isinstance(value, dict):
            raise _body_read(
                f"An unexpected '{_node(value)}' node was found when reading from the JSON "
                "reader. A 'StartObject' node was expected."
            )
        return _read_object(value, typ, ci)
    if isinstance(typ, _Enum):
        if value is None:
            return None
        if isinstance(value, dict | list):
            raise _body_read(
                f"An unexpected '{_node(value)}' node was found for property named '{name}' "
                "when reading from the JSON reader. A 'PrimitiveValue' node was expected."
            )
        if not isinstance(value, str):
            raise _convert_error(value, typ.name)
        for member in typ.members:
            if member.lower() == value.strip().lower():
                return member
        raise _body_read(f"Requested value '{value}' was not found.")
    return _read_primitive(value, typ, name)


def _type_name(typ: Any) -> str:
    if isinstance(typ, _Coll):
        return f"Collection({_type_name(typ.item)})"
    if isinstance(typ, _Complex):
        return f"microsoft.graph.{typ.name}"
    if isinstance(typ, _Enum):
        return typ.name
    return str(typ.edm)


def _read_object(value: dict[str, Any], typ: _Complex, ci: bool) -> dict[str, Any]:
    schema = typ
    if "@odata.type" in value:
        given = value["@odata.type"]
        allowed = {f"#microsoft.graph.{n}": _TYPES.get(n, typ) for n in (typ.name, *typ.derived)}
        if not isinstance(given, str) or given not in allowed:
            raise _body_read(
                f"A resource with type '{str(given).lstrip('#')}' was found, but it is not "
                f"assignable to the expected type 'microsoft.graph.{typ.name}'. The type "
                "specified in the resource must be equal to either the expected type or a "
                "derived type."
            )
        schema = allowed[given]
    names = {n.lower(): n for n in schema.props}
    out: dict[str, Any] = {}
    for key, raw in value.items():
        if key == "@odata.type":
            continue
        if "@" in key:
            annotation = key.split("@", 1)[1]
            raise _body_read(
                f"The annotation '{annotation}' was found. This annotation is either not "
                "recognized or not expected at the current position."
            )
        name = names.get(key.lower()) if ci else (key if key in schema.props else None)
        if name is None:
            if key in schema.unmodelled:
                raise GraphError(
                    501,
                    "NotImplemented",
                    f"GraphFake does not model writing the property '{key}' of "
                    f"'microsoft.graph.{schema.name}'.",
                )
            raise _body_read(
                f"The property '{key}' does not exist on type 'microsoft.graph.{schema.name}'. "
                "Make sure to only use property names that are defined by the type or mark the "
                "type as open type."
            )
        if name in out:
            raise _body_read(
                f"Multiple property names '{name}' were found. Duplicate property names are "
                "not allowed."
            )
        out[name] = _read_value(raw, schema.props[name], name, ci)
    return out


def _read_parameters(value: dict[str, Any], params: dict[str, Any], action: str) -> dict[str, Any]:
    """Action parameters: names matched case-insensitively, values read like properties."""
    names = {n.lower(): n for n in params}
    out: dict[str, Any] = {}
    for key, raw in value.items():
        if key == "@odata.type":
            continue
        name = names.get(key.lower())
        if name is None or name in out:
            raise _body_read(
                f"The parameter '{key}' in the request payload is not a valid parameter for "
                f"the operation '{action}'."
            )
        out[name] = _read_value(raw, params[name], name, ci=True)
    return out


# -- the fake -------------------------------------------------------------------------------------


class GraphFake:
    """Microsoft Graph v1.0 calendar endpoints over HTTPS on 127.0.0.1 (see module docstring)."""

    host = "127.0.0.1"

    def __init__(self, entra: EntraFake, *, ca: trustme.CA | None = None) -> None:
        self.entra = entra
        self.ca = ca or entra.ca
        #: Graph documents findMeetingTimes as delegated-only; set True to let app tokens in.
        self.allow_app_find_meeting_times = False
        self.requests: list[Recorded] = []
        #: Tracebacks of unexpected exceptions in the fake (answered 500); empty when healthy.
        self.errors: list[str] = []
        self._key = jwt.PyJWK(entra.jwks()["keys"][0]).key
        self._lock = threading.RLock()
        self._mailboxes: dict[str, Mailbox] = {}
        self._chats: dict[str, Chat] = {}
        self._last_message_id = 0
        self._app_policy: set[str] | None = None
        self._faults: list[_Fault] = []
        self._holds: list[Hold] = []
        self._rate = 0.0
        self._rate_kinds: tuple[str, ...] = FAULT_KINDS
        self._rate_retry_after = 0
        self._rate_slow = 0.0
        self._rng = random.Random(0)
        self._stopping = threading.Event()
        self._server: LoopbackHttps | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> GraphFake:
        self._server = LoopbackHttps(self._wsgi, self.ca, self.host)
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            for hold in self._holds:
                hold.release()
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.port

    @property
    def base_url(self) -> str:
        return f"https://{self.host}:{self.port}/v1.0"

    # -- test controls: data -------------------------------------------------------------------

    def add_mailbox(
        self,
        address: str,
        *,
        display_name: str = "",
        time_zone: str = "W. Europe Standard Time",
        days: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday"),
        start: str = "08:00:00",
        end: str = "17:00:00",
        oid: str | None = None,
    ) -> Mailbox:
        """A user with a mailbox; ``oid`` maps delegated tokens to it (default: its id)."""
        if zone(time_zone) is None:
            raise ValueError(f"unknown time zone {time_zone!r}")
        if any(day not in WEEKDAYS for day in days):
            raise ValueError(f"days must be among {WEEKDAYS}")
        for value in (start, end):
            dtime.fromisoformat(value)
        mailbox_id = str(uuid.uuid4())
        mailbox = Mailbox(
            id=mailbox_id,
            address=address,
            display_name=display_name or address.split("@")[0],
            time_zone=time_zone,
            days=tuple(days),
            start=start,
            end=end,
            oid=oid or mailbox_id,
        )
        with self._lock:
            if self._mailbox_by_address(address) is not None:
                raise ValueError(f"mailbox {address} exists")
            self._mailboxes[mailbox_id] = mailbox
        return mailbox

    def add_event(
        self,
        address: str,
        subject: str,
        start: datetime,
        end: datetime,
        *,
        show_as: str = "busy",
        is_cancelled: bool = False,
    ) -> dict[str, Any]:
        """An existing appointment (no attendees) in that mailbox; aware datetimes."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be aware datetimes")
        if show_as not in FREE_BUSY.members:
            raise ValueError(f"show_as must be one of {FREE_BUSY.members}")
        with self._lock:
            mailbox = self._mailbox_by_address(address)
            if mailbox is None:
                raise KeyError(address)
            event = self._new_event(
                mailbox,
                {
                    "subject": subject,
                    "start": _in_zone(start, "UTC"),
                    "end": _in_zone(end, "UTC"),
                    "showAs": show_as,
                },
            )
            event["isCancelled"] = is_cancelled
            mailbox.events[event["id"]] = event
            return copy.deepcopy(event)

    def events(self, address: str) -> list[dict[str, Any]]:
        """The stored events of that mailbox in Graph JSON, ordered by start."""
        with self._lock:
            mailbox = self._mailbox_by_address(address)
            if mailbox is None:
                raise KeyError(address)
            items = sorted(mailbox.events.values(), key=lambda e: (_utc_of(e["start"]), e["id"]))
            return copy.deepcopy(items)

    def add_chat(self, chat_id: str, member_oids: set[str] | list[str] | tuple[str, ...]) -> Chat:
        """A chat (e.g. a meeting's ``19:meeting_…@thread.v2``) with these members' object ids."""
        with self._lock:
            if chat_id in self._chats:
                raise ValueError(f"chat {chat_id} exists")
            chat = Chat(chat_id, set(member_oids))
            self._chats[chat_id] = chat
            return chat

    def chat_messages(self, chat_id: str) -> list[dict[str, Any]]:
        """The messages posted to that chat, oldest first, in Graph JSON."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise KeyError(chat_id)
            return copy.deepcopy(chat.messages)

    def restrict_app_access(self, addresses: set[str] | None) -> None:
        """An application access policy: app-only tokens may only touch these mailboxes."""
        with self._lock:
            self._app_policy = None if addresses is None else {a.lower() for a in addresses}

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- test controls: faults -----------------------------------------------------------------

    def fail_next(
        self,
        count: int,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        match: Callable[[Recorded], bool] | None = None,
    ) -> None:
        """The next ``count`` matching requests get this error before being processed."""
        if count <= 0:
            return
        with self._lock:
            self._faults.append(
                _Fault("status", count, status=status, retry_after=retry_after, match=match)
            )

    def drop_next(
        self,
        count: int,
        *,
        after_processing: bool = False,
        match: Callable[[Recorded], bool] | None = None,
    ) -> None:
        """Close the connection without an answer (after the request took effect, if asked)."""
        kind = "drop_after" if after_processing else "drop"
        if count <= 0:
            return
        with self._lock:
            self._faults.append(_Fault(kind, count, match=match))

    def slow_next(
        self, count: int, seconds: float, *, match: Callable[[Recorded], bool] | None = None
    ) -> None:
        """Answer the next ``count`` matching requests normally, but after ``seconds``."""
        if count <= 0:
            return
        with self._lock:
            self._faults.append(_Fault("slow", count, seconds=seconds, match=match))

    def fault_rate(
        self,
        rate: float,
        *,
        seed: int,
        kinds: tuple[str, ...] = FAULT_KINDS,
        retry_after: int = 0,
        slow_seconds: float = 0.0,
    ) -> None:
        """Random faults (of ``kinds``) on that fraction of requests; rate 0 turns it off."""
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown or not kinds:
            raise ValueError(f"kinds must be among {FAULT_KINDS}")
        with self._lock:
            self._rate = rate
            self._rng = random.Random(seed)
            self._rate_kinds = tuple(kinds)
            self._rate_retry_after = retry_after
            self._rate_slow = slow_seconds

    def hold_next(self, match: Callable[[Recorded], bool]) -> Hold:
        """Process the next matching request, then block its answer until ``release()``."""
        hold = Hold(match)
        with self._lock:
            self._holds.append(hold)
        if self._stopping.is_set():
            hold.release()
        return hold

    # -- HTTP plumbing -------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        raw = request.get_data(cache=True)
        path = request.path
        short = path[5:] if path.lower().startswith("/v1.0") else path
        recorded = Recorded(
            method=request.method,
            path=short,
            query=dict(request.args.items()),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=_lenient_json(raw),
        )
        with self._lock:
            self.requests.append(recorded)
        request_id = str(uuid.uuid4())
        client_request_id = request.headers.get("client-request-id") or str(uuid.uuid4())
        ids = (request_id, client_request_id)

        fault = self._take_fault(recorded)
        if fault is not None and fault.kind == "status":
            response = self._fault_response(fault, ids)
            recorded.status = response.status_code
            return response(environ, start_response)
        if fault is not None and fault.kind == "drop":
            _drop(environ)

        hold = self._take_hold(recorded)
        try:
            response = self._handle(request, raw)
        except GraphError as error:
            response = self._error_response(error)
        except Exception as error:
            with self._lock:
                self.errors.append(traceback.format_exc())
            response = self._error_response(
                GraphError(500, "InternalServerError", f"GraphFake failed: {error!r}")
            )
        self._stamp_ids(response, ids)
        recorded.status = response.status_code

        if hold is not None:
            hold.request = recorded
            hold.reached.set()
            hold._released.wait()
        if fault is not None and fault.kind == "drop_after":
            recorded.status = 0
            _drop(environ)
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.seconds)
        return response(environ, start_response)

    def _take_fault(self, recorded: Recorded) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and (fault.match is None or fault.match(recorded)):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return _Fault(
                        fault.kind,
                        status=fault.status,
                        retry_after=fault.retry_after,
                        seconds=fault.seconds,
                    )
            if self._rate <= 0 or self._rng.random() >= self._rate:
                return None
            kind = self._rng.choice(self._rate_kinds)
        if kind in ("429", "503", "504"):
            return _Fault("status", status=int(kind), retry_after=self._rate_retry_after)
        return _Fault(kind, seconds=self._rate_slow)

    def _take_hold(self, recorded: Recorded) -> Hold | None:
        with self._lock:
            for hold in self._holds:
                if not hold._claimed and hold.match(recorded):
                    hold._claimed = True
                    if self._stopping.is_set():
                        hold.release()
                    return hold
        return None

    def _fault_response(self, fault: _Fault, ids: tuple[str, str]) -> Response:
        code, message = {
            429: ("TooManyRequests", "Too many requests. Retry after the given delay."),
            503: ("ServiceUnavailable", "The service is temporarily unavailable."),
            504: ("GatewayTimeout", "The gateway did not receive a timely response."),
        }.get(fault.status, ("UnknownError", "An error occurred."))
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        response = self._error_response(GraphError(fault.status, code, message, headers))
        self._stamp_ids(response, ids)
        return response

    @staticmethod
    def _stamp_ids(response: Response, ids: tuple[str, str]) -> None:
        response.headers["request-id"] = ids[0]
        response.headers["client-request-id"] = ids[1]
        body = response.get_data()
        if response.status_code >= 400 and body.startswith(b'{"error"'):
            data = json.loads(body)
            data["error"]["innerError"]["request-id"] = ids[0]
            data["error"]["innerError"]["client-request-id"] = ids[1]
            response.set_data(json.dumps(data))

    @staticmethod
    def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        response = Response(json.dumps(body), status=status, content_type=JSON_CONTENT_TYPE)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response

    def _error_response(self, error: GraphError) -> Response:
        body = {
            "error": {
                "code": error.code,
                "message": error.message,
                "innerError": {
                    "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                    "request-id": "",
                    "client-request-id": "",
                },
            }
        }
        headers = dict(error.headers)
        if error.status == 401:
            headers["WWW-Authenticate"] = (
                'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/'
                'oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
            )
        return self._json(body, error.status, headers)

    # -- request handling ----------------------------------------------------------------------

    def _handle(self, request: Request, raw: bytes) -> Response:
        segments = [s for s in request.path.split("/") if s]
        if not segments or segments[0].lower() != "v1.0":
            version = segments[0] if segments else ""
            raise GraphError(400, "BadRequest", f"Invalid version: {version}")
        claims = self._authenticate(request)
        segments = segments[1:]
        if not segments:
            raise GraphError(400, "BadRequest", "Resource not found for the segment ''.")
        head = segments[0].lower()
        if head == "chats":
            return self._chat_request(request, raw, claims, segments[1:])
        if head == "me":
            if "scp" not in claims:
                raise GraphError(
                    400,
                    "BadRequest",
                    "/me request is only valid with delegated authentication flow.",
                )
            user_segment, rest = None, segments[1:]
        elif head == "users" and len(segments) >= 2:
            user_segment, rest = segments[1], segments[2:]
        else:
            raise GraphError(
                400, "BadRequest", f"Resource not found for the segment '{segments[0]}'."
            )
        operation, kind, event_id, allowed = self._route(rest)
        if request.method not in allowed:
            raise GraphError(
                405,
                "BadRequest",
                f"The HTTP method '{request.method}' is not allowed on this resource.",
            )
        if operation == "events" and request.method == "GET":
            raise GraphError(
                501, "NotImplemented", "GraphFake does not model listing /events; use calendarView."
            )
        if operation in ("event", "events"):
            kind = "read" if request.method == "GET" else "write"

        # Graph's OData layer: URI options and body are read before Exchange sees the request.
        select = self._select(request) if request.method == "GET" else None
        payload: dict[str, Any] | None = None
        if request.method in ("POST", "PATCH"):
            payload = self._payload(request, raw, empty_ok=operation not in ("events", "event"))
        read: dict[str, Any] = {}
        if operation in ("events", "event") and payload is not None:
            read = _read_object(payload, EVENT, ci=False)
        elif operation == "cancel":
            read = _read_parameters(payload or {}, CANCEL_PARAMS, "cancel")
        elif operation == "getSchedule":
            read = _read_parameters(payload or {}, SCHEDULE_PARAMS, "getSchedule")
        elif operation == "findMeetingTimes":
            read = _read_parameters(payload or {}, FIND_PARAMS, "findMeetingTimes")

        self._check_permission(claims, kind)
        with self._lock:
            mailbox = self._resolve_user(user_segment, claims)
            self._check_mailbox_access(claims, kind, mailbox)
            segment = user_segment if user_segment is not None else mailbox.id
            prefer = _prefer_zone(request)
            if operation == "events":
                response = self._create_event(mailbox, segment, read, prefer)
            elif operation == "event":
                response = self._event(request.method, mailbox, segment, event_id, read, prefer)
                if select is not None and response.status_code == 200:
                    data = json.loads(response.get_data())
                    response = self._json(_selected(data, select, keep_context=True))
            elif operation == "cancel":
                response = self._cancel(mailbox, event_id)
            elif operation == "calendarView":
                response = self._calendar_view(request, mailbox, segment, select, prefer)
            elif operation == "findMeetingTimes":
                response = self._find_meeting_times(mailbox, read, prefer)
            else:
                response = self._get_schedule(mailbox, read, prefer)
        if prefer is not None and response.status_code < 300:
            response.headers["Preference-Applied"] = f'outlook.timezone="{prefer}"'
        return response

    @staticmethod
    def _route(rest: list[str]) -> tuple[str, str, str | None, set[str]]:
        low = [s.lower() for s in rest]
        if low == ["events"]:
            return "events", "write", None, {"POST", "GET"}
        if len(low) == 2 and low[0] == "events":
            return "event", "read", rest[1], {"GET", "PATCH", "DELETE"}
        if len(low) == 3 and low[0] == "events" and low[2] == "cancel":
            return "cancel", "write", rest[1], {"POST"}
        if low in (["calendarview"], ["calendar", "calendarview"]):
            return "calendarView", "read", None, {"GET"}
        if low == ["findmeetingtimes"]:
            return "findMeetingTimes", "find", None, {"POST"}
        if low == ["calendar", "getschedule"]:
            return "getSchedule", "read", None, {"POST"}
        unknown = _first_unknown_segment(rest)
        if unknown is None:
            raise GraphError(
                501, "NotImplemented", f"GraphFake does not model /users/{{id}}/{'/'.join(rest)}."
            )
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{unknown}'.")

    def _authenticate(self, request: Request) -> dict[str, Any]:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty.")
        try:
            jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "CompactToken parsing failed with error code: 80049217",
            ) from None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=["RS256"],
                audience=GRAPH_AUDIENCES,
                options={"require": ["exp", "aud", "tid"]},
            )
        except jwt.ExpiredSignatureError:
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            ) from None
        except jwt.InvalidAudienceError:
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid audience.",
            ) from None
        except jwt.PyJWTError:
            raise GraphError(
                401, "InvalidAuthenticationToken", "Access token validation failure."
            ) from None
        if claims.get("tid") != self.entra.tenant_id:
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid issuer or signature.",
            )
        return claims

    def _check_permission(self, claims: dict[str, Any], kind: str) -> None:
        if "scp" in claims:
            granted = set(str(claims["scp"]).split())
            if not granted & (_OWN[kind] | _SHARED[kind]):
                raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)
            return
        roles = claims.get("roles") or []
        if not roles:
            raise GraphError(
                401,
                "NoPermissionsInAccessToken",
                "The token contains no permissions, or permissions can not be understood.",
            )
        if kind == "find" and not self.allow_app_find_meeting_times:
            raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)
        if not set(roles) & _APP[kind]:
            raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)

    def _check_mailbox_access(self, claims: dict[str, Any], kind: str, mailbox: Mailbox) -> None:
        if "scp" in claims:
            granted = set(str(claims["scp"]).split())
            need = _OWN[kind] if claims.get("oid") == mailbox.oid else _SHARED[kind]
            if not granted & need:
                raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)
            return
        if self._app_policy is not None and mailbox.address.lower() not in self._app_policy:
            raise GraphError(403, "ErrorAccessDenied", RAOP_DENIED)

    def _resolve_user(self, segment: str | None, claims: dict[str, Any]) -> Mailbox:
        if segment is None:
            for mailbox in self._mailboxes.values():
                if mailbox.oid == claims.get("oid"):
                    return mailbox
            raise GraphError(
                404, "ErrorInvalidUser", f"The requested user '{claims.get('oid')}' is invalid."
            )
        mailbox = self._mailbox_by_id(segment) or self._mailbox_by_address(segment)
        if mailbox is None:
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{segment}' is invalid.")
        return mailbox

    def _mailbox_by_id(self, value: str) -> Mailbox | None:
        return self._mailboxes.get(value.lower())

    def _mailbox_by_address(self, value: str) -> Mailbox | None:
        for mailbox in self._mailboxes.values():
            if mailbox.address.lower() == value.lower():
                return mailbox
        return None

    @staticmethod
    def _payload(request: Request, raw: bytes, *, empty_ok: bool) -> dict[str, Any] | None:
        if not raw.strip():
            if empty_ok:
                return None
            raise GraphError(400, "BadRequest", NO_JSON)
        if request.mimetype != "application/json":
            raise GraphError(
                415,
                "BadRequest",
                f"The content type '{request.content_type or ''}' is not supported; "
                "use application/json.",
            )
        try:
            value = json.loads(
                raw.decode(request.mimetype_params.get("charset", "utf-8")),
                object_pairs_hook=_no_duplicates,
                parse_constant=_reject_constant,
            )
        except _DuplicateKey as duplicate:
            raise _body_read(
                f"Multiple property names '{duplicate}' were found. Duplicate property names "
                "are not allowed."
            ) from None
        except (ValueError, LookupError):
            raise GraphError(400, "BadRequest", NO_JSON) from None
        if not isinstance(value, dict):
            raise _body_read(
                f"An unexpected '{_node(value)}' node was found when reading from the JSON "
                "reader. A 'StartObject' node was expected."
            )
        return value

    @staticmethod
    def _select(request: Request) -> list[str] | None:
        for key in request.args:
            if key.startswith("$") and key.lower() not in ("$select", "$top", "$skip"):
                raise GraphError(
                    501, "NotImplemented", f"GraphFake does not model the query option '{key}'."
                )
        raw = request.args.get("$select")
        if raw is None:
            return None
        names = []
        for part in raw.split(","):
            name = part.strip()
            canonical = EVENT_SELECTABLE.get(name.lower())
            if canonical is None:
                raise GraphError(
                    400,
                    "RequestBroker--ParseUri",
                    f"Could not find a property named '{name}' on type 'microsoft.graph.event'.",
                )
            if canonical not in names:
                names.append(canonical)
        return names

    # -- chats ---------------------------------------------------------------------------------

    def _chat_request(
        self, request: Request, raw: bytes, claims: dict[str, Any], rest: list[str]
    ) -> Response:
        if len(rest) != 2 or rest[1].lower() != "messages":
            what = "/".join(["chats", *rest])
            raise GraphError(501, "NotImplemented", f"GraphFake does not model /{what}.")
        chat_id = rest[0]
        if request.method not in ("POST", "GET"):
            raise GraphError(
                405,
                "BadRequest",
                f"The HTTP method '{request.method}' is not allowed on this resource.",
            )
        fields: dict[str, Any] = {}
        top = 50
        if request.method == "POST":
            payload = self._payload(request, raw, empty_ok=False)
            assert payload is not None
            fields = _read_object(payload, CHAT_MESSAGE, ci=False)
        else:
            for key in request.args:
                if key.lower() != "$top":
                    raise GraphError(
                        501, "NotImplemented", f"GraphFake does not model the query option '{key}'."
                    )
            top = _query_int(request.args.get("$top"), "$top", 50)
            if top > 50:
                raise GraphError(
                    400, "BadRequest", "The value of the $top query option cannot exceed 50."
                )
        self._check_chat_permission(claims, request.method)
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise GraphError(404, "NotFound", f"Chat '{chat_id}' was not found.")
            if "scp" in claims and claims.get("oid") not in chat.members:
                raise GraphError(403, "Forbidden", "Forbidden")
            context = f"{self.base_url}/$metadata#chats('{quote(chat_id, safe='')}')/messages"
            if request.method == "GET":
                items = list(reversed(chat.messages))[:top]
                return self._json(
                    {
                        "@odata.context": context,
                        "@odata.count": len(items),
                        "value": copy.deepcopy(items),
                    }
                )
            message = self._new_chat_message(chat, claims, fields)
            chat.messages.append(message)
            return self._json({"@odata.context": f"{context}/$entity", **message}, 201)

    @staticmethod
    def _check_chat_permission(claims: dict[str, Any], method: str) -> None:
        roles = claims.get("roles") or []
        if "scp" not in claims:
            if not roles:
                raise GraphError(
                    401,
                    "NoPermissionsInAccessToken",
                    "The token contains no permissions, or permissions can not be understood.",
                )
            if method == "POST":
                raise GraphError(403, "Forbidden", APP_ONLY_CHAT_POST)
            if not set(roles) & set(_CHAT_READ_ROLES):
                raise GraphError(
                    403,
                    "Forbidden",
                    "Missing role permissions on the request. API requires one of "
                    f"'{', '.join(_CHAT_READ_ROLES)}'. Roles on the request "
                    f"'{', '.join(roles)}'.",
                )
            return
        granted = str(claims["scp"]).split()
        needed = _CHAT_SEND_SCOPES if method == "POST" else _CHAT_READ_SCOPES
        if not set(granted) & set(needed):
            raise GraphError(
                403,
                "Forbidden",
                f"Missing scope permissions on the request. API requires one of "
                f"'{', '.join(needed)}'. Scopes on the request '{', '.join(granted)}'.",
            )

    def _new_chat_message(
        self, chat: Chat, claims: dict[str, Any], fields: dict[str, Any]
    ) -> dict[str, Any]:
        body = fields.get("body") or {}
        content = body.get("content") or ""
        content_type = body.get("contentType") or "text"
        attachments = fields.get("attachments") or []
        if not content.strip() and not attachments:
            raise GraphError(400, "BadRequest", "Missing body content.")
        ids = [a.get("id") for a in attachments]
        if any(not i for i in ids):
            raise GraphError(400, "BadRequest", "Every attachment needs an id.")
        if len(set(ids)) != len(ids):
            raise GraphError(400, "BadRequest", "Attachment ids must be unique.")
        referenced = [m.group(1) or m.group(2) or "" for m in _ATTACHMENT_TAG.finditer(content)]
        if attachments and content_type != "html":
            raise GraphError(
                400,
                "BadRequest",
                "A message with attachments needs an html body referencing them with "
                '<attachment id="…"></attachment>.',
            )
        for ref in referenced:
            if ref not in ids:
                raise GraphError(
                    400,
                    "BadRequest",
                    f"The message body references attachment '{ref}', which is not in the "
                    "attachments of the message.",
                )
        for attachment_id in ids:
            if referenced.count(attachment_id) != 1:
                raise GraphError(
                    400,
                    "BadRequest",
                    f"Attachment '{attachment_id}' must be referenced exactly once in the "
                    "message body.",
                )
        stored = []
        for attachment in attachments:
            kind = attachment.get("contentType") or ""
            if kind != ADAPTIVE_CARD:
                raise GraphError(
                    501,
                    "NotImplemented",
                    f"GraphFake does not model attachments of type '{kind}'.",
                )
            _check_adaptive_card(attachment.get("id") or "", attachment.get("content"))
            stored.append(
                {
                    "id": attachment["id"],
                    "contentType": kind,
                    "contentUrl": attachment.get("contentUrl"),
                    "content": attachment["content"],
                    "name": attachment.get("name"),
                    "thumbnailUrl": attachment.get("thumbnailUrl"),
                    "teamsAppId": attachment.get("teamsAppId"),
                }
            )
        now = datetime.now(UTC)
        self._last_message_id = max(self._last_message_id + 1, int(now.timestamp() * 1000))
        message_id = str(self._last_message_id)
        created = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        return {
            "id": message_id,
            "replyToId": None,
            "etag": message_id,
            "messageType": "message",
            "createdDateTime": created,
            "lastModifiedDateTime": created,
            "lastEditedDateTime": None,
            "deletedDateTime": None,
            "subject": fields.get("subject"),
            "summary": None,
            "chatId": chat.id,
            "importance": fields.get("importance") or "normal",
            "locale": "en-us",
            "webUrl": None,
            "channelIdentity": None,
            "policyViolation": None,
            "eventDetail": None,
            "from": {
                "application": None,
                "device": None,
                "user": {
                    "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                    "id": claims.get("oid"),
                    "displayName": claims.get("name"),
                    "userIdentityType": "aadUser",
                    "tenantId": claims.get("tid"),
                },
            },
            "body": {"contentType": content_type, "content": content},
            "attachments": stored,
            "mentions": [],
            "reactions": [],
        }

    # -- events --------------------------------------------------------------------------------

    def _new_event(self, mailbox: Mailbox, fields: dict[str, Any]) -> dict[str, Any]:
        now = _stamp()
        event_id, change_key = _new_event_id(), _new_change_key()
        ical = "040000008200E00074C5B7101A82E00800000000" + secrets.token_hex(36).upper()
        event: dict[str, Any] = {
            "@odata.etag": f'W/"{change_key}"',
            "id": event_id,
            "createdDateTime": now,
            "lastModifiedDateTime": now,
            "changeKey": change_key,
            "categories": [],
            "originalStartTimeZone": "UTC",
            "originalEndTimeZone": "UTC",
            "iCalUId": ical,
            "uid": ical,
            "reminderMinutesBeforeStart": 15,
            "isReminderOn": True,
            "hasAttachments": False,
            "subject": "",
            "bodyPreview": "",
            "importance": "normal",
            "sensitivity": "normal",
            "isAllDay": False,
            "isCancelled": False,
            "isOrganizer": True,
            "responseRequested": True,
            "seriesMasterId": None,
            "showAs": "busy",
            "type": "singleInstance",
            "webLink": _web_link(event_id),
            "onlineMeetingUrl": None,
            "isOnlineMeeting": False,
            "onlineMeetingProvider": "unknown",
            "allowNewTimeProposals": True,
            "occurrenceId": None,
            "isDraft": False,
            "hideAttendees": False,
            "responseStatus": {"response": "organizer", "time": ZERO_TIME},
            "body": {"contentType": "text", "content": ""},
            "start": None,
            "end": None,
            "location": _location(None),
            "locations": [],
            "recurrence": None,
            "attendees": [],
            "organizer": {
                "emailAddress": {"name": mailbox.display_name, "address": mailbox.address}
            },
            "onlineMeeting": None,
        }
        self._apply(event, fields)
        return event

    def _apply(self, event: dict[str, Any], fields: dict[str, Any]) -> None:
        """Apply validated event properties (start/end already checked) to a stored event."""
        for name, value in fields.items():
            if name == "subject":
                event["subject"] = value or ""
            elif name == "body":
                body = value or {}
                event["body"] = {
                    "contentType": body.get("contentType") or "text",
                    "content": body.get("content") or "",
                }
                text = re.sub(r"<[^>]*>", " ", event["body"]["content"])
                event["bodyPreview"] = " ".join(text.split())[:255]
            elif name in ("start", "end"):
                local = _parse_local(value["dateTime"])
                assert local is not None
                event[name] = {"dateTime": graph_datetime(local), "timeZone": value["timeZone"]}
                key = "originalStartTimeZone" if name == "start" else "originalEndTimeZone"
                event[key] = value["timeZone"]
            elif name == "attendees":
                event["attendees"] = [self._attendee(a) for a in value]
            elif name == "location":
                event["location"] = _location(value)
                event["locations"] = [event["location"]] if value else []
            elif name == "categories":
                event["categories"] = list(value)
            elif name == "transactionId":
                if value is not None:
                    event["transactionId"] = value
            elif value is not None:
                event[name] = value
        if event["isOnlineMeeting"]:
            if event["onlineMeetingProvider"] == "unknown":
                event["onlineMeetingProvider"] = "teamsForBusiness"
            if event["onlineMeeting"] is None:
                thread = secrets.token_urlsafe(40)
                context = quote(json.dumps({"Tid": self.entra.tenant_id}), safe="")
                event["onlineMeeting"] = {
                    "joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
                    f"{thread}%40thread.v2/0?context={context}"
                }
        else:
            event["onlineMeeting"] = None
            event["onlineMeetingProvider"] = "unknown"

    def _attendee(self, value: dict[str, Any]) -> dict[str, Any]:
        email = value.get("emailAddress") or {}
        address = email.get("address") or ""
        mailbox = self._mailbox_by_address(address) if address else None
        name = email.get("name") or (mailbox.display_name if mailbox else address)
        return {
            "type": value.get("type") or "required",
            "status": {"response": "none", "time": ZERO_TIME},
            "emailAddress": {"name": name, "address": address},
        }

    @staticmethod
    def _touch(event: dict[str, Any]) -> None:
        change_key = _new_change_key()
        event["changeKey"] = change_key
        event["@odata.etag"] = f'W/"{change_key}"'
        event["lastModifiedDateTime"] = _stamp()

    @staticmethod
    def _check_times(fields: dict[str, Any], current: dict[str, Any] | None) -> None:
        for name in ("start", "end"):
            if name in fields:
                _check_dttz(fields[name], f"event's {name} time")
            elif current is None or current.get(name) is None:
                raise GraphError(
                    400,
                    "ErrorInvalidRequest",
                    "Your request can't be completed. The event's start and end time must be "
                    "specified.",
                )
        if "start" in fields:
            start = _check_dttz(fields["start"], "start")
        else:
            assert current is not None
            start = _utc_of(current["start"])
        if "end" in fields:
            end = _check_dttz(fields["end"], "end")
        else:
            assert current is not None
            end = _utc_of(current["end"])
        if end < start:
            raise GraphError(
                400, "ErrorInvalidRequest", "The end time must be after the start time."
            )

    def _render(
        self, event: dict[str, Any], zone_name: str | None, *, context: str | None = None
    ) -> dict[str, Any]:
        out = copy.deepcopy(event)
        if zone_name is not None:
            for name in ("start", "end"):
                out[name] = _in_zone(_utc_of(event[name]), zone_name)
        if context is not None:
            out = {"@odata.context": context, **out}
        return out

    def _entity_context(self, segment: str) -> str:
        return f"{self.base_url}/$metadata#users('{quote(segment, safe='@')}')/events/$entity"

    def _create_event(
        self, mailbox: Mailbox, segment: str, fields: dict[str, Any], prefer: str | None
    ) -> Response:
        transaction = fields.get("transactionId")
        if transaction is not None:
            existing = mailbox.events.get(mailbox.transactions.get(transaction, ""))
            if existing is not None:
                return self._json(
                    self._render(existing, prefer, context=self._entity_context(segment)), 201
                )
        self._check_times(fields, None)
        event = self._new_event(mailbox, fields)
        mailbox.events[event["id"]] = event
        if transaction is not None:
            mailbox.transactions[transaction] = event["id"]
        self._sync_copies(mailbox, event, set())
        return self._json(self._render(event, prefer, context=self._entity_context(segment)), 201)

    def _event(
        self,
        method: str,
        mailbox: Mailbox,
        segment: str,
        event_id: str | None,
        fields: dict[str, Any],
        prefer: str | None,
    ) -> Response:
        event = mailbox.events.get(event_id or "")
        if event is None:
            raise GraphError(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        context = self._entity_context(segment)
        if method == "GET":
            return self._json(self._render(event, prefer or "UTC", context=context))
        if method == "DELETE":
            if event["isOrganizer"]:
                self._cancel_copies(event, None)
            del mailbox.events[event["id"]]
            return _empty(204)
        if "transactionId" in fields and fields["transactionId"] != event.get("transactionId"):
            raise GraphError(
                400, "ErrorInvalidRequest", "The transactionId of an event can't be changed."
            )
        self._check_times(fields, event)
        old = {a["emailAddress"]["address"].lower() for a in event["attendees"]}
        self._apply(event, fields)
        self._touch(event)
        if event["isOrganizer"]:
            self._sync_copies(mailbox, event, old)
        return self._json(self._render(event, prefer, context=context))

    def _cancel(self, mailbox: Mailbox, event_id: str | None) -> Response:
        event = mailbox.events.get(event_id or "")
        if event is None:
            raise GraphError(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        if not event["isOrganizer"]:
            raise GraphError(
                400,
                "ErrorInvalidRequest",
                "Your request can't be completed. You need to be an organizer to cancel a meeting.",
            )
        self._cancel_copies(event, None)
        del mailbox.events[event["id"]]
        return _empty(202)

    def _copies(self, event: dict[str, Any]) -> list[tuple[Mailbox, dict[str, Any]]]:
        found = []
        for mailbox in self._mailboxes.values():
            for candidate in mailbox.events.values():
                if candidate["iCalUId"] == event["iCalUId"] and not candidate["isOrganizer"]:
                    found.append((mailbox, candidate))
        return found

    def _cancel_copies(self, event: dict[str, Any], addresses: set[str] | None) -> None:
        for mailbox, copied in self._copies(event):
            if addresses is not None and mailbox.address.lower() not in addresses:
                continue
            if not copied["isCancelled"]:
                copied["isCancelled"] = True
                if not copied["subject"].startswith("Canceled: "):
                    copied["subject"] = "Canceled: " + copied["subject"]
                self._touch(copied)

    def _sync_copies(self, organizer: Mailbox, event: dict[str, Any], old: set[str]) -> None:
        current = {a["emailAddress"]["address"].lower() for a in event["attendees"]}
        existing = {mailbox.id: copied for mailbox, copied in self._copies(event)}
        shared = (
            "subject",
            "body",
            "bodyPreview",
            "start",
            "end",
            "originalStartTimeZone",
            "originalEndTimeZone",
            "location",
            "locations",
            "attendees",
            "organizer",
            "isOnlineMeeting",
            "onlineMeetingProvider",
            "onlineMeeting",
            "importance",
            "sensitivity",
            "isAllDay",
            "hideAttendees",
            "allowNewTimeProposals",
            "responseRequested",
        )
        for address in sorted(current):
            mailbox = self._mailbox_by_address(address)
            if mailbox is None or mailbox is organizer:
                continue
            copied = existing.get(mailbox.id)
            if copied is None:
                copied = copy.deepcopy(event)
                copied["id"] = _new_event_id()
                copied["webLink"] = _web_link(copied["id"])
                self._touch(copied)
                copied.pop("transactionId", None)
                copied["isOrganizer"] = False
                copied["showAs"] = "tentative"
                copied["categories"] = []
                copied["responseStatus"] = {"response": "notResponded", "time": ZERO_TIME}
                mailbox.events[copied["id"]] = copied
                continue
            for key in shared:
                copied[key] = copy.deepcopy(event[key])
            copied["isCancelled"] = False
            self._touch(copied)
        self._cancel_copies(event, old - current)

    # -- calendarView --------------------------------------------------------------------------

    def _calendar_view(
        self,
        request: Request,
        mailbox: Mailbox,
        segment: str,
        select: list[str] | None,
        prefer: str | None,
    ) -> Response:
        args = {k.lower(): (k, v) for k, v in request.args.items()}
        if "startdatetime" not in args or "enddatetime" not in args:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "This request requires a time window specified by the query string parameters "
                "StartDateTime and EndDateTime.",
            )
        lo = _query_time(args["startdatetime"][1], "StartDateTime")
        hi = _query_time(args["enddatetime"][1], "EndDateTime")
        top = _query_int(request.args.get("$top"), "$top", 10)
        skip = _query_int(request.args.get("$skip"), "$skip", 0)
        top = max(1, min(top, 1000))
        items = sorted(
            (
                e
                for e in mailbox.events.values()
                if _overlaps(_utc_of(e["start"]), _utc_of(e["end"]), lo, hi)
            ),
            key=lambda e: (_utc_of(e["start"]), _utc_of(e["end"]), e["id"]),
        )
        page = items[skip : skip + top]
        value = [self._render(e, prefer or "UTC") for e in page]
        if select is not None:
            value = [_selected(item, select) for item in value]
        base = f"{self.base_url}/users/{quote(segment, safe='@')}/calendarView"
        context_tail = f"({','.join(select)})" if select else ""
        body: dict[str, Any] = {
            "@odata.context": (
                f"{self.base_url}/$metadata#users('{quote(segment, safe='@')}')/calendarView"
                f"{context_tail}"
            ),
            "value": value,
        }
        if skip + top < len(items):
            params = [
                (args["startdatetime"][0], args["startdatetime"][1]),
                (args["enddatetime"][0], args["enddatetime"][1]),
            ]
            if select is not None:
                params.append(("$select", ",".join(select)))
            params += [("$top", str(top)), ("$skip", str(skip + top))]
            body["@odata.nextLink"] = f"{base}?{urlencode(params)}"
        return self._json(body)

    # -- free/busy -----------------------------------------------------------------------------

    def _status(self, mailbox: Mailbox | None, lo: datetime, hi: datetime) -> str:
        if mailbox is None:
            return "unknown"
        status = "free"
        for event in mailbox.events.values():
            if event["isCancelled"]:
                continue
            if _overlaps(_utc_of(event["start"]), _utc_of(event["end"]), lo, hi):
                shown = event["showAs"]
                if _STATUS_RANK.get(shown, 0) > _STATUS_RANK[status]:
                    status = shown
        return status

    @staticmethod
    def _within_hours(mailbox: Mailbox, lo: datetime, hi: datetime, domain: str) -> bool:
        tz = zone(mailbox.time_zone)
        assert tz is not None
        local_lo = lo.astimezone(tz)
        day = local_lo.date()
        days = WEEKDAYS if domain == "personal" else mailbox.days
        if WEEKDAYS[day.weekday()] not in days:
            return False
        begin = datetime.combine(day, dtime.fromisoformat(mailbox.start), tz)
        finish = datetime.combine(day, dtime.fromisoformat(mailbox.end), tz)
        return begin <= lo and hi <= finish

    def _find_meeting_times(
        self, organizer: Mailbox, params: dict[str, Any], prefer: str | None
    ) -> Response:
        duration = params.get("meetingDuration") or timedelta(minutes=30)
        if duration <= timedelta(0):
            raise GraphError(400, "ErrorInvalidParameter", "The meeting duration must be positive.")
        constraint = params.get("timeConstraint") or {}
        domain = constraint.get("activityDomain") or "work"
        slots: list[tuple[datetime, datetime]] = []
        for slot in constraint.get("timeSlots") or []:
            start = _check_dttz(slot.get("start"), "time slot's start")
            end = _check_dttz(slot.get("end"), "time slot's end")
            if end <= start:
                raise GraphError(
                    400, "ErrorInvalidParameter", "The time slot's end must be after its start."
                )
            slots.append((start, end))
        if not constraint.get("timeSlots"):
            now = _ceil_step(datetime.now(UTC))
            slots.append((now, now + timedelta(days=7)))
        attendees = []
        for item in params.get("attendees") or []:
            email = item.get("emailAddress") or {}
            address = email.get("address")
            if not address:
                raise GraphError(
                    400, "ErrorInvalidParameter", "An attendee's email address is missing."
                )
            if address.lower() == organizer.address.lower():
                continue
            attendees.append(
                (item.get("type") or "required", email, self._mailbox_by_address(address))
            )
        organizer_optional = bool(params.get("isOrganizerOptional"))
        minimum = params.get("minimumAttendeePercentage")
        minimum = 50.0 if minimum is None else float(minimum)
        max_candidates = params.get("maxCandidates") or DEFAULT_MAX_CANDIDATES
        reasons = bool(params.get("returnSuggestionReasons"))
        hour_holders = [] if organizer_optional else [organizer]
        hour_holders += [mb for kind, _, mb in attendees if kind == "required" and mb is not None]
        locations = []
        for location in (params.get("locationConstraint") or {}).get("locations") or []:
            item = {"displayName": location.get("displayName") or ""}
            if location.get("locationEmailAddress"):
                item["locationEmailAddress"] = location["locationEmailAddress"]
            locations.append(item)

        seen: set[datetime] = set()
        found: list[tuple[float, datetime, str, list[tuple[str, dict[str, Any], str]]]] = []
        organizer_free = False
        for lo, hi in slots:
            when = _ceil_step(lo)
            while when + duration <= hi and len(seen) < 20_000:
                end = when + duration
                if when in seen:
                    when += STEP
                    continue
                seen.add(when)
                if domain == "unrestricted" or all(
                    self._within_hours(mb, when, end, domain) for mb in hour_holders
                ):
                    own = self._status(organizer, when, end)
                    organizer_free = organizer_free or own == "free"
                    if organizer_optional or own == "free":
                        found_for = [(k, e, self._status(mb, when, end)) for k, e, mb in attendees]
                        chances = [
                            100.0 if s == "free" else 49.0 if s == "unknown" else 0.0
                            for _, _, s in found_for
                        ]
                        confidence = sum(chances) / len(chances) if chances else 100.0
                        if confidence >= minimum:
                            found.append((confidence, when, own, found_for))
                when += STEP
        found.sort(key=lambda f: (-f[0], f[1]))
        zone_name = prefer or "UTC"
        suggestions = []
        for order, (confidence, when, own, found_for) in enumerate(found[:max_candidates], 1):
            reason = ""
            if reasons:
                who = "all" if confidence == 100.0 else "most"
                reason = (
                    f"Suggested because it is one of the nearest times when {who} attendees "
                    "are available."
                )
            suggestions.append(
                {
                    "confidence": confidence,
                    "order": order,
                    "organizerAvailability": own,
                    "suggestionReason": reason,
                    "attendeeAvailability": [
                        {
                            "attendee": {
                                "type": kind,
                                "emailAddress": {"address": email.get("address")},
                            },
                            "availability": status,
                        }
                        for kind, email, status in found_for
                    ],
                    "locations": copy.deepcopy(locations),
                    "meetingTimeSlot": {
                        "start": _in_zone(when, zone_name),
                        "end": _in_zone(when + duration, zone_name),
                    },
                }
            )
        empty = ""
        if not suggestions:
            empty = (
                "organizerUnavailable"
                if not organizer_optional and not organizer_free
                else "attendeesUnavailable"
            )
        return self._json(
            {
                "@odata.context": (
                    f"{self.base_url}/$metadata#microsoft.graph.meetingTimeSuggestionsResult"
                ),
                "emptySuggestionsReason": empty,
                "meetingTimeSuggestions": suggestions,
            }
        )

    def _get_schedule(
        self, mailbox: Mailbox, params: dict[str, Any], prefer: str | None
    ) -> Response:
        del mailbox  # the caller's mailbox only decides access; schedules are looked up
        schedules = params.get("schedules")
        if not schedules:
            raise GraphError(
                400, "ErrorInvalidParameter", "The parameter 'Schedules' must not be empty."
            )
        if params.get("startTime") is None or params.get("endTime") is None:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "The parameters 'StartTime' and 'EndTime' must be specified.",
            )
        lo = _check_dttz(params["startTime"], "start time")
        hi = _check_dttz(params["endTime"], "end time")
        if hi <= lo:
            raise GraphError(
                400, "ErrorInvalidParameter", "The end time must be after the start time."
            )
        if hi - lo > MAX_SCHEDULE_WINDOW:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "The requested time window is longer than the maximum of 62 days.",
            )
        interval = params.get("availabilityViewInterval")
        interval = 30 if interval is None else interval
        if not 5 <= interval <= 1440:
            raise GraphError(
                400,
                "ErrorInvalidParameter",
                "The availabilityViewInterval must be between 5 and 1440 minutes.",
            )
        zone_name = prefer or "UTC"
        step = timedelta(minutes=interval)
        value = []
        for address in schedules:
            target = self._mailbox_by_address(address)
            if target is None:
                value.append(
                    {
                        "scheduleId": address,
                        "error": {
                            "message": f"Unable to resolve e-mail address <>{address} to an "
                            "Active Directory object.",
                            "responseCode": "ErrorMailRecipientNotFound",
                        },
                    }
                )
                continue
            # One pass per event over the intervals it touches (not intervals x events):
            # a 62-day window at 15 minutes is ~6,000 intervals.
            slots = math.ceil((hi - lo) / step)
            ranks = ["free"] * slots
            for event in target.events.values():
                if event["isCancelled"]:
                    continue
                start, end = _utc_of(event["start"]), _utc_of(event["end"])
                if not _overlaps(start, end, lo, hi):
                    continue
                first = max(0, (start - lo) // step)
                last = min(slots - 1, math.ceil((end - lo) / step) - 1)
                shown = event["showAs"]
                for i in range(first, last + 1):
                    if _STATUS_RANK.get(shown, 0) > _STATUS_RANK[ranks[i]]:
                        ranks[i] = shown
            view = [_VIEW_DIGIT[rank] for rank in ranks]
            items = []
            for event in sorted(
                target.events.values(), key=lambda e: (_utc_of(e["start"]), e["id"])
            ):
                start, end = _utc_of(event["start"]), _utc_of(event["end"])
                if event["isCancelled"] or not _overlaps(start, end, lo, hi):
                    continue
                private = event["sensitivity"] == "private"
                item: dict[str, Any] = {"isPrivate": private, "status": event["showAs"]}
                if not private:
                    item["subject"] = event["subject"]
                    item["location"] = event["location"]["displayName"]
                item["start"] = _in_zone(start, zone_name)
                item["end"] = _in_zone(end, zone_name)
                items.append(item)
            value.append(
                {
                    "scheduleId": address,
                    "availabilityView": "".join(view),
                    "scheduleItems": items,
                    "workingHours": {
                        "daysOfWeek": list(target.days),
                        "startTime": f"{target.start}.0000000",
                        "endTime": f"{target.end}.0000000",
                        "timeZone": {"name": target.time_zone},
                    },
                }
            )
        return self._json(
            {
                "@odata.context": (
                    f"{self.base_url}/$metadata#Collection(microsoft.graph.scheduleInformation)"
                ),
                "value": value,
            }
        )


# -- small helpers --------------------------------------------------------------------------------


def _check_adaptive_card(attachment_id: str, content: Any) -> None:
    """An adaptive card attachment's content: a JSON string of an AdaptiveCard object."""

    def bad(why: str) -> GraphError:
        return GraphError(
            400, "BadRequest", f"Attachment '{attachment_id}' is not a valid adaptive card: {why}"
        )

    if not isinstance(content, str) or not content.strip():
        raise bad("its content must be the card as a JSON string.")
    try:
        card = json.loads(content)
    except ValueError:
        raise bad("its content is not valid JSON.") from None
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        raise bad('the card\'s "type" must be "AdaptiveCard".')
    version = card.get("version")
    if not isinstance(version, str) or not version.strip():
        raise bad('the card needs a "version".')


def _new_event_id() -> str:
    """An opaque id shaped like Exchange's ("AAMkAG…AAA=", URL-safe base64)."""
    raw = base64.urlsafe_b64encode(secrets.token_bytes(105)).decode().rstrip("=")
    return f"AAMkAG{raw}AAA="


def _new_change_key() -> str:
    return base64.b64encode(secrets.token_bytes(22)).decode()


def _web_link(event_id: str) -> str:
    return (
        "https://outlook.office365.com/owa/?itemid="
        f"{quote(event_id, safe='')}&exvsurl=1&path=/calendar/item"
    )


def _first_unknown_segment(rest: list[str]) -> str | None:
    """The first segment Graph would not know below /users/{id}; None for real, unmodelled ones."""
    low = [segment.lower() for segment in rest]
    if not low:
        return None
    if low[0] == "events":
        return None  # accept, decline, attachments, instances, …: real, not modelled
    if low[0] == "calendar":
        if len(low) > 1 and low[1] not in ("calendarview", "getschedule", "events"):
            return rest[1]
        return rest[2] if len(low) > 2 else None
    if low[0] in ("calendarview", "findmeetingtimes"):
        return rest[1] if len(low) > 1 else None
    if low[0] in ("calendars", "mailboxsettings", "messages", "calendargroups"):
        return None
    return rest[0]


def _drop(environ: dict[str, Any]) -> None:
    """Close the TCP connection without a byte of answer (no TLS close_notify either)."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise _Dropped("GraphFake dropped the connection")


def _empty(status: int) -> Response:
    response = Response(status=status)
    del response.headers["Content-Type"]
    return response


def _lenient_json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _location(value: dict[str, Any] | None) -> dict[str, Any]:
    if not value:
        return {
            "displayName": "",
            "locationType": "default",
            "uniqueIdType": "unknown",
            "address": {},
            "coordinates": {},
        }
    return {
        "displayName": value.get("displayName") or "",
        "locationType": value.get("locationType") or "default",
        "uniqueId": value.get("uniqueId") or value.get("displayName") or "",
        "uniqueIdType": value.get("uniqueIdType") or "private",
    }


def _selected(
    item: dict[str, Any], select: list[str], keep_context: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if keep_context and "@odata.context" in item:
        out["@odata.context"] = item["@odata.context"]
    out["@odata.etag"] = item.get("@odata.etag")
    out["id"] = item.get("id")
    for name in select:
        out[name] = item.get(name)
    return out


def _prefer_zone(request: Request) -> str | None:
    for header in request.headers.getlist("Prefer"):
        match = _PREFER_TZ.search(header)
        if match:
            name = match.group(1) if match.group(1) is not None else match.group(2)
            return name if zone(name) is not None else None
    return None


def _query_time(value: str, name: str) -> datetime:
    match = _QUERY_DATETIME.match(value.strip())
    if match is None:
        raise GraphError(
            400, "ErrorInvalidParameter", f"The value '{value}' of parameter '{name}' is invalid."
        )
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0").ljust(7, "0")[:6])
    try:
        parsed = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=UTC,
        )
    except ValueError:
        raise GraphError(
            400, "ErrorInvalidParameter", f"The value '{value}' of parameter '{name}' is invalid."
        ) from None
    if offset and offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        parsed -= sign * delta
    return parsed


def _query_int(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    if not value.strip().isdigit():
        raise GraphError(
            400,
            "BadRequest",
            f"Invalid value '{value}' for {name} query option found. The {name} query option "
            "requires a non-negative integer value.",
        )
    return int(value)
