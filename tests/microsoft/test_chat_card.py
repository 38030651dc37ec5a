"""The signed talk's Adaptive Card (its JSON, texts, escaping) and posting it to the meeting chat
as the user: real msgraph-sdk with a delegated token from the Entra fake's OBO, against the
Graph fake's chat endpoint."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from plugin.calendar.graph import GraphCalendar
from plugin.calendar.graph_client import GraphClient
from plugin.calendar.port import Attendee, CalendarRejected, RetryableCalendarError
from plugin.domain.agreement import AgreementStatus, Owner
from plugin.domain.schedule import Interval
from plugin.identity.tokens import TokenService
from plugin.teams.card import (
    ADAPTIVE_CARD_CONTENT_TYPE,
    AgreementLine,
    CardMessage,
    TalkSummary,
    attachment_id,
    card_message,
    escape_markdown,
    talk_card,
    talk_card_message,
)
from plugin.teams.chat import ChatRejected, RetryableChatError, post_card
from plugin.teams.meeting_chat import GraphMeetingChat
from plugin.tls import tls_context
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import TEST_GRAPH_OPTIONS
from tests.microsoft.graph_fake import GraphFake

CHAT = "19:meeting_NjQ2ZTk0ZDctYTU3Mi00ZWJmLWE0ZmYtZGM5YjI2Y2E5ZWQz@thread.v2"
CHAT_SEND = "https://graph.microsoft.com/ChatMessage.Send"
FORM_URL = (
    "https://teams.microsoft.com/l/entity/app-id/talk?context=%7B%22subEntityId%22%3A%221%22%7D"
)
EVIL = "**x** [link](http://evil)"


def summary(**changes: Any) -> TalkSummary:
    values: dict[str, Any] = {
        "talk_id": "talk-1",
        "title": "Ontwikkelgesprek Sem",
        "lead_name": "Marco de Vries",
        "learner_name": "Sem Jansen",
        "kind": "Development talk",
        "signed_on": date(2027, 3, 1),
        "agreements": (
            AgreementLine(
                "Sem follows the welding course",
                Owner.LEARNER,
                AgreementStatus.OPEN,
                date(2027, 4, 1),
            ),
            AgreementLine("Marco books the course", Owner.LEAD, AgreementStatus.DONE),
            AgreementLine(EVIL, Owner.BOTH, AgreementStatus.DROPPED),
        ),
        "form_url": FORM_URL,
        "follow_up": datetime(2027, 4, 12, 8, 0, tzinfo=UTC),  # 10:00 in Amsterdam
    }
    values.update(changes)
    return TalkSummary(**values)


def texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock's text, in order, containers included."""
    found: list[str] = []

    def walk(elements: list[dict[str, Any]]) -> None:
        for element in elements:
            if element["type"] == "TextBlock":
                found.append(element["text"])
            walk(element.get("items", []))

    walk(card["body"])
    return found


