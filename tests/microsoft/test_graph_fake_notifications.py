"""The Graph fake's change notifications: subscriptions on events, the validation handshake,
deliveries driven by the test, lifecycle notifications, and the user's changes in Outlook.

A small werkzeug receiver over HTTPS on loopback (the Entra fake's CA, as the services in tests)
plays the subscriber. Raw httpx for the refusals; the real msgraph-sdk once, to check that its
serialised subscriptions are accepted.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from tests.microsoft import test_graph_fake as shared
from tests.microsoft.https_server import LoopbackHttps
from tests.microsoft.test_graph_fake import BOB, MONDAY, ORG, Env, event_body, graph_error
from tests.microsoft.test_graph_fake_outlook import PROPERTY, delegated, run_sdk

# test_graph_fake's fixtures: one Entra fake per module, a fresh Graph fake per test (`env`), and
# an app token with mailboxes ORG and BOB (`token`).
module_entra = shared.module_entra
env = shared.env
token = shared.token

START = datetime(2027, 2, 22, 8, 0, tzinfo=UTC)  # the fake's clock in these tests
ALL = "created,updated,deleted"
SECRET = "s3cr3t-client-state"


@dataclass
class Receiver:
    """A subscriber's endpoints: answers validation requests, records what arrives."""

    #: How validation requests are answered: echo, encoded, json, status.
    validation: str = "echo"
    validation_delay: float = 0.0
    notification_delay: float = 0.0
    #: Statuses for the next notification POSTs (then 202).
    statuses: list[int] = field(default_factory=list)
    validations: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    server: LoopbackHttps | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/notify") -> str:
        assert self.server is not None
        return f"https://127.0.0.1:{self.server.port}{path}"

    def bodies(self, path: str = "/notify") -> list[dict[str, Any]]:
        return [p["body"] for p in self.posts if p["path"] == path]

    def items(self, path: str = "/notify") -> list[dict[str, Any]]:
        return [item for body in self.bodies(path) for item in body["value"]]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        raw = request.get_data()
        if "validationToken" in request.args:
            token = request.args["validationToken"]
            with self.lock:
                self.validations.append(
                    {
                        "path": request.path,
                        "query": request.query_string.decode(),
                        "token": token,
                        "content_type": request.headers.get("Content-Type"),
                        "body": raw,
                    }
                )
            time.sleep(self.validation_delay)
            answer = {
                "echo": Response(token, 200, content_type="text/plain; charset=utf-8"),
                "encoded": Response(
                    request.query_string.decode().split("validationToken=")[1],
                    200,
                    content_type="text/plain",
                ),
                "json": Response(json.dumps(token), 200, content_type="application/json"),
                "status": Response(token, 202, content_type="text/plain"),
            }[self.validation]
            return answer(environ, start_response)
        time.sleep(self.notification_delay)
        with self.lock:
            self.posts.append(
                {
                    "path": request.path,
                    "content_type": request.headers.get("Content-Type"),
                    "body": json.loads(raw),
                }
            )
            status = self.statuses.pop(0) if self.statuses else 202
        return Response(status=status)(environ, start_response)


@pytest.fixture
def receiver(env: Env) -> Iterator[Receiver]:
    found = Receiver()
    found.server = LoopbackHttps(found, env.entra.ca)
    try:
        yield found
    finally:
        found.server.stop()


class Clock:
    def __init__(self) -> None:
        self.value = START

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
def clock(env: Env) -> Clock:
    found = Clock()
    env.graph.now = found
    return found


