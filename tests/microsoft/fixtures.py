"""Fixtures for Microsoft mode: the Entra ID and Graph fakes, and the app wired to them.

Imported by the conftest.py of each test folder that needs them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from plugin.bootstrap import build_services, sso_validator
from plugin.calendar.graph_client import GraphOptions
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.jobs.outbox import Outbox
from plugin.services.context import Services
from plugin.settings import Settings
from plugin.web.app import ClosingTestClient, create_app
from plugin.web.context import STAMPS
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.graph_fake import GraphFake

BASE_URL = "https://og.example.test"

#: No retries inside the SDK: they sleep on the wall clock. The outbox retries instead, on the
#: tests' clock. (Tests of the SDK's own retries set their own options.)
TEST_GRAPH_OPTIONS = GraphOptions(
    request_timeout=10.0, call_timeout=30.0, max_retries=0, retry_delay=0.0
)


@pytest.fixture
def entra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EntraFake]:
    """A fresh Entra ID fake per test (its own CA, tenant, client id and secret)."""
    fake = EntraFake(Path(tmp_path_factory.mktemp("entra"))).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def graph(entra: EntraFake) -> Iterator[GraphFake]:
    """A Graph fake trusting the Entra fake's tokens, on the same throwaway CA."""
    fake = GraphFake(entra).start()
    try:
        yield fake
    finally:
        fake.stop()


def microsoft_settings(
    tmp_path: Path, database_url: str, entra: EntraFake, graph: GraphFake
) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough",  # type: ignore[arg-type]
        tenant_id=entra.tenant_id,
        client_id=entra.client_id,
        client_secret=entra.client_secret,  # type: ignore[arg-type]
        authority_host=entra.authority_host,
        graph_url=graph.base_url,
        ca_bundle=entra.ca_path,
        public_url=BASE_URL,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def ms_settings(tmp_path: Path, db_url: str, entra: EntraFake, graph: GraphFake) -> Settings:
    return microsoft_settings(tmp_path, db_url, entra, graph)


@pytest.fixture
def ms_wired(ms_settings: Settings, clock: FixedClock) -> Iterator[tuple[Services, Outbox]]:
    """The app in Microsoft mode against the fakes (no inline drain: run `ms_outbox.drain()`)."""
    svc, outbox = build_services(
        ms_settings,
        base_url=BASE_URL,
        clock=clock,
        migrate_schema=False,
        graph_options=TEST_GRAPH_OPTIONS,
    )
    yield svc, outbox
    if svc.graph is not None:
        svc.graph.close()
    svc.db.dispose()


@pytest.fixture
def ms_services(ms_wired: tuple[Services, Outbox]) -> Services:
    return ms_wired[0]


@pytest.fixture
def ms_outbox(ms_wired: tuple[Services, Outbox]) -> Outbox:
    return ms_wired[1]


def mailbox_person(
    svc: Services, graph: GraphFake, entra: EntraFake, name: str, address: str
) -> Person:
    """A person of the Entra fake's tenant, with a mailbox at the Graph fake."""
    graph.add_mailbox(address, display_name=name)
    someone = Person(
        id=svc.new_id(),
        tenant_id=entra.tenant_id,
        object_id=f"oid-{address}",
        display_name=name,
        email=address,
    )
    svc.write(lambda s: s.add(someone))
    return someone


_mailboxes = itertools.count(1)


@pytest.fixture
def mailbox_people(
    ms_services: Services, graph: GraphFake, entra: EntraFake
) -> Callable[[str], Person]:
    """``mailbox_people(name)``: a new person of the tenant with a mailbox of their own."""

    def make(name: str) -> Person:
        address = f"{name.lower()}{next(_mailboxes)}@contoso.example"
        return mailbox_person(ms_services, graph, entra, name, address)

    return make


# -- the app in Microsoft mode, and requests to it ---------------------------------------------


@pytest.fixture
def ms_app(ms_services: Services, ms_settings: Settings, clock: FixedClock) -> Iterator[Flask]:
    app = create_app(ms_services, mode="microsoft", sso=sso_validator(ms_settings, clock))
    app.testing = True
    yield app
    app.extensions[STAMPS].stop()


class HttpsClient(ClosingTestClient):
    """Requests over https, as Microsoft mode requires; each response closed as a server
    closes it (what a write shares with the live panels runs then)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", "https://og.example.test")
        return super().open(*args, **kwargs)


def https_client(app: Flask) -> FlaskClient:
    return HttpsClient(app, app.response_class, use_cookies=True)


def bearer(entra: EntraFake, clock: FixedClock, oid: str, **kw: object) -> dict[str, str]:
    token = entra.user_assertion(oid, issued_at=int(clock.now().timestamp()), **kw)  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


def plan_over_api(
    client: FlaskClient,
    lead: dict[str, str],
    learner: dict[str, str],
    starts_at: datetime,
    **extra: object,
) -> dict[str, Any]:
    """Plan a talk over the API as `lead` with `learner` (their bearer headers): its detail."""
    learner_id = client.get("/api/me", headers=learner).json["id"]  # type: ignore[index]
    answer = client.post(
        "/api/talks",
        headers=lead,
        json={"learner_id": learner_id, "starts_at": starts_at.isoformat(), **extra},
    )
    assert answer.status_code == 201, answer.json
    detail: dict[str, Any] = answer.json  # type: ignore[assignment]
    return detail


def talk_version(client: FlaskClient, who: dict[str, str], talk_id: str) -> int:
    """The talk's `version` as `who` (bearer headers) reads it now: what a write of the talk
    as a whole names as the state it is based on."""
    answer = client.get(f"/api/talks/{talk_id}", headers=who)
    assert answer.status_code == 200, answer.json
    version: int = answer.json["version"]  # type: ignore[index]
    return version


def sign_over_api(client: FlaskClient, who: dict[str, str], talk_id: str) -> Any:
    """`POST …/sign` as `who` (bearer headers), naming the form as `who` reads it now (its
    `form_hash`): the answer."""
    shown = client.get(f"/api/talks/{talk_id}", headers=who)
    assert shown.status_code == 200, shown.json
    return client.post(
        f"/api/talks/{talk_id}/sign",
        headers=who,
        json={"form_hash": shown.json["form_hash"]},  # type: ignore[index]
    )