def commonmark_unescape(text: str) -> str:
    """What a CommonMark renderer shows for backslash escapes (any ASCII punctuation)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


# -- the card ----------------------------------------------------------------------------------


def test_card_shape_and_english_texts() -> None:
    card = talk_card(summary(), "en")
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert (card["type"], card["version"], card["lang"]) == ("AdaptiveCard", "1.5", "en")
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open the form", "url": FORM_URL}
    ]
    assert all(e["type"] in ("TextBlock", "Container") for e in card["body"])
    assert all(b.get("wrap") for b in card["body"] if b["type"] == "TextBlock")
    assert texts(card) == [
        "Ontwikkelgesprek Sem",
        "Development talk between Marco de Vries and Sem Jansen",
        "Signed on March 1, 2027",
        "Agreements",
        "Sem follows the welding course",
        "Sem Jansen · due April 1, 2027 · Open",
        "Marco books the course",
        "Marco de Vries · Done",
        r"\*\*x\*\* \[link\](http://evil)",
        "Both · Dropped",
        "Follow-up talk: Monday 12 April 2027, 10:00",
    ]
    # What goes over the wire is the card as a JSON string, which parses back to the same card.
    assert json.loads(talk_card_message(summary(), "en").card_json) == card


def test_card_in_dutch() -> None:
    card = talk_card(summary(kind="Ontwikkelgesprek"))
    assert card["lang"] == "nl"
    assert texts(card) == [
        "Ontwikkelgesprek Sem",
        "Ontwikkelgesprek tussen Marco de Vries en Sem Jansen",
        "Afgetekend op 1 maart 2027",
        "Afspraken",
        "Sem follows the welding course",
        "Sem Jansen · uiterlijk 1 april 2027 · Openstaand",
        "Marco books the course",
        "Marco de Vries · Afgerond",
        r"\*\*x\*\* \[link\](http://evil)",
        "Beiden · Vervallen",
        "Vervolggesprek: maandag 12 april 2027, 10:00",
    ]
    assert card["actions"][0]["title"] == "Formulier openen"


def test_card_without_agreements_or_follow_up() -> None:
    card = talk_card(summary(agreements=(), follow_up=None, title="  "), "en")
    assert texts(card) == [
        "Development talk",
        "Development talk between Marco de Vries and Sem Jansen",
        "Signed on March 1, 2027",
        "Agreements",
        "No agreements were made.",
        "No follow-up yet.",
    ]
    dutch = texts(talk_card(summary(agreements=(), follow_up=None)))
    assert "Er zijn geen afspraken gemaakt." in dutch
    assert "Nog geen vervolggesprek." in dutch


def test_user_text_is_escaped_everywhere_in_the_card() -> None:
    card = talk_card(
        summary(
            title="# Big *title*",
            lead_name="Marco_de_Vries",
            learner_name="[Sem](http://x)",
            kind="*Own* kind",  # an organisation's own type names itself
        ),
        "en",
    )
    found = texts(card)
    assert found[0] == r"\# Big \*title\*"
    assert found[1] == r"\*Own\* kind between Marco\_de\_Vries and \[Sem\](http://x)"
    assert r"\[Sem\](http://x) · due April 1, 2027 · Open" in found


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (EVIL, r"\*\*x\*\* \[link\](http://evil)"),
        ("plain text, with punctuation: fine!", "plain text, with punctuation: fine!"),
        ("_italic_ ~~strike~~ `code`", r"\_italic\_ \~\~strike\~\~ \`code\`"),
        ("<b>bold</b> &lt; &amp;", r"\<b\>bold\</b\> \&lt; \&amp;"),
        ("{{DATE(2027-03-01T09:00:00Z, SHORT)}}", r"\{\{DATE(2027-03-01T09:00:00Z, SHORT)}}"),
        (r"a \*b", r"a \\\*b"),
        ("- one\r\n+ two\r3. three\n  4) four", "\\- one\n\\+ two\n3\\. three\n  4\\) four"),
        (
            "# heading\n> quote\n===\nwell-known 2. item",
            "\\# heading\n\\> quote\n\\===\nwell-known 2. item",
        ),
        ("![img](http://evil/x.png)", r"!\[img\](http://evil/x.png)"),
    ],
)
def test_escape_markdown(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped
    # A CommonMark renderer removes exactly our backslashes: the person's text comes back.
    assert commonmark_unescape(escaped) == text.replace("\r\n", "\n").replace("\r", "\n")


def test_chat_message_parts() -> None:
    message = card_message(
        {"type": "AdaptiveCard", "version": "1.5"}, attachment='a"b', intro="<b>hi</b>"
    )
    assert (
        message.body_html == '<p>&lt;b&gt;hi&lt;/b&gt;</p><attachment id="a&quot;b"></attachment>'
    )
    assert message.graph_json() == {
        "body": {"contentType": "html", "content": message.body_html},
        "attachments": [
            {"id": 'a"b', "contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": message.card_json}
        ],
    }
    talk = talk_card_message(summary())
    assert talk.body_html == f'<attachment id="{talk.attachment_id}"></attachment>'
    assert (
        talk.attachment_id == attachment_id("talk-1") == talk_card_message(summary()).attachment_id
    )
    assert re.fullmatch(r"[0-9a-f]{32}", talk.attachment_id)
    assert attachment_id("talk-2") != talk.attachment_id


# -- posting it ---------------------------------------------------------------------------------


KEY = b"test-encryption-key-0123456789"


class Member:
    def __init__(self, entra: EntraFake) -> None:
        self.oid = str(uuid.uuid4())
        self.key = f"{entra.tenant_id}:{self.oid}"
        self.assertion = entra.user_assertion(self.oid)


@pytest.fixture
def tokens(entra: EntraFake, tmp_path: Path) -> TokenService:
    entra.user_scopes.append("ChatMessage.Send")
    return TokenService(
        tenant_id=entra.tenant_id,
        client_id=entra.client_id,
        client_secret=entra.client_secret,
        authority_host=entra.authority_host,
        ca_bundle=entra.ca_path,
        cache_dir=tmp_path / "token-cache",
        encryption_key=KEY,
    )


@pytest.fixture
def client(tokens: TokenService, graph: GraphFake, entra: EntraFake) -> Iterator[GraphClient]:
    graph_client = GraphClient(
        tokens, graph_url=graph.base_url, ca_bundle=entra.ca_path, options=TEST_GRAPH_OPTIONS
    )
    yield graph_client
    graph_client.close()


@pytest.fixture
def lead(entra: EntraFake, graph: GraphFake) -> Member:
    lead, learner = Member(entra), Member(entra)
    graph.add_chat(CHAT, {lead.oid, learner.oid})
    return lead


def delegated(tokens: TokenService, member: Member) -> str:
    return tokens.user_token(member.key, member.assertion, [CHAT_SEND])


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def test_posts_the_card_as_the_user(
    client: GraphClient, tokens: TokenService, graph: GraphFake, lead: Member
) -> None:
    token = delegated(tokens, lead)
    assert "ChatMessage.Send" in claims(token)["scp"].split()
    message = talk_card_message(summary())
    message_id = post_card(client, token, CHAT, message)

    [posted] = graph.chat_messages(CHAT)
    assert posted["id"] == message_id
    assert posted["from"]["user"]["id"] == lead.oid
    assert posted["body"] == {"contentType": "html", "content": message.body_html}
    [attachment] = posted["attachments"]
    assert attachment["id"] == message.attachment_id
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert json.loads(attachment["content"]) == talk_card(summary())

    [request] = graph.requests
    assert (request.method, request.path, request.status) == (
        "POST",
        f"/chats/{CHAT}/messages",
        201,
    )
    assert request.headers["authorization"] == f"Bearer {token}"
    assert request.headers["client-request-id"]
    assert request.body == message.graph_json()


def test_the_app_token_stays_with_app_calls(
    client: GraphClient, tokens: TokenService, graph: GraphFake, lead: Member
) -> None:
    """A user call does not leak its token into the app's calls, before or after."""
    graph.add_mailbox("marco@contoso.example", display_name="Marco")
    calendar = GraphCalendar(client)
    who = Attendee("p-lead", "Marco", "marco@contoso.example")
    window = Interval(datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 3, 2, tzinfo=UTC))
    calendar.list_events(who, window)
    post_card(client, delegated(tokens, lead), CHAT, talk_card_message(summary()))
    calendar.list_events(who, window)
    seen = [claims(r.headers["authorization"].split()[1]) for r in graph.requests]
    assert ["scp" in c for c in seen] == [False, True, False]
    assert seen[1]["oid"] == lead.oid


