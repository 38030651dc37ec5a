"""The two URLs Microsoft Graph calls (`/graph/notifications`, `/graph/lifecycle`): the
validation handshake, genuine notifications recorded as jobs and answered 202 at once, and
everything else refused without a server error and without anything recorded."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from plugin.domain.clock import FixedClock
from plugin.jobs.outbox import Outbox
from plugin.services.calendar_sync import APPLY_CHANGE, LIFECYCLE, mailbox_key
from plugin.services.context import Services
from plugin.store import subscriptions as subs
from plugin.store.subscriptions import SubscriptionRow
from plugin.store.working_tables import outbox_jobs
from plugin.web.app import create_app
from plugin.web.context import STAMPS
from tests.microsoft.fixtures import https_client

SECRET = "a-client-state-only-graph-and-we-know-0123456789"


@pytest.fixture
def hooked(ms_app: Flask, ms_services: Services, clock: FixedClock) -> SubscriptionRow:
    """A lead with a subscription on their mailbox."""
    from plugin.domain.people import Person

    lead = Person(ms_services.new_id(), "tenant-a", "oid-marco", "Marco", "marco@contoso.test")
    row = SubscriptionRow(
        id=str(uuid.uuid4()),
        tenant_id="tenant-a",
        person_id=lead.id,
        mailbox=lead.email,
        subscription_id="sub-1",
        client_state=SECRET,
        expires_at=clock.now() + timedelta(days=2),
        lifetime_seconds=2 * 86400,
        reconciled_at=None,
    )

    def work(session: Any) -> None:
        session.add(lead)
        session.flush()
        subs.add(session, row, clock.now())

    ms_services.write(work)
    return row


def jobs(svc: Services) -> list[tuple[str, str | None, dict[str, Any]]]:
    rows = svc.read(
        lambda s: s.execute(
            select(outbox_jobs.c.kind, outbox_jobs.c.key, outbox_jobs.c.payload)
        ).all()
    )
    return [(r.kind, r.key, dict(r.payload)) for r in rows]


def change(**overrides: Any) -> dict[str, Any]:
    item = {
        "subscriptionId": "sub-1",
        "subscriptionExpirationDateTime": "2027-03-03T08:00:00Z",
        "changeType": "updated",
        "resource": "Users/u-1/Events/AAkALg-event-1",
        "resourceData": {
            "@odata.type": "#Microsoft.Graph.Event",
            "@odata.id": "Users/u-1/Events/AAkALg-event-1",
            "@odata.etag": 'W/"ck"',
            "id": "AAkALg-event-1",
        },
        "clientState": SECRET,
        "tenantId": "tenant-a",
    }
    item.update(overrides)
    return item


@pytest.mark.parametrize("path", ["/graph/notifications", "/graph/lifecycle"])
@pytest.mark.parametrize(
    "token", ["Validation: Testing client application reachability", "a<b>&c\u00e9%20+/="]
)
def test_the_handshake_answers_the_token_as_plain_text(
    ms_app: Flask, path: str, token: str
) -> None:
    answer = https_client(ms_app).post(path, query_string={"validationToken": token})
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain"
    assert answer.get_data(as_text=True) == token
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_genuine_notification_becomes_a_job_and_is_answered_202(
    ms_app: Flask, ms_services: Services, hooked: SubscriptionRow
) -> None:
    answer = https_client(ms_app).post(
        "/graph/notifications", json={"value": [change(), change(changeType="deleted")]}
    )
    assert answer.status_code == 202 and answer.get_data() == b""
    payload = {"subscription": hooked.id, "event_id": "AAkALg-event-1"}
    # Two changes of one event before the worker came to it: one job, which reads the event
    # as it is by then.
    assert jobs(ms_services) == [(APPLY_CHANGE, mailbox_key(hooked.person_id), payload)]
    other = change(resourceData={"id": "AAkALg-event-2"})
    https_client(ms_app).post("/graph/notifications", json={"value": [other]})
    assert [p["event_id"] for _, _, p in jobs(ms_services)] == ["AAkALg-event-1", "AAkALg-event-2"]


def test_lifecycle_events_become_jobs(
    ms_app: Flask, ms_services: Services, hooked: SubscriptionRow
) -> None:
    body = {
        "value": [
            {"subscriptionId": "sub-1", "clientState": SECRET, "lifecycleEvent": event}
            for event in ("reauthorizationRequired", "missed", "somethingNew")
        ]
    }
    answer = https_client(ms_app).post("/graph/lifecycle", json=body)
    assert answer.status_code == 202
    assert [(k, p["event"]) for k, _, p in jobs(ms_services)] == [
        (LIFECYCLE, "reauthorizationRequired"),
        (LIFECYCLE, "missed"),
    ]


@pytest.mark.parametrize(
    "item",
    [
        change(clientState="wrong"),
        change(clientState=SECRET[:-1]),
        change(clientState=None),
        change(subscriptionId="sub-unknown"),
        change(resourceData=None, resource=None),
    ],
    ids=["wrong", "almost", "missing", "unknown subscription", "no event"],
)
def test_notifications_that_are_not_genuine_are_dropped(
    ms_app: Flask,
    ms_services: Services,
    hooked: SubscriptionRow,
    item: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    answer = https_client(ms_app).post("/graph/notifications", json={"value": [item]})
    assert answer.status_code == 202  # Graph gets its answer; nothing is recorded
    assert jobs(ms_services) == []
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert SECRET not in logged and "AAkALg-event-1" not in logged


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"", "application/json", 400),
        (b"not json", "application/json", 400),
        (b'{"value": "no list"}', "application/json", 400),
        (b'{"value": [{"clientState": "x"}]}', "application/json", 400),
        (json.dumps({"value": [{"subscriptionId": "s"}] * 1001}).encode(), "application/json", 400),
        (b"{" + b'"a":' * 10000 + b"1" + b"}" * 10000, "application/json", 400),
        (b"x" * (1024 * 1024), "application/json", 413),
        (b"\xff\xfe\x00", "text/plain", 400),
    ],
    ids=["empty", "not json", "no list", "no subscription", "too many", "deep", "1 MB", "bytes"],
)
def test_bad_input_is_refused_without_a_server_error_or_a_trace(
    ms_app: Flask,
    ms_services: Services,
    hooked: SubscriptionRow,
    body: bytes,
    content_type: str,
    status: int,
) -> None:
    answer = https_client(ms_app).post(
        "/graph/notifications", data=body, headers={"Content-Type": content_type}
    )
    assert answer.status_code == status
    assert jobs(ms_services) == []


def test_an_overlong_validation_token_is_refused(ms_app: Flask) -> None:
    answer = https_client(ms_app).post(
        "/graph/notifications", query_string={"validationToken": "x" * 5000}
    )
    assert answer.status_code == 400


def test_local_mode_has_no_such_urls(services: Services, outbox: Outbox) -> None:
    app = create_app(services)
    try:
        client = app.test_client()
        assert client.post("/graph/notifications", json={"value": []}).status_code == 404
        assert client.post("/graph/lifecycle?validationToken=x").status_code == 404
    finally:
        app.extensions[STAMPS].stop()
