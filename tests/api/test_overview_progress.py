"""The overview's agreements show how each goes (stuck, its progress history), as both see it,
read in one query for all listed agreements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from plugin.services.context import Services
from tests.api.test_form_integrity import sign_a_talk


@pytest.fixture
def agreement(marco, sem, make_talk, lead, learner, clock) -> dict[str, Any]:
    """Sem's agreement of a signed talk with Marco, two days on."""
    talk_id = sign_a_talk(marco, sem, make_talk, lead, learner, clock)
    clock.set(clock.now() + timedelta(days=2))
    [found] = marco.talk(talk_id)["agreements"]
    return found


def listed(client: Any, part: str, agreement_id: str) -> dict[str, Any]:
    overview = client.get("/api/overview")
    assert overview.status_code == 200, overview.json
    [item] = [i for i in overview.json["open_agreements"][part] if i["id"] == agreement_id]
    return item


def test_stuck_shows_for_both_with_its_history(marco, sem, agreement) -> None:
    before = listed(sem, "mine", agreement["id"])
    assert before["stuck"] is False and before["progress"] == []
    stuck = sem.post(
        f"/api/agreements/{agreement['id']}/progress",
        json={"version": agreement["version"], "kind": "stuck", "note": "Cursus zit vol"},
    )
    assert stuck.status_code == 200, stuck.json
    for client, part in ((sem, "mine"), (marco, "my_learners")):
        item = listed(client, part, agreement["id"])
        assert item["stuck"] is True
        assert [(e["kind"], e["note"]) for e in item["progress"]] == [("stuck", "Cursus zit vol")]
        # What a client needs to record the next step from the overview.
        assert item["version"] == stuck.json["version"]


def test_a_note_keeps_it_running_and_done_takes_it_off(marco, sem, agreement) -> None:
    url = f"/api/agreements/{agreement['id']}/progress"
    noted = marco.post(
        url, json={"version": agreement["version"], "kind": "note", "note": "Hoe gaat het?"}
    )
    assert noted.status_code == 200, noted.json
    item = listed(sem, "mine", agreement["id"])
    assert item["stuck"] is False and [e["kind"] for e in item["progress"]] == ["note"]
    done = sem.post(url, json={"version": noted.json["version"], "kind": "done"})
    assert done.status_code == 200, done.json
    assert all(
        i["id"] != agreement["id"] for i in sem.get("/api/overview").json["open_agreements"]["mine"]
    )


@pytest.fixture
def statements(services: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(services.db.engine, "before_cursor_execute", record)


def test_the_histories_are_one_read_for_all_agreements(
    marco, sem, agreement, make_talk, lead, learner, clock, statements
) -> None:
    # A second signed talk: more agreements listed, still one read of the histories.
    sign_a_talk(marco, sem, make_talk, lead, learner, clock)
    statements.clear()
    overview = marco.get("/api/overview").json
    assert len(overview["open_agreements"]["my_learners"]) == 2
    reads = [s for s in statements if "FROM agreement_progress" in s]
    assert len(reads) == 1, reads