def test_concurrent_posts_keep_their_own_users_tokens(
    client: GraphClient, tokens: TokenService, graph: GraphFake, entra: EntraFake, lead: Member
) -> None:
    """While one user's post waits for Graph, another user's post goes out with its own token."""
    other, other_chat = Member(entra), "19:meeting_other@thread.v2"
    graph.add_chat(other_chat, {other.oid})
    lead_token, other_token = delegated(tokens, lead), delegated(tokens, other)
    hold = graph.hold_next(lambda r: r.path == f"/chats/{CHAT}/messages")
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(post_card, client, lead_token, CHAT, talk_card_message(summary()))
        assert hold.reached.wait(30), "the first post never reached Graph"
        post_card(client, other_token, other_chat, talk_card_message(summary()))
        hold.release()
        first.result(30)
    assert [m["from"]["user"]["id"] for m in graph.chat_messages(CHAT)] == [lead.oid]
    assert [m["from"]["user"]["id"] for m in graph.chat_messages(other_chat)] == [other.oid]


def test_app_only_token_is_refused(
    client: GraphClient, tokens: TokenService, graph: GraphFake, lead: Member
) -> None:
    with pytest.raises(ChatRejected) as caught:
        post_card(client, tokens.app_token(), CHAT, talk_card_message(summary()))
    assert caught.value.reason == "chat_permission"
    assert "403" in str(caught.value) and "application-only context" in str(caught.value)
    assert graph.chat_messages(CHAT) == []


