"""Secret iCalendar feed URLs: an HMAC of the person and their feed version.

Nothing secret is stored: renewing the feed bumps the version, which revokes the old URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from plugin.domain.people import Person


def feed_token(secret_key: bytes, person: Person) -> str:
    message = f"feed:{person.tenant_id}:{person.id}:{person.feed_version}".encode()
    digest = hmac.new(secret_key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode("ascii")


def feed_token_valid(secret_key: bytes, person: Person, token: str) -> bool:
    return hmac.compare_digest(feed_token(secret_key, person), token)
