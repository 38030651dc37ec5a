"""The Graph fake's drafts (tests/microsoft/graph_fake_mailbox.py), over raw HTTP: the
documented shapes (201 with the message, the extended-property filter, 202 on send) and the
refusals (permissions, the access policy, a bad property id, an unknown or already sent id)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.microsoft import test_graph_fake as shared
from tests.microsoft.test_graph_fake import BOB, ORG, Env, graph_error

module_entra = shared.module_entra
env = shared.env

PROPERTY = "String {6f1c9a52-3b8e-4d27-9c4a-0e5b7d2f8a61} Name ReminderKey"


def draft(key: str = "k-1", **extra: Any) -> dict[str, Any]:
    return {
        "subject": "Bereid je gesprek voor",
        "body": {"contentType": "html", "content": "<p>Hallo</p>"},
        "toRecipients": [{"emailAddress": {"address": "sem@example.nl", "name": "Sem"}}],
        "singleValueExtendedProperties": [{"id": PROPERTY, "value": key}],
        **extra,
    }


def find(env: Env, token: str, key: str, **params: str) -> Any:
    query = {
        "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{PROPERTY}' "
        f"and ep/value eq '{key}')",
        **params,
    }
    return env.call("GET", f"/users/{ORG}/messages", token, params=query)


@pytest.fixture
def token(env: Env) -> str:
    env.entra.app_roles = ["Mail.ReadWrite", "Mail.Send"]
    env.graph.add_mailbox(ORG, display_name="Olga Organiser")
    env.graph.add_mailbox(BOB, display_name="Bob")
    return env.app_token()


def test_a_draft_is_made_found_by_its_property_and_sent(env: Env, token: str) -> None:
    made = env.call("POST", f"/users/{ORG}/messages", token, json=draft())
    assert made.status_code == 201, made.text
    message = made.json()
    assert message["isDraft"] is True
    assert message["@odata.context"].endswith("/messages/$entity")
    assert "singleValueExtendedProperties" not in message  # only with $expand
    assert message["toRecipients"] == draft()["toRecipients"]

    found = find(env, token, "K-1", **{"$select": "id,isDraft"})  # the value: any case
    assert found.status_code == 200
    assert [(m["id"], m["isDraft"]) for m in found.json()["value"]] == [(message["id"], True)]
    assert set(found.json()["value"][0]) == {"@odata.etag", "id", "isDraft"}
    assert find(env, token, "k-2").json()["value"] == []

    sent = env.call("POST", f"/users/{ORG}/messages/{message['id']}/send", token)
    assert (sent.status_code, sent.content) == (202, b"")
    (after,) = find(env, token, "k-1").json()["value"]
    assert after["isDraft"] is False and after["parentFolderId"] == "sentitems"
    assert after["id"] != message["id"]  # moved to Sent Items: a new id
    (mail,) = env.graph.notify.mails
    assert (mail.mailbox, mail.message["subject"]) == (ORG, "Bereid je gesprek voor")
    again = env.call("POST", f"/users/{ORG}/messages/{message['id']}/send", token)
    assert "not found in the store" in graph_error(again, 404, "ErrorItemNotFound")
    assert len(env.graph.notify.mails) == 1


@pytest.mark.parametrize(
    ("roles", "method", "status", "code"),
    [
        (["Mail.Send"], "create", 403, "ErrorAccessDenied"),
        (["Mail.Send"], "find", 403, "ErrorAccessDenied"),
        (["Mail.ReadWrite"], "send", 403, "ErrorAccessDenied"),
        (["Calendars.ReadWrite"], "create", 403, "ErrorAccessDenied"),
    ],
)
def test_each_step_needs_its_permission(
    env: Env, roles: list[str], method: str, status: int, code: str
) -> None:
    env.entra.app_roles = ["Mail.ReadWrite"]
    env.graph.add_mailbox(ORG, display_name="Olga Organiser")
    made = env.call("POST", f"/users/{ORG}/messages", env.app_token(), json=draft()).json()
    env.entra.app_roles = roles
    token = env.app_token()
    answer = {
        "create": lambda: env.call("POST", f"/users/{ORG}/messages", token, json=draft()),
        "find": lambda: find(env, token, "k-1"),
        "send": lambda: env.call("POST", f"/users/{ORG}/messages/{made['id']}/send", token),
    }[method]()
    graph_error(answer, status, code)
    assert env.graph.notify.mails == []


def test_the_access_policy_keeps_other_mailboxes_out(env: Env, token: str) -> None:
    env.graph.restrict_app_access({ORG})
    answer = env.call("POST", f"/users/{BOB}/messages", token, json=draft())
    assert "[RAOP]" in graph_error(answer, 403, "ErrorAccessDenied")
    assert env.call("POST", f"/users/{ORG}/messages", token, json=draft()).status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (draft(singleValueExtendedProperties=[{"id": "ReminderKey", "value": "x"}]), 400,
         "ErrorInvalidProperty"),
        (draft(internetMessageHeaders=[{"name": "x-a", "value": "b"}]), 501, "NotImplemented"),
        (draft(colour="blue"), 400, "RequestBodyRead"),
    ],
)  # fmt: skip
def test_a_bad_draft_is_refused(env: Env, token: str, body: Any, status: int, code: str) -> None:
    graph_error(env.call("POST", f"/users/{ORG}/messages", token, json=body), status, code)
    assert env.graph.notify.messages.in_folder(ORG, "drafts") == []


def test_a_draft_without_recipients_is_not_sent(env: Env, token: str) -> None:
    made = env.call("POST", f"/users/{ORG}/messages", token, json=draft(toRecipients=[]))
    sent = env.call("POST", f"/users/{ORG}/messages/{made.json()['id']}/send", token)
    graph_error(sent, 400, "ErrorInvalidRecipients")


def test_other_listings_are_not_modelled(env: Env, token: str) -> None:
    answer = env.call("GET", f"/users/{ORG}/messages", token, params={"$filter": "isDraft eq true"})
    graph_error(answer, 501, "NotImplemented")
    graph_error(env.call("GET", f"/users/{ORG}/messages", token), 501, "NotImplemented")
