"""What an organisation plans with: the installation's types with its admin's over them, only
in its own tenant, seen at once by every process; and a talk planned before any change keeps
its own version (goals, invite, pages, jobs) when its type is replaced, removed or hidden."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from plugin.bootstrap import build_services
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.services import talk_types
from plugin.services import tenant_talk_types as admin_types
from plugin.services.context import Services
from plugin.settings import Settings
from plugin.store.working_tables import outbox_jobs
from tests.conftest import BASE_URL, ApiClient
from tests.talk_types_admin.conftest import OTHER_TENANT, offered, type_file, upload

BUILT_INS = ["ontwikkelgesprek", "voortgangsgesprek-bpv", "pop-gesprek", "inwerkgesprek"]


@pytest.fixture
def second_process(settings: Settings, clock: FixedClock) -> Iterator[Services]:
    """Another worker process's services on the same database."""
    svc, _outbox = build_services(settings, base_url=BASE_URL, clock=clock, migrate_schema=False)
    yield svc
    svc.db.dispose()


def ids(svc: Services, tenant_id: str) -> list[str]:
    return [t.id for t in svc.read(lambda s: talk_types.offered(svc, s, tenant_id)).types]


def test_a_tenants_upload_is_not_offered_in_another(
    hanna: ApiClient, olga: ApiClient, marco: ApiClient, services: Services, lead: Person
) -> None:
    assert upload(olga, "exitgesprek", type_file("exitgesprek")).status_code == 200
    hidden = olga.put(
        "/api/admin/talk-types/pop-gesprek/hidden", json={"version": 0, "hidden": True}
    )
    assert hidden.status_code == 200, hidden.json
    assert ids(services, OTHER_TENANT) == [
        "ontwikkelgesprek",
        "voortgangsgesprek-bpv",
        "inwerkgesprek",
        "exitgesprek",
    ]
    assert offered(olga) == ids(services, OTHER_TENANT)
    # Hanna's organisation sees none of it: not offered, not listed, not downloadable.
    assert offered(marco) == BUILT_INS
    assert ids(services, lead.tenant_id) == BUILT_INS
    assert [t["id"] for t in hanna.get("/api/admin/talk-types").json["types"]] == BUILT_INS
    assert hanna.get("/api/admin/talk-types/exitgesprek").status_code == 404
    # Nor can she change Olga's: to her it is a type that does not exist.
    assert hanna.delete("/api/admin/talk-types/exitgesprek?version=1").status_code == 404


def test_a_change_is_seen_at_once_by_another_process(
    hanna: ApiClient, services: Services, second_process: Services, lead: Person
) -> None:
    assert ids(second_process, lead.tenant_id) == BUILT_INS  # read (and parsed) once before
    upload(hanna, "exitgesprek", type_file("exitgesprek"))
    assert ids(second_process, lead.tenant_id) == [*BUILT_INS, "exitgesprek"]
    hanna.delete("/api/admin/talk-types/exitgesprek?version=1")
    hanna.put("/api/admin/talk-types/pop-gesprek/hidden", json={"version": 0, "hidden": True})
    assert ids(second_process, lead.tenant_id) == [
        "ontwikkelgesprek",
        "voortgangsgesprek-bpv",
        "inwerkgesprek",
    ]


def _plan(client: ApiClient, learner: Person, services: Services, kind: str, goal: str) -> str:
    answer = client.post(
        "/api/talks",
        json={
            "learner_id": learner.id,
            "starts_at": (services.clock.now() + timedelta(days=2)).isoformat(),
            "goals": [goal],
            "type": kind,
        },
    )
    assert answer.status_code == 201, answer.json
    talk_id: str = answer.json["id"]
    return talk_id


def _goal_texts(client: ApiClient, talk_id: str) -> list[str]:
    answer = client.get(f"/api/talks/{talk_id}/preparation")
    assert answer.status_code == 200, answer.json
    return [i["text"] for i in answer.json["checklist"]["sections"][0]["items"]]


def _invite(client: ApiClient, talk_id: str) -> str:
    answer = client.get(f"/api/talks/{talk_id}/event.ics")
    assert answer.status_code == 200
    (event,) = Calendar.from_ical(answer.data).walk("VEVENT")
    return str(event["DESCRIPTION"])


