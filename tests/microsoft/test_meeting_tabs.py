"""Our tab in every talk's Teams meeting, put there by the worker once: for meetings the app
books (the follow-ups included), for appointments linked from Outlook, and for meetings
linked on the configuration page. Throttling, outages and a worker that dies between its
Graph calls never leave two tabs, nor none.

The worker is the outbox drained on the tests' clock; "killed" is a request whose answer never
arrives (before or after Graph acted on it): the job's lease runs out and it runs again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from plugin.domain.talk import Talk
from plugin.jobs.outbox import LEASE
from plugin.services import talks
from tests.microsoft.graph_fake import Recorded
from tests.microsoft.outlook_world import AMS, Office, graph_calls


def tab_post(r: Recorded) -> bool:
    return r.method == "POST" and r.path.endswith("/tabs")


def install(r: Recorded) -> bool:
    return r.method == "POST" and r.path.endswith("/installedApps")


def linked_talk(office: Office) -> tuple[Talk, str]:
    """A talk linked from Outlook, its mark written; the tab job still to run."""
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    item_id = office.appointment(marco, sem)
    made = office.client.post("/api/outlook/talks", headers=as_marco, json={"item_id": item_id})
    assert made.status_code == 201, made.json
    talk = office.talk(made.json["talk"]["id"])
    assert talk.meeting_chat_id is not None
    return talk, talk.meeting_chat_id


def run_worker_until_done(office: Office, rounds: int = 6) -> None:
    """Drain, and let leases and back-offs run out between rounds (the tests' clock)."""
    for _ in range(rounds):
        office.outbox.drain()
        if office.outbox.pending() == 0:
            return
        office.clock.advance(LEASE + timedelta(minutes=1))
    assert office.outbox.pending() == 0


def test_a_fresh_meeting_costs_two_requests_and_gets_one_tab(office: Office) -> None:
    _, chat_id = linked_talk(office)
    run_worker_until_done(office)  # mark, catalog (once per process), install, tab
    office.graph.clear_requests()
    second, second_chat = linked_talk_again(office)
    run_worker_until_done(office)
    calls = [r for r in graph_calls(office.graph) if "/chats/" in r.path]
    assert [(r.method, r.path) for r in calls] == [
        ("POST", f"/chats/{second_chat}/installedApps"),
        ("POST", f"/chats/{second_chat}/tabs"),
    ]
    assert len(office.graph.chat_tabs(chat_id)) == 1
    assert len(office.graph.chat_tabs(second_chat)) == 1
    assert office.talk(second.id).tab_chat_id == second_chat


def linked_talk_again(office: Office) -> tuple[Talk, str]:
    """A second appointment of the same organiser, made a talk."""
    marco, sem = "marco@contoso.example", "sem@contoso.example"
    as_marco = office.headers["Marco"]
    start = datetime(2027, 3, 16, 10, 0, tzinfo=AMS)
    event = office.graph.add_event(
        marco, "Tweede", start, start + timedelta(minutes=45), attendees=[sem], online_meeting=True
    )
    item_id = office.graph.ews_id(marco, event["id"])
    made = office.client.post("/api/outlook/talks", headers=as_marco, json={"item_id": item_id})
    assert made.status_code == 201, made.json
    talk = office.talk(made.json["talk"]["id"])
    assert talk.meeting_chat_id is not None
    return talk, talk.meeting_chat_id


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_and_outages_are_waited_out(office: Office, status: int) -> None:
    talk, chat_id = linked_talk(office)
    office.graph.fail_next(2, status=status, retry_after=30, match=install)
    office.graph.fail_next(1, status=status, retry_after=30, match=tab_post)
    run_worker_until_done(office)
    assert office.graph.chat_apps(chat_id) == [office.catalog_id]
    [tab] = office.graph.chat_tabs(chat_id)
    assert tab["configuration"]["entityId"] == talk.id
    assert office.talk(talk.id).tab_chat_id == chat_id


def test_a_worker_killed_between_install_and_tab_still_pins_one_tab(office: Office) -> None:
    talk, chat_id = linked_talk(office)
    # The tab request never reaches Graph: as if the worker died right after installing.
    office.graph.drop_next(1, match=tab_post)
    run_worker_until_done(office)
    assert office.graph.chat_apps(chat_id) == [office.catalog_id]
    assert len(office.graph.chat_tabs(chat_id)) == 1
    assert office.talk(talk.id).tab_chat_id == chat_id


def test_a_worker_killed_after_pinning_does_not_pin_twice(office: Office) -> None:
    talk, chat_id = linked_talk(office)
    # Graph pins the tab, but the answer is lost: the job runs again from the start.
    office.graph.drop_next(1, after_processing=True, match=tab_post)
    run_worker_until_done(office)
    assert len(office.graph.chat_tabs(chat_id)) == 1
    # The second run: the app is there (409), and so is our tab, so nothing is posted.
    retry = [(r.method, r.status) for r in graph_calls(office.graph) if "/chats/" in r.path]
    assert retry[-2:] == [("POST", 409), ("GET", 200)]
    assert office.talk(talk.id).tab_chat_id == chat_id


def test_a_tab_already_there_counts_as_done(office: Office) -> None:
    talk, chat_id = linked_talk(office)
    office.outbox.drain()  # everything, once
    assert len(office.graph.chat_tabs(chat_id)) == 1
    # The lead links the meeting again on the configuration page: the tab is there.
    as_marco = office.headers["Marco"]
    version = office.client.get(f"/api/talks/{talk.id}", headers=as_marco).json["version"]
    office.svc.write(lambda s: setattr(s.get(Talk, talk.id), "tab_chat_id", None))
    relinked = office.client.put(
        f"/api/talks/{talk.id}/meeting",
        headers=as_marco,
        json={"chat_id": chat_id, "version": version + 1},
    )
    assert relinked.status_code == 200, relinked.json
    run_worker_until_done(office)
    assert len(office.graph.chat_tabs(chat_id)) == 1


def test_without_permission_the_talk_goes_on_without_a_tab(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    office.entra.app_roles = ["Calendars.ReadWrite", "AppCatalog.Read.All"]
    talk, chat_id = linked_talk(office)
    run_worker_until_done(office)
    assert office.graph.chat_tabs(chat_id) == []
    assert office.talk(talk.id).tab_chat_id is None
    assert office.talk(talk.id).status.value == "planned"
    # What the admin reads in the worker's log: the call and Graph's answer, no content.
    assert any("no tab was pinned" in r.getMessage() for r in caplog.records)
    assert any("install app: Graph answered 403" in r.getMessage() for r in caplog.records)


def test_talks_the_app_books_get_the_tab_and_keep_it_when_moved(office: Office) -> None:
    marco, _ = office.person("Marco")
    sem, _ = office.person("Sem")
    lead = office.person_record(marco)
    learner = office.person_record(sem)
    talk = office.svc.write(
        lambda s: talks.plan_talk(
            office.svc,
            s,
            lead,
            learner_id=learner.id,
            starts_at=datetime(2027, 3, 10, 9, 0, tzinfo=AMS),
            duration_minutes=45,
            title=None,
            goals=[],
            own_goal="",
        )
    )
    run_worker_until_done(office)
    booked = office.talk(talk.id)
    assert booked.meeting_chat_id and booked.tab_chat_id == booked.meeting_chat_id
    assert len(office.graph.chat_tabs(booked.meeting_chat_id)) == 1
    office.graph.clear_requests()
    office.svc.write(
        lambda s: talks.update_talk(
            office.svc,
            s,
            lead,
            talk.id,
            expected_version=booked.version,
            starts_at=datetime(2027, 3, 11, 9, 0, tzinfo=AMS),
        )
    )
    run_worker_until_done(office)
    assert not [r for r in graph_calls(office.graph) if "/chats/" in r.path]
    assert len(office.graph.chat_tabs(booked.meeting_chat_id)) == 1