def test_a_token_without_chat_message_send_is_refused(
    client: GraphClient, tokens: TokenService, graph: GraphFake, entra: EntraFake, lead: Member
) -> None:
    entra.user_scopes.remove("ChatMessage.Send")
    with pytest.raises(ChatRejected) as caught:
        post_card(client, delegated(tokens, lead), CHAT, talk_card_message(summary()))
    assert caught.value.reason == "chat_permission"
    assert "Missing scope permissions" in str(caught.value)


def test_unknown_chat_and_non_member(
    client: GraphClient, tokens: TokenService, graph: GraphFake, entra: EntraFake, lead: Member
) -> None:
    with pytest.raises(ChatRejected) as caught:
        post_card(
            client,
            delegated(tokens, lead),
            "19:meeting_gone@thread.v2",
            talk_card_message(summary()),
        )
    assert caught.value.reason == "chat_not_found"

    outsider = Member(entra)
    with pytest.raises(ChatRejected) as caught:
        post_card(client, delegated(tokens, outsider), CHAT, talk_card_message(summary()))
    assert caught.value.reason == "chat_permission"
    assert graph.chat_messages(CHAT) == []


@pytest.mark.parametrize("status", [503, 429])
def test_throttling_and_outages_are_retryable(
    client: GraphClient, tokens: TokenService, graph: GraphFake, lead: Member, status: int
) -> None:
    token = delegated(tokens, lead)
    graph.fail_next(1, status=status, retry_after=7)
    with pytest.raises(RetryableChatError) as caught:
        post_card(client, token, CHAT, talk_card_message(summary()))
    assert caught.value.retry_after == timedelta(seconds=7)
    assert graph.chat_messages(CHAT) == []
    # The outbox retries it like any calendar job, and the next try goes through.
    assert isinstance(caught.value, RetryableCalendarError)
    assert post_card(client, token, CHAT, talk_card_message(summary()))
    assert len(graph.chat_messages(CHAT)) == 1


def test_a_message_graph_refuses_is_rejected(
    client: GraphClient, tokens: TokenService, graph: GraphFake, lead: Member
) -> None:
    broken = CardMessage(
        attachment_id="a1", body_html='<attachment id="a1"></attachment>', card_json="{}"
    )
    with pytest.raises(ChatRejected) as caught:
        post_card(client, delegated(tokens, lead), CHAT, broken)
    assert caught.value.reason == "rejected"
    assert isinstance(caught.value, CalendarRejected)
    assert "400 BadRequest" in str(caught.value)


# -- the Graph fake's chat endpoint itself ---------------------------------------------------------


