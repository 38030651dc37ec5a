"""The Graph fake's notification endpoints: the Teams activity feed and sendMail.

Served by `GraphFake` (``graph.notify`` holds their state and test controls), under ``/v1.0``:

- ``POST /users/{u}/teamwork/sendActivityNotification``;
- ``POST /users/{u}/sendMail``;
- drafts: ``POST``/``GET /users/{u}/messages``, ``POST /users/{u}/messages/{id}/send``
  (tests/microsoft/graph_fake_mailbox.py; ``notify.messages``; a sent draft is in ``mails`` too).

``{u}`` is a mailbox of the fake, by id, object id (``oid``) or address, as elsewhere.

**Activity feed** (``notify.install_app(address, catalog_id)`` installs a catalog app
(``graph.add_catalog_app``) for that user, as a Teams app setup policy would;
``notify.activities`` lists what was sent):

- Permission: application ``TeamsActivity.Send``, or delegated ``TeamsActivity.Send``
  (documented). Missing: 403 ``Forbidden`` "Missing role permissions…" as the fake's other Teams
  endpoints answer; a token without any permission is 401 ``NoPermissionsInAccessToken``.
- Body: the documented parameters, read like the fake's other actions (names
  case-insensitive, values strictly): ``topic`` (``teamworkActivityTopic``: ``source``
  ``entityUrl``/``text``, ``value``, ``webUrl``), ``activityType``, ``previewText``
  (``itemBody``), ``templateParameters`` (``keyValuePair`` collection), ``teamsAppId``.
  ``chainId``, ``iconId`` and ``entityUrl`` topics are 501 (not modelled). Fake choices where
  Graph documents a rule without its answer (400 ``BadRequest``): ``topic`` and
  ``activityType`` are required; a ``text`` topic needs a ``webUrl`` (documented as required).
- The app: the caller is the catalog app whose ``client_id`` is the token's ``azp``/``appid``
  (with ``teamsAppId``, also that catalog id). It must be installed for the recipient, else 403
  ``Forbidden`` with the text reported in OfficeDev/microsoft-365-agents-toolkit#6067
  ("… is not authorized to generate custom text notifications about '…' to the recipient.
  Ensure that the expected Teams app is installed in the target scope (user, team, or
  chat).").
- ``notify.use_manifest(manifest)``: from then on the ``activityType`` must be one of that
  manifest's ``activities.activityTypes`` (``systemDefault`` aside), and ``templateParameters``
  must give exactly the ``{names}`` of its ``templateText`` (``{actor}`` aside); otherwise 400
  ``BadRequest`` (fake texts). Without a manifest these are not checked.
- Answer: 204 without a body.

**sendMail** (``notify.mails`` lists what was sent):

- Permission: application ``Mail.Send`` (delegated ``Mail.Send`` for the user's own mailbox),
  else 403 ``ErrorAccessDenied``; ``graph.restrict_app_access`` (an application access policy)
  applies to app tokens, with its "[RAOP]" 403.
- Body: ``message`` (``subject``, ``body``, ``toRecipients``, ``ccRecipients``,
  ``bccRecipients``, ``replyTo``, ``from``, ``importance``; others 501) and
  ``saveToSentItems``, read strictly. No recipient: 400 ``ErrorInvalidRecipients`` "At least one
  recipient is not valid." (fake text after Exchange's code).
- Answer: 202 without a body (documented).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from tests.microsoft.graph_fake import (
    ACCESS_DENIED,
    BOOLEAN,
    EMAIL_ADDRESS,
    IMPORTANCE,
    ITEM_BODY,
    RAOP_DENIED,
    STRING,
    GraphError,
    Mailbox,
    _app_id,
    _Coll,
    _Complex,
    _empty,
    _Enum,
    _read_parameters,
    _teams_permission,
)
from tests.microsoft.graph_fake_mailbox import MailboxMessages

if TYPE_CHECKING:
    from tests.microsoft.graph_fake import GraphFake


TOPIC_SOURCE = _Enum("microsoft.graph.teamworkActivityTopicSource", ("entityUrl", "text"))
ACTIVITY_TOPIC = _Complex(
    "teamworkActivityTopic", {"source": TOPIC_SOURCE, "value": STRING, "webUrl": STRING}
)
KEY_VALUE_PAIR = _Complex("keyValuePair", {"name": STRING, "value": STRING})
ACTIVITY_PARAMS: dict[str, Any] = {
    "topic": ACTIVITY_TOPIC,
    "activityType": STRING,
    "previewText": ITEM_BODY,
    "templateParameters": _Coll(KEY_VALUE_PAIR),
    "teamsAppId": STRING,
}
_ACTIVITY_UNMODELLED = ("chainid", "iconid")
_ACTIVITY_ROLES = ("TeamsActivity.Send",)
_ACTIVITY_SCOPES = ("TeamsActivity.Send",)

RECIPIENT = _Complex("recipient", {"emailAddress": EMAIL_ADDRESS})
MAIL_MESSAGE = _Complex(
    "message",
    {
        "subject": STRING,
        "body": ITEM_BODY,
        "toRecipients": _Coll(RECIPIENT),
        "ccRecipients": _Coll(RECIPIENT),
        "bccRecipients": _Coll(RECIPIENT),
        "replyTo": _Coll(RECIPIENT),
        "from": RECIPIENT,
        "importance": IMPORTANCE,
    },
    unmodelled=frozenset(
        {"attachments", "internetMessageHeaders", "sender", "isDeliveryReceiptRequested"}
    ),
)
MAIL_PARAMS: dict[str, Any] = {"message": MAIL_MESSAGE, "saveToSentItems": BOOLEAN}

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class SentActivity:
    """One activity notification the fake accepted: to whom, from which app, the body read."""

    user: str
    catalog_id: str
    body: dict[str, Any]


@dataclass(frozen=True)
class SentMail:
    """One sendMail the fake accepted: the mailbox it went out from, and the body read."""

    mailbox: str
    message: dict[str, Any]
    save_to_sent_items: bool


class Notifications:
    """State and handlers of the notification endpoints of one `GraphFake`."""

    def __init__(self, fake: GraphFake) -> None:
        self._fake = fake
        #: Mailbox address (lower-case) -> catalog ids of the apps installed for that user.
        self._installed: dict[str, set[str]] = {}
        self._activity_types: dict[str, set[str]] | None = None
        self.activities: list[SentActivity] = []
        self.mails: list[SentMail] = []
        #: Drafts made, found and sent (`POST`/`GET /users/{u}/messages`, `…/{id}/send`).
        self.messages = MailboxMessages(fake, self)

    # -- test controls -------------------------------------------------------------------------

    def install_app(self, address: str, catalog_id: str) -> None:
        """Install a catalog app for the user (a setup policy or the user did)."""
        self._installed.setdefault(address.lower(), set()).add(catalog_id)

    def use_manifest(self, manifest: dict[str, Any]) -> None:
        """Check activity types and template parameters against this manifest from now on."""
        types = manifest.get("activities", {}).get("activityTypes", [])
        self._activity_types = {
            str(t["type"]): set(_PLACEHOLDER.findall(str(t["templateText"]))) - {"actor"}
            for t in types
        }

    def record_mail(self, mailbox: str, message: dict[str, Any], save_to_sent_items: bool) -> None:
        """A mail went out (sendMail, or a draft sent): tests read them in `mails`."""
        self.mails.append(SentMail(mailbox, message, save_to_sent_items))

    # -- requests ------------------------------------------------------------------------------

    @staticmethod
    def takes_no_body(path: str) -> bool:
        """A draft's send: an action without parameters."""
        low = [s.lower() for s in path.split("/") if s]
        # /v1.0/users/{u}/messages/{id}/send
        return len(low) == 6 and low[1] == "users" and low[3] == "messages" and low[5] == "send"

    def handles(self, rest: list[str]) -> bool:
        low = [s.lower() for s in rest]
        return low in (["teamwork", "sendactivitynotification"], ["sendmail"]) or (
            self.messages.handles(low)
        )

    def handle(
        self,
        request: Request,
        payload: dict[str, Any],
        claims: dict[str, Any],
        user_segment: str | None,
        rest: list[str],
    ) -> Response:
        if rest[0].lower() == "messages":  # drafts: graph_fake_mailbox.py
            return self.messages.handle(request, payload, claims, user_segment, rest)
        if request.method != "POST":
            raise GraphError(
                405,
                "BadRequest",
                f"The HTTP method '{request.method}' is not allowed on this resource.",
            )
        if rest[0].lower() == "teamwork":
            return self._activity(request, payload, claims, user_segment)
        return self._send_mail(payload, claims, user_segment)

    def _activity(
        self,
        request: Request,
        payload: dict[str, Any],
        claims: dict[str, Any],
        user_segment: str | None,
    ) -> Response:
        _teams_permission(claims, _ACTIVITY_ROLES, _ACTIVITY_SCOPES)
        for key in payload:
            if key.lower() in _ACTIVITY_UNMODELLED:
                raise GraphError(501, "NotImplemented", f"GraphFake does not model '{key}'.")
        read = _read_parameters(payload, ACTIVITY_PARAMS, "sendActivityNotification")
        topic = read.get("topic")
        if not topic or not read.get("activityType"):
            raise GraphError(400, "BadRequest", "topic and activityType are required.")
        if topic.get("source") == "entityUrl":
            raise GraphError(501, "NotImplemented", "GraphFake does not model entityUrl topics.")
        if topic.get("source") != "text" or not topic.get("value"):
            raise GraphError(400, "BadRequest", "The topic needs a source and a value.")
        if not topic.get("webUrl"):
            raise GraphError(400, "BadRequest", "webUrl is required for a topic of source text.")
        self._check_activity_type(read)
        with self._fake._lock:
            mailbox = self._fake._resolve_user(user_segment, claims)
            catalog_id = self._caller_app(claims, read.get("teamsAppId"))
            if catalog_id not in self._installed.get(mailbox.address.lower(), set()):
                raise GraphError(
                    403,
                    "Forbidden",
                    f"Application with AAD App Id '{_app_id(claims)}' is not authorized to "
                    "generate custom text notifications about "
                    f"'{request.path[len('/v1.0') :]}' to the recipient. Ensure that the "
                    "expected Teams app is installed in the target scope (user, team, or chat).",
                )
            self.activities.append(SentActivity(mailbox.address, catalog_id, read))
        return _empty(204)

    def _check_activity_type(self, read: dict[str, Any]) -> None:
        if self._activity_types is None or read["activityType"] == "systemDefault":
            return
        expected = self._activity_types.get(read["activityType"])
        if expected is None:
            raise GraphError(
                400,
                "BadRequest",
                f"Activity type '{read['activityType']}' is not declared in the app manifest.",
            )
        given = [str(p.get("name")) for p in read.get("templateParameters") or []]
        if sorted(given) != sorted(expected):
            raise GraphError(
                400,
                "BadRequest",
                f"Template parameters {sorted(given)} do not match the template of "
                f"'{read['activityType']}' ({sorted(expected)}).",
            )

    def _caller_app(self, claims: dict[str, Any], teams_app_id: str | None) -> str:
        """The catalog id of the Teams app the calling Entra app is (none: not installed)."""
        client = _app_id(claims)
        for app in self._fake._catalog.values():
            if app.client_id == client and teams_app_id in (None, app.id):
                return app.id
        return ""

    def _send_mail(
        self, payload: dict[str, Any], claims: dict[str, Any], user_segment: str | None
    ) -> Response:
        self._check_mail_permission(claims)
        read = _read_parameters(payload, MAIL_PARAMS, "sendMail")
        message = read.get("message")
        if not message:
            raise GraphError(400, "ErrorInvalidParameter", "The message is missing.")
        recipients = [
            *(message.get("toRecipients") or []),
            *(message.get("ccRecipients") or []),
            *(message.get("bccRecipients") or []),
        ]
        if not recipients or not all(
            (r.get("emailAddress") or {}).get("address") for r in recipients
        ):
            raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient is not valid.")
        with self._fake._lock:
            mailbox = self._fake._resolve_user(user_segment, claims)
            self._check_mailbox(claims, mailbox)
            save = read.get("saveToSentItems")
            self.record_mail(mailbox.address, message, True if save is None else save)
        return _empty(202)

    @staticmethod
    def _check_mail_permission(claims: dict[str, Any]) -> None:
        if "scp" in claims:
            if "Mail.Send" not in str(claims["scp"]).split():
                raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)
            return
        roles = claims.get("roles") or []
        if not roles:
            raise GraphError(
                401,
                "NoPermissionsInAccessToken",
                "The token contains no permissions, or permissions can not be understood.",
            )
        if "Mail.Send" not in roles:
            raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)

    def _check_mailbox(self, claims: dict[str, Any], mailbox: Mailbox) -> None:
        if "scp" in claims:
            if claims.get("oid") != mailbox.oid:  # Mail.Send (delegated): one's own mailbox
                raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)
            return
        policy = self._fake._app_policy
        if policy is not None and mailbox.address.lower() not in policy:
            raise GraphError(403, "ErrorAccessDenied", RAOP_DENIED)
