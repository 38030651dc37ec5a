"""Reminders in the Teams activity feed (Microsoft mode), through Microsoft Graph.

`POST /users/{object id}/teamwork/sendActivityNotification` with application permission
`TeamsActivity.Send`, as the app (the worker has no user). The body, which the tests assert at
the Graph fake:

- `topic`: source `text`, the talk's title as value, and as `webUrl` a Teams deep link to the
  app's personal tab (`overview`), which Teams opens when the notification is clicked, at the
  reminder's page (`deep_link`: the context's `subEntityId`); the reminder's own link rides
  along as the deep link's `webUrl`, for clients without the tab;
- `activityType`: the reminder kind's type from the manifest (`message.ACTIVITY_TYPES`);
- `previewText`: the reminder's first line (at most 150 characters, what Teams shows);
- `templateParameters`: the manifest template's `{name}` (and `{date}`).

The recipient is the URL's user. Teams accepts it only where our app is installed for that
person; otherwise Graph answers 403 and the channel raises `DeliveryRejected` with reason
`app_not_installed`, on which `FeedThenMail` sends e-mail instead.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote, urlencode, urlsplit

from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.key_value_pair import KeyValuePair
from msgraph.generated.models.teamwork_activity_topic import TeamworkActivityTopic
from msgraph.generated.models.teamwork_activity_topic_source import TeamworkActivityTopicSource
from msgraph.generated.users.item.teamwork.send_activity_notification.send_activity_notification_post_request_body import (  # noqa: E501
    SendActivityNotificationPostRequestBody,
)
from msgraph.graph_service_client import GraphServiceClient

from plugin.calendar.graph_client import GraphClient
from plugin.notify.graph_send import graph_send
from plugin.notify.port import (
    TEAMS_FEED,
    Delivery,
    DeliveryRejected,
    Message,
    Recipient,
)

log = logging.getLogger(__name__)

#: The personal tab's `entityId` in the manifest (`staticTabs`).
PERSONAL_TAB = "overview"
#: Why the feed cannot reach someone who has no Entra object id (a local-mode person).
NO_TEAMS_USER = "no_teams_user"


def deep_link(teams_app_id: str, url: str) -> str:
    """A Teams link that opens the app's personal tab at `url`'s page; `url` itself for
    clients that cannot.

    Teams hands the context's `subEntityId` to the tab as `page.subPageId`; it is `url`'s
    path (and fragment), e.g. ``/talks/{id}/prepare`` or ``/talks/{id}/form#progress``, which
    `static/js/teams.js` opens on the app's own origin (only paths of that shape). A path
    keeps the link short: Graph refuses a `webUrl` over about 1,024 characters.
    """
    parts = urlsplit(url)
    place = parts.path or "/"
    if parts.fragment:
        place += f"#{parts.fragment}"
    context = json.dumps({"subEntityId": place}, separators=(",", ":"))
    query = urlencode({"webUrl": url, "context": context}, quote_via=quote)
    return f"https://teams.microsoft.com/l/entity/{quote(teams_app_id)}/{PERSONAL_TAB}?{query}"


class ActivityFeedChannel:
    """Sends each reminder as one activity feed notification to its recipient."""

    def __init__(self, client: GraphClient, *, teams_app_id: str) -> None:
        self._client = client
        self._teams_app_id = teams_app_id

    def body(self, message: Message) -> SendActivityNotificationPostRequestBody:
        feed = message.feed
        return SendActivityNotificationPostRequestBody(
            topic=TeamworkActivityTopic(
                source=TeamworkActivityTopicSource.Text,
                value=feed.topic,
                web_url=deep_link(self._teams_app_id, message.url),
            ),
            activity_type=feed.activity_type,
            preview_text=ItemBody(content=feed.preview),
            template_parameters=[KeyValuePair(name=n, value=v) for n, v in feed.parameters],
        )

    def send(self, recipient: Recipient, message: Message) -> Delivery:
        user = recipient.object_id
        if not user:
            raise DeliveryRejected("activity feed: no Entra object id", reason=NO_TEAMS_USER)
        body = self.body(message)

        async def post(graph: GraphServiceClient) -> None:
            await graph.users.by_user_id(user).teamwork.send_activity_notification.post(body)

        graph_send("activity feed", lambda: self._client.call(post))
        log.info("sent a reminder to the activity feed of person %s", recipient.person_id)
        return Delivery(TEAMS_FEED)
