"""The Graph fake's Outlook and meeting-tab parts: ids, translateExchangeIds, extended properties,
the body trap, Outlook-made meetings and their chats, and apps and tabs in chats.

Raw httpx for the refusals; the real msgraph-sdk where it has request builders, to check that
its serialised requests are accepted.
"""

from __future__ import annotations

import asyncio
import secrets
import ssl
import threading
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from plugin.domain.meeting import chat_id_from_join_url
from tests.microsoft import graph_fake
from tests.microsoft import test_graph_fake as shared
from tests.microsoft.graph_fake import Recorded
from tests.microsoft.test_graph_fake import BOB, MONDAY, ORG, Env, event_body, graph_error

# test_graph_fake's fixtures: one Entra fake per module, a fresh Graph fake per test (`env`), and
# an app token with mailboxes ORG and BOB (`token`).
module_entra = shared.module_entra
env = shared.env
token = shared.token

PROPERTY = "String {66F5A359-4659-4830-9070-00047EC6AC6E} Name TalkId"
SHOWN = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name TalkId"
EXPAND = f"singleValueExtendedProperties($filter=id eq '{PROPERTY}')"
IMMUTABLE = {"Prefer": 'IdType="ImmutableId"'}
MANIFEST_ID = "8f43f7cb-4177-4ca5-aa45-6fc8c602d537"
TAB_BODY_CONFIG = {
    "entityId": "talk",
    "contentUrl": "https://og.example.test/teams/tab",
    "websiteUrl": "https://og.example.test/",
    "removeUrl": "https://og.example.test/teams/remove",
}


def online_meeting(env: Env, token: str, **extra: Any) -> dict[str, Any]:
    body = event_body(
        isOnlineMeeting=True,
        onlineMeetingProvider="teamsForBusiness",
        body={"contentType": "html", "content": "<p>Agenda</p>"},
        **extra,
    )
    created = env.call("POST", f"/users/{ORG}/events", token, json=body)
    assert created.status_code == 201, created.text
    event: dict[str, Any] = created.json()
    return event


def run_sdk(env: Env, work: Callable[[Callable[[str], Any]], Awaitable[Any]]) -> Any:
    """Run ``work(client_for)`` on the real msgraph-sdk; ``client_for(token)`` gives a client."""
    from kiota_abstractions.authentication import (
        AccessTokenProvider,
        AllowedHostsValidator,
        BaseBearerTokenAuthenticationProvider,
    )
    from msgraph.graph_request_adapter import GraphRequestAdapter
    from msgraph.graph_request_adapter import options as sdk_options
    from msgraph.graph_service_client import GraphServiceClient
    from msgraph_core import GraphClientFactory

    class Tokens(AccessTokenProvider):
        def __init__(self, value: str) -> None:
            self.value = value

        async def get_authorization_token(
            self, uri: str, additional_authentication_context: dict[str, Any] | None = None
        ) -> str:
            return self.value

        def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
            return AllowedHostsValidator(["127.0.0.1"])

    async def scenario() -> Any:
        http = httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(env.entra.ca_path)))

        def client_for(value: str) -> Any:
            adapter = GraphRequestAdapter(
                BaseBearerTokenAuthenticationProvider(Tokens(value)),
                # The SDK's own options: they turn its `/users/me-token-to-replace` into `/me`.
                client=GraphClientFactory.create_with_default_middleware(
                    client=http, options=sdk_options
                ),
            )
            adapter.base_url = env.graph.base_url
            return GraphServiceClient(request_adapter=adapter)

        try:
            return await work(client_for)
        finally:
            await http.aclose()

    # In a thread of its own: a running loop in the main thread (Playwright) refuses asyncio.run.
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(asyncio.run(scenario()))
        except BaseException as error:  # re-raised below, in the test's thread
            outcome.append(error)

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(60)
    assert outcome, "the SDK scenario did not finish"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def delegated(env: Env, address: str, scopes: list[str]) -> tuple[str, str]:
    """A mailbox with a known oid, and an OBO token of that user with these scopes: (oid, token)."""
    oid = str(uuid.uuid4())
    env.graph.add_mailbox(address, oid=oid)
    env.entra.user_scopes = scopes
    return oid, env.user_token(oid)


# -- 1. ids -------------------------------------------------------------------------------------


