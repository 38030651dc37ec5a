"""Posting a card to a Teams chat (the meeting chat) through Microsoft Graph, as a user.

Graph's ``POST /chats/{chat-id}/messages`` takes *delegated* tokens only (``ChatMessage.Send``):
an application may post to a chat only when importing history. So the caller passes the user's
own access token (on-behalf-of in a request, `TokenService.user_token_silent` in the worker),
and `GraphClient.call_as_user` sends it instead of the app token, on the same loop and
connection pool as the calendar calls.

Failures say what to do next, as the calendar adapter's do, and are subclasses of the calendar
port's errors so the outbox treats a chat job like any other: `RetryableChatError` for
throttling, 5xx and network trouble (with Graph's ``Retry-After``); `ChatRejected` with a reason
otherwise: ``chat_permission`` (401/403: no consent for ``ChatMessage.Send``, an app-only token,
or the user is not in the chat), ``chat_not_found`` (404) or ``rejected`` (the message itself,
400). Graph has no ``transactionId`` for chat messages, so a post repeated after a lost answer
shows twice; the card's attachment id is stable per talk (`card.attachment_id`) so that a
caller with read access can look for it first.
"""

from __future__ import annotations

import logging

import httpx
from kiota_abstractions.api_error import APIError
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.chat_message import ChatMessage
from msgraph.generated.models.chat_message_attachment import ChatMessageAttachment
from msgraph.generated.models.item_body import ItemBody
from msgraph.graph_service_client import GraphServiceClient

from plugin.calendar.graph_client import GraphClient, GraphFailure
from plugin.calendar.port import CalendarRejected, RetryableCalendarError
from plugin.teams.card import ADAPTIVE_CARD_CONTENT_TYPE, CardMessage

log = logging.getLogger(__name__)


class RetryableChatError(RetryableCalendarError):
    """A passing failure posting to the chat (throttling, 5xx, network): try again later."""


class ChatRejected(CalendarRejected):
    """Graph refused the post; repeating it will not help.

    `reason`: ``chat_permission``, ``chat_not_found`` or ``rejected`` (see module docstring).
    """


def post_card(client: GraphClient, access_token: str, chat_id: str, message: CardMessage) -> str:
    """Post ``message`` to the chat as the user whose delegated ``access_token`` this is.

    Returns the new chat message's id. Raises `RetryableChatError` or `ChatRejected`.
    """
    body = ChatMessage(
        body=ItemBody(content_type=BodyType.Html, content=message.body_html),
        attachments=[
            ChatMessageAttachment(
                id=message.attachment_id,
                content_type=ADAPTIVE_CARD_CONTENT_TYPE,
                content=message.card_json,
            )
        ],
    )

    async def send(graph: GraphServiceClient) -> ChatMessage | None:
        return await graph.chats.by_chat_id(chat_id).messages.post(body)

    try:
        posted = client.call_as_user(access_token, send)
    except APIError as error:  # ODataError (Graph's error JSON) is one too
        raise _from_graph(error) from None
    except (httpx.TransportError, TimeoutError) as error:
        log.info("Graph chat post: %s", type(error).__name__)
        raise RetryableChatError(f"post to chat: {type(error).__name__}") from None
    if posted is None or not posted.id:
        raise RetryableChatError("post to chat: Graph sent an empty answer")
    log.info("posted a card to a chat (message %s)", posted.id)
    return posted.id


def _from_graph(error: APIError) -> CalendarRejected | RetryableCalendarError:
    failure = GraphFailure.read(error, "chat post")
    text = f"post to chat: Graph answered {failure.status} {failure.code}".rstrip()
    if failure.passing:
        return RetryableChatError(text, retry_after=failure.retry_after)
    if failure.status == 404:
        return ChatRejected(f"{text}: {failure.message}", reason="chat_not_found")
    if failure.status in (401, 403):
        return ChatRejected(f"{text}: {failure.message}", reason="chat_permission")
    return ChatRejected(f"{text}: {failure.message}")