@pytest.fixture
def raw(entra: EntraFake, graph: GraphFake) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=graph.base_url, verify=tls_context(entra.ca_path), trust_env=False
    ) as http:
        yield http


CARD = json.dumps({"type": "AdaptiveCard", "version": "1.5", "body": []})


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            {
                "body": {"contentType": "html", "content": '<attachment id="b"></attachment>'},
                "attachments": [
                    {"id": "a", "contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": CARD}
                ],
            },
            "references attachment 'b'",
        ),
        (
            {
                "body": {"contentType": "html", "content": "<p>no placeholder</p>"},
                "attachments": [
                    {"id": "a", "contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": CARD}
                ],
            },
            "must be referenced exactly once",
        ),
        (
            {
                "body": {"contentType": "html", "content": '<attachment id="a"></attachment>'},
                "attachments": [
                    {"id": "a", "contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": "{not json"}
                ],
            },
            "not valid JSON",
        ),
        (
            {
                "body": {"contentType": "html", "content": '<attachment id="a"></attachment>'},
                "attachments": [
                    {
                        "id": "a",
                        "contentType": ADAPTIVE_CARD_CONTENT_TYPE,
                        "content": json.dumps({"type": "AdaptiveCard"}),
                    }
                ],
            },
            'needs a "version"',
        ),
        (
            {
                "body": {"contentType": "html", "content": '<attachment id="a"></attachment>'},
                "attachments": [
                    {
                        "id": "a",
                        "contentType": ADAPTIVE_CARD_CONTENT_TYPE,
                        "content": json.dumps({"type": "Card", "version": "1.5"}),
                    }
                ],
            },
            '"type" must be "AdaptiveCard"',
        ),
    ],
)
def test_fake_checks_attachments_like_graph(
    raw: httpx.Client,
    tokens: TokenService,
    graph: GraphFake,
    lead: Member,
    body: dict[str, Any],
    says: str,
) -> None:
    response = raw.post(
        f"/chats/{CHAT}/messages",
        json=body,
        headers={"Authorization": f"Bearer {delegated(tokens, lead)}"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "BadRequest" and says in error["message"]
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    assert graph.chat_messages(CHAT) == []


def test_fake_lists_messages_newest_first(
    raw: httpx.Client,
    tokens: TokenService,
    entra: EntraFake,
    lead: Member,
    client: GraphClient,
) -> None:
    entra.user_scopes.append("Chat.Read")
    token = delegated(tokens, lead)
    first = post_card(client, token, CHAT, talk_card_message(summary(talk_id="t1")))
    second = post_card(client, token, CHAT, talk_card_message(summary(talk_id="t2")))
    listed = raw.get(f"/chats/{CHAT}/messages", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json()["value"]] == [second, first]
    assert int(second) > int(first)
    app_only = raw.get(
        f"/chats/{CHAT}/messages", headers={"Authorization": f"Bearer {tokens.app_token()}"}
    )
    assert app_only.status_code == 403
    assert "Missing role permissions" in app_only.json()["error"]["message"]


def test_the_meeting_chat_waits_out_an_entra_outage_and_refuses_without_a_sign_in(
    client: GraphClient, tokens: TokenService, graph: GraphFake, entra: EntraFake, lead: Member
) -> None:
    chat = GraphMeetingChat(lambda: tokens, lambda: client, graph.base_url)
    stranger = Member(entra)
    with pytest.raises(ChatRejected) as refused:  # never signed in here: nothing to post with
        chat.post(stranger.key, CHAT, summary(), "nl", "Europe/Amsterdam")
    assert refused.value.reason == "chat_permission"

    delegated(tokens, lead)  # the lead signed in Teams: their refresh token is kept
    entra.stop()  # and now Entra ID cannot be reached to renew it
    with pytest.raises(RetryableChatError):
        chat.post(lead.key, CHAT, summary(), "nl", "Europe/Amsterdam")
    assert graph.chat_messages(CHAT) == []
