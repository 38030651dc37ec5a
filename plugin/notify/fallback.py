"""The Teams activity feed first, e-mail where the feed refuses the person.

The feed refuses people for whom the app is not installed (and people without a Teams
identity); a setup policy should install it for everyone, but until it reaches a person they
still get their reminder by e-mail. A passing failure of the feed is not a refusal: it is
raised, and the outbox tries the feed again later, so nobody gets both.
"""

from __future__ import annotations

import logging

from plugin.notify.port import (
    PERMISSION,
    TEAMS_FEED,
    Channel,
    Delivery,
    DeliveryRejected,
    Message,
    Recipient,
)

log = logging.getLogger(__name__)


class FeedThenMail:
    """Tries `feed`; on a refusal sends through `mail` and reports the feed's reason."""

    def __init__(self, feed: Channel, mail: Channel) -> None:
        self._feed = feed
        self._mail = mail

    def send(self, recipient: Recipient, message: Message) -> Delivery:
        try:
            return self._feed.send(recipient, message)
        except DeliveryRejected as refused:
            # A missing permission refuses everyone: worth an admin's attention.
            level = logging.WARNING if refused.reason == PERMISSION else logging.INFO
            log.log(
                level,
                "activity feed refused person %s (%s); sending e-mail instead",
                recipient.person_id,
                refused.reason,
            )
            delivered = self._mail.send(recipient, message)
            return Delivery(
                delivered.channel,
                fallbacks=((TEAMS_FEED, refused.reason), *delivered.fallbacks),
            )
