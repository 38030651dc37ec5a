"""Small signed values in URLs and cookies (share links, consent tickets): itsdangerous, one
salt per purpose so that a value made for one job is never accepted by another, and an expiry
read on the injected clock (itsdangerous's own timestamps use the wall clock). And `fernet`:
encryption keyed from the server's secret, one derived key per purpose."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature, URLSafeSerializer

#: Longer values are refused before any work: no real link or ticket comes near this.
MAX_LENGTH = 1024


def sign(secret_key: bytes, purpose: str, values: list[Any], expires: datetime) -> str:
    return str(URLSafeSerializer(secret_key, salt=purpose).dumps([*values, expires.timestamp()]))


def unsign(
    secret_key: bytes, purpose: str, token: str, now: datetime
) -> tuple[list[Any], datetime] | None:
    """The values signed for this purpose and their expiry, or None when forged, mangled or
    expired."""
    if len(token) > MAX_LENGTH:
        return None
    try:
        loaded = URLSafeSerializer(secret_key, salt=purpose).loads(token)
    except BadSignature:
        return None
    if not isinstance(loaded, list) or not loaded:
        return None
    *values, expires = loaded
    if not isinstance(expires, int | float) or now.timestamp() >= expires:
        return None
    return values, datetime.fromtimestamp(expires, UTC)


def fernet(secret: bytes, purpose: bytes) -> Fernet:
    """Fernet with a key derived (HKDF-SHA256) from `secret` for this one `purpose`."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))
