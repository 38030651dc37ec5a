"""The Graph fake's recurring series: series masters, their occurrences and exceptions,
``instances``, calendarView expansion, changes to one occurrence or the whole series, the
attendees' copies, change notifications, and the user's changes in Outlook.

Raw httpx for the rules and refusals; the real msgraph-sdk where it has request builders, to
check that its serialised requests are accepted and its models read the answers.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.microsoft import graph_fake
from tests.microsoft import test_graph_fake as shared
from tests.microsoft import test_graph_fake_notifications as notifications
from tests.microsoft.test_graph_fake import BOB, ORG, Env, event_body, graph_error
from tests.microsoft.test_graph_fake_notifications import (
    Clock,
    Receiver,
    kinds,
    oid_of,
    subscribe,
)
from tests.microsoft.test_graph_fake_outlook import IMMUTABLE, run_sdk

# test_graph_fake's fixtures: one Entra fake per module, a fresh Graph fake per test (`env`), and
# an app token with mailboxes ORG and BOB (`token`); the subscriber and clock of the
# notification tests.
module_entra = shared.module_entra
env = shared.env
token = shared.token
receiver = notifications.receiver
clock = notifications.clock

WEST = "W. Europe Standard Time"
#: Mondays 09:00-10:00 in Amsterdam, five times from 1 March 2027 (summer time from 28 March).
WEEKLY: dict[str, Any] = {
    "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["Monday"]},
    "range": {"type": "numbered", "startDate": "2027-03-01", "numberOfOccurrences": 5},
}
MONDAYS_UTC = [
    datetime(2027, 3, 1, 8, tzinfo=UTC),
    datetime(2027, 3, 8, 8, tzinfo=UTC),
    datetime(2027, 3, 15, 8, tzinfo=UTC),
    datetime(2027, 3, 22, 8, tzinfo=UTC),
    datetime(2027, 3, 29, 7, tzinfo=UTC),  # 09:00 CEST
]
MARCH = {"startDateTime": "2027-03-01T00:00:00Z", "endDateTime": "2027-04-01T00:00:00Z"}
WITH_BOB = [{"emailAddress": {"address": BOB}, "type": "required"}]
INVALID = "At least one property failed validation."


def stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def series_body(recurrence: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return event_body(recurrence=copy.deepcopy(recurrence or WEEKLY), **extra)


def create_series(env: Env, token: str, **extra: Any) -> dict[str, Any]:
    created = env.call("POST", f"/users/{ORG}/events", token, json=series_body(**extra))
    assert created.status_code == 201, created.text
    event: dict[str, Any] = created.json()
    return event


def instances(
    env: Env,
    token: str,
    master_id: str,
    params: dict[str, str] | None = None,
    *,
    address: str = ORG,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return env.call(
        "GET",
        f"/users/{address}/events/{master_id}/instances",
        token,
        params=MARCH if params is None else params,
        headers=headers,
    )


def listed(
    env: Env, token: str, master_id: str, params: dict[str, str] | None = None, **kw: Any
) -> list[dict[str, Any]]:
    answer = instances(env, token, master_id, params, **kw)
    assert answer.status_code == 200, answer.text
    value: list[dict[str, Any]] = answer.json()["value"]
    return value


def view(env: Env, token: str, address: str = ORG) -> list[dict[str, Any]]:
    params = {**MARCH, "$top": "50"}
    answer = env.call("GET", f"/users/{address}/calendarView", token, params=params)
    assert answer.status_code == 200, answer.text
    value: list[dict[str, Any]] = answer.json()["value"]
    return value


def bobs_master(env: Env) -> dict[str, Any]:
    [found] = [e for e in env.graph.events(BOB) if e["type"] == "seriesMaster"]
    return found


# -- 1. series masters and their occurrences -------------------------------------------------------


def test_a_post_with_recurrence_makes_a_series_master(env: Env, token: str) -> None:
    master = create_series(env, token, attendees=WITH_BOB)
    assert (master["type"], master["seriesMasterId"]) == ("seriesMaster", None)
    assert master["recurrence"] == {
        "pattern": {
            "type": "weekly",
            "interval": 1,
            "month": 0,
            "dayOfMonth": 0,
            "daysOfWeek": ["monday"],
            "firstDayOfWeek": "sunday",
            "index": "first",
        },
        "range": {
            "type": "numbered",
            "startDate": "2027-03-01",
            "endDate": "0001-01-01",
            "recurrenceTimeZone": WEST,
            "numberOfOccurrences": 5,
        },
    }
    got = env.call("GET", f"/users/{ORG}/events/{master['id']}", token).json()
    assert (got["type"], got["recurrence"]) == ("seriesMaster", master["recurrence"])
    [stored] = env.graph.events(ORG)  # the store holds the master only
    assert stored["id"] == master["id"]

    # Occurrences: computed in the master's time zone (09:00 in Amsterdam, across summer time).
    found = listed(env, token, master["id"])
    assert [o["originalStart"] for o in found] == [stamp(s) for s in MONDAYS_UTC]
    assert [o["start"]["dateTime"][:16] for o in found] == [
        f"{s:%Y-%m-%dT%H:%M}" for s in MONDAYS_UTC
    ]
    for occurrence in found:
        assert occurrence["type"] == "occurrence"
        assert occurrence["seriesMasterId"] == master["id"]
        assert occurrence["recurrence"] is None
        assert occurrence["originalStartTimeZone"] == WEST
        assert occurrence["subject"] == master["subject"]
        assert occurrence["attendees"] == master["attendees"]
        assert occurrence["uid"] == master["uid"]
        assert occurrence["changeKey"] == master["changeKey"]  # instances share it
        assert occurrence["id"] not in (master["id"], env.graph.immutable_id(ORG, master["id"]))
    assert len({o["iCalUId"] for o in found}) == 5  # one per occurrence, as documented
    assert found[0]["iCalUId"][32:40] == "07EB0301"  # the instance date in the GlobalObjectId

    # calendarView expands the series (no master in it); free/busy sees the occurrences.
    assert [e["id"] for e in view(env, token)] == [o["id"] for o in found]
    assert [e["id"] for e in view(env, token, BOB)] == [
        o["id"] for o in listed(env, token, bobs_master(env)["id"], address=BOB)
    ]
    schedule = env.call(
        "POST",
        f"/users/{ORG}/calendar/getSchedule",
        token,
        json={
            "schedules": [ORG],
            "startTime": {"dateTime": "2027-03-08T08:00:00", "timeZone": "UTC"},
            "endTime": {"dateTime": "2027-03-08T10:00:00", "timeZone": "UTC"},
            "availabilityViewInterval": 60,
        },
    ).json()["value"][0]
    assert schedule["availabilityView"] == "20"


@pytest.mark.parametrize(
    ("recurrence", "status", "code", "message"),
    [
        (
            {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "days": 1}},
            400,
            "RequestBodyRead",
            "The property 'days' does not exist on type 'microsoft.graph.recurrencePattern'. "
            "Make sure to only use property names that are defined by the type or mark the type "
            "as open type.",
        ),
        (
            {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["funday"]}},
            400,
            "RequestBodyRead",
            "Requested value 'funday' was not found.",
        ),
        (
            {"range": {"type": "noEnd", "startDate": "2027-3-1"}},
            400,
            "RequestBodyRead",
            "Cannot convert the literal '2027-3-1' to the expected type 'Edm.Date'.",
        ),
        (
            {"pattern": {"type": "weekly", "interval": 1}},
            400,
            "ErrorPropertyValidationFailure",
            INVALID,
        ),
        (
            {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": []}},
            400,
            "ErrorPropertyValidationFailure",
            INVALID,
        ),
        (
            {"pattern": {"type": "daily"}},
            500,
            "ErrorInternalServerError",
            "An internal server error occurred. The operation failed.",
        ),
        (
            {"pattern": {"type": "daily", "interval": -1}},
            400,
            "ErrorPropertyValidationFailure",
            INVALID,
        ),
        (
            {"range": {"type": "endDate", "startDate": "2027-03-01"}},
            400,
            "ErrorPropertyValidationFailure",
            INVALID,
        ),
        (
            {"range": {"type": "endDate", "startDate": "2027-03-01", "endDate": "2027-02-01"}},
            400,
            "ErrorPropertyValidationFailure",
            INVALID,
        ),
        (
            # A weekly Monday series within Tuesday to Saturday: no occurrence at all.
            {"range": {"type": "endDate", "startDate": "2027-03-02", "endDate": "2027-03-06"}},
            400,
            "ErrorPropertyValidationFailure",
            INVALID,
        ),
        (
            {"range": {"type": "numbered", "startDate": "2027-03-01", "numberOfOccurrences": 0}},
            400,
            "ErrorPropertyValidationFailure",
            INVALID,
        ),
        ({"range": {"type": "noEnd"}}, 400, "ErrorPropertyValidationFailure", INVALID),
        ({"range": None}, 400, "ErrorPropertyValidationFailure", INVALID),
        (
            {"range": {"type": "noEnd", "startDate": "2027-03-01", "recurrenceTimeZone": "Mars"}},
            400,
            "TimeZoneNotSupportedException",
            "A valid TimeZone value must be specified. The following TimeZone value is not "
            "supported: 'Mars'.",
        ),
        (
            {"pattern": {"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 1}},
            501,
            "NotImplemented",
            "GraphFake models daily and weekly recurrence patterns only, not 'absoluteMonthly'.",
        ),
    ],
)
def test_recurrence_is_read_strictly_and_checked(
    env: Env, token: str, recurrence: dict[str, Any], status: int, code: str, message: str
) -> None:
    body = {**copy.deepcopy(WEEKLY), **recurrence}
    response = env.call("POST", f"/users/{ORG}/events", token, json=series_body(body))
    assert graph_error(response, status, code) == message
    assert env.graph.events(ORG) == []


def test_range_before_pattern_is_not_read(env: Env, token: str) -> None:
    # microsoft-graph-docs#11359: the order must be "pattern", then "range".
    body = event_body(recurrence={"range": WEEKLY["range"], "pattern": WEEKLY["pattern"]})
    response = env.call("POST", f"/users/{ORG}/events", token, json=body)
    graph_error(response, 400, "UnableToDeserializePostBody")


def test_daily_and_weekly_patterns_and_ranges(env: Env, token: str) -> None:
    def starts(recurrence: dict[str, Any], window: dict[str, str] = MARCH) -> list[str]:
        master = create_series(env, token, recurrence=recurrence)
        return [o["start"]["dateTime"][:10] for o in listed(env, token, master["id"], window)]

    every_other_day = {
        "pattern": {"type": "daily", "interval": 2},
        "range": {"type": "endDate", "startDate": "2027-03-01", "endDate": "2027-03-09"},
    }
    assert starts(every_other_day) == [f"2027-03-0{d}" for d in (1, 3, 5, 7, 9)]
    # Every other week on Monday and Thursday, weeks from Monday; the range starts on a
    # Wednesday: the master moves to the first occurrence, Thursday 4 March.
    fortnightly = {
        "pattern": {
            "type": "weekly",
            "interval": 2,
            "daysOfWeek": ["thursday", "monday"],
            "firstDayOfWeek": "monday",
        },
        "range": {"type": "numbered", "startDate": "2027-03-03", "numberOfOccurrences": 4},
    }
    assert starts(fortnightly) == ["2027-03-04", "2027-03-15", "2027-03-18", "2027-03-29"]
    moved = env.graph.events(ORG)[-1]
    assert moved["start"]["dateTime"] == "2027-03-04T09:00:00.0000000"
    assert moved["end"]["dateTime"] == "2027-03-04T10:00:00.0000000"
    # No end: any window, however far.
    forever = {
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
        "range": {"type": "noEnd", "startDate": "2027-03-01"},
    }
    far = {"startDateTime": "2031-01-01T00:00:00Z", "endDateTime": "2031-01-20T00:00:00Z"}
    assert starts(forever, far) == ["2031-01-06", "2031-01-13"]


# -- 2. instances --------------------------------------------------------------------------------


def test_instances_window_select_paging_and_refusals(env: Env, token: str) -> None:
    master = create_series(env, token)
    path = f"/users/{ORG}/events/{master['id']}/instances"
    for params in (
        {},
        {"startDateTime": MARCH["startDateTime"]},
        {"startDateTime": "", "endDateTime": ""},  # what an SDK sends for unset parameters
    ):
        assert graph_error(
            env.call("GET", path, token, params=params), 400, "ErrorInvalidParameter"
        ) == (
            "This request requires a time window specified by the query string parameters "
            "StartDateTime and EndDateTime."
        )
    graph_error(
        env.call("GET", path, token, params={**MARCH, "$filter": "type eq 'exception'"}),
        501,
        "NotImplemented",
    )
    # A window in the middle: occurrences overlapping it.
    middle = {"startDateTime": "2027-03-08T08:30:00Z", "endDateTime": "2027-03-15T08:00:01Z"}
    assert [o["originalStart"] for o in listed(env, token, master["id"], middle)] == [
        stamp(MONDAYS_UTC[1]),
        stamp(MONDAYS_UTC[2]),
    ]

    # $select and $top, with paging like calendarView.
    params = {**MARCH, "$select": "subject,originalStart,type,seriesMasterId", "$top": "2"}
    first = instances(env, token, master["id"], params).json()
    assert first["@odata.context"].endswith(
        f"/events('{master['id'].replace('=', '%3D')}')/instances"
        "(subject,originalStart,type,seriesMasterId)"
    )
    assert set(first["value"][0]) == {
        "@odata.etag",
        "id",
        "subject",
        "originalStart",
        "type",
        "seriesMasterId",
    }
    pages = [first]
    while "@odata.nextLink" in pages[-1]:
        pages.append(env.call("GET", pages[-1]["@odata.nextLink"], token).json())
    assert [len(p["value"]) for p in pages] == [2, 2, 1]
    assert [o["originalStart"] for p in pages for o in p["value"]] == [
        stamp(s) for s in MONDAYS_UTC
    ]

    # Ids: stable, in either form; the immutable form names the master's immutable id too.
    rest = [o["id"] for o in listed(env, token, master["id"])]
    assert rest == [o["id"] for o in listed(env, token, master["id"])]
    immutable = instances(env, token, master["id"], headers=IMMUTABLE)
    assert immutable.headers["Preference-Applied"] == 'IdType="ImmutableId"'
    assert [o["seriesMasterId"] for o in immutable.json()["value"]] == [
        env.graph.immutable_id(ORG, master["id"])
    ] * 5
    immutable_ids = [o["id"] for o in immutable.json()["value"]]
    assert immutable_ids == [env.graph.immutable_id(ORG, r) for r in rest]
    assert immutable_ids == [
        env.graph.occurrence_id(ORG, master["id"], s, immutable=True) for s in MONDAYS_UTC
    ]
    assert rest == [env.graph.occurrence_id(ORG, master["id"], s) for s in MONDAYS_UTC]
    assert env.graph.ews_id(ORG, immutable_ids[0]) == rest[0].replace("-", "/").replace("_", "+")
    for given in (rest[1], immutable_ids[1]):
        got = env.call("GET", f"/users/{ORG}/events/{given}", token, headers=IMMUTABLE).json()
        assert (got["id"], got["type"]) == (immutable_ids[1], "occurrence")
    by_master_immutable = listed(env, token, env.graph.immutable_id(ORG, master["id"]))
    assert [o["id"] for o in by_master_immutable] == rest
    # translateExchangeIds knows occurrences too.
    oid = oid_of(env, ORG)
    env.entra.user_scopes = ["Calendars.ReadWrite", "User.Read"]
    user = env.user_token(oid)
    translated = env.call(
        "POST",
        f"/users/{ORG}/translateExchangeIds",
        user,
        json={
            "inputIds": [rest[2]],
            "sourceIdType": "restId",
            "targetIdType": "restImmutableEntryId",
        },
    )
    assert translated.status_code == 200, translated.text
    assert translated.json()["value"] == [{"sourceId": rest[2], "targetId": immutable_ids[2]}]

    # Not an occurrence of the series: 404; instances of a single event: none; unknown: 404.
    tuesday = graph_fake._occurrence_id(master["id"], datetime(2027, 3, 2, 8, tzinfo=UTC))
    graph_error(env.call("GET", f"/users/{ORG}/events/{tuesday}", token), 404, "ErrorItemNotFound")
    after_range = graph_fake._occurrence_id(master["id"], datetime(2027, 4, 5, 7, tzinfo=UTC))
    graph_error(
        env.call("GET", f"/users/{ORG}/events/{after_range}", token), 404, "ErrorItemNotFound"
    )
    with pytest.raises(KeyError):
        env.graph.occurrence_id(ORG, master["id"], datetime(2027, 3, 2, 8, tzinfo=UTC))
    single = env.call("POST", f"/users/{ORG}/events", token, json=event_body()).json()
    assert listed(env, token, single["id"]) == []
    graph_error(instances(env, token, "AAMkAGnope"), 404, "ErrorItemNotFound")
    graph_error(instances(env, token, master["id"], address=BOB), 404, "ErrorItemNotFound")


# -- 3. one occurrence ---------------------------------------------------------------------------


def test_a_patch_of_one_occurrence_makes_an_exception(env: Env, token: str) -> None:
    master = create_series(env, token, attendees=WITH_BOB)
    second = env.graph.occurrence_id(ORG, master["id"], MONDAYS_UTC[1])
    path = f"/users/{ORG}/events/{second}"
    patched = env.call(
        "PATCH",
        path,
        token,
        json={
            "subject": "Verzet",
            "start": {"dateTime": "2027-03-09T14:00:00", "timeZone": WEST},
            "end": {"dateTime": "2027-03-09T15:00:00", "timeZone": WEST},
        },
    )
    assert patched.status_code == 200, patched.text
    exception = patched.json()
    assert (exception["id"], exception["type"]) == (second, "exception")
    assert exception["originalStart"] == stamp(MONDAYS_UTC[1])  # kept
    assert exception["start"] == {"dateTime": "2027-03-09T14:00:00.0000000", "timeZone": WEST}
    assert exception["subject"] == "Verzet"
    stored_master = env.call("GET", f"/users/{ORG}/events/{master['id']}", token).json()
    assert stored_master["changeKey"] != master["changeKey"]  # exceptions live on the master
    assert exception["changeKey"] == stored_master["changeKey"]

    found = listed(env, token, master["id"])
    assert [o["type"] for o in found] == ["occurrence", "exception", *["occurrence"] * 3]
    assert [o["subject"] for o in found] == [
        "Ontwikkelgesprek",
        "Verzet",
        *["Ontwikkelgesprek"] * 3,
    ]
    in_view = [e for e in view(env, token) if e["id"] == second]
    assert in_view[0]["start"]["dateTime"] == "2027-03-09T13:00:00.0000000"  # UTC

    # The master's own changes reach the occurrences, not what the exception changed.
    env.call("PATCH", f"/users/{ORG}/events/{master['id']}", token, json={"subject": "Gesprek"})
    assert [o["subject"] for o in listed(env, token, master["id"])] == [
        "Gesprek",
        "Verzet",
        *["Gesprek"] * 3,
    ]

    # Outlook's rule: not onto or past the day of a neighbouring occurrence.
    third = env.graph.occurrence_id(ORG, master["id"], MONDAYS_UTC[2])
    for day in ("2027-03-09", "2027-03-22", "2027-03-25"):
        move = {
            "start": {"dateTime": f"{day}T09:00:00", "timeZone": WEST},
            "end": {"dateTime": f"{day}T10:00:00", "timeZone": WEST},
        }
        assert (
            graph_error(
                env.call("PATCH", f"/users/{ORG}/events/{third}", token, json=move),
                400,
                "ErrorOccurrenceCrossingBoundary",
            )
            == "Modified occurrence is crossing or overlapping adjacent occurrence."
        )
    fine = {
        "start": {"dateTime": "2027-03-10T09:00:00", "timeZone": WEST},
        "end": {"dateTime": "2027-03-10T10:00:00", "timeZone": WEST},
    }
    assert env.call("PATCH", f"/users/{ORG}/events/{third}", token, json=fine).status_code == 200
    # The first occurrence is free on its open side; an exception may also last longer.
    first = env.graph.occurrence_id(ORG, master["id"], MONDAYS_UTC[0])
    earlier = {
        "start": {"dateTime": "2027-02-26T09:00:00", "timeZone": WEST},
        "end": {"dateTime": "2027-02-26T10:00:00", "timeZone": WEST},
    }
    assert env.call("PATCH", f"/users/{ORG}/events/{first}", token, json=earlier).status_code == 200
    fourth = env.graph.occurrence_id(ORG, master["id"], MONDAYS_UTC[3])
    longer = {"end": {"dateTime": "2027-03-26T18:00:00", "timeZone": WEST}}
    assert env.call("PATCH", f"/users/{ORG}/events/{fourth}", token, json=longer).status_code == 200
    friday = {"startDateTime": "2027-03-26T12:00:00Z", "endDateTime": "2027-03-26T13:00:00Z"}
    assert [o["id"] for o in listed(env, token, master["id"], friday)] == [fourth]
    february = {"startDateTime": "2027-02-26T00:00:00Z", "endDateTime": "2027-02-27T00:00:00Z"}
    assert [o["id"] for o in listed(env, token, master["id"], february)] == [first]
    assert listed(env, token, master["id"])[0]["id"] == second  # none on 1 March any more
    assert (
        graph_error(
            env.call("PATCH", path, token, json={"recurrence": WEEKLY}), 400, "ErrorInvalidRequest"
        )
        == "The recurrence of an occurrence can't be changed; change its series master."
    )

    # Bob's copy of the series: its own ids, the same exceptions.
    bob_master = bobs_master(env)
    assert bob_master["recurrence"] == master["recurrence"]
    wider = {"startDateTime": "2027-02-20T00:00:00Z", "endDateTime": "2027-04-01T00:00:00Z"}
    bobs = listed(env, token, bob_master["id"], wider, address=BOB)
    assert [o["type"] for o in bobs] == ["exception"] * 4 + ["occurrence"]
    assert [o["originalStart"] for o in bobs] == [stamp(s) for s in MONDAYS_UTC]
    assert bobs[0]["start"]["dateTime"].startswith("2027-02-26")
    assert bobs[1]["subject"] == "Verzet" and bobs[1]["start"]["dateTime"].startswith("2027-03-09")
    assert {o["seriesMasterId"] for o in bobs} == {bob_master["id"]}
    assert not {o["id"] for o in bobs} & {o["id"] for o in listed(env, token, master["id"])}


def test_cancel_and_delete_remove_one_occurrence(env: Env, token: str) -> None:
    master = create_series(env, token, attendees=WITH_BOB)
    second, third = (
        env.graph.occurrence_id(ORG, master["id"], s) for s in (MONDAYS_UTC[1], MONDAYS_UTC[2])
    )
    bob_master = bobs_master(env)
    bobs_second = env.graph.occurrence_id(BOB, bob_master["id"], MONDAYS_UTC[1])
    refused = env.call("POST", f"/users/{BOB}/events/{bobs_second}/cancel", token, json={})
    assert "You need to be an organizer" in graph_error(refused, 400, "ErrorInvalidRequest")

    moved = {
        "subject": "Verzet",
        "start": {"dateTime": "2027-03-09T09:00:00", "timeZone": WEST},
        "end": {"dateTime": "2027-03-09T10:00:00", "timeZone": WEST},
    }
    assert env.call("PATCH", f"/users/{ORG}/events/{second}", token, json=moved).status_code == 200
    cancelled = env.call(
        "POST", f"/users/{ORG}/events/{second}/cancel", token, json={"Comment": "Ziek"}
    )
    assert cancelled.status_code == 202
    assert env.call("DELETE", f"/users/{ORG}/events/{third}", token).status_code == 204
    for gone in (second, third):
        path = f"/users/{ORG}/events/{gone}"
        graph_error(env.call("GET", path, token), 404, "ErrorItemNotFound")
        graph_error(env.call("DELETE", path, token), 404, "ErrorItemNotFound")
        graph_error(env.call("POST", f"{path}/cancel", token, json={}), 404, "ErrorItemNotFound")
    remaining = [MONDAYS_UTC[0], *MONDAYS_UTC[3:]]
    assert [o["originalStart"] for o in listed(env, token, master["id"])] == [
        stamp(s) for s in remaining
    ]
    assert len(view(env, token)) == 3
    # Its id stays what it was (the test control still gives it).
    assert env.graph.occurrence_id(ORG, master["id"], MONDAYS_UTC[1]) == second

    # Bob's copies show the two cancelled, as for single events (the moved one where it was).
    bobs = listed(env, token, bob_master["id"], address=BOB)
    assert [(o["isCancelled"], o["subject"], o["start"]["dateTime"][:10]) for o in bobs] == [
        (False, "Ontwikkelgesprek", "2027-03-01"),
        (True, "Canceled: Verzet", "2027-03-09"),
        (True, "Canceled: Ontwikkelgesprek", "2027-03-15"),
        (False, "Ontwikkelgesprek", "2027-03-22"),
        (False, "Ontwikkelgesprek", "2027-03-29"),
    ]
    assert {o["type"] for o in bobs[1:3]} == {"exception"}


# -- 4. the whole series -------------------------------------------------------------------------


def test_moving_the_series_recomputes_occurrences_and_drops_exceptions(
    env: Env, token: str
) -> None:
    master = create_series(env, token, attendees=WITH_BOB)
    path = f"/users/{ORG}/events/{master['id']}"
    old_ids = [o["id"] for o in listed(env, token, master["id"])]
    env.call("PATCH", f"/users/{ORG}/events/{old_ids[1]}", token, json={"subject": "Eigen"})
    env.call("DELETE", f"/users/{ORG}/events/{old_ids[2]}", token)

    later = {
        "start": {"dateTime": "2027-03-01T14:00:00", "timeZone": WEST},
        "end": {"dateTime": "2027-03-01T15:30:00", "timeZone": WEST},
    }
    moved = env.call("PATCH", path, token, json=later)
    assert moved.status_code == 200, moved.text
    assert moved.json()["recurrence"]["range"]["startDate"] == "2027-03-01"
    found = listed(env, token, master["id"])
    new_starts = [s + timedelta(hours=5) for s in MONDAYS_UTC]
    assert [o["originalStart"] for o in found] == [stamp(s) for s in new_starts]
    assert [o["type"] for o in found] == ["occurrence"] * 5  # the exception is gone
    assert [o["subject"] for o in found] == ["Ontwikkelgesprek"] * 5  # the deleted one is back
    assert [o["end"]["dateTime"][11:16] for o in found] == ["14:30"] * 4 + ["13:30"]
    assert not {o["id"] for o in found} & set(old_ids)  # new original starts, new ids
    for gone in old_ids:
        graph_error(env.call("GET", f"/users/{ORG}/events/{gone}", token), 404, "ErrorItemNotFound")
    bobs = listed(env, token, bobs_master(env)["id"], address=BOB)
    assert [o["originalStart"] for o in bobs] == [stamp(s) for s in new_starts]

    # A later first day: the range starts there.
    week_on = {
        "start": {"dateTime": "2027-03-08T09:00:00", "timeZone": WEST},
        "end": {"dateTime": "2027-03-08T10:00:00", "timeZone": WEST},
    }
    assert (
        env.call("PATCH", path, token, json=week_on).json()["recurrence"]["range"]["startDate"]
        == "2027-03-08"
    )
    april = {"startDateTime": "2027-03-01T00:00:00Z", "endDateTime": "2027-05-01T00:00:00Z"}
    assert [o["start"]["dateTime"][:10] for o in listed(env, token, master["id"], april)] == [
        "2027-03-08",
        "2027-03-15",
        "2027-03-22",
        "2027-03-29",
        "2027-04-05",
    ]


def test_changing_the_recurrence_shortens_extends_or_reshapes_the_series(
    env: Env, token: str
) -> None:
    master = create_series(env, token)
    path = f"/users/{ORG}/events/{master['id']}"
    ids = [o["id"] for o in listed(env, token, master["id"])]
    env.call("PATCH", f"/users/{ORG}/events/{ids[1]}", token, json={"subject": "Eigen"})
    env.call("DELETE", f"/users/{ORG}/events/{ids[2]}", token)

    # Shortened to three: the exception and the deletion within it stay, the rest is gone.
    three = copy.deepcopy(WEEKLY)
    three["range"]["numberOfOccurrences"] = 3
    env.call("PATCH", path, token, json={"recurrence": three})
    found = listed(env, token, master["id"])
    assert [(o["id"], o["type"]) for o in found] == [(ids[0], "occurrence"), (ids[1], "exception")]
    graph_error(env.call("GET", f"/users/{ORG}/events/{ids[3]}", token), 404, "ErrorItemNotFound")

    # Extended to an end date: more occurrences, the same ids for the ones there were.
    until = copy.deepcopy(WEEKLY)
    until["range"] = {"type": "endDate", "startDate": "2027-03-01", "endDate": "2027-03-31"}
    answer = env.call("PATCH", path, token, json={"recurrence": until}).json()
    assert answer["recurrence"]["range"]["endDate"] == "2027-03-31"
    assert answer["recurrence"]["range"]["numberOfOccurrences"] == 0
    found = listed(env, token, master["id"])
    assert [o["id"] for o in found] == [ids[0], ids[1], ids[3], ids[4]]

    # Another pattern: its exceptions and removed occurrences are dropped.
    thursdays = copy.deepcopy(until)
    thursdays["pattern"]["daysOfWeek"] = ["monday", "thursday"]
    env.call("PATCH", path, token, json={"recurrence": thursdays})
    found = listed(env, token, master["id"])
    assert len(found) == 9 and {o["type"] for o in found} == {"occurrence"}
    assert env.call("PATCH", path, token, json={"recurrence": None}).status_code == 501

    # A single event given a recurrence becomes a series master.
    single = env.call("POST", f"/users/{ORG}/events", token, json=event_body()).json()
    made = env.call(
        "PATCH", f"/users/{ORG}/events/{single['id']}", token, json={"recurrence": WEEKLY}
    ).json()
    assert made["type"] == "seriesMaster" and len(listed(env, token, single["id"])) == 5


def test_cancel_or_delete_of_the_master_ends_the_series(env: Env, token: str) -> None:
    master = create_series(env, token, attendees=WITH_BOB)
    first = env.graph.occurrence_id(ORG, master["id"], MONDAYS_UTC[0])
    cancel = env.call("POST", f"/users/{ORG}/events/{master['id']}/cancel", token, json={})
    assert cancel.status_code == 202
    for gone in (master["id"], first):
        graph_error(env.call("GET", f"/users/{ORG}/events/{gone}", token), 404, "ErrorItemNotFound")
    assert view(env, token) == []
    bob_master = bobs_master(env)
    assert (bob_master["isCancelled"], bob_master["subject"]) == (
        True,
        "Canceled: Ontwikkelgesprek",
    )
    bobs = listed(env, token, bob_master["id"], address=BOB)
    assert {(o["isCancelled"], o["subject"]) for o in bobs} == {
        (True, "Canceled: Ontwikkelgesprek")
    }

    other = create_series(env, token)
    assert env.call("DELETE", f"/users/{ORG}/events/{other['id']}", token).status_code == 204
    assert env.graph.events(ORG) == [] and view(env, token) == []


def test_an_online_series_has_one_join_url(env: Env, token: str) -> None:
    master = create_series(
        env,
        token,
        attendees=WITH_BOB,
        isOnlineMeeting=True,
        body={"contentType": "html", "content": "<p>Agenda</p>"},
    )
    join = master["onlineMeeting"]["joinUrl"]
    assert {o["onlineMeeting"]["joinUrl"] for o in listed(env, token, master["id"])} == {join}
    bobs = listed(env, token, bobs_master(env)["id"], address=BOB)
    assert {o["onlineMeeting"]["joinUrl"] for o in bobs} == {join}
    chat_id = graph_fake._meeting_chat_id(join)
    assert chat_id is not None
    assert env.graph.chat_members(chat_id) == {oid_of(env, ORG), oid_of(env, BOB)}
    # The body trap on one occurrence drops the join information of that one only.
    second = env.graph.occurrence_id(ORG, master["id"], MONDAYS_UTC[1])
    env.call(
        "PATCH",
        f"/users/{ORG}/events/{second}",
        token,
        json={"body": {"contentType": "html", "content": "<p>Nieuw</p>"}},
    )
    assert [o["onlineMeeting"] is None for o in listed(env, token, master["id"])] == [
        False,
        True,
        False,
        False,
        False,
    ]


# -- 5. change notifications ---------------------------------------------------------------------


def test_series_changes_notify_the_master(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    subscribe(env, token, receiver)
    subscribe(env, token, receiver, address=BOB)
    org, bob = oid_of(env, ORG), oid_of(env, BOB)
    master = create_series(env, token, attendees=WITH_BOB)
    bob_master = bobs_master(env)
    assert kinds(env.graph.queued_notifications()) == [("created", org), ("created", bob)]
    env.graph.deliver(batch=10)

    def step() -> list[tuple[str, str, str]]:
        queued = env.graph.queued_notifications()
        env.graph.deliver(batch=10)
        return [
            (c, who, q["resourceData"]["id"])
            for (c, who), q in zip(kinds(queued), queued, strict=True)
        ]

    # One occurrence changed, cancelled or deleted: Graph notifies its series master.
    second = env.graph.occurrence_id(ORG, master["id"], MONDAYS_UTC[1])
    env.call("PATCH", f"/users/{ORG}/events/{second}", token, json={"subject": "Eigen"})
    queued = env.graph.queued_notifications()
    stored = env.call("GET", f"/users/{ORG}/events/{master['id']}", token).json()
    assert queued[0]["resourceData"]["@odata.etag"] == f'W/"{stored["changeKey"]}"'
    assert step() == [("updated", org, master["id"]), ("updated", bob, bob_master["id"])]
    third = env.graph.occurrence_id(ORG, master["id"], MONDAYS_UTC[2])
    env.call("POST", f"/users/{ORG}/events/{third}/cancel", token, json={})
    assert step() == [("updated", org, master["id"]), ("updated", bob, bob_master["id"])]
    fourth = env.graph.occurrence_id(ORG, master["id"], MONDAYS_UTC[3])
    env.call("DELETE", f"/users/{ORG}/events/{fourth}", token)
    assert step() == [("updated", org, master["id"]), ("updated", bob, bob_master["id"])]
    # The master itself.
    env.call("PATCH", f"/users/{ORG}/events/{master['id']}", token, json={"subject": "Reeks"})
    assert step() == [("updated", org, master["id"]), ("updated", bob, bob_master["id"])]
    env.call("DELETE", f"/users/{ORG}/events/{master['id']}", token)
    assert step() == [("deleted", org, master["id"]), ("updated", bob, bob_master["id"])]


def test_occurrence_notifications_can_name_the_occurrence(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    env.graph.occurrence_notifications = "occurrence"
    subscribe(env, token, receiver, headers=IMMUTABLE)
    subscribe(env, token, receiver, address=BOB)
    org, bob = oid_of(env, ORG), oid_of(env, BOB)
    master = create_series(env, token, attendees=WITH_BOB)
    bob_master = bobs_master(env)
    env.graph.deliver(batch=10)

    def ids(original: datetime) -> tuple[str, str]:
        return (
            env.graph.occurrence_id(ORG, master["id"], original, immutable=True),
            env.graph.occurrence_id(BOB, bob_master["id"], original),
        )

    mine, bobs = ids(MONDAYS_UTC[1])
    env.call("PATCH", f"/users/{ORG}/events/{mine}", token, json={"subject": "Eigen"})
    queued = env.graph.queued_notifications()
    assert [(q["changeType"], q["resourceData"]["id"]) for q in queued] == [
        ("updated", mine),
        ("updated", bobs),
    ]
    assert queued[0]["resource"] == f"Users/{org}/Events/{mine}"
    assert queued[1]["resource"] == f"Users/{bob}/Events/{bobs}"
    env.graph.deliver(batch=10)
    mine, bobs = ids(MONDAYS_UTC[2])
    env.graph.user_cancels_occurrence(ORG, master["id"], MONDAYS_UTC[2])
    assert [
        (q["changeType"], q["resourceData"]["id"]) for q in env.graph.queued_notifications()
    ] == [("deleted", mine), ("updated", bobs)]  # Bob's shows cancelled


# -- 6. the user in Outlook ----------------------------------------------------------------------


def test_outlook_controls_for_series(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    start = datetime(2027, 3, 1, 8, tzinfo=UTC)  # 09:00 in Amsterdam
    master = env.graph.add_event(
        ORG,
        "Wekelijks",
        start,
        start + timedelta(hours=1),
        attendees=[BOB],
        online_meeting=True,
        recurrence=WEEKLY,
        time_zone=WEST,
    )
    assert master["type"] == "seriesMaster" and master["start"]["timeZone"] == WEST
    march_end = datetime(2027, 4, 1, tzinfo=UTC)
    occurrences = env.graph.occurrences(ORG, master["id"], start, march_end)
    assert occurrences == listed(env, token, master["id"])
    assert [o["originalStart"] for o in occurrences] == [stamp(s) for s in MONDAYS_UTC]
    subscribe(env, token, receiver)
    org = oid_of(env, ORG)

    env.graph.user_moves_occurrence(
        ORG,
        master["id"],
        MONDAYS_UTC[1],
        MONDAYS_UTC[1] + timedelta(days=1),
        MONDAYS_UTC[1] + timedelta(days=1, hours=2),
    )
    moved = env.graph.occurrences(ORG, master["id"], start, march_end)[1]
    assert (moved["type"], moved["originalStart"]) == ("exception", stamp(MONDAYS_UTC[1]))
    assert moved["start"] == {"dateTime": "2027-03-09T08:00:00.0000000", "timeZone": "UTC"}
    assert moved["end"]["dateTime"] == "2027-03-09T10:00:00.0000000"
    bobs = env.graph.occurrences(BOB, bobs_master(env)["id"], start, march_end)
    assert bobs[1]["start"]["dateTime"] == "2027-03-09T08:00:00.0000000"
    assert kinds(env.graph.queued_notifications()) == [("updated", org)]
    env.graph.deliver()

    env.graph.user_cancels_occurrence(ORG, master["id"], MONDAYS_UTC[2])
    assert len(env.graph.occurrences(ORG, master["id"], start, march_end)) == 4
    assert kinds(env.graph.queued_notifications()) == [("updated", org)]
    env.graph.deliver()

    # The whole series to Tuesdays' dates? The pattern keeps its days: Monday 8 March.
    env.graph.user_moves_series(
        ORG,
        master["id"],
        datetime(2027, 3, 2, 13, tzinfo=UTC),
        datetime(2027, 3, 2, 14, tzinfo=UTC),
    )
    after = env.graph.occurrences(ORG, master["id"], start, datetime(2027, 5, 1, tzinfo=UTC))
    assert [o["start"]["dateTime"][:16] for o in after] == [
        "2027-03-08T13:00",
        "2027-03-15T13:00",
        "2027-03-22T13:00",
        "2027-03-29T12:00",  # 14:00 in Amsterdam, summer time
        "2027-04-05T12:00",
    ]
    assert {o["type"] for o in after} == {"occurrence"}
    assert kinds(env.graph.queued_notifications()) == [("updated", org)]
    # user_moves_event on a master moves the series.
    env.graph.user_moves_event(
        ORG, master["id"], datetime(2027, 3, 8, 8, tzinfo=UTC), datetime(2027, 3, 8, 9, tzinfo=UTC)
    )
    assert env.graph.occurrences(ORG, master["id"], start, march_end)[0]["start"]["dateTime"] == (
        "2027-03-08T08:00:00.0000000"
    )

    # Refusals.
    bob_master = bobs_master(env)
    first = datetime(2027, 3, 8, 8, tzinfo=UTC)
    with pytest.raises(ValueError, match="organiser"):
        env.graph.user_cancels_occurrence(BOB, bob_master["id"], first)
    with pytest.raises(ValueError, match="crossing"):
        env.graph.user_moves_occurrence(
            ORG, master["id"], first, first + timedelta(days=7), first + timedelta(days=7, hours=1)
        )
    with pytest.raises(KeyError):
        env.graph.user_cancels_occurrence(ORG, master["id"], first + timedelta(hours=1))
    single = env.graph.add_event(ORG, "Los", start, start + timedelta(hours=1))
    with pytest.raises(ValueError, match="not a series master"):
        env.graph.occurrences(ORG, single["id"], start, march_end)
    with pytest.raises(ValueError, match="recurrence"):
        env.graph.add_event(
            ORG,
            "Fout",
            start,
            start + timedelta(hours=1),
            recurrence={"pattern": {"type": "weekly"}},
        )


# -- 7. the real msgraph-sdk ---------------------------------------------------------------------


def test_the_sdk_makes_lists_and_changes_series(env: Env, token: str) -> None:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
    from msgraph.generated.models.day_of_week import DayOfWeek
    from msgraph.generated.models.event import Event
    from msgraph.generated.models.event_type import EventType
    from msgraph.generated.models.patterned_recurrence import PatternedRecurrence
    from msgraph.generated.models.recurrence_pattern import RecurrencePattern
    from msgraph.generated.models.recurrence_pattern_type import RecurrencePatternType
    from msgraph.generated.models.recurrence_range import RecurrenceRange
    from msgraph.generated.models.recurrence_range_type import RecurrenceRangeType
    from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import (
        CancelPostRequestBody,
    )
    from msgraph.generated.users.item.events.item.instances.instances_request_builder import (
        InstancesRequestBuilder,
    )

    series = Event(
        subject="Ontwikkelgesprek",
        start=DateTimeTimeZone(date_time="2027-03-01T09:00:00", time_zone=WEST),
        end=DateTimeTimeZone(date_time="2027-03-01T10:00:00", time_zone=WEST),
        recurrence=PatternedRecurrence(
            pattern=RecurrencePattern(
                type=RecurrencePatternType.Weekly, interval=1, days_of_week=[DayOfWeek.Monday]
            ),
            range=RecurrenceRange(
                type=RecurrenceRangeType.Numbered,
                start_date=date(2027, 3, 1),
                number_of_occurrences=5,
            ),
        ),
    )

    async def work(client_for: Any) -> dict[str, Any]:
        g = client_for(token)
        out: dict[str, Any] = {}
        events = g.users.by_user_id(ORG).events
        created = await events.post(series)
        out["created"] = created

        def config() -> RequestConfiguration[Any]:
            found: RequestConfiguration[Any] = RequestConfiguration(
                query_parameters=InstancesRequestBuilder.InstancesRequestBuilderGetQueryParameters(
                    start_date_time="2027-03-01T00:00:00Z",
                    end_date_time="2027-04-01T00:00:00Z",
                    select=[
                        "id",
                        "changeKey",
                        "start",
                        "end",
                        "isCancelled",
                        "originalStart",
                        "type",
                    ],
                    top=2,
                )
            )
            found.headers.add("Prefer", 'outlook.timezone="UTC"')
            found.headers.add("Prefer", 'IdType="ImmutableId"')
            return found

        listing = events.by_event_id(created.id).instances
        page = await listing.get(request_configuration=config())
        pages = [page]
        while page.odata_next_link:
            following: RequestConfiguration[Any] = RequestConfiguration()
            following.headers.add("Prefer", 'IdType="ImmutableId"')
            page = await listing.with_url(page.odata_next_link).get(following)
            pages.append(page)
        out["pages"] = pages
        second = pages[0].value[1]
        out["patched"] = await events.by_event_id(second.id).patch(Event(subject="Eigen"))
        third = pages[1].value[0]
        await events.by_event_id(third.id).cancel.post(CancelPostRequestBody(comment="Ziek"))
        out["after"] = await listing.get(request_configuration=config())
        return out

    out = run_sdk(env, work)
    created = out["created"]
    assert created.type == EventType.SeriesMaster
    assert created.recurrence.range.number_of_occurrences == 5
    assert created.recurrence.range.end_date == date(1, 1, 1)
    assert [len(p.value) for p in out["pages"]] == [2, 2, 1]
    occurrences = [o for p in out["pages"] for o in p.value]
    assert [o.original_start for o in occurrences] == MONDAYS_UTC
    assert [o.type for o in occurrences] == [EventType.Occurrence] * 5
    immutable_master = env.graph.immutable_id(ORG, created.id)
    assert occurrences[0].id == env.graph.occurrence_id(
        ORG, immutable_master, MONDAYS_UTC[0], immutable=True
    )
    assert (out["patched"].type, out["patched"].subject) == (EventType.Exception, "Eigen")
    after = out["after"].value
    assert [o.type for o in after] == [EventType.Occurrence, EventType.Exception]
    assert len(env.graph.occurrences(ORG, created.id, MONDAYS_UTC[0], MONDAYS_UTC[4])) == 3
    listed_request = next(r for r in env.graph.requests if r.path.endswith("/instances"))
    assert listed_request.query["startDateTime"] == "2027-03-01T00:00:00Z"
    assert env.graph.errors == []