def expiry(minutes: float = 60) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def subscribe(
    env: Env, token: str, receiver: Receiver, address: str = ORG, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "changeType": ALL,
        "notificationUrl": receiver.url(),
        "lifecycleNotificationUrl": receiver.url("/lifecycle"),
        "resource": f"/users/{address}/events",
        "expirationDateTime": expiry(),
        "clientState": SECRET,
    }
    headers = extra.pop("headers", None)
    body.update(extra)
    body = {k: v for k, v in body.items() if v is not None}
    answer = env.call("POST", "/subscriptions", token, json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def post_subscription(env: Env, token: str, body: dict[str, Any]) -> Any:
    return env.call("POST", "/subscriptions", token, json=body)


def valid_body(receiver: Receiver, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "changeType": ALL,
        "notificationUrl": receiver.url(),
        "resource": f"/users/{ORG}/events",
        "expirationDateTime": expiry(),
    }
    body.update(extra)
    return body


def oid_of(env: Env, address: str) -> str:
    mailbox = env.graph._mailbox_by_address(address)
    assert mailbox is not None
    return mailbox.oid


def kinds(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(changeType, user oid) of each notification."""
    return [(i["changeType"], i["resource"].split("/")[1]) for i in items]


# -- the validation handshake --------------------------------------------------------------------


def test_handshake_validates_both_endpoints_then_answers_201(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    created = subscribe(
        env, token, receiver, notificationUrl=receiver.url("/notify?tenant=contoso")
    )
    first, second = receiver.validations
    assert (first["path"], second["path"]) == ("/notify", "/lifecycle")
    assert first["query"].startswith("tenant=contoso&validationToken=")  # query strings kept
    for validation in (first, second):
        assert validation["token"].startswith("Validation: Testing client application")
        assert "%3A%20" in validation["query"]  # url-encoded; the receiver decodes it
        assert validation["content_type"] == "text/plain; charset=utf-8"
        assert validation["body"] == b""
    assert first["token"] != second["token"]
    assert set(created) == {
        "@odata.context",
        "id",
        "resource",
        "applicationId",
        "changeType",
        "clientState",
        "notificationUrl",
        "notificationQueryOptions",
        "lifecycleNotificationUrl",
        "expirationDateTime",
        "creatorId",
        "includeResourceData",
        "latestSupportedTlsVersion",
        "encryptionCertificate",
        "encryptionCertificateId",
        "notificationUrlAppId",
    }
    assert created["@odata.context"].endswith("/$metadata#subscriptions/$entity")
    assert uuid.UUID(created["id"])
    assert created["applicationId"] == env.entra.client_id
    assert created["creatorId"] == str(uuid.uuid5(uuid.NAMESPACE_URL, env.entra.client_id))
    assert (created["resource"], created["changeType"]) == (f"/users/{ORG}/events", ALL)
    assert created["clientState"] == SECRET
    assert created["expirationDateTime"] == "2027-02-22T09:00:00.0000000Z"
    assert created["latestSupportedTlsVersion"] == "v1_2"
    assert created["includeResourceData"] is False

    got = env.call("GET", f"/subscriptions/{created['id']}", token).json()
    assert {k: v for k, v in got.items() if k != "@odata.context"} == {
        k: v for k, v in created.items() if k != "@odata.context"
    }
    listed = env.call("GET", "/subscriptions", token).json()
    assert listed["@odata.context"].endswith("/$metadata#subscriptions")
    assert [s["id"] for s in listed["value"]] == [created["id"]]
    assert [d.kind for d in env.graph.deliveries] == ["validation", "validation"]


def test_handshake_failures_create_nothing(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    def refused(status: int, code: str, **extra: Any) -> str:
        return graph_error(
            post_subscription(env, token, valid_body(receiver, **extra)), status, code
        )

    receiver.validation = "encoded"
    assert refused(400, "ValidationError") == (
        "Subscription validation request failed. Response must exactly match validationToken "
        "query parameter."
    )
    receiver.validation = "json"
    assert "content type text/plain" in refused(400, "ValidationError")
    receiver.validation = "status"
    assert refused(400, "ValidationError") == (
        "Subscription validation request failed. Notification endpoint must respond with 200 OK "
        "to validation request."
    )
    # The lifecycle endpoint is validated too.
    receiver.validation = "echo"
    assert "must respond with 200 OK" in refused(
        400, "ValidationError", lifecycleNotificationUrl="https://127.0.0.1:9/gone"
    )
    assert "must respond with 200 OK" in refused(
        400, "ValidationError", notificationUrl="https://127.0.0.1:9/gone"
    )
    # A cold start: no answer within the timeout.
    env.graph.validation_timeout = 0.2
    receiver.validation_delay = 0.5
    assert refused(400, "InvalidRequest") == "Subscription validation request timed out."
    receiver.validation_delay = 0
    # Plain http is refused before any request.
    asked = len(receiver.validations)
    http = "http://" + receiver.url().removeprefix("https://")
    assert refused(400, "InvalidRequest", notificationUrl=http) == (
        "NotificationUrl scheme='http' is not supported."
    )
    assert refused(400, "InvalidRequest", lifecycleNotificationUrl=http).startswith(
        "LifecycleNotificationUrl scheme='http'"
    )
    assert len(receiver.validations) == asked
    assert env.graph.subscriptions() == []
    assert env.call("GET", "/subscriptions", token).json()["value"] == []


def test_subscription_bodies_are_read_strictly(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    def refused(status: int, code: str, body: dict[str, Any]) -> str:
        return graph_error(post_subscription(env, token, body), status, code)

    for name in ("changeType", "notificationUrl", "resource", "expirationDateTime"):
        body = valid_body(receiver)
        del body[name]
        assert refused(400, "InvalidRequest", body) == (
            f"{name} is a required property for subscription creation."
        )
    assert "clientState" in refused(
        400, "InvalidRequest", valid_body(receiver, clientState="x" * 129)
    )
    assert "'changed'" in refused(
        400, "InvalidRequest", valid_body(receiver, changeType="created,changed")
    )
    assert "v1_0" in refused(
        400, "InvalidRequest", valid_body(receiver, latestSupportedTlsVersion="v1_0")
    )
    assert "does not exist on type 'microsoft.graph.subscription'" in refused(
        400, "RequestBodyRead", valid_body(receiver, changetype="created")
    )
    refused(400, "RequestBodyRead", valid_body(receiver, expirationDateTime="tomorrow"))
    refused(501, "NotImplemented", valid_body(receiver, includeResourceData=True))
    refused(501, "NotImplemented", valid_body(receiver, encryptionCertificate="MII="))
    refused(501, "NotImplemented", valid_body(receiver, resource=f"/users/{ORG}/messages"))
    assert "only valid with delegated" in refused(
        400, "BadRequest", valid_body(receiver, resource="me/events")
    )
    # Expiry: in the future, within the maximum (4230 minutes unless set otherwise).
    assert refused(400, "ExtensionError", valid_body(receiver, expirationDateTime=expiry(0))) == (
        "Subscription expiration can only be in the future."
    )
    assert refused(
        400, "ExtensionError", valid_body(receiver, expirationDateTime=expiry(4231))
    ) == ("Subscription expiration can only be 4230 minutes in the future.")
    assert receiver.validations == []
    subscribe(env, token, receiver, expirationDateTime=expiry(4230))
    env.graph.max_subscription_minutes = 10080
    subscribe(env, token, receiver, expirationDateTime=expiry(10080), clientState=None)
    # `users/{id}/events` without the slash, by object id; TLS 1.3 allowed.
    bob = oid_of(env, BOB)
    subscribe(
        env, token, receiver, resource=f"users/{bob}/events", latestSupportedTlsVersion="v1_3"
    )


def test_permissions_for_event_subscriptions(env: Env, receiver: Receiver, clock: Clock) -> None:
    env.graph.add_mailbox(BOB)
    env.entra.app_roles = []
    graph_error(
        post_subscription(
            env, env.app_token(), valid_body(receiver, resource=f"/users/{BOB}/events")
        ),
        401,
        "NoPermissionsInAccessToken",
    )
    env.entra.app_roles = ["Chat.Read.All", "Calendars.Read.Shared"]
    body = valid_body(receiver, resource=f"/users/{BOB}/events")
    assert graph_error(post_subscription(env, env.app_token(), body), 403, "ExtensionError") == (
        "Operation: Create; Exception: [Status Code: Forbidden; Reason: Forbidden]"
    )
    env.entra.app_roles = ["Calendars.Read"]
    reader = env.app_token()
    assert post_subscription(env, reader, body).status_code == 201
    assert "The requested user 'nobody@example.test' is invalid." in graph_error(
        post_subscription(
            env, reader, valid_body(receiver, resource="/users/nobody@example.test/events")
        ),
        404,
        "ExtensionError",
    )
    env.graph.restrict_app_access({ORG})
    assert "[RAOP]" in graph_error(post_subscription(env, reader, body), 403, "ExtensionError")
    env.graph.restrict_app_access(None)

    # Delegated: Calendars.Read on the user's own mailbox only; .Shared scopes do not count.
    oid, user = delegated(env, ORG, ["Calendars.ReadWrite.Shared", "User.Read"])
    mine = valid_body(receiver, resource="/me/events")
    graph_error(post_subscription(env, user, mine), 403, "ExtensionError")
    env.entra.user_scopes = ["Calendars.Read"]
    user = env.user_token(oid)
    created = post_subscription(env, user, mine)
    assert created.status_code == 201, created.text
    assert created.json()["creatorId"] == oid
    assert post_subscription(env, user, valid_body(receiver)).status_code == 201  # /users/{own}
    graph_error(post_subscription(env, user, body), 403, "ExtensionError")  # Bob's mailbox
    # Delegated callers see only what the app made for them.
    assert len(env.call("GET", "/subscriptions", user).json()["value"]) == 2
    assert len(env.call("GET", "/subscriptions", reader).json()["value"]) == 3
    bobs = next(s for s in env.graph.subscriptions() if BOB in s["resource"])["id"]
    graph_error(env.call("GET", f"/subscriptions/{bobs}", user), 404, "ResourceNotFound")


def test_renew_delete_reauthorize_and_expiry(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    created = subscribe(env, token, receiver)
    path = f"/subscriptions/{created['id']}"
    renewed = env.call("PATCH", path, token, json={"expirationDateTime": expiry(120)})
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["expirationDateTime"] == "2027-02-22T10:00:00.0000000Z"
    assert len(receiver.validations) == 2  # renewals are not validated again
    assert "4230 minutes" in graph_error(
        env.call("PATCH", path, token, json={"expirationDateTime": expiry(5000)}),
        400,
        "ExtensionError",
    )
    assert "either the 'expirationDateTime' or 'notificationUrl'" in graph_error(
        env.call("PATCH", path, token, json={}), 400, "InvalidRequest"
    )
    graph_error(env.call("PATCH", path, token, json={"clientState": "x"}), 400, "InvalidRequest")
    moved = env.call("PATCH", path, token, json={"notificationUrl": receiver.url("/moved")})
    assert moved.json()["notificationUrl"] == receiver.url("/moved")
    assert receiver.validations[-1]["path"] == "/moved"
    assert env.call("POST", f"{path}/reauthorize", token).status_code == 204

    # Expiry by the fake's clock: gone, and changes no longer queue anything.
    clock.value = START + timedelta(minutes=121)
    graph_error(env.call("GET", path, token), 404, "ResourceNotFound")
    graph_error(
        env.call("PATCH", path, token, json={"expirationDateTime": expiry(200)}),
        404,
        "ResourceNotFound",
    )
    assert env.call("GET", "/subscriptions", token).json()["value"] == []
    env.call("POST", f"/users/{ORG}/events", token, json=event_body())
    assert env.graph.queued_notifications() == []

    other = subscribe(env, token, receiver, expirationDateTime=expiry(300))
    env.call("POST", f"/users/{ORG}/events", token, json=event_body())
    assert len(env.graph.queued_notifications()) == 1
    assert env.call("DELETE", f"/subscriptions/{other['id']}", token).status_code == 204
    graph_error(env.call("DELETE", f"/subscriptions/{other['id']}", token), 404, "ResourceNotFound")
    assert env.graph.queued_notifications() == []
    assert env.graph.deliver() == []


# -- deliveries ----------------------------------------------------------------------------------


def test_notifications_for_the_apps_own_writes(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    org_sub = subscribe(env, token, receiver)
    bob_sub = subscribe(env, token, receiver, address=BOB, clientState=None)
    org, bob = oid_of(env, ORG), oid_of(env, BOB)
    body = event_body(attendees=[{"emailAddress": {"address": BOB}, "type": "required"}])
    event = env.call("POST", f"/users/{ORG}/events", token, json=body).json()
    [copied] = env.graph.events(BOB)
    assert kinds(env.graph.queued_notifications()) == [("created", org), ("created", bob)]

    assert env.graph.deliver() == [202, 202]
    first, second = receiver.bodies()
    assert receiver.posts[0]["content_type"] == "application/json; charset=utf-8"
    assert first == {
        "value": [
            {
                "subscriptionId": org_sub["id"],
                "subscriptionExpirationDateTime": "2027-02-22T09:00:00.0000000+00:00",
                "changeType": "created",
                "resource": f"Users/{org}/Events/{event['id']}",
                "resourceData": {
                    "@odata.type": "#Microsoft.Graph.Event",
                    "@odata.id": f"Users/{org}/Events/{event['id']}",
                    "@odata.etag": f'W/"{event["changeKey"]}"',
                    "id": event["id"],
                },
                "clientState": SECRET,
                "tenantId": env.entra.tenant_id,
            }
        ]
    }
    [item] = second["value"]
    assert (item["subscriptionId"], item["resourceData"]["id"]) == (bob_sub["id"], copied["id"])
    assert item["clientState"] is None
    assert env.graph.queued_notifications() == []
    assert env.graph.deliver() == []

    # PATCH: the organiser's event, then the copy. A property-only PATCH: the organiser's only.
    path = f"/users/{ORG}/events/{event['id']}"
    patched = env.call("PATCH", path, token, json={"subject": "Verzet"}).json()
    queued = env.graph.queued_notifications()
    assert kinds(queued) == [("updated", org), ("updated", bob)]
    assert queued[0]["resourceData"]["@odata.etag"] == f'W/"{patched["changeKey"]}"'
    assert (
        queued[1]["resourceData"]["@odata.etag"] == f'W/"{env.graph.events(BOB)[0]["changeKey"]}"'
    )
    env.graph.deliver(batch=10)
    assert len(receiver.bodies()) == 3  # one body for both: same URL
    marked = {"singleValueExtendedProperties": [{"id": PROPERTY, "value": "talk-1"}]}
    env.call("PATCH", path, token, json=marked)
    assert kinds(env.graph.queued_notifications()) == [("updated", org)]
    env.graph.deliver()

    # DELETE: deleted for the organiser, the copy cancelled (an update); GET is then 404.
    last = env.call("GET", path, token).json()["changeKey"]
    assert env.call("DELETE", path, token).status_code == 204
    queued = env.graph.queued_notifications()
    assert kinds(queued) == [("deleted", org), ("updated", bob)]
    assert queued[0]["resourceData"]["@odata.etag"] == f'W/"{last}"'
    graph_error(env.call("GET", path, token), 404, "ErrorItemNotFound")
    assert env.graph.events(BOB)[0]["isCancelled"] is True
    # cancel: deleted for the organiser too.
    env.graph.deliver()
    again = env.call("POST", f"/users/{ORG}/events", token, json=body).json()
    env.graph.deliver()
    cancel = env.call(
        "POST", f"/users/{ORG}/events/{again['id']}/cancel", token, json={"Comment": "x"}
    )
    assert cancel.status_code == 202
    assert kinds(env.graph.queued_notifications()) == [("deleted", org), ("updated", bob)]


def test_change_types_and_immutable_ids(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    deleted_only = subscribe(env, token, receiver, changeType="deleted")
    immutable = subscribe(
        env,
        token,
        receiver,
        changeType="created, updated",
        headers={"Prefer": 'IdType="ImmutableId"'},
    )
    event = env.call("POST", f"/users/{ORG}/events", token, json=event_body()).json()
    immutable_id = env.graph.immutable_id(ORG, event["id"])
    env.call("PATCH", f"/users/{ORG}/events/{event['id']}", token, json={"subject": "x"})
    env.call("DELETE", f"/users/{ORG}/events/{event['id']}", token)
    queued = env.graph.queued_notifications()
    assert [(q["subscriptionId"], q["changeType"]) for q in queued] == [
        (immutable["id"], "created"),
        (immutable["id"], "updated"),
        (deleted_only["id"], "deleted"),
    ]
    assert queued[0]["resourceData"]["id"] == immutable_id
    assert queued[0]["resource"].endswith(f"/Events/{immutable_id}")
    assert queued[2]["resourceData"]["id"] == event["id"]  # REST ids by default


def test_user_changes_in_outlook_notify(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    env.graph.add_mailbox("carol@example.test", display_name="Carol")
    start = MONDAY + timedelta(hours=9)
    event = env.graph.add_event(
        ORG,
        "Gesprek",
        start,
        start + timedelta(hours=1),
        attendees=[BOB, "carol@example.test"],
        online_meeting=True,
        body="<p>Agenda</p>",
    )
    subscribe(env, token, receiver)
    subscribe(env, token, receiver, address=BOB)
    org, bob = oid_of(env, ORG), oid_of(env, BOB)
    immutable = env.graph.immutable_id(ORG, event["id"])

    def stored() -> dict[str, Any]:
        [found] = [e for e in env.graph.events(ORG) if e["id"] == event["id"]]
        return found

    def step() -> list[tuple[str, str]]:
        found = kinds(env.graph.queued_notifications())
        assert env.graph.deliver(batch=5) == [202]
        return found

    before = stored()["changeKey"]
    clock.value = START + timedelta(minutes=5)
    env.graph.user_moves_event(
        ORG, immutable, start + timedelta(days=1), start + timedelta(days=1, hours=2)
    )
    moved = stored()
    assert moved["changeKey"] != before
    assert moved["lastModifiedDateTime"] == "2027-02-22T08:05:00.0000000Z"
    assert moved["start"] == {"dateTime": "2027-03-02T09:00:00.0000000", "timeZone": "UTC"}
    assert env.graph.events(BOB)[0]["end"]["dateTime"] == "2027-03-02T11:00:00.0000000"
    assert step() == [("updated", org), ("updated", bob)]

    env.graph.user_changes_subject(ORG, event["id"], "Gesprek (verzet)")
    assert env.graph.events(BOB)[0]["subject"] == "Gesprek (verzet)"
    assert step() == [("updated", org), ("updated", bob)]
    env.graph.user_edits_body(ORG, event["id"], "<p>Nieuwe agenda</p>")
    assert stored()["onlineMeeting"] is not None  # Outlook keeps the join information
    assert stored()["body"]["content"] == "<p>Nieuwe agenda</p>"
    assert step() == [("updated", org), ("updated", bob)]

    # The attendee answers; then the organiser takes Carol off.
    [copied] = env.graph.events(BOB)
    env.graph.user_responds(BOB, copied["id"], "accepted")
    assert env.graph.events(BOB)[0]["responseStatus"]["response"] == "accepted"
    statuses = {
        a["emailAddress"]["address"]: a["status"]["response"] for a in stored()["attendees"]
    }
    assert statuses[BOB] == "accepted"
    assert step() == [("updated", bob), ("updated", org)]
    env.graph.user_removes_attendee(ORG, event["id"], "carol@example.test")
    assert env.graph.events("carol@example.test")[0]["isCancelled"] is True
    assert step() == [("updated", org), ("updated", bob)]  # Carol has no subscription
    with pytest.raises(ValueError, match="organiser"):
        env.graph.user_moves_event(BOB, copied["id"], start, start + timedelta(hours=1))

    # The attendee deletes their copy: a decline for the organiser.
    env.graph.user_deletes_event(BOB, copied["id"])
    assert env.graph.events(BOB) == []
    assert {a["emailAddress"]["address"]: a["status"]["response"] for a in stored()["attendees"]}[
        BOB
    ] == "declined"
    assert step() == [("deleted", bob), ("updated", org)]

    # The organiser cancels: gone from their calendar, a deleted notification.
    env.graph.user_cancels_event(ORG, event["id"])
    assert [e for e in env.graph.events(ORG) if e["id"] == event["id"]] == []
    graph_error(
        env.call("GET", f"/users/{ORG}/events/{event['id']}", token), 404, "ErrorItemNotFound"
    )
    assert step() == [("deleted", org)]

    # An appointment of the organiser's own, deleted in Outlook.
    own = env.graph.add_event(ORG, "Focus", start, start + timedelta(hours=1))
    env.graph.user_deletes_event(ORG, own["id"])
    assert step() == [("created", org), ("deleted", org)]


def test_drop_duplicate_and_reorder(env: Env, token: str, receiver: Receiver, clock: Clock) -> None:
    subscribe(env, token, receiver)
    ids = [
        env.call("POST", f"/users/{ORG}/events", token, json=event_body(subject=str(n))).json()[
            "id"
        ]
        for n in range(4)
    ]
    env.graph.reorder_queued()
    assert [q["resourceData"]["id"] for q in env.graph.queued_notifications()] == ids[::-1]
    env.graph.drop_next_notifications(1)
    env.graph.duplicate_next_notifications(1)
    assert env.graph.deliver(batch=2) == [202, 202]
    first, second = receiver.bodies()
    assert [i["resourceData"]["id"] for i in first["value"]] == [ids[2], ids[2]]
    assert [i["resourceData"]["id"] for i in second["value"]] == [ids[1], ids[0]]
    assert [d["resourceData"]["id"] for d in env.graph.dropped_notifications] == [ids[3]]


def test_failed_deliveries_are_retried_then_given_up(
    env: Env, token: str, receiver: Receiver, clock: Clock
) -> None:
    subscribe(env, token, receiver)
    env.call("POST", f"/users/{ORG}/events", token, json=event_body())
    receiver.statuses = [500, 503]
    assert env.graph.deliver() == [500]
    assert len(env.graph.queued_notifications()) == 1
    assert env.graph.deliver() == [503]
    assert env.graph.deliver() == [202]
    assert env.graph.queued_notifications() == []
    assert len(receiver.items()) == 3  # the same notification, three times

    # Too slow is no answer (status 0); after `delivery_attempts` tries it is given up.
    env.graph.delivery_timeout = 0.2
    env.graph.delivery_attempts = 2
    receiver.notification_delay = 0.4
    env.call("POST", f"/users/{ORG}/events", token, json=event_body())
    assert env.graph.deliver() == [0]
    assert env.graph.deliver() == [0]
    assert env.graph.queued_notifications() == []
    assert len(env.graph.discarded_notifications) == 1
    times = env.graph.delivery_times
    assert len(times) == 5
    assert max(times[:3]) < 0.2 and min(times[3:]) >= 0.19


def test_lifecycle_notifications(env: Env, token: str, receiver: Receiver, clock: Clock) -> None:
    created = subscribe(env, token, receiver)
    path = f"/subscriptions/{created['id']}"
    assert env.graph.send_lifecycle(created["id"], "reauthorizationRequired") == 202
    assert receiver.bodies("/lifecycle") == [
        {
            "value": [
                {
                    "subscriptionId": created["id"],
                    "subscriptionExpirationDateTime": "2027-02-22T09:00:00.0000000+00:00",
                    "tenantId": env.entra.tenant_id,
                    "clientState": SECRET,
                    "lifecycleEvent": "reauthorizationRequired",
                }
            ]
        }
    ]
    assert env.graph.needs_reauthorization(created["id"])
    env.call("PATCH", path, token, json={"expirationDateTime": expiry(90)})
    assert not env.graph.needs_reauthorization(created["id"])

    # missed: what was queued is lost.
    env.call("POST", f"/users/{ORG}/events", token, json=event_body())
    assert env.graph.send_lifecycle(created["id"], "missed") == 202
    assert env.graph.queued_notifications() == []
    assert len(env.graph.dropped_notifications) == 1
    assert receiver.items("/lifecycle")[-1]["lifecycleEvent"] == "missed"

    # subscriptionRemoved: the subscription is gone.
    env.call("POST", f"/users/{ORG}/events", token, json=event_body())
    assert env.graph.send_lifecycle(created["id"], "subscriptionRemoved") == 202
    graph_error(env.call("GET", path, token), 404, "ResourceNotFound")
    assert env.graph.deliver() == []
    assert receiver.items() == []

    # Without a lifecycle URL, nothing is sent.
    quiet = subscribe(env, token, receiver, lifecycleNotificationUrl=None)
    assert env.graph.send_lifecycle(quiet["id"], "missed") is None
    with pytest.raises(ValueError, match="event must be one of"):
        env.graph.send_lifecycle(quiet["id"], "renewed")


def test_subscriptions_through_the_sdk(env: Env, token: str, receiver: Receiver) -> None:
    from msgraph.generated.models.subscription import Subscription

    expires = datetime.now(UTC) + timedelta(hours=1)

    async def work(client_for: Any) -> Any:
        g = client_for(token)
        created = await g.subscriptions.post(
            Subscription(
                change_type="created,updated,deleted",
                notification_url=receiver.url(),
                lifecycle_notification_url=receiver.url("/lifecycle"),
                resource=f"/users/{ORG}/events",
                expiration_date_time=expires,
                client_state=SECRET,
                latest_supported_tls_version="v1_2",
            )
        )
        renewed = await g.subscriptions.by_subscription_id(created.id).patch(
            Subscription(expiration_date_time=expires + timedelta(hours=1))
        )
        listed = await g.subscriptions.get()
        await g.subscriptions.by_subscription_id(created.id).delete()
        return created, renewed, listed

    created, renewed, listed = run_sdk(env, work)
    assert created.client_state == SECRET
    assert created.expiration_date_time == expires
    assert renewed.expiration_date_time == expires + timedelta(hours=1)
    assert [s.id for s in listed.value] == [created.id]
    assert env.graph.subscriptions() == []
    posted, patched = (r for r in env.graph.requests if r.method in ("POST", "PATCH"))
    assert (posted.path, patched.path) == ("/subscriptions", f"/subscriptions/{created.id}")
    assert posted.body["expirationDateTime"] == expires.isoformat()  # what the SDK sends
    assert patched.body == {"expirationDateTime": (expires + timedelta(hours=1)).isoformat()}


def test_calendar_view_serves_reconciliation(env: Env, token: str) -> None:
    event = env.call("POST", f"/users/{ORG}/events", token, json=event_body()).json()
    window = {
        "startDateTime": "2027-03-01T00:00:00Z",
        "endDateTime": "2027-03-02T00:00:00Z",
        "$select": "changeKey,isCancelled,type,seriesMasterId,subject",
    }
    answer = env.call("GET", f"/users/{ORG}/calendarView", token, params=window)
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["value"]
    assert item == {
        "@odata.etag": f'W/"{event["changeKey"]}"',
        "id": event["id"],
        "changeKey": event["changeKey"],
        "isCancelled": False,
        "type": "singleInstance",
        "seriesMasterId": None,
        "subject": "Ontwikkelgesprek",
    }
