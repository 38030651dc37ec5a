"""Local mode's sign-in: one-time links, like a notebook server's token link.

Only a SHA-256 of each token is stored; a link works once and expires. Microsoft mode does not
use this module: identity there comes from validated Teams SSO tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.store.working_tables import signin_tokens

LINK_LIFETIME = timedelta(days=7)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_signin_token(
    session: Session, person: Person, now: datetime, lifetime: timedelta = LINK_LIFETIME
) -> str:
    token = secrets.token_urlsafe(32)
    session.execute(
        insert(signin_tokens).values(
            token_hash=_digest(token),
            person_id=person.id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def redeem_signin_token(session: Session, token: str, now: datetime) -> Person | None:
    """The person the token signs in, once; None when unknown, used or expired."""
    if not token or len(token) > 128:
        return None
    digest = _digest(token)
    row = session.execute(
        select(signin_tokens).where(signin_tokens.c.token_hash == digest).with_for_update()
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    claimed = session.execute(
        update(signin_tokens)
        .where(signin_tokens.c.token_hash == digest, signin_tokens.c.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(Person, row.person_id)
