"""Under the `manager` rule, Graph is asked for the learner's manager with no write
transaction open, on every way of planning: on SQLite a write transaction holds the one write
lock, and every other writer would wait on the network. The Graph fake notes, for each manager
request, whether one of the app's write transactions was open at that moment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from plugin.domain.meeting import chat_id_from_join_url
from plugin.services import lead_rule
from plugin.settings import Settings
from tests.microsoft.outlook_world import Office
from tests.microsoft.test_series_sync import Series
from tests.support.tables import snapshot


@dataclass
class Writes:
    """How many write transactions are open now, and for each manager request whether one was."""

    open: int = 0
    manager_reads: list[bool] = field(default_factory=list)

    def during_writes(self) -> int:
        return sum(self.manager_reads)


@pytest.fixture
def writes(office: Office, ms_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Writes:
    """The `manager` rule in force (the app may read managers), and the writes watched."""
    office.entra.app_roles = [*office.entra.app_roles, "User.Read.All"]
    lead_rule.install(
        office.svc,
        ms_settings.model_copy(update={"lead_rule": "manager"}),
        office.svc.graph,  # type: ignore[arg-type]
    )
    seen = Writes()
    original = office.svc.db.writing

    @contextmanager
    def writing(**kw: Any) -> Iterator[Any]:
        seen.open += 1  # from before BEGIN until after COMMIT or ROLLBACK
        try:
            with original(**kw) as session:
                yield session
        finally:
            seen.open -= 1

    monkeypatch.setattr(office.svc.db, "writing", writing)

    def probe(request: Any) -> bool:
        # Called by the fake for every request it gets, on its own thread, while the app's
        # thread waits for the answer: `open` is the app's state at that moment.
        if request.path.endswith("/manager"):
            seen.manager_reads.append(seen.open > 0)
        return False  # never a fault: only a look

    office.graph.slow_next(1, 0.0, match=probe)
    return seen


def sem_led_by_marco(office: Office) -> tuple[str, dict[str, str], str, dict[str, str]]:
    marco, as_marco = office.person("Marco")
    sem, as_sem = office.person("Sem")
    office.graph.set_manager(sem, marco)
    return marco, as_marco, sem, as_sem


def test_from_outlook_the_manager_is_read_before_the_transaction(
    office: Office,
    writes: Writes,
) -> None:
    marco, as_marco, sem, _ = sem_led_by_marco(office)
    lisa, as_lisa = office.person("Lisa")
    item_id = office.appointment(marco, sem)
    made = office.client.post("/api/outlook/talks", headers=as_marco, json={"item_id": item_id})
    assert made.status_code == 201, made.json
    assert writes.manager_reads and writes.during_writes() == 0

    # Lisa is not Sem's manager: refused by name, nothing saved, and no read inside either.
    theirs = office.appointment(lisa, sem)
    before = snapshot(office.svc)
    refused = office.client.post("/api/outlook/talks", headers=as_lisa, json={"item_id": theirs})
    assert refused.status_code == 422, refused.json
    assert (refused.json["error"]["code"], refused.json["error"]["field"]) == (
        "not_your_learner",
        "learner_id",
    )
    assert snapshot(office.svc) == before
    assert writes.during_writes() == 0


def test_a_manager_graph_cannot_name_is_a_503_with_nothing_saved(
    office: Office,
    writes: Writes,
) -> None:
    marco, as_marco, sem, _ = sem_led_by_marco(office)
    item_id = office.appointment(marco, sem)
    office.graph.fail_next(5, status=503, match=lambda r: r.path.endswith("/manager"))
    before = snapshot(office.svc)
    answer = office.client.post("/api/outlook/talks", headers=as_marco, json={"item_id": item_id})
    assert answer.status_code == 503, answer.json
    assert answer.json["error"]["code"] == "calendar_unavailable"
    assert snapshot(office.svc) == before
    assert writes.during_writes() == 0


def test_from_an_invite_the_manager_is_read_before_the_transaction(
    office: Office,
    writes: Writes,
) -> None:
    marco, as_marco, sem, _ = sem_led_by_marco(office)
    start = office.clock.now() + timedelta(days=3)
    ics = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//tests//EN",
            "METHOD:REQUEST",
            "BEGIN:VEVENT",
            "UID:invite-1@tests.example",
            "SEQUENCE:0",
            f"DTSTAMP:{office.clock.now():%Y%m%dT%H%M%SZ}",
            f"DTSTART:{start:%Y%m%dT%H%M00Z}",
            f"DTEND:{start + timedelta(minutes=45):%Y%m%dT%H%M00Z}",
            "SUMMARY:Gesprek met Sem",
            f"ORGANIZER;CN=Marco:mailto:{marco}",
            f"ATTENDEE;CN=Sem:mailto:{sem}",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    made = office.client.post("/api/talks/from-invite", headers=as_marco, json={"ics": ics})
    assert made.status_code == 201, made.json
    assert writes.manager_reads and writes.during_writes() == 0


def test_from_a_meeting_tab_the_series_manager_is_read_before_the_transaction(
    weekly: Series, writes: Writes
) -> None:
    office = weekly.office
    office.graph.set_manager(weekly.sem, weekly.marco)
    [master] = [e for e in office.graph.events(weekly.marco) if e["id"] == weekly.master]
    chat = chat_id_from_join_url(master["onlineMeeting"]["joinUrl"])
    made = office.client.post(f"/api/meetings/{chat}/series", headers=weekly.as_marco, json={})
    assert made.status_code == 201, made.json
    assert writes.manager_reads and writes.during_writes() == 0


def test_a_recurring_outlook_meeting_reads_the_manager_before_the_transaction(
    weekly: Series, writes: Writes
) -> None:
    weekly.office.graph.set_manager(weekly.sem, weekly.marco)
    weekly.make()
    assert writes.manager_reads and writes.during_writes() == 0


def test_from_the_plan_page_the_manager_is_read_before_the_transaction(
    office: Office,
    writes: Writes,
) -> None:
    _marco, as_marco, sem, _ = sem_led_by_marco(office)
    learner = office.person_record(sem)
    made = office.client.post(
        "/api/talks",
        headers=as_marco,
        json={
            "learner_id": learner.id,
            "starts_at": (office.clock.now() + timedelta(days=2)).isoformat(),
        },
    )
    assert made.status_code == 201, made.json
    assert writes.manager_reads and writes.during_writes() == 0