def test_events_have_rest_ews_and_immutable_ids(env: Env, token: str) -> None:
    body = event_body(attendees=[{"emailAddress": {"address": BOB}, "type": "required"}])
    event = env.call("POST", f"/users/{ORG}/events", token, json=body).json()
    rest = event["id"]
    immutable = env.graph.immutable_id(ORG, rest)
    assert immutable != rest and immutable.startswith("AAkA")
    assert env.graph.immutable_id(ORG, immutable) == immutable
    assert env.graph.ews_id(ORG, immutable) == rest.replace("-", "/").replace("_", "+")
    [copy] = env.graph.events(BOB)
    assert env.graph.immutable_id(BOB, copy["id"]) not in (immutable, copy["id"])

    # URLs take either id; another mailbox's id is not an item of this one.
    assert env.call("GET", f"/users/{ORG}/events/{immutable}", token).json()["id"] == rest
    graph_error(
        env.call("GET", f"/users/{BOB}/events/{immutable}", token), 404, "ErrorItemNotFound"
    )

    # Prefer IdType="ImmutableId": alone, beside outlook.timezone, or as a second header.
    alone = env.call("GET", f"/users/{ORG}/events/{rest}", token, headers=IMMUTABLE)
    assert alone.json()["id"] == immutable
    assert alone.headers["Preference-Applied"] == 'IdType="ImmutableId"'
    both = 'outlook.timezone="W. Europe Standard Time", IdType="ImmutableId"'
    combined = env.call("GET", f"/users/{ORG}/events/{rest}", token, headers={"Prefer": both})
    assert combined.json()["id"] == immutable
    assert combined.json()["start"]["timeZone"] == "W. Europe Standard Time"
    assert combined.headers["Preference-Applied"] == both
    url = f"{env.graph.base_url}/users/{ORG}/calendarView"
    two_headers = env.http.get(
        url,
        params={"startDateTime": "2027-03-01T00:00:00", "endDateTime": "2027-03-02T00:00:00"},
        headers=[
            ("Authorization", f"Bearer {token}"),
            ("Prefer", 'outlook.timezone="UTC"'),
            ("Prefer", 'IdType="ImmutableId"'),
        ],
    )
    assert [e["id"] for e in two_headers.json()["value"]] == [immutable]
    assert "Preference-Applied" not in env.call("GET", f"/users/{ORG}/events/{rest}", token).headers

    patched = env.call(
        "PATCH", f"/users/{ORG}/events/{immutable}", token, json={"subject": "X"}, headers=IMMUTABLE
    )
    assert (patched.status_code, patched.json()["id"]) == (200, immutable)
    created = env.call("POST", f"/users/{ORG}/events", token, json=event_body(), headers=IMMUTABLE)
    assert created.json()["id"] == env.graph.immutable_id(ORG, created.json()["id"])
    assert env.call("DELETE", f"/users/{ORG}/events/{immutable}", token).status_code == 204
    with pytest.raises(KeyError):
        env.graph.immutable_id(ORG, rest)


# -- 2. translateExchangeIds ----------------------------------------------------------------------


