"""The tenant as the Outlook add-in and the worker meet it: people with mailboxes who sign in
with SSO tokens, appointments they make in Outlook, and our Teams app in the org catalog.
Shared by the tests of the add-in's API and of the meeting tab."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.jobs.outbox import Outbox
from plugin.services.context import Services
from plugin.store import repo
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client
from tests.microsoft.graph_fake import GraphFake, Recorded

AMS = ZoneInfo("Europe/Amsterdam")
#: What the worker's app token may do: the calendar, and our tab in meeting chats.
APP_ROLES = [
    "Calendars.ReadWrite",
    "AppCatalog.Read.All",
    "TeamsAppInstallation.ReadWriteSelfForChat.All",
    "TeamsTab.ReadWriteSelfForChat.All",
]


@dataclass
class Office:
    """The tenant as the add-in meets it: people with mailboxes, signed in by SSO tokens."""

    app: Flask
    client: FlaskClient
    svc: Services
    outbox: Outbox
    graph: GraphFake
    entra: EntraFake
    clock: FixedClock
    catalog_id: str
    #: Bearer headers of everyone made by `person`, by name.
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def person(self, name: str) -> tuple[str, dict[str, str]]:
        """A colleague with a mailbox who opened the app once: (address, bearer headers)."""
        address = f"{name.lower()}@contoso.example"
        oid = f"oid-{name.lower()}"
        self.graph.add_mailbox(address, display_name=name, oid=oid)
        headers = bearer(
            self.entra,
            self.clock,
            oid,
            name=name,
            extra={"preferred_username": address},
        )
        assert self.client.get("/api/me", headers=headers).status_code == 200
        self.headers[name] = headers
        return address, headers

    def person_record(self, address: str) -> Person:
        found = self.svc.read(lambda s: repo.people_by_email(s, self.entra.tenant_id, [address]))
        return found[address]

    def appointment(self, organiser: str, *attendees: str, subject: str = "Gesprek") -> str:
        """A Teams meeting the organiser made in Outlook, next Tuesday: its EWS id."""
        start = datetime(2027, 3, 9, 10, 0, tzinfo=AMS)
        event = self.graph.add_event(
            organiser,
            subject,
            start,
            start + timedelta(minutes=45),
            attendees=list(attendees),
            online_meeting=True,
            body="<p>Mijn eigen tekst</p>",
        )
        return self.graph.ews_id(organiser, event["id"])

    def stored(self, address: str) -> dict[str, Any]:
        [event] = [e for e in self.graph.events(address) if e["isOrganizer"]]
        return event

    def talk(self, talk_id: str) -> Talk:
        found = self.svc.read(lambda s: s.get(Talk, talk_id))
        assert found is not None
        return found


@pytest.fixture
def office(
    ms_app: Flask,
    ms_services: Services,
    ms_outbox: Outbox,
    graph: GraphFake,
    entra: EntraFake,
    clock: FixedClock,
) -> Office:
    entra.app_roles = list(APP_ROLES)
    entra.clock = lambda: clock.now().timestamp()  # on-behalf-of checks assertions on it
    teams_app_id = ms_services.links.teams_app_id
    assert teams_app_id is not None
    catalog_id = graph.add_catalog_app(teams_app_id, client_id=entra.client_id)
    return Office(
        ms_app, https_client(ms_app), ms_services, ms_outbox, graph, entra, clock, catalog_id
    )


def graph_calls(graph: GraphFake) -> list[Recorded]:
    return [r for r in graph.requests if r.status]
