"""Reminder e-mails through Microsoft Graph, from one configured mailbox, sent at most once.

For Microsoft mode without SMTP, as the mailbox `ONTWIKKELGESPREK_MAIL_MAILBOX`, with
application permissions `Mail.ReadWrite` (the draft, and finding it again) and `Mail.Send`.
Both let an app reach *any* mailbox, so the README asks admins to limit them to that one
(an application access policy, or RBAC for Applications). Graph takes one body: the HTML
(which carries the same words and link as the plain text).

Graph's `sendMail` has no idempotency key: a send repeated after a lost answer, or after the
worker died before the outbox recorded it, arrives twice. So a reminder goes out in steps a
retry can pick up, tied together by an extended property on the message that holds the
reminder's stable key (`Message.key`, one per occasion and person):

1. find the message with that key (`GET /users/{mailbox}/messages?$filter=
   singleValueExtendedProperties/Any(…)`: every folder, Drafts and Sent Items too);
2. none: create it as a draft with the property (`POST /users/{mailbox}/messages`);
3. a draft: send it (`POST /users/{mailbox}/messages/{id}/send`); Exchange moves it to Sent
   Items.

Found already sent: done, nothing goes out again. The draft gone when sending (404: it was
sent meanwhile, and moved): done. Three Graph requests for a reminder; a retry one or two. The
sent reminders stay in the mailbox's Sent Items: that record is what makes a retry safe (a
retention policy on that mailbox may clear them after a few months).
"""

from __future__ import annotations

import logging

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message as GraphMessage
from msgraph.generated.models.message_collection_response import MessageCollectionResponse
from msgraph.generated.models.recipient import Recipient as GraphRecipient
from msgraph.generated.models.single_value_legacy_extended_property import (
    SingleValueLegacyExtendedProperty,
)
from msgraph.generated.users.item.messages.messages_request_builder import (
    MessagesRequestBuilder,
)
from msgraph.graph_service_client import GraphServiceClient

from plugin.calendar.graph_client import GraphClient
from plugin.notify.graph_send import NOT_FOUND, graph_send
from plugin.notify.port import GRAPH_MAIL, REJECTED, Delivery, DeliveryRejected, Message, Recipient

log = logging.getLogger(__name__)

#: The extended property that names a reminder's message: a string in the app's own property
#: set (a GUID of ours), by name (Graph's format: "String {guid} Name name").
KEY_PROPERTY = "String {6f1c9a52-3b8e-4d27-9c4a-0e5b7d2f8a61} Name OntwikkelgesprekReminderKey"

Query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters


class GraphMailChannel:
    """Sends each reminder as an e-mail from `mailbox`, through Graph, at most once per key."""

    def __init__(self, client: GraphClient, *, mailbox: str) -> None:
        self._client = client
        self._mailbox = mailbox

    def send(self, recipient: Recipient, message: Message) -> Delivery:
        if not message.key:
            raise ValueError("a reminder e-mail through Graph needs the message's key")
        found = self._find(message.key)
        sent = next((m for m in found if m.is_draft is False), None)
        if sent is not None:
            log.info("reminder e-mail to person %s was sent already", recipient.person_id)
            return Delivery(GRAPH_MAIL)
        draft = next((m.id for m in found if m.id), None) or self._draft(recipient, message)
        try:
            self._send_draft(draft)
        except DeliveryRejected as refused:
            if refused.reason != NOT_FOUND:
                raise
            # Sent by an attempt whose answer was lost, and moved to Sent Items (a new id).
            log.info("reminder e-mail to person %s: draft sent meanwhile", recipient.person_id)
            return Delivery(GRAPH_MAIL)
        log.info("sent a reminder e-mail to person %s through Graph", recipient.person_id)
        return Delivery(GRAPH_MAIL)

    def _find(self, key: str) -> list[GraphMessage]:
        literal = key.replace("'", "''")  # an OData string literal
        config = RequestConfiguration[Query]()
        config.query_parameters = Query(
            filter=(
                f"singleValueExtendedProperties/Any(ep: ep/id eq '{KEY_PROPERTY}' "
                f"and ep/value eq '{literal}')"
            ),
            select=["id", "isDraft"],
            top=5,
        )
        mailbox = self._mailbox

        async def get(graph: GraphServiceClient) -> MessageCollectionResponse | None:
            return await graph.users.by_user_id(mailbox).messages.get(config)

        found = graph_send("find mail", lambda: self._client.call(get))
        return list(found.value or []) if found is not None else []

    def _draft(self, recipient: Recipient, message: Message) -> str:
        draft = GraphMessage(
            subject=message.subject,
            body=ItemBody(content_type=BodyType.Html, content=message.html),
            to_recipients=[
                GraphRecipient(
                    email_address=EmailAddress(address=recipient.email, name=recipient.name)
                )
            ],
            single_value_extended_properties=[
                SingleValueLegacyExtendedProperty(id=KEY_PROPERTY, value=message.key)
            ],
        )
        mailbox = self._mailbox

        async def post(graph: GraphServiceClient) -> GraphMessage | None:
            return await graph.users.by_user_id(mailbox).messages.post(draft)

        made = graph_send("draft mail", lambda: self._client.call(post))
        if made is None or not made.id:
            raise DeliveryRejected("draft mail: Graph returned no message id", reason=REJECTED)
        return made.id

    def _send_draft(self, message_id: str) -> None:
        mailbox = self._mailbox

        async def post(graph: GraphServiceClient) -> None:
            await graph.users.by_user_id(mailbox).messages.by_message_id(message_id).send.post()

        graph_send("send mail", lambda: self._client.call(post))
