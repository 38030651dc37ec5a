"""The `manager` rule (Microsoft mode): the learner's Entra manager leads them, read with
`GET /users/{id}/manager` through msgraph-sdk against the Graph fake, kept briefly per learner."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.services import lead_rule
from plugin.services.context import Services
from plugin.settings import Settings
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client
from tests.microsoft.graph_fake import GraphFake
from tests.support.tables import snapshot


def app_token(entra: EntraFake, http: httpx.Client) -> str:
    answer = http.post(
        f"{entra.authority_host}/{entra.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": entra.client_id,
            "client_secret": entra.client_secret,
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@pytest.fixture
def http(entra: EntraFake) -> Iterator[httpx.Client]:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(entra.ca_path))) as client:
        yield client


def test_the_fake_answers_the_manager_as_graph_does(entra, graph: GraphFake, http):
    graph.add_mailbox("marco@contoso.example", display_name="Marco de Vries", oid="oid-marco")
    graph.add_mailbox("sem@contoso.example", display_name="Sem Bakker", oid="oid-sem")
    graph.set_manager("sem@contoso.example", "marco@contoso.example")

    def get(path: str, token: str, **params: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return http.get(f"{graph.base_url}{path}", headers=headers, params=params)

    denied = get("/users/oid-sem/manager", app_token(entra, http))
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "Authorization_RequestDenied"

    entra.app_roles = ["Calendars.ReadWrite", "User.Read.All"]
    token = app_token(entra, http)
    whole = get("/users/oid-sem/manager", token)
    assert whole.status_code == 200, whole.text
    assert whole.json() == {
        "@odata.context": f"{graph.base_url}/$metadata#directoryObjects/$entity",
        "@odata.type": "#microsoft.graph.user",
        "id": "oid-marco",
        "displayName": "Marco de Vries",
        "mail": "marco@contoso.example",
        "userPrincipalName": "marco@contoso.example",
    }
    only_id = get("/users/sem@contoso.example/manager", token, **{"$select": "id"})
    assert only_id.json() == {
        "@odata.context": f"{graph.base_url}/$metadata#directoryObjects(id)/$entity",
        "@odata.type": "#microsoft.graph.user",
        "id": "oid-marco",
    }
    nobody = get("/users/oid-marco/manager", token)
    assert nobody.status_code == 404
    error = nobody.json()["error"]
    assert error["code"] == "Request_ResourceNotFound"
    assert error["message"].startswith("Resource 'manager' does not exist")


@pytest.fixture
def org(
    ms_services: Services, ms_settings: Settings, entra: EntraFake, graph: GraphFake
) -> dict[str, Person]:
    """Marco, praktijkopleider and Sem's manager; Sem, intern; Lisa, a colleague. The app may
    read managers (User.Read.All), and the rule is `manager`."""
    entra.app_roles = ["Calendars.ReadWrite", "User.Read.All"]
    people = {}
    for key, name in (("marco", "Marco de Vries"), ("sem", "Sem Bakker"), ("lisa", "Lisa Jansen")):
        address = f"{key}@contoso.example"
        graph.add_mailbox(address, display_name=name, oid=f"oid-{key}")
        person = Person(
            id=ms_services.new_id(),
            tenant_id=entra.tenant_id,
            object_id=f"oid-{key}",
            display_name=name,
            email=address,
        )
        ms_services.write(lambda s, p=person: s.add(p))
        people[key] = person
    graph.set_manager("sem@contoso.example", "marco@contoso.example")
    rules = lead_rule.install(
        ms_services,
        ms_settings.model_copy(update={"lead_rule": "manager"}),
        ms_services.graph,  # type: ignore[arg-type]
    )
    assert rules.managers is not None
    return people


def plan(client: Any, entra: EntraFake, clock: FixedClock, lead: Person, learner: Person) -> Any:
    return client.post(
        "/api/talks",
        headers=bearer(entra, clock, lead.object_id),
        json={
            "learner_id": learner.id,
            "starts_at": (clock.now() + timedelta(days=1)).isoformat(),
            "duration_minutes": 45,
        },
    )


def manager_reads(graph: GraphFake) -> list[str]:
    return [r.path for r in graph.requests if r.path.endswith("/manager")]


def test_the_manager_leads_and_nobody_else(
    ms_app, ms_services: Services, org, entra, graph: GraphFake, clock: FixedClock
):
    client = https_client(ms_app)
    marco, sem, lisa = org["marco"], org["sem"], org["lisa"]
    assert plan(client, entra, clock, marco, sem).status_code == 201
    client.get("/api/me", headers=bearer(entra, clock, lisa.object_id))  # her first sign-in
    before = snapshot(ms_services)
    refused = plan(client, entra, clock, lisa, sem)
    assert refused.status_code == 422, refused.json
    assert (refused.json["error"]["field"], refused.json["error"]["code"]) == (
        "learner_id",
        "not_your_learner",
    )
    assert "Sem" in refused.json["error"]["message"]
    assert snapshot(ms_services) == before
    # Sem's manager was read once, then believed for a while.
    assert manager_reads(graph) == ["/users/oid-sem/manager"]
    clock.advance(lead_rule.MANAGER_TTL + timedelta(seconds=1))
    assert plan(client, entra, clock, marco, sem).status_code == 201
    assert len(manager_reads(graph)) == 2

    mine = client.get("/api/people?may_lead=1", headers=bearer(entra, clock, marco.object_id))
    assert ([p["id"] for p in mine.json["people"]], mine.json["restricted"]) == ([sem.id], True)


def test_an_intern_cannot_plan_a_talk_with_their_praktijkopleider_under_the_manager_rule(
    ms_app, ms_services: Services, org, entra, clock: FixedClock
):
    client = https_client(ms_app)
    client.get("/api/me", headers=bearer(entra, clock, org["sem"].object_id))  # first sign-in
    before = snapshot(ms_services)
    refused = plan(client, entra, clock, org["sem"], org["marco"])  # Marco has no manager
    assert refused.status_code == 422, refused.json
    assert refused.json["error"]["field"] == "learner_id"
    assert "Marco" in refused.json["error"]["message"]
    assert snapshot(ms_services) == before


def test_without_the_permission_planning_waits_and_saves_nothing(
    ms_app, ms_services: Services, org, entra, graph: GraphFake, clock: FixedClock
):
    entra.app_roles = ["Calendars.ReadWrite"]  # User.Read.All not granted
    client = https_client(ms_app)
    client.get("/api/me", headers=bearer(entra, clock, org["marco"].object_id))
    before = snapshot(ms_services)
    answer = plan(client, entra, clock, org["marco"], org["sem"])
    assert answer.status_code == 503, answer.json
    assert answer.json["error"]["code"] == "calendar_unavailable"
    assert answer.headers["Retry-After"]
    assert snapshot(ms_services) == before
