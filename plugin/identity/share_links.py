"""Read-only links for a school supervisor: signed, expiring, and revocable by the lead.

A supervisor works outside the organisation, so they cannot sign in through Teams. The lead
gives them a link instead. The link carries which talk, which supervisor, the link's id and
until when it works, signed with the server's secret. Nothing secret is stored: the share's
own row holds the one live link id. Stopping the share deletes the row, and a new link for the
same supervisor replaces the id; either way the old link stops working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

_PURPOSE = b"share-link:v1:"


@dataclass(frozen=True)
class ShareClaim:
    talk_id: str
    person_id: str
    #: The share row's `link_id` when the link was made.
    link_id: str
    #: Seconds since the epoch.
    expires_at: int

    def expired(self, now: datetime) -> bool:
        return now.timestamp() >= self.expires_at

    @property
    def expires(self) -> datetime:
        return datetime.fromtimestamp(self.expires_at, UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret_key: bytes, payload: str) -> str:
    return _b64(hmac.new(secret_key, _PURPOSE + payload.encode(), hashlib.sha256).digest())


def share_link_token(secret_key: bytes, claim: ShareClaim) -> str:
    body = [claim.talk_id, claim.person_id, claim.link_id, claim.expires_at]
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret_key, payload)}"


def read_share_link_token(secret_key: bytes, token: str) -> ShareClaim | None:
    """The claim of a link this server signed, or None; expiry and revocation are the caller's."""
    payload, _, mac = token.partition(".")
    if not payload or not mac or len(token) > 512:
        return None
    if not hmac.compare_digest(_mac(secret_key, payload), mac):
        return None
    try:
        talk_id, person_id, link_id, expires_at = json.loads(_unb64(payload))
    except (ValueError, TypeError):
        return None
    if not all(isinstance(value, str) for value in (talk_id, person_id, link_id)):
        return None
    if not isinstance(expires_at, int):
        return None
    return ShareClaim(talk_id, person_id, link_id, expires_at)
