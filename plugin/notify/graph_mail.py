"""Reminder e-mails through Microsoft Graph `sendMail`, from one configured mailbox.

For Microsoft mode without SMTP: `POST /users/{mailbox}/sendMail` with application permission
`Mail.Send`, as the mailbox `ONTWIKKELGESPREK_MAIL_MAILBOX`. `Mail.Send` lets an app send as
*any* mailbox, so the README asks admins to limit it to that one (an application access policy,
or RBAC for Applications). Graph takes one body: the HTML (which carries the same words and
link as the plain text). Not kept in Sent Items: a reminder is no conversation.

Graph has no idempotency key for sendMail: a send repeated after a lost answer arrives twice.
"""

from __future__ import annotations

import logging

from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.message import Message as GraphMessage
from msgraph.generated.models.recipient import Recipient as GraphRecipient
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)
from msgraph.graph_service_client import GraphServiceClient

from plugin.calendar.graph_client import GraphClient
from plugin.notify.graph_send import graph_send
from plugin.notify.port import GRAPH_MAIL, Delivery, Message, Recipient

log = logging.getLogger(__name__)


class GraphMailChannel:
    """Sends each reminder as an e-mail from `mailbox`, through Graph."""

    def __init__(self, client: GraphClient, *, mailbox: str) -> None:
        self._client = client
        self._mailbox = mailbox

    def send(self, recipient: Recipient, message: Message) -> Delivery:
        body = SendMailPostRequestBody(
            message=GraphMessage(
                subject=message.subject,
                body=ItemBody(content_type=BodyType.Html, content=message.html),
                to_recipients=[
                    GraphRecipient(
                        email_address=EmailAddress(address=recipient.email, name=recipient.name)
                    )
                ],
            ),
            save_to_sent_items=False,
        )
        mailbox = self._mailbox

        async def post(graph: GraphServiceClient) -> None:
            await graph.users.by_user_id(mailbox).send_mail.post(body)

        graph_send("send mail", lambda: self._client.call(post))
        log.info("sent a reminder e-mail to person %s through Graph", recipient.person_id)
        return Delivery(GRAPH_MAIL)
