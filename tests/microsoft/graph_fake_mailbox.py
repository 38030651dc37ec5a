"""The Graph fake's mailbox messages: drafts made, found by an extended property, and sent.

Served by `GraphFake` through ``graph.notify`` (``graph.notify.messages`` holds the state),
under ``/v1.0/users/{u}``:

- ``POST …/messages`` (create a draft; documented: 201 with the message). Permission:
  application ``Mail.ReadWrite`` (delegated: one's own mailbox), else 403
  ``ErrorAccessDenied``; an application access policy (``graph.restrict_app_access``) applies,
  with its "[RAOP]" 403. Body: a ``message`` read strictly (``subject``, ``body``,
  ``toRecipients``, ``ccRecipients``, ``bccRecipients``, ``replyTo``, ``importance``,
  ``singleValueExtendedProperties``; attachments, headers and the like are 501). An extended
  property's ``id`` must have one of the documented formats ("{type} {guid} Name {name}" or
  "{type} {guid} Id 0x…"), else 400 ``ErrorInvalidProperty`` (fake text). The draft lies in
  Drafts (``isDraft`` true). The answer leaves the extended properties out, as Graph does
  without ``$expand``.
- ``GET …/messages`` with ``$filter=singleValueExtendedProperties/Any(ep: ep/id eq '…' and
  ep/value eq '…')`` (the documented filter; others 501), ``$select`` and ``$top``: the
  mailbox's messages in every folder with that property, newest first, as
  ``{"@odata.context", "value": […]}``. The name in the id matches case-sensitively, the value
  case-insensitively (documented). Permission: ``Mail.ReadBasic`` is not enough to filter on
  extended properties (documented minimum ``Mail.Read``); ``Mail.ReadWrite`` includes it.
- ``POST …/messages/{id}/send`` (documented: 202 without a body; permission ``Mail.Send``).
  The draft goes to Sent Items with a **new id** (Exchange gives an item moved to another
  folder a new id), ``isDraft`` false, and is recorded in ``notify.mails`` like a sendMail. An
  unknown id, the old id of a draft already sent included, is 404 ``ErrorItemNotFound``; a
  draft without recipients is 400 ``ErrorInvalidRecipients`` (fake text after Exchange's code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from tests.microsoft.graph_fake import (
    ACCESS_DENIED,
    IMPORTANCE,
    ITEM_BODY,
    NOT_IN_STORE,
    RAOP_DENIED,
    STRING,
    GraphError,
    Mailbox,
    _Coll,
    _Complex,
    _empty,
    _read_object,
)

if TYPE_CHECKING:
    from tests.microsoft.graph_fake import GraphFake
    from tests.microsoft.graph_fake_notify import Notifications


EXTENDED_PROPERTY = _Complex("singleValueLegacyExtendedProperty", {"id": STRING, "value": STRING})
RECIPIENT = _Complex(
    "recipient", {"emailAddress": _Complex("emailAddress", {"address": STRING, "name": STRING})}
)
DRAFT = _Complex(
    "message",
    {
        "subject": STRING,
        "body": ITEM_BODY,
        "toRecipients": _Coll(RECIPIENT),
        "ccRecipients": _Coll(RECIPIENT),
        "bccRecipients": _Coll(RECIPIENT),
        "replyTo": _Coll(RECIPIENT),
        "importance": IMPORTANCE,
        "singleValueExtendedProperties": _Coll(EXTENDED_PROPERTY),
    },
    unmodelled=frozenset(
        {
            "attachments",
            "internetMessageHeaders",
            "internetMessageId",
            "multiValueExtendedProperties",
            "from",
            "sender",
            "isDeliveryReceiptRequested",
            "isReadReceiptRequested",
        }
    ),
)
#: The documented formats of an extended property's id (MAPI type, property set, name or tag).
_PROPERTY_ID = re.compile(
    r"^\w+ \{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\} "
    r"(Name \S.*|Id 0x[0-9a-fA-F]+)$"
)
_ANY_FILTER = re.compile(
    r"^singleValueExtendedProperties/Any\(\s*(\w+)\s*:\s*\1/id eq '((?:[^']|'')*)' and "
    r"\1/value eq '((?:[^']|'')*)'\s*\)$"
)
_SELECTABLE = {
    n.lower(): n
    for n in (
        "id",
        "isDraft",
        "subject",
        "body",
        "toRecipients",
        "internetMessageId",
        "parentFolderId",
        "createdDateTime",
        "sentDateTime",
    )
}
READ_ROLES = ("Mail.Read", "Mail.ReadWrite")


@dataclass
class StoredMessage:
    """One message of a fake mailbox: its JSON (as Graph shows it) and extended properties."""

    json: dict[str, Any]
    #: Extended property id -> value.
    properties: dict[str, str] = field(default_factory=dict)
    folder: str = "drafts"


class MailboxMessages:
    """Drafts and sent items of the fake's mailboxes (see module docstring)."""

    def __init__(self, fake: GraphFake, notify: Notifications) -> None:
        self._fake = fake
        self._notify = notify
        self._ids = count(1)
        #: Mailbox address (lower-case) -> its messages, oldest first.
        self.by_mailbox: dict[str, list[StoredMessage]] = {}

    def in_folder(self, address: str, folder: str) -> list[dict[str, Any]]:
        """The messages of that mailbox in "drafts" or "sentitems", in Graph JSON."""
        with self._fake._lock:
            return [m.json for m in self.by_mailbox.get(address.lower(), []) if m.folder == folder]

    @staticmethod
    def handles(low: list[str]) -> bool:
        return low == ["messages"] or (len(low) == 3 and low[0] == "messages" and low[2] == "send")

    def handle(
        self,
        request: Request,
        payload: dict[str, Any],
        claims: dict[str, Any],
        user_segment: str | None,
        rest: list[str],
    ) -> Response:
        if len(rest) == 3:
            if request.method != "POST":
                raise _method_not_allowed(request)
            return self._send(claims, user_segment, rest[1])
        if request.method == "POST":
            return self._create(payload, claims, user_segment)
        if request.method == "GET":
            return self._find(request, claims, user_segment)
        raise _method_not_allowed(request)

    # -- create --------------------------------------------------------------------------------

    def _create(
        self, payload: dict[str, Any], claims: dict[str, Any], user_segment: str | None
    ) -> Response:
        _permission(claims, ("Mail.ReadWrite",))
        read = _read_object(payload, DRAFT, ci=False)
        properties = {}
        for prop in read.get("singleValueExtendedProperties") or []:
            if not _PROPERTY_ID.match(str(prop.get("id") or "")):
                raise GraphError(
                    400,
                    "ErrorInvalidProperty",
                    f"The extended property id '{prop.get('id')}' is not valid.",
                )
            properties[str(prop["id"])] = str(prop.get("value") or "")
        with self._fake._lock:
            mailbox = self._fake._resolve_user(user_segment, claims)
            self._check_mailbox(claims, mailbox)
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            number = next(self._ids)
            message = {
                "@odata.etag": f'W/"CQAAABYAAAD{number:08d}"',
                "id": self._new_id(),
                "createdDateTime": now,
                "lastModifiedDateTime": now,
                "changeKey": f"CQAAABYAAAD{number:08d}",
                "categories": [],
                "receivedDateTime": now,
                "sentDateTime": now,
                "hasAttachments": False,
                "internetMessageId": f"<fake{number}@{mailbox.address.split('@')[-1]}>",
                "subject": read.get("subject") or "",
                "bodyPreview": "",
                "importance": read.get("importance") or "normal",
                "parentFolderId": "drafts",
                "conversationId": f"conversation-{number}",
                "isDeliveryReceiptRequested": False,
                "isReadReceiptRequested": False,
                "isRead": True,
                "isDraft": True,
                "webLink": f"https://outlook.office365.com/owa/?ItemID=fake{number}",
                "inferenceClassification": "focused",
                "body": read.get("body") or {"contentType": "text", "content": ""},
                "sender": {
                    "emailAddress": {"name": mailbox.display_name, "address": mailbox.address}
                },
                "from": {
                    "emailAddress": {"name": mailbox.display_name, "address": mailbox.address}
                },
                "toRecipients": read.get("toRecipients") or [],
                "ccRecipients": read.get("ccRecipients") or [],
                "bccRecipients": read.get("bccRecipients") or [],
                "replyTo": read.get("replyTo") or [],
                "flag": {"flagStatus": "notFlagged"},
            }
            stored = StoredMessage(message, properties)
            self.by_mailbox.setdefault(mailbox.address.lower(), []).append(stored)
            context = f"{self._fake.base_url}/$metadata#users('{mailbox.oid}')/messages/$entity"
            return self._fake._json({"@odata.context": context, **message}, 201)

    def _new_id(self) -> str:
        return f"AAMkAGI2TG93AAA{next(self._ids):06d}="

    # -- find ----------------------------------------------------------------------------------

    def _find(self, request: Request, claims: dict[str, Any], user_segment: str | None) -> Response:
        _permission(claims, READ_ROLES)
        for key in request.args:
            if key.startswith("$") and key.lower() not in ("$filter", "$select", "$top"):
                raise GraphError(
                    501, "NotImplemented", f"GraphFake does not model the query option '{key}'."
                )
        raw = request.args.get("$filter")
        match = _ANY_FILTER.match((raw or "").strip())
        if match is None:
            raise GraphError(
                501,
                "NotImplemented",
                "GraphFake models listing messages only with a filter on one extended property "
                "(singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')).",
            )
        property_id, value = (g.replace("''", "'") for g in match.group(2, 3))
        select = self._select(request.args.get("$select"))
        top = int(request.args.get("$top") or 10)
        with self._fake._lock:
            mailbox = self._fake._resolve_user(user_segment, claims)
            self._check_mailbox(claims, mailbox)
            found = [
                m.json
                for m in reversed(self.by_mailbox.get(mailbox.address.lower(), []))
                if m.properties.get(property_id, "").lower() == value.lower()
            ][:top]
            context = f"{self._fake.base_url}/$metadata#users('{mailbox.oid}')/messages"
            if select is not None:
                context += f"({','.join(select)})"
                found = [
                    {"@odata.etag": m["@odata.etag"], **{n: m[n] for n in select}} for m in found
                ]
            return self._fake._json({"@odata.context": context, "value": found})

    @staticmethod
    def _select(raw: str | None) -> list[str] | None:
        if raw is None:
            return None
        names = []
        for part in raw.split(","):
            name = _SELECTABLE.get(part.strip().lower())
            if name is None:
                raise GraphError(
                    400,
                    "RequestBroker--ParseUri",
                    f"Could not find a property named '{part.strip()}' on type "
                    "'microsoft.graph.message'.",
                )
            names.append(name)
        return names

    # -- send ----------------------------------------------------------------------------------

    def _send(self, claims: dict[str, Any], user_segment: str | None, message_id: str) -> Response:
        _permission(claims, ("Mail.Send",))
        with self._fake._lock:
            mailbox = self._fake._resolve_user(user_segment, claims)
            self._check_mailbox(claims, mailbox)
            stored = next(
                (m for m in self.by_mailbox.get(mailbox.address.lower(), [])
                 if m.json["id"] == message_id),
                None,
            )  # fmt: skip
            if stored is None:
                raise GraphError(404, "ErrorItemNotFound", NOT_IN_STORE)
            message = stored.json
            if not (message["toRecipients"] or message["ccRecipients"] or message["bccRecipients"]):
                raise GraphError(
                    400, "ErrorInvalidRecipients", "At least one recipient is not valid."
                )
            # Moved to Sent Items: a new id, as Exchange gives an item in another folder.
            message.update(id=self._new_id(), isDraft=False, parentFolderId="sentitems")
            stored.folder = "sentitems"
            self._notify.record_mail(mailbox.address, message, save_to_sent_items=True)
        return _empty(202)

    def _check_mailbox(self, claims: dict[str, Any], mailbox: Mailbox) -> None:
        if "scp" in claims:
            if claims.get("oid") != mailbox.oid:  # delegated: one's own mailbox
                raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)
            return
        policy = self._fake._app_policy
        if policy is not None and mailbox.address.lower() not in policy:
            raise GraphError(403, "ErrorAccessDenied", RAOP_DENIED)


def _permission(claims: dict[str, Any], accepted: tuple[str, ...]) -> None:
    """Any of `accepted`, as an application role or a delegated scope."""
    if "scp" in claims:
        granted = set(str(claims["scp"]).split())
    else:
        granted = set(claims.get("roles") or [])
        if not granted:
            raise GraphError(
                401,
                "NoPermissionsInAccessToken",
                "The token contains no permissions, or permissions can not be understood.",
            )
    if not granted & set(accepted):
        raise GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)


def _method_not_allowed(request: Request) -> GraphError:
    return GraphError(
        405, "BadRequest", f"The HTTP method '{request.method}' is not allowed on this resource."
    )
