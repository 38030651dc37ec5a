"""Where Microsoft Graph calls us: change notifications and lifecycle events (Microsoft mode).

Graph takes no token of ours, so these two URLs take none: what proves a notification is the
`clientState` of its own subscription, checked (in constant time) before anything is recorded.
Each request does only this:

- `?validationToken=…` (Graph's handshake when a subscription is made): answer 200 with the
  token as plain text, at once;
- a batch of notifications: read it, record the genuine ones as outbox jobs in one short
  transaction, answer 202. The worker applies them; nothing is applied here, so the answer
  comes well within Graph's 3 seconds, however busy the worker is.

Anything else (no body, not JSON, not Graph's shape, too large) is a 400 or 413 without a
trace of processing; in local mode both URLs do not exist.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from plugin.services import calendar_sync
from plugin.services.calendar_sync import LIFECYCLE_PATH, NOTIFICATION_PATH, Notification
from plugin.web.context import services
from plugin.web.host import in_microsoft_mode

log = logging.getLogger(__name__)

blueprint = Blueprint("graph_hooks", __name__)

#: Graph's tokens are a few hundred characters; a longer one is not Graph's.
MAX_VALIDATION_TOKEN = 4096


class _Lenient(BaseModel):
    # Graph adds fields over time: unknown ones are ignored, known ones are checked.
    model_config = ConfigDict(extra="ignore")


class _ResourceData(_Lenient):
    id: str | None = Field(default=None, max_length=1024)


class _Item(_Lenient):
    subscriptionId: str = Field(max_length=256)
    clientState: str | None = Field(default=None, max_length=256)
    changeType: str | None = Field(default=None, max_length=64)
    lifecycleEvent: str | None = Field(default=None, max_length=64)
    resource: str | None = Field(default=None, max_length=2048)
    resourceData: _ResourceData | None = None


class _Batch(_Lenient):
    value: list[_Item] = Field(max_length=1000)


@blueprint.post(NOTIFICATION_PATH)
def notifications() -> Response:
    return _receive(lifecycle=False)


@blueprint.post(LIFECYCLE_PATH)
def lifecycle() -> Response:
    return _receive(lifecycle=True)


def _receive(*, lifecycle: bool) -> Response:
    if not in_microsoft_mode():
        abort(404)
    token = request.args.get("validationToken")
    if token is not None:
        if not token or len(token) > MAX_VALIDATION_TOKEN:
            return _plain("not a validation token", 400)
        return _plain(token, 200)
    try:
        batch = _Batch.model_validate_json(request.get_data(cache=False) or b"")
    except ValidationError:
        return _plain("not a change notification", 400)
    items = [_notification(item, lifecycle=lifecycle) for item in batch.value]
    svc = services()
    accepted = svc.write(lambda session: calendar_sync.accept(svc, session, items))
    if accepted < len(items):
        log.info("%s of %s notifications recorded", accepted, len(items))
    return Response(status=202)


def _notification(item: _Item, *, lifecycle: bool) -> Notification:
    if lifecycle:
        event = item.lifecycleEvent or ""
        if event not in calendar_sync.LIFECYCLE_EVENTS:
            event = ""
        return Notification(item.subscriptionId, item.clientState or "", lifecycle_event=event)
    event_id = (item.resourceData.id if item.resourceData else None) or ""
    if not event_id and item.resource:
        event_id = item.resource.rstrip("/").rsplit("/", 1)[-1]
    return Notification(
        item.subscriptionId,
        item.clientState or "",
        event_id=event_id,
        change_type=item.changeType or "",
    )


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, mimetype="text/plain")
