"""Read-only links for a school supervisor: signed, expiring, and revocable by the lead.

A supervisor works outside the organisation, so they cannot sign in through Teams. The lead
gives them a link instead. The link carries which talk, which supervisor, the link's id and
until when it works, signed with the server's secret. Nothing secret is stored: the share's
own row holds the one live link id. Stopping the share deletes the row, and a new link for the
same supervisor replaces the id; either way the old link stops working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from plugin.identity.signed import sign, unsign

_PURPOSE = "share-link"


@dataclass(frozen=True)
class ShareClaim:
    talk_id: str
    person_id: str
    #: The share row's `link_id` when the link was made.
    link_id: str
    expires: datetime


def share_link_token(secret_key: bytes, claim: ShareClaim) -> str:
    values = [claim.talk_id, claim.person_id, claim.link_id]
    return sign(secret_key, _PURPOSE, values, claim.expires)


def read_share_link_token(secret_key: bytes, token: str, now: datetime) -> ShareClaim | None:
    """The claim of an unexpired link this server signed, or None; revocation is the caller's."""
    found = unsign(secret_key, _PURPOSE, token, now)
    if found is None:
        return None
    values, expires = found
    if len(values) != 3 or not all(isinstance(v, str) for v in values):
        return None
    talk_id, person_id, link_id = values
    return ShareClaim(talk_id, person_id, link_id, expires)