def _stuck_jobs(services: Services) -> list[Any]:
    with services.db.engine.connect() as connection:
        return list(
            connection.execute(
                select(outbox_jobs.c.kind, outbox_jobs.c.last_error).where(
                    outbox_jobs.c.status != "done"
                )
            )
        )


def _whole(client: ApiClient, talk_id: str, goal: str, services: Services) -> None:
    """The talk as planned: its goals, its invite, its pages, its jobs."""
    assert goal in _goal_texts(client, talk_id)
    assert goal in _invite(client, talk_id)
    for url in (
        f"/api/talks/{talk_id}",
        f"/api/talks/{talk_id}/form",
        f"/talks/{talk_id}/prepare",
        f"/talks/{talk_id}/panel",
        f"/talks/{talk_id}/form",
    ):
        assert client.get(url).status_code == 200, url
    # A change runs the calendar job again, with the talk's own checklist.
    moved = client.patch(
        f"/api/talks/{talk_id}", json={"version": client.talk(talk_id)["version"], "title": "Nu"}
    )
    assert moved.status_code == 200, moved.json
    assert _stuck_jobs(services) == []


def test_replacing_and_removing_a_type_leaves_a_planned_talk_as_it_was(
    hanna: ApiClient,
    client_for: Any,
    services: Services,
    lead: Person,
    learner: Person,
) -> None:
    marco = client_for(lead)
    assert upload(hanna, "exitgesprek", type_file("exitgesprek", "Eerste doel")).status_code == 200
    old = _plan(marco, learner, services, "exitgesprek", "goals.learn")
    assert "Eerste doel" in _goal_texts(marco, old)

    replaced = upload(hanna, "exitgesprek", type_file("exitgesprek", "Tweede doel"), version=1)
    assert replaced.status_code == 200, replaced.json
    _whole(marco, old, "Eerste doel", services)
    assert "Tweede doel" not in _goal_texts(marco, old)
    new = _plan(marco, learner, services, "exitgesprek", "goals.learn")
    assert "Tweede doel" in _goal_texts(marco, new)

    assert hanna.delete("/api/admin/talk-types/exitgesprek?version=2").status_code == 200
    assert "exitgesprek" not in offered(marco)
    _whole(marco, old, "Eerste doel", services)
    _whole(marco, new, "Tweede doel", services)
    refused = marco.post(
        "/api/talks",
        json={
            "learner_id": learner.id,
            "starts_at": (services.clock.now() + timedelta(days=3)).isoformat(),
            "type": "exitgesprek",
        },
    )
    assert refused.status_code == 422 and refused.json["error"]["field"] == "type"


def test_a_replaced_or_hidden_built_in_leaves_its_talks_as_they_were(
    hanna: ApiClient, client_for: Any, services: Services, lead: Person, learner: Person
) -> None:
    marco = client_for(lead)
    talk = _plan(marco, learner, services, "pop-gesprek", "goals.behaviour")
    before = _goal_texts(marco, talk)
    upload(hanna, "pop-gesprek", type_file("pop-gesprek", "Ander POP-doel"))
    assert _goal_texts(marco, talk) == before
    hidden = hanna.put(
        "/api/admin/talk-types/pop-gesprek/hidden", json={"version": 1, "hidden": True}
    )
    assert hidden.status_code == 200, hidden.json
    assert "pop-gesprek" not in offered(marco)
    _whole(marco, talk, before[0], services)


def test_the_default_type_is_always_offered(services: Services, lead: Person) -> None:
    # Even a row that says hidden (written by hand, say) cannot take the default away.
    from plugin.store import talk_types as store

    services.write(
        lambda s: store.save_tenant_type(
            s,
            lead.tenant_id,
            "ontwikkelgesprek",
            based_on=0,
            content_hash=None,
            hidden=True,
            changed_by=lead.id,
            now=services.clock.now(),
        )
    )
    assert ids(services, lead.tenant_id) == BUILT_INS
    with pytest.raises(admin_types.TypeRefused):
        services.write(
            lambda s: admin_types.set_hidden(
                services, s, lead, "ontwikkelgesprek", version=1, hidden=True, lang="nl"
            )
        )
