"""After sign-off in a Teams meeting: the consent step at the lead's signature, and the summary
card posted to the meeting chat in the lead's name by the worker."""

from __future__ import annotations

import json
import re
import ssl
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from plugin.domain.clock import FixedClock
from plugin.jobs.outbox import Outbox
from plugin.services.context import Services
from plugin.store import repo
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import (
    BASE_URL,
    bearer,
    https_client,
    plan_over_api,
    sign_over_api,
)
from tests.microsoft.graph_fake import GraphFake
from tests.microsoft.test_sso_api import MARCO, SEM

CHAT = "19:meeting_ZjE2NjQ0YjgtZjM1Ny00ZDc2LWI4NWUtNWYxYzA5YjQ2Njk3@thread.v2"
CHAT_SEND = "ChatMessage.Send"


@pytest.fixture
def world(
    ms_app: Flask, entra: EntraFake, graph: GraphFake, clock: FixedClock
) -> tuple[FlaskClient, dict[str, str], dict[str, str], str]:
    """A talk between Marco (lead) and Sem held in a Teams meeting, under way, with one
    agreement both confirmed."""
    entra.clock = lambda: clock.now().timestamp()
    entra.user_scopes.append(CHAT_SEND)
    graph.add_chat(CHAT, [MARCO, SEM])
    client = https_client(ms_app)

    def who(oid: str, name: str) -> dict[str, str]:
        return bearer(
            entra, clock, oid, name=name, extra={"preferred_username": f"{name}@contoso.test"}
        )

    lead, learner = who(MARCO, "marco"), who(SEM, "sem")
    talk = plan_over_api(
        client,
        lead,
        learner,
        clock.now() + timedelta(hours=1),
        meeting_chat_id=CHAT,
        chat_summary=True,
    )
    clock.set(clock.now() + timedelta(hours=1, minutes=5))
    lead, learner = who(MARCO, "marco"), who(SEM, "sem")  # fresh tokens on the moved clock
    added = client.post(
        f"/api/talks/{talk['id']}/agreements",
        headers=lead,
        json={"what": "Sem maakt **zelf** een [inregelrapport](https://evil.example)"},
    )
    assert added.status_code == 201, added.json
    confirmed = client.post(
        f"/api/talks/{talk['id']}/agreements/{added.json['id']}/confirm",
        headers=learner,
        json={"version": added.json["version"]},
    )
    assert confirmed.status_code == 200, confirmed.json
    return client, lead, learner, talk["id"]


def test_without_consent_the_lead_is_asked_first_and_nothing_is_signed(
    world: tuple[FlaskClient, dict[str, str], dict[str, str], str],
    entra: EntraFake,
    ms_services: Services,
) -> None:
    client, lead, _learner, talk_id = world
    entra.require_consent(MARCO)
    answer = sign_over_api(client, lead, talk_id)
    assert answer.status_code == 403
    error = answer.json["error"]
    assert error["code"] == "consent_required"
    assert error["consent_url"].startswith(f"{BASE_URL}/teams/consent/start?ticket=")
    talk = ms_services.read(lambda s: repo.talk(s, entra.tenant_id, talk_id))
    assert talk is not None and talk.signatures == []


def test_the_consent_pop_up_flow_then_the_card_in_the_meeting_chat(
    world: tuple[FlaskClient, dict[str, str], dict[str, str], str],
    entra: EntraFake,
    graph: GraphFake,
    ms_outbox: Outbox,
) -> None:
    client, lead, learner, talk_id = world
    entra.require_consent(MARCO)
    entra.redirect_uris.add(f"{BASE_URL}/teams/consent/done")
    entra.browser_user(MARCO, name="marco", username="marco@contoso.test")
    consent_url = sign_over_api(client, lead, talk_id).json["error"]["consent_url"]

    # The pop-up: our start page sends it to Entra ID's sign-in...
    started = client.get(consent_url.removeprefix(BASE_URL))
    assert started.status_code == 302
    authorize = started.headers["Location"]
    assert "code_challenge=" in authorize and "ChatMessage.Send" in authorize
    with httpx.Client(verify=ssl.create_default_context(cafile=str(entra.ca_path))) as browser:
        signed_in = browser.get(authorize)
    # ...which posts the answer back (form_post) to our done page.
    fields = dict(
        (name, value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', signed_in.text
        )
    )
    assert "code" in fields, signed_in.text
    done = client.post("/teams/consent/done", data=fields)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert '"outcome": "ok"' in done.get_data(as_text=True)
    assert not entra.consent_required(MARCO)

    assert sign_over_api(client, lead, talk_id).status_code == 200
    assert sign_over_api(client, learner, talk_id).json["status"] == "signed"
    assert graph.chat_messages(CHAT) == []  # the web request posts nothing itself
    ms_outbox.drain()
    messages = graph.chat_messages(CHAT)
    assert len(messages) == 1
    message = messages[0]
    assert message["from"]["user"]["id"] == MARCO  # in the lead's name
    card = json.loads(message["attachments"][0]["content"])
    texts = " | ".join(_texts(card))
    assert r"Sem maakt \*\*zelf\*\* een \[inregelrapport\]" in texts  # shown, not obeyed
    action = card["actions"][0]
    assert action["type"] == "Action.OpenUrl"
    link = urlsplit(action["url"])
    assert link.netloc == "teams.microsoft.com" and link.path.endswith(f"/{talk_id}")
    context = json.loads(parse_qs(link.query)["context"][0])
    assert context == {"chatId": CHAT, "contextType": "chat"}


def _texts(element: object) -> list[str]:
    """Every TextBlock text in a card."""
    if isinstance(element, dict):
        own = [element["text"]] if isinstance(element.get("text"), str) else []
        return own + [t for value in element.values() for t in _texts(value)]
    if isinstance(element, list):
        return [t for value in element for t in _texts(value)]
    return []


def test_a_ticket_is_for_one_person_and_expires(
    world: tuple[FlaskClient, dict[str, str], dict[str, str], str],
    entra: EntraFake,
    clock: FixedClock,
) -> None:
    client, lead, _learner, talk_id = world
    entra.require_consent(MARCO)
    url = sign_over_api(client, lead, talk_id).json["error"]["consent_url"]
    path = url.removeprefix(BASE_URL)
    forged = path[:-3] + ("abc" if not path.endswith("abc") else "xyz")
    assert client.get(forged).status_code == 400
    clock.set(clock.now() + timedelta(minutes=11))
    assert client.get(path).status_code == 400
    assert client.post("/teams/consent/done", data={"code": "x", "state": "y"}).status_code == 400


def test_a_talk_outside_a_meeting_signs_without_asking(
    ms_app: Flask, entra: EntraFake, graph: GraphFake, clock: FixedClock, ms_outbox: Outbox
) -> None:
    client = https_client(ms_app)
    entra.clock = lambda: clock.now().timestamp()
    entra.require_consent(MARCO)  # would be asked, if the talk had a meeting chat
    lead = bearer(entra, clock, MARCO)
    learner = bearer(entra, clock, SEM)
    talk = plan_over_api(client, lead, learner, clock.now() + timedelta(minutes=30))
    clock.set(clock.now() + timedelta(minutes=31))
    signed = sign_over_api(client, bearer(entra, clock, MARCO), talk["id"])
    assert signed.status_code == 200, signed.json
    assert [s["role"] for s in signed.json["signatures"]] == ["lead"]


def test_local_mode_has_no_consent_pages(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/teams/consent/start?ticket=x").status_code == 404
    assert client.post("/teams/consent/done", data={"code": "x"}).status_code == 404