def test_translate_exchange_ids(env: Env) -> None:
    oid, user = delegated(env, ORG, ["Calendars.ReadWrite", "User.Read"])
    env.graph.add_mailbox(BOB)
    mine = env.graph.add_event(ORG, "Mine", MONDAY, MONDAY + timedelta(hours=1))["id"]
    bobs = env.graph.add_event(BOB, "Bob's", MONDAY, MONDAY + timedelta(hours=1))["id"]
    ews = env.graph.ews_id(ORG, mine)
    immutable = env.graph.immutable_id(ORG, mine)

    def translate(ids: list[str], source: str, target: str, who: str = "/me") -> Any:
        body = {"inputIds": ids, "sourceIdType": source, "targetIdType": target}
        return env.call("POST", f"{who}/translateExchangeIds", user, json=body)

    answer = translate(
        [ews, env.graph.ews_id(BOB, bobs), "not an id!"], "ewsId", "restImmutableEntryId"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["@odata.context"].endswith(
        "/$metadata#Collection(microsoft.graph.convertIdResult)"
    )
    found, elsewhere, malformed = answer.json()["value"]
    assert found == {"sourceId": ews, "targetId": immutable}
    assert elsewhere["errorDetails"]["code"] == "ErrorItemNotFound" and "targetId" not in elsewhere
    assert malformed == {
        "sourceId": "not an id!",
        "errorDetails": {"code": "ErrorInvalidIdMalformed", "message": "Id is malformed."},
    }
    assert translate([mine], "restId", "ewsId").json()["value"][0]["targetId"] == ews
    back = translate([immutable], "restImmutableEntryId", "restId").json()["value"][0]
    assert back["targetId"] == mine
    by_user = translate([mine], "restId", "restId", who=f"/users/{oid}").json()["value"][0]
    assert by_user["targetId"] == mine

    # Refusals.
    graph_error(translate([mine], "entryId", "restId"), 501, "NotImplemented")
    graph_error(translate([], "restId", "ewsId"), 400, "ErrorInvalidParameter")
    graph_error(translate(["x"] * 1001, "restId", "ewsId"), 400, "ErrorInvalidParameter")
    assert "Requested value 'rest'" in graph_error(
        translate([mine], "rest", "ewsId"), 400, "RequestBodyRead"
    )
    extra = {"inputIds": [mine], "sourceIdType": "restId", "targetIdType": "ewsId", "x": 1}
    graph_error(
        env.call("POST", "/me/translateExchangeIds", user, json=extra), 400, "RequestBodyRead"
    )
    graph_error(translate([bobs], "restId", "ewsId", who=f"/users/{BOB}"), 403, "ErrorAccessDenied")
    env.entra.user_scopes = ["Calendars.ReadWrite"]
    user = env.user_token(oid)
    graph_error(translate([mine], "restId", "ewsId"), 403, "ErrorAccessDenied")
    env.entra.user_scopes = ["User.ReadBasic.All", "Calendars.Read.Shared"]
    user = env.user_token(oid)
    assert translate([bobs], "restId", "restId", who=f"/users/{BOB}").status_code == 200
    # Documented "Application: Not supported".
    app = env.app_token()
    body = {"inputIds": [mine], "sourceIdType": "restId", "targetIdType": "ewsId"}
    graph_error(
        env.call("POST", f"/users/{ORG}/translateExchangeIds", app, json=body),
        403,
        "ErrorAccessDenied",
    )


# -- 3. single-value extended properties ---------------------------------------------------------


def test_extended_properties_are_stored_per_item_and_read_with_expand(env: Env, token: str) -> None:
    body = event_body(
        attendees=[{"emailAddress": {"address": BOB}, "type": "required"}],
        body={"contentType": "html", "content": "<p>Agenda</p>"},
        singleValueExtendedProperties=[
            {"id": PROPERTY, "value": "talk-1"},
            {"id": "Integer {66f5a359-4659-4830-9070-00047ec6ac6e} Id 0x8012", "value": "12"},
        ],
    )
    created = env.call("POST", f"/users/{ORG}/events", token, json=body)
    assert created.status_code == 201, created.text
    event = created.json()
    assert "singleValueExtendedProperties" not in event
    path = f"/users/{ORG}/events/{event['id']}"
    assert "singleValueExtendedProperties" not in env.call("GET", path, token).json()
    [copy] = env.graph.events(BOB)
    assert env.graph.extended_properties(BOB, copy["id"]) == []

    # Type and GUID match case-insensitively; the answer shows the id normalised.
    lower = PROPERTY.replace("String", "string").lower().replace("talkid", "TalkId")
    expanded = env.call(
        "GET",
        path,
        token,
        params={"$expand": f"singleValueExtendedProperties($filter=id eq '{lower}')"},
    ).json()
    assert expanded["singleValueExtendedProperties"] == [{"id": SHOWN, "value": "talk-1"}]
    assert expanded["subject"] == "Ontwikkelgesprek"
    assert "singleValueExtendedProperties@odata.context" in expanded
    both = env.call(
        "GET",
        path,
        token,
        params={
            "$select": "subject",
            "$expand": f"singleValueExtendedProperties($filter=id eq '{PROPERTY}' or "
            "id eq 'Integer {66f5a359-4659-4830-9070-00047ec6ac6e} Id 0x8012')",
        },
    ).json()
    assert set(both) == {
        "@odata.context",
        "@odata.etag",
        "id",
        "subject",
        "singleValueExtendedProperties@odata.context",
        "singleValueExtendedProperties",
    }
    assert [p["value"] for p in both["singleValueExtendedProperties"]] == ["talk-1", "12"]
    # The name is case-sensitive; an unknown property matches nothing.
    other_case = PROPERTY.replace("TalkId", "talkid")
    none = env.call(
        "GET",
        path,
        token,
        params={"$expand": f"singleValueExtendedProperties($filter=id eq '{other_case}')"},
    ).json()
    assert none["singleValueExtendedProperties"] == []

    # PATCH with the same id replaces the value: a new changeKey, the body untouched.
    patched = env.call(
        "PATCH",
        path,
        token,
        json={"singleValueExtendedProperties": [{"id": lower, "value": "talk-2"}]},
    ).json()
    assert patched["changeKey"] != event["changeKey"]
    assert patched["body"] == event["body"]
    assert env.graph.extended_properties(ORG, event["id"])[0] == {"id": SHOWN, "value": "talk-2"}
    assert env.graph.events(BOB)[0]["changeKey"] == copy["changeKey"]  # no update sent

    # Refusals.
    for bad in (
        "String 66f5a359-4659-4830-9070-00047ec6ac6e Name TalkId",  # no braces
        "Text {66f5a359-4659-4830-9070-00047ec6ac6e} Name TalkId",  # no such type
        "String {66f5a359-4659-4830-9070} Name TalkId",  # not a GUID
        "String {66f5a359-4659-4830-9070-00047ec6ac6e} Id 8012",  # not hex
        "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name ",  # no name
        "Integer {66f5a359-4659-4830-9070-00047ec6ac6e} Name TalkId",  # TalkId is a String
    ):
        prop = {"singleValueExtendedProperties": [{"id": bad, "value": "1"}]}
        assert graph_error(
            env.call("PATCH", path, token, json=prop), 400, "ErrorInvalidExtendedProperty"
        ) == ("The extended property attribute combination is invalid.")
    not_int = {
        "singleValueExtendedProperties": [
            {"id": "Integer {66f5a359-4659-4830-9070-00047ec6ac6e} Name Count", "value": "many"}
        ]
    }
    graph_error(
        env.call("PATCH", path, token, json=not_int), 400, "ErrorInvalidExtendedPropertyValue"
    )
    odd = {"singleValueExtendedProperties": [{"id": PROPERTY, "value": "x", "name": "y"}]}
    graph_error(env.call("PATCH", path, token, json=odd), 400, "RequestBodyRead")
    long_filter = EXPAND.replace("String", "Long")
    graph_error(
        env.call("GET", path, token, params={"$expand": long_filter}),
        400,
        "ErrorInvalidExtendedProperty",
    )
    for expand in ("singleValueExtendedProperties", "attachments"):
        graph_error(env.call("GET", path, token, params={"$expand": expand}), 501, "NotImplemented")
    assert env.graph.extended_properties(ORG, event["id"])[0]["value"] == "talk-2"


# -- 4. the body trap ----------------------------------------------------------------------------


def test_a_patch_with_body_drops_the_teams_join_information(env: Env, token: str) -> None:
    event = online_meeting(
        env, token, attendees=[{"emailAddress": {"address": BOB}, "type": "required"}]
    )
    join = event["onlineMeeting"]["joinUrl"]
    path = f"/users/{ORG}/events/{event['id']}"
    kept = env.call("PATCH", path, token, json={"subject": "Verplaatst"}).json()
    assert kept["onlineMeeting"] == {"joinUrl": join}
    dropped = env.call(
        "PATCH", path, token, json={"body": {"contentType": "html", "content": "<p>Nieuw</p>"}}
    ).json()
    assert (dropped["isOnlineMeeting"], dropped["onlineMeeting"]) == (True, None)
    assert env.graph.events(BOB)[0]["onlineMeeting"] is None
    later = env.call("PATCH", path, token, json={"subject": "Weer"}).json()
    assert later["onlineMeeting"] is None  # it does not come back by itself


# -- 5 and 6. Outlook-made meetings and meeting chats ----------------------------------------------


def test_add_event_makes_outlook_meetings_with_copies_and_a_chat(env: Env) -> None:
    org = env.graph.add_mailbox(ORG, oid=str(uuid.uuid4()))
    bob = env.graph.add_mailbox(BOB, oid=str(uuid.uuid4()))
    token = env.app_token()
    plain = env.graph.add_event(ORG, "Plain", MONDAY, MONDAY + timedelta(hours=1))
    assert (plain["attendees"], plain["onlineMeeting"], plain["body"]["content"]) == ([], None, "")
    event = env.graph.add_event(
        ORG,
        "Ontwikkelgesprek",
        MONDAY,
        MONDAY + timedelta(hours=1),
        attendees=[BOB, "ext@elsewhere.test"],
        online_meeting=True,
        body="<p>Agenda</p>",
    )
    assert event["body"] == {"contentType": "html", "content": "<p>Agenda</p>"}
    assert event["onlineMeetingProvider"] == "teamsForBusiness"
    chat_id = chat_id_from_join_url(event["onlineMeeting"]["joinUrl"])
    assert chat_id is not None and chat_id.startswith("19:meeting_")
    assert env.graph.chat_members(chat_id) == {org.oid, bob.oid}
    [copy] = env.graph.events(BOB)
    assert copy["onlineMeeting"] == event["onlineMeeting"] and copy["isOrganizer"] is False

    # POST makes the chat too; an attendee added by PATCH joins it.
    created = online_meeting(env, token)
    posted_chat = chat_id_from_join_url(created["onlineMeeting"]["joinUrl"])
    assert posted_chat is not None
    assert env.graph.chat_members(posted_chat) == {org.oid}
    env.call(
        "PATCH",
        f"/users/{ORG}/events/{created['id']}",
        token,
        json={"attendees": [{"emailAddress": {"address": BOB}, "type": "required"}]},
    )
    assert env.graph.chat_members(posted_chat) == {org.oid, bob.oid}
    assert env.graph.chat_messages(posted_chat) == []


def test_an_existing_chat_is_not_replaced(
    env: Env, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = secrets

    class FixedThread:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        @staticmethod
        def token_urlsafe(nbytes: int | None = None) -> str:
            return "MDEyMzQ1Njc4OWFi"

    monkeypatch.setattr(graph_fake, "secrets", FixedThread())
    chat_id = "19:meeting_MDEyMzQ1Njc4OWFi@thread.v2"
    env.graph.add_chat(chat_id, {"someone"})
    event = env.graph.add_event(ORG, "M", MONDAY, MONDAY + timedelta(hours=1), online_meeting=True)
    assert chat_id_from_join_url(event["onlineMeeting"]["joinUrl"]) == chat_id
    assert env.graph.chat_members(chat_id) == {"someone"}


# -- 7. apps and tabs in chats -------------------------------------------------------------------


def chat_with_app(
    env: Env, token: str, *, client_id: str | None = None, attendees: tuple[str, ...] = ()
) -> tuple[str, str, str]:
    """A meeting chat and our app in the catalog: (chat id, catalog id, bind URL)."""
    invited = [{"emailAddress": {"address": a}, "type": "required"} for a in attendees]
    event = online_meeting(env, token, attendees=invited)
    chat_id = chat_id_from_join_url(event["onlineMeeting"]["joinUrl"])
    assert chat_id is not None
    catalog_id = env.graph.add_catalog_app(MANIFEST_ID, client_id=client_id)
    return chat_id, catalog_id, f"{env.graph.base_url}/appCatalogs/teamsApps/{catalog_id}"


def app_token(env: Env, *roles: str) -> str:
    env.entra.app_roles = list(roles)
    return env.app_token()


def test_the_catalog_finds_our_app_by_manifest_id(env: Env, token: str) -> None:
    catalog_id = env.graph.add_catalog_app(MANIFEST_ID, display_name="Ontwikkelgesprek")
    assert catalog_id != MANIFEST_ID
    env.graph.add_catalog_app(str(uuid.uuid4()))
    reader = app_token(env, "AppCatalog.Read.All")
    params = {"$filter": f"externalId eq '{MANIFEST_ID}'"}
    found = env.call("GET", "/appCatalogs/teamsApps", reader, params=params).json()
    assert found["@odata.context"].endswith("/$metadata#appCatalogs/teamsApps")
    assert found["value"] == [
        {
            "id": catalog_id,
            "externalId": MANIFEST_ID,
            "displayName": "Ontwikkelgesprek",
            "distributionMethod": "organization",
        }
    ]
    ids = env.call(
        "GET", "/appCatalogs/teamsApps", reader, params={**params, "$select": "id"}
    ).json()
    assert ids["value"] == [{"id": catalog_id}]
    assert (
        env.call(
            "GET", "/appCatalogs/teamsApps", reader, params={"$filter": "externalId eq 'nope'"}
        ).json()["value"]
        == []
    )
    assert len(env.call("GET", "/appCatalogs/teamsApps", reader).json()["value"]) == 2

    bad = env.call("GET", "/appCatalogs/teamsApps", reader, params={"$filter": "colour eq 'x'"})
    graph_error(bad, 400, "BadRequest")
    denied = env.call("GET", "/appCatalogs/teamsApps", token, params=params)
    assert graph_error(denied, 403, "Forbidden").startswith(
        "Missing role permissions on the request. API requires one of 'AppCatalog.Read.All"
    )
    _, user = delegated(env, "u@example.test", ["AppCatalog.Read.All"])
    assert env.call("GET", "/appCatalogs/teamsApps", user, params=params).status_code == 200
    env.entra.user_scopes = ["User.Read"]
    graph_error(
        env.call("GET", "/appCatalogs/teamsApps", env.user_token(str(uuid.uuid4()))),
        403,
        "Forbidden",
    )


def test_installing_an_app_in_a_chat(env: Env, token: str) -> None:
    scopes = ["TeamsAppInstallation.ReadWriteForChat"]
    _, member = delegated(env, "member@example.test", scopes)
    _, outsider = delegated(env, "out@example.test", scopes)
    chat_id, catalog_id, bind = chat_with_app(
        env, token, client_id=env.entra.client_id, attendees=("member@example.test",)
    )
    other = env.graph.add_catalog_app(str(uuid.uuid4()))
    other_bind = f"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/{other}"
    path = f"/chats/{chat_id}/installedApps"

    graph_error(
        env.call("POST", path, app_token(env), json={"teamsApp@odata.bind": bind}),
        401,
        "NoPermissionsInAccessToken",
    )
    assert "TeamsAppInstallation.ReadWriteSelfForChat.All" in graph_error(
        env.call("POST", path, token, json={"teamsApp@odata.bind": bind}), 403, "Forbidden"
    )
    own = app_token(env, "TeamsAppInstallation.ReadWriteSelfForChat.All")
    # Self permissions reach the calling app only.
    graph_error(
        env.call("POST", path, own, json={"teamsApp@odata.bind": other_bind}), 403, "Forbidden"
    )
    installed = env.call("POST", path, own, json={"teamsApp@odata.bind": bind})
    assert (installed.status_code, installed.content) == (201, b"")
    again = env.call("POST", path, own, json={"teamsApp@odata.bind": bind})
    graph_error(again, 409, "Conflict")
    manager = app_token(env, "Chat.Manage.Chat")
    consented = {
        "teamsApp@odata.bind": other_bind,
        "consentedPermissionSet": {
            "resourceSpecificPermissions": [
                {"permissionValue": "TeamsTab.Create.Chat", "permissionType": "Application"}
            ]
        },
    }
    assert env.call("POST", path, manager, json=consented).status_code == 201
    assert env.graph.chat_apps(chat_id) == [catalog_id, other]

    # Reading strictly, and the references.
    for body, status, code in (
        ({}, 400, "BadRequest"),
        ({"TeamsApp@odata.bind": bind}, 400, "BadRequest"),
        (
            {"teamsApp@odata.bind": "https://elsewhere.test/appCatalogs/teamsApps/x"},
            400,
            "BadRequest",
        ),
        ({"teamsApp@odata.bind": bind, "name": "x"}, 400, "RequestBodyRead"),
        ({"teamsApp@odata.bind": bind, "teamsApp": {"id": "x"}}, 501, "NotImplemented"),
        (
            {
                "teamsApp@odata.bind": bind,
                "consentedPermissionSet": {
                    "resourceSpecificPermissions": [
                        {"permissionValue": "TeamsTab.Create.Chat", "permissionType": "both"}
                    ]
                },
            },
            400,
            "RequestBodyRead",
        ),
    ):
        graph_error(env.call("POST", path, manager, json=body), status, code)
    missing = f"{env.graph.base_url}/appCatalogs/teamsApps/{uuid.uuid4()}"
    graph_error(
        env.call("POST", path, manager, json={"teamsApp@odata.bind": missing}), 404, "NotFound"
    )
    unknown_chat = "/chats/19:meeting_nope@thread.v2/installedApps"
    graph_error(
        env.call("POST", unknown_chat, manager, json={"teamsApp@odata.bind": bind}), 404, "NotFound"
    )

    # Delegated: the user must be in the chat.
    third = env.graph.add_catalog_app(str(uuid.uuid4()))
    third_bind = f"{env.graph.base_url}/appCatalogs/teamsApps/{third}"
    graph_error(env.call("GET", path, outsider), 403, "Forbidden")
    graph_error(
        env.call("POST", path, outsider, json={"teamsApp@odata.bind": third_bind}), 403, "Forbidden"
    )
    # Fault injection matches these paths too: a dropped answer after the install took effect.
    env.graph.drop_next(1, after_processing=True, match=lambda r: r.path.endswith("/installedApps"))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        env.call("POST", path, member, json={"teamsApp@odata.bind": third_bind})
    retried = env.call("POST", path, member, json={"teamsApp@odata.bind": third_bind})
    graph_error(retried, 409, "Conflict")
    listed = env.call("GET", path, member, params={"$expand": "teamsApp"}).json()
    assert [i["teamsApp"]["id"] for i in listed["value"]] == [catalog_id, other, third]
    filtered = env.call("GET", path, member, params={"$filter": f"teamsApp/id eq '{other}'"}).json()
    assert len(filtered["value"]) == 1 and "teamsApp" not in filtered["value"][0]
    # A Self reader sees only its own installation.
    listed_own = env.call("GET", path, own, params={"$expand": "teamsApp"}).json()
    assert [i["teamsApp"]["id"] for i in listed_own["value"]] == [catalog_id]


def test_pinning_tabs_in_a_chat(env: Env, token: str) -> None:
    scopes = ["TeamsTab.Create", "TeamsTab.Read.All"]
    _, member = delegated(env, "member@example.test", scopes)
    _, outsider = delegated(env, "out@example.test", scopes)
    chat_id, catalog_id, bind = chat_with_app(
        env, token, client_id=env.entra.client_id, attendees=("member@example.test",)
    )
    other = env.graph.add_catalog_app(str(uuid.uuid4()))
    path = f"/chats/{chat_id}/tabs"
    tab = {"displayName": "Gesprek", "teamsApp@odata.bind": bind, "configuration": TAB_BODY_CONFIG}
    creator = app_token(env, "TeamsTab.Create")
    not_installed = env.call("POST", path, creator, json=tab)
    assert "needs to be installed to the chat" in graph_error(not_installed, 400, "BadRequest")
    manager = app_token(env, "Chat.Manage.Chat")
    for app in (catalog_id, other):
        install = {"teamsApp@odata.bind": f"{env.graph.base_url}/appCatalogs/teamsApps/{app}"}
        env.call("POST", f"/chats/{chat_id}/installedApps", manager, json=install)
    assert env.graph.chat_apps(chat_id) == [catalog_id, other]

    first = env.call("POST", path, creator, json=tab)
    assert first.status_code == 201, first.text
    made = first.json()
    assert set(made) == {"@odata.context", "id", "displayName", "webUrl", "configuration"}
    assert made["configuration"] == TAB_BODY_CONFIG
    assert made["webUrl"].startswith(f"https://teams.microsoft.com/l/entity/{catalog_id}/")
    second = env.call("POST", path, creator, json=tab).json()  # Graph does not deduplicate
    assert second["id"] != made["id"]
    other_tab = {**tab, "teamsApp@odata.bind": bind.replace(catalog_id, other)}
    assert env.call("POST", path, creator, json=other_tab).status_code == 201
    tabs = env.graph.chat_tabs(chat_id)
    assert [t["teamsApp"]["id"] for t in tabs] == [catalog_id, catalog_id, other]

    for body, status, code in (
        (
            {**tab, "configuration": {**TAB_BODY_CONFIG, "contentUrl": "http://x.test/"}},
            400,
            "BadRequest",
        ),
        ({**tab, "configuration": {"entityId": "x"}}, 400, "BadRequest"),
        ({k: v for k, v in tab.items() if k != "displayName"}, 400, "BadRequest"),
        ({k: v for k, v in tab.items() if k != "teamsApp@odata.bind"}, 400, "BadRequest"),
        ({**tab, "configuration": {**TAB_BODY_CONFIG, "dateAdded": "x"}}, 400, "RequestBodyRead"),
        ({**tab, "webUrl": "https://x.test/"}, 501, "NotImplemented"),
    ):
        graph_error(env.call("POST", path, creator, json=body), status, code)
    graph_error(
        env.call("POST", "/chats/19:nope@thread.v2/tabs", creator, json=tab), 404, "NotFound"
    )

    # Self: only the calling app's own tabs.
    own = app_token(env, "TeamsTab.ReadWriteSelfForChat.All")
    graph_error(env.call("POST", path, own, json=other_tab), 403, "Forbidden")
    assert env.call("POST", path, own, json=tab).status_code == 201
    listed_own = env.call("GET", path, own, params={"$expand": "teamsApp"}).json()
    assert {t["teamsApp"]["id"] for t in listed_own["value"]} == {catalog_id}
    reader = app_token(env, "TeamsTab.Read.All")
    listed = env.call("GET", path, reader).json()
    assert len(listed["value"]) == 4 and "teamsApp" not in listed["value"][0]
    only_other = env.call(
        "GET", path, reader, params={"$expand": "teamsApp", "$filter": f"teamsApp/id eq '{other}'"}
    ).json()
    assert [t["teamsApp"]["id"] for t in only_other["value"]] == [other]
    assert only_other["@odata.context"].endswith("/tabs(teamsApp())")
    graph_error(env.call("GET", path, creator), 403, "Forbidden")
    graph_error(env.call("POST", path, reader, json=tab), 403, "Forbidden")
    graph_error(env.call("GET", path, reader, params={"$top": "1"}), 501, "NotImplemented")

    # Delegated: members only.
    graph_error(env.call("POST", path, outsider, json=tab), 403, "Forbidden")
    graph_error(env.call("GET", path, outsider), 403, "Forbidden")
    assert env.call("POST", path, member, json=tab).status_code == 201
    assert len(env.call("GET", path, member).json()["value"]) == 5

    # Fault injection matches these paths like any other.
    env.graph.fail_next(1, status=503, match=lambda r: r.path.endswith("/tabs"))
    graph_error(env.call("GET", path, reader), 503, "ServiceUnavailable")
    assert env.call("GET", path, reader).status_code == 200


# -- the real SDK ---------------------------------------------------------------------------------


def test_the_msgraph_sdk_requests_are_accepted(env: Env) -> None:
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.app_catalogs.teams_apps.teams_apps_request_builder import (
        TeamsAppsRequestBuilder,
    )
    from msgraph.generated.chats.item.installed_apps.installed_apps_request_builder import (
        InstalledAppsRequestBuilder,
    )
    from msgraph.generated.chats.item.tabs.tabs_request_builder import TabsRequestBuilder
    from msgraph.generated.models.body_type import BodyType
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
    from msgraph.generated.models.event import Event
    from msgraph.generated.models.exchange_id_format import ExchangeIdFormat
    from msgraph.generated.models.item_body import ItemBody
    from msgraph.generated.models.single_value_legacy_extended_property import (
        SingleValueLegacyExtendedProperty,
    )
    from msgraph.generated.models.teams_app_installation import TeamsAppInstallation
    from msgraph.generated.models.teams_tab import TeamsTab
    from msgraph.generated.models.teams_tab_configuration import TeamsTabConfiguration
    from msgraph.generated.users.item.events.item.event_item_request_builder import (
        EventItemRequestBuilder,
    )
    from msgraph.generated.users.item.translate_exchange_ids.translate_exchange_ids_post_request_body import (  # noqa: E501
        TranslateExchangeIdsPostRequestBody,
    )

    _, user = delegated(env, ORG, ["Calendars.ReadWrite", "User.Read"])
    app = app_token(
        env,
        "Calendars.ReadWrite",
        "AppCatalog.Read.All",
        "TeamsAppInstallation.ReadWriteSelfForChat.All",
        "TeamsTab.ReadWriteSelfForChat.All",
    )
    env.graph.add_catalog_app(MANIFEST_ID, client_id=env.entra.client_id)
    event = Event(
        subject="Ontwikkelgesprek",
        body=ItemBody(content_type=BodyType.Html, content="<p>Agenda</p>"),
        start=DateTimeTimeZone(date_time="2027-03-01T09:00:00", time_zone="Europe/Amsterdam"),
        end=DateTimeTimeZone(date_time="2027-03-01T10:00:00", time_zone="Europe/Amsterdam"),
        is_online_meeting=True,
        single_value_extended_properties=[
            SingleValueLegacyExtendedProperty(id=PROPERTY, value="talk-1")
        ],
    )

    async def work(client_for: Callable[[str], Any]) -> dict[str, Any]:
        g, me = client_for(app), client_for(user)
        out: dict[str, Any] = {}
        created = await g.users.by_user_id(ORG).events.post(event)
        out["created"] = created
        ews = env.graph.ews_id(ORG, created.id)
        translated = await me.me.translate_exchange_ids.post(
            TranslateExchangeIdsPostRequestBody(
                input_ids=[ews],
                source_id_type=ExchangeIdFormat.EwsId,
                target_id_type=ExchangeIdFormat.RestImmutableEntryId,
            )
        )
        out["immutable"] = translated.value[0].target_id
        query = EventItemRequestBuilder.EventItemRequestBuilderGetQueryParameters(
            select=["subject"], expand=[EXPAND]
        )
        config = RequestConfiguration(query_parameters=query)
        config.headers.add("Prefer", 'IdType="ImmutableId"')
        item = g.users.by_user_id(ORG).events.by_event_id(out["immutable"])
        out["read"] = await item.get(config)
        out["patched"] = await item.patch(
            Event(
                single_value_extended_properties=[
                    SingleValueLegacyExtendedProperty(id=PROPERTY, value="talk-2")
                ]
            )
        )
        apps = await g.app_catalogs.teams_apps.get(
            RequestConfiguration(
                query_parameters=TeamsAppsRequestBuilder.TeamsAppsRequestBuilderGetQueryParameters(
                    filter=f"externalId eq '{MANIFEST_ID}'", select=["id"]
                )
            )
        )
        catalog_id = apps.value[0].id
        out["catalog_id"] = catalog_id
        chat_id = chat_id_from_join_url(created.online_meeting.join_url)
        out["chat_id"] = chat_id
        bind = f"{env.graph.base_url}/appCatalogs/teamsApps/{catalog_id}"
        chat = g.chats.by_chat_id(chat_id)
        out["installed"] = await chat.installed_apps.post(
            TeamsAppInstallation(additional_data={"teamsApp@odata.bind": bind})
        )
        out["apps"] = await chat.installed_apps.get(
            RequestConfiguration(
                query_parameters=InstalledAppsRequestBuilder.InstalledAppsRequestBuilderGetQueryParameters(
                    expand=["teamsApp"]
                )
            )
        )
        out["tab"] = await chat.tabs.post(
            TeamsTab(
                display_name="Gesprek",
                configuration=TeamsTabConfiguration(
                    entity_id="talk",
                    content_url="https://og.example.test/teams/tab",
                    website_url="https://og.example.test/",
                    remove_url="https://og.example.test/teams/remove",
                ),
                additional_data={"teamsApp@odata.bind": bind},
            )
        )
        out["tabs"] = await chat.tabs.get(
            RequestConfiguration(
                query_parameters=TabsRequestBuilder.TabsRequestBuilderGetQueryParameters(
                    expand=["teamsApp"], filter=f"teamsApp/id eq '{catalog_id}'"
                )
            )
        )
        return out

    out = run_sdk(env, work)
    assert [r.status for r in env.graph.requests] == [201, 200, 200, 200, 200, 201, 200, 201, 200]
    created = out["created"]
    assert out["immutable"] == env.graph.immutable_id(ORG, created.id)
    read = out["read"]
    assert (read.id, read.subject) == (out["immutable"], "Ontwikkelgesprek")
    assert [(p.id, p.value) for p in read.single_value_extended_properties] == [(SHOWN, "talk-1")]
    patched = out["patched"]
    assert patched.change_key != created.change_key and patched.body.content == "<p>Agenda</p>"
    assert patched.online_meeting.join_url == created.online_meeting.join_url
    assert env.graph.extended_properties(ORG, created.id) == [{"id": SHOWN, "value": "talk-2"}]
    assert out["installed"] is None  # 201 without a body
    assert [i.teams_app.external_id for i in out["apps"].value] == [MANIFEST_ID]
    assert out["tab"].display_name == "Gesprek" and out["tab"].web_url
    assert [t.teams_app.id for t in out["tabs"].value] == [out["catalog_id"]]
    assert env.graph.chat_apps(out["chat_id"]) == [out["catalog_id"]]
    sent: list[Recorded] = env.graph.requests
    assert sent[1].path == "/me/translateExchangeIds"
    assert sent[2].query["$expand"] == EXPAND
