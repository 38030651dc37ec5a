"""Each person turns kinds of reminder off and on, over the API: the switches are their own,
and a bad request (no sign-in, no CSRF token, an unknown kind) saves nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from plugin.domain.reminders import ReminderKind
from plugin.services.context import Services
from plugin.store import reminders
from plugin.store.working_tables import reminder_opt_outs
from tests.support.tables import snapshot

URL = "/api/me/reminders"
ALL_KINDS = ["prepare", "sign", "due_soon", "overdue", "check_in"]


def switches(response: Any) -> dict[str, bool]:
    assert response.status_code == 200, response.json
    kinds = response.json["kinds"]
    assert [k["kind"] for k in kinds] == ALL_KINDS  # every kind, in a fixed order
    return {k["kind"]: k["on"] for k in kinds}


def saved(services: Services) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """The opt-outs as stored, and everything else a request can touch."""
    with services.db.engine.connect() as connection:
        rows = sorted(tuple(row) for row in connection.execute(select(reminder_opt_outs)))
    return rows, snapshot(services)


def test_the_kinds_are_the_domains() -> None:
    assert [k.value for k in ReminderKind] == ALL_KINDS


def test_all_are_on_until_turned_off_and_then_stay_off(marco, sem) -> None:
    assert set(switches(marco.get(URL)).values()) == {True}
    answer = switches(marco.put(URL, json={"off": ["sign", "overdue"]}))
    assert answer == {**dict.fromkeys(ALL_KINDS, True), "sign": False, "overdue": False}
    assert switches(marco.get(URL)) == answer
    # Only mine: Sem's stay on.
    assert set(switches(sem.get(URL)).values()) == {True}


def test_a_save_says_exactly_what_is_off(marco) -> None:
    marco.put(URL, json={"off": ["sign", "overdue"]})
    answer = switches(marco.put(URL, json={"off": ["prepare", "prepare"]}))
    assert [k for k, on in answer.items() if not on] == ["prepare"]
    assert set(switches(marco.put(URL, json={"off": []})).values()) == {True}


def test_the_scan_reads_what_was_turned_off(marco, lead, services) -> None:
    marco.put(URL, json={"off": ["due_soon"]})
    assert services.read(lambda s: reminders.turned_off(s, [lead.id])) == {(lead.id, "due_soon")}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"off": ["sign", "weekly"]}, "off[1]"),
        ({"off": "sign"}, "off"),
        ({}, "off"),
        ({"off": ["sign"] * 6}, "off"),
        ({"off": ["sign"], "on": ["prepare"]}, "on"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_saves_nothing(
    marco, services, body, field
) -> None:
    marco.put(URL, json={"off": ["check_in"]})
    before = saved(services)
    response = marco.put(URL, json=body)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["field"] == field and error["message"].strip(), error
    assert saved(services) == before
    assert [k for k, on in switches(marco.get(URL)).items() if not on] == ["check_in"]


def test_no_sign_in_is_401_before_anything_else(app, services) -> None:
    before = saved(services)
    client = app.test_client()
    assert client.get(URL).status_code == 401
    refused = client.put(URL, json={"off": ["nonsense"]})
    assert refused.status_code == 401, refused.json
    assert refused.json["error"]["code"] == "unauthenticated"
    assert saved(services) == before


def test_no_csrf_token_is_refused_and_saves_nothing(marco, services) -> None:
    before = saved(services)
    refused = marco.client.put(URL, json={"off": ["sign"]})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "csrf"
    guessed = marco.client.put(URL, json={"off": ["sign"]}, headers={"X-CSRF-Token": "guessed"})
    assert guessed.status_code == 403
    assert saved(services) == before


def test_the_endpoints_are_in_the_openapi_document(marco) -> None:
    document = marco.get("/api/openapi.json").json
    operations = document["paths"]["/api/me/reminders"]
    assert {"get", "put"} <= set(operations)
