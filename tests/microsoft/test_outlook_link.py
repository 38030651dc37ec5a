"""An appointment made in Outlook becomes a talk (the add-in's API, Microsoft mode): the
appointment is read in the organiser's name from their own mailbox (EWS id → immutable id,
then the event), the talk is linked to it without booking anything, the worker marks the
event with the talk's id without touching its body, and pins our tab in its Teams meeting.

Real msal and msgraph-sdk against the Entra and Graph fakes; the requests are counted at the
fake, so the minimum stated in the README is held here.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest

from plugin.calendar.outlook import TALK_PROPERTY_ID
from plugin.domain.meeting import chat_id_from_join_url
from plugin.domain.talk import Talk
from tests.microsoft.fixtures import https_client
from tests.microsoft.outlook_world import AMS, Office, graph_calls
from tests.microsoft.test_teams_sso import CASES as SSO_CASES


def test_an_outlook_appointment_becomes_a_talk_with_its_mark_and_tab(office: Office) -> None:
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    item_id = office.appointment(marco, sem, subject="Ontwikkelgesprek Sem")
    immutable = office.graph.immutable_id(marco, item_id.replace("/", "-").replace("+", "_"))

    shown = office.client.post(
        "/api/outlook/appointment", headers=as_marco, json={"item_id": item_id}
    )
    assert shown.status_code == 200, shown.json
    assert shown.json["talk"] is None
    assert [p["email"] for p in shown.json["candidates"]] == [sem]
    assert shown.json["learner_id"] == shown.json["candidates"][0]["id"]

    office.graph.clear_requests()
    made = office.client.post(
        "/api/outlook/talks",
        headers=as_marco,
        json={"item_id": item_id, "goals": ["goals.learn"], "own_goal": "Storingen zoeken"},
    )
    assert made.status_code == 201, made.json
    assert made.json["created"] is True
    talk = made.json["talk"]
    assert talk["title"] == "Ontwikkelgesprek Sem"
    assert talk["learner"]["name"] == "Sem"
    assert datetime.fromisoformat(talk["starts_at"]) == datetime(2027, 3, 9, 10, 0, tzinfo=AMS)
    assert talk["url"].endswith(f"/talks/{talk['id']}")
    # The checklist and the link for the top of the invite, escaped HTML.
    assert f"/talks/{talk['id']}" in made.json["invite_html"]
    assert "<script" not in made.json["invite_html"]

    # Verifying took two requests, in Marco's own name: convert the id, read the event.
    calls = graph_calls(office.graph)
    assert [(r.method, r.path) for r in calls] == [
        ("POST", "/me/translateExchangeIds"),
        ("GET", f"/me/events/{immutable}"),
    ]
    # (the SDK spells action parameters in PascalCase; Graph reads them either way)
    assert {k[0].lower() + k[1:]: v for k, v in calls[0].body.items()} == {
        "inputIds": [item_id],
        "sourceIdType": "ewsId",
        "targetIdType": "restImmutableEntryId",
    }
    assert 'IdType="ImmutableId"' in calls[1].headers.get("prefer", "")
    linked = office.talk(talk["id"])
    assert linked.event_id == immutable
    assert linked.event_from_outlook
    assert linked.meeting_chat_id == chat_id_from_join_url(
        office.stored(marco)["onlineMeeting"]["joinUrl"]
    )

    # The worker marks the event and pins the tab; nothing is booked.
    office.graph.clear_requests()
    body_before = office.stored(marco)["body"]
    office.outbox.drain()
    calls = graph_calls(office.graph)
    assert [(r.method, r.path.split("?")[0]) for r in calls] == [
        ("PATCH", f"/users/{marco}/events/{immutable}"),
        ("GET", "/appCatalogs/teamsApps"),
        ("POST", f"/chats/{linked.meeting_chat_id}/installedApps"),
        ("POST", f"/chats/{linked.meeting_chat_id}/tabs"),
    ]
    # The mark: only the extended property is sent, never the body (the fake, like Graph,
    # drops a Teams meeting's join information when a PATCH carries a body).
    assert set(calls[0].body) <= {"@odata.type", "singleValueExtendedProperties"}
    event = office.stored(marco)
    assert event["body"] == body_before
    assert event["onlineMeeting"] and event["onlineMeeting"]["joinUrl"]
    assert [(p["id"], p["value"]) for p in office.graph.extended_properties(marco, immutable)] == [
        (TALK_PROPERTY_ID, talk["id"])
    ]
    [tab] = office.graph.chat_tabs(linked.meeting_chat_id)
    assert tab["configuration"]["entityId"] == talk["id"]
    assert tab["configuration"]["contentUrl"].endswith(f"/talks/{talk['id']}")
    assert office.talk(talk["id"]).tab_chat_id == linked.meeting_chat_id
    assert len(office.graph.events(marco)) == 1  # the organiser's appointment, nothing new


def test_pressing_twice_gives_the_same_talk_and_the_pane_shows_it(office: Office) -> None:
    marco, as_marco = office.person("Marco")
    sem, as_sem = office.person("Sem")
    item_id = office.appointment(marco, sem)
    body = {"item_id": item_id, "goals": []}
    first = office.client.post("/api/outlook/talks", headers=as_marco, json=body)
    again = office.client.post("/api/outlook/talks", headers=as_marco, json=body)
    assert first.status_code == 201 and again.status_code == 200, again.json
    assert again.json["created"] is False and again.json["invite_html"] is None
    assert again.json["talk"]["id"] == first.json["talk"]["id"]
    assert office.svc.read(lambda s: s.query(Talk).count()) == 1

    shown = office.client.post(
        "/api/outlook/appointment", headers=as_marco, json={"item_id": item_id}
    )
    assert shown.json["talk"]["id"] == first.json["talk"]["id"]
    assert shown.json["talk"]["prepared"] == {"lead": False, "learner": False}
    # Sem prepares; the pane shows it.
    office.client.put(
        f"/api/talks/{first.json['talk']['id']}/preparation",
        headers=as_sem,
        json={"ticked": ["goals.learn"], "version": 0},
    )
    shown = office.client.post(
        "/api/outlook/appointment", headers=as_marco, json={"item_id": item_id}
    )
    assert shown.json["talk"]["prepared"] == {"lead": False, "learner": True}


def test_unlinking_cancels_the_talk_and_leaves_the_appointment_alone(office: Office) -> None:
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    item_id = office.appointment(marco, sem)
    made = office.client.post(
        "/api/outlook/talks", headers=as_marco, json={"item_id": item_id}
    ).json["talk"]
    office.outbox.drain()  # the mark and the tab: background changes of the talk
    made = office.client.post(
        "/api/outlook/appointment", headers=as_marco, json={"item_id": item_id}
    ).json["talk"]
    office.graph.clear_requests()

    stale = office.client.post(
        f"/api/outlook/talks/{made['id']}/unlink",
        headers=as_marco,
        json={"version": made["version"] - 1},
    )
    assert stale.status_code == 409 and stale.json["error"]["current"]["id"] == made["id"]
    gone = office.client.post(
        f"/api/outlook/talks/{made['id']}/unlink",
        headers=as_marco,
        json={"version": made["version"]},
    )
    assert gone.status_code == 200, gone.json
    assert gone.json["talk"]["status"] == "cancelled"
    office.outbox.drain()
    assert graph_calls(office.graph) == []  # no cancellation sent, nothing rewritten
    event = office.stored(marco)
    assert not event["isCancelled"] and event["subject"] == "Gesprek"

    # The same appointment can become a talk again.
    again = office.client.post("/api/outlook/talks", headers=as_marco, json={"item_id": item_id})
    assert again.status_code == 201 and again.json["talk"]["id"] != made["id"]


def test_a_linked_talk_is_moved_in_outlook_not_here(office: Office) -> None:
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    item_id = office.appointment(marco, sem)
    made = office.client.post(
        "/api/outlook/talks", headers=as_marco, json={"item_id": item_id}
    ).json["talk"]
    moved = office.client.patch(
        f"/api/talks/{made['id']}",
        headers=as_marco,
        json={"starts_at": "2027-03-10T10:00:00+01:00", "version": made["version"]},
    )
    assert moved.status_code == 409 and moved.json["error"]["code"] == "move_in_outlook"


def test_another_organiser_cannot_read_or_link_the_appointment(office: Office) -> None:
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    _, as_anna = office.person("Anna")
    item_id = office.appointment(marco, sem)
    made = office.client.post("/api/outlook/talks", headers=as_marco, json={"item_id": item_id})
    assert made.status_code == 201

    shown = office.client.post(
        "/api/outlook/appointment", headers=as_anna, json={"item_id": item_id}
    )
    assert shown.status_code == 200 and shown.json["talk"] is None
    taken = office.client.post("/api/outlook/talks", headers=as_anna, json={"item_id": item_id})
    assert taken.status_code == 404 and taken.json["error"]["code"] == "appointment_not_found"
    assert taken.json["error"]["field"] == "item_id"


def test_the_invited_learner_only(office: Office) -> None:
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    _, as_anna = office.person("Anna")
    anna_id = office.client.get("/api/me", headers=as_anna).json["id"]
    item_id = office.appointment(marco, sem, "extern@leverancier.example")

    shown = office.client.post(
        "/api/outlook/appointment", headers=as_marco, json={"item_id": item_id}
    )
    assert shown.json["unknown"] == ["extern@leverancier.example"]
    wrong = office.client.post(
        "/api/outlook/talks", headers=as_marco, json={"item_id": item_id, "learner_id": anna_id}
    )
    assert wrong.status_code == 422, wrong.json
    assert (wrong.json["error"]["code"], wrong.json["error"]["field"]) == (
        "not_an_attendee",
        "learner_id",
    )

    nobody = office.appointment(marco, "extern@leverancier.example")
    refused = office.client.post("/api/outlook/talks", headers=as_marco, json={"item_id": nobody})
    assert refused.status_code == 422 and refused.json["error"]["code"] == "no_learner"
    assert office.svc.read(lambda s: s.query(Talk).count()) == 0


def test_an_attendee_cannot_make_the_organisers_appointment_a_talk(office: Office) -> None:
    marco, _ = office.person("Marco")
    sem, as_sem = office.person("Sem")
    office.appointment(marco, sem)
    [copy] = office.graph.events(sem)
    item_id = office.graph.ews_id(sem, copy["id"])
    refused = office.client.post("/api/outlook/talks", headers=as_sem, json={"item_id": item_id})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "not_organizer"


def test_a_new_appointment_without_id_is_sorted_by_its_attendees(office: Office) -> None:
    _, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    office.graph.clear_requests()
    shown = office.client.post(
        "/api/outlook/appointment",
        headers=as_marco,
        json={
            "item_id": None,
            "attendees": [{"email": sem.upper(), "name": "Sem"}, {"email": "x@elders.example"}],
        },
    )
    assert shown.status_code == 200, shown.json
    assert [p["email"] for p in shown.json["candidates"]] == [sem]
    assert shown.json["unknown"] == ["x@elders.example"]
    assert graph_calls(office.graph) == []  # nothing to read yet


def test_refusals_come_before_reading_and_name_the_field(office: Office) -> None:
    marco, as_marco = office.person("Marco")
    anonymous = office.client.post("/api/outlook/talks", json={"item_id": "x"})
    assert anonymous.status_code == 401
    bad = office.client.post("/api/outlook/talks", headers=as_marco, json={"item_id": "<script>"})
    assert bad.status_code == 422 and bad.json["error"]["field"] == "item_id"
    office.entra.require_consent(f"oid-{marco.split('@')[0]}")
    item_id = office.appointment(marco)
    consent = office.client.post("/api/outlook/talks", headers=as_marco, json={"item_id": item_id})
    assert consent.status_code == 403
    assert consent.json["error"]["code"] == "graph_consent_required"


def test_a_graph_outage_is_a_503_and_makes_nothing(office: Office) -> None:
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    item_id = office.appointment(marco, sem)
    office.graph.fail_next(1, status=503, retry_after=3)
    answer = office.client.post("/api/outlook/talks", headers=as_marco, json={"item_id": item_id})
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert answer.json["error"]["code"] == "calendar_unavailable"
    assert office.svc.read(lambda s: s.query(Talk).count()) == 0


@pytest.mark.parametrize("case", sorted(SSO_CASES))
def test_the_sso_token_matrix_holds_for_the_task_panes_calls(office: Office, case: str) -> None:
    """The Teams tabs' token cases (tests/microsoft/test_teams_sso.py), sent by the Outlook
    task pane: only a right token gets in; any other is a 401 before the body is read or Graph
    is asked anything, and nothing is made."""
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    item_id = office.appointment(marco, sem)
    token = SSO_CASES[case](office.entra)
    if case == "valid":  # the matrix's own person; here: Marco, with his own mailbox
        token = as_marco["Authorization"].split(" ", 1)[1]
    office.graph.clear_requests()
    headers = {"Authorization": f"Bearer {token}"}
    calls = [
        ("/api/outlook/appointment", {"item_id": item_id}),
        ("/api/outlook/talks", {"item_id": item_id}),
    ]
    answers = [office.client.post(url, headers=headers, json=body) for url, body in calls]
    if case == "valid":
        assert [a.status_code for a in answers] == [200, 201], [a.json for a in answers]
        return
    for answer in answers:
        assert answer.status_code == 401, (case, answer.json)
        assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert office.graph.requests == []
    assert office.svc.read(lambda s: s.query(Talk).count()) == 0


def test_two_presses_at_once_make_one_talk(office: Office) -> None:
    """Both requests read the meeting, then write at the same moment: one makes the talk, the
    other gets it (on PostgreSQL the loser hits the unique index and runs again)."""
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    item_id = office.appointment(marco, sem)
    # The on-behalf-of token is fetched once first, so both presses go straight to Graph.
    office.client.post("/api/outlook/appointment", headers=as_marco, json={"item_id": item_id})
    holds = [
        office.graph.hold_next(lambda r: r.method == "GET" and r.path.startswith("/me/events/"))
        for _ in range(2)
    ]
    answers: list[Any] = []

    def press() -> None:
        client = https_client(office.app)
        answers.append(
            client.post("/api/outlook/talks", headers=as_marco, json={"item_id": item_id})
        )

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for hold in holds:
        assert hold.reached.wait(30), "a press never read the meeting"
    for hold in holds:
        hold.release()
    for thread in threads:
        thread.join(60)
    assert sorted(a.status_code for a in answers) == [200, 201], [a.json for a in answers]
    assert len({a.json["talk"]["id"] for a in answers}) == 1
    assert office.svc.read(lambda s: s.query(Talk).count()) == 1
