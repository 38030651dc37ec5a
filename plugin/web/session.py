"""Who is asking, on each request: the signed-in person from the session cookie.

Local mode signs in with one-time links; Microsoft mode (later) replaces `signed_in_identity`
with validated Teams SSO tokens. State-changing API calls must carry the session's CSRF token
in `X-CSRF-Token`, so another site cannot make a signed-in browser act.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

from plugin.domain.people import Person
from plugin.web.errors import BadRequest

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def start_session(person: Person) -> None:
    session.clear()
    session["pid"] = person.id
    session["tid"] = person.tenant_id
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = True


def end_session() -> None:
    session.clear()


def signed_in_identity() -> tuple[str, str] | None:
    """(tenant id, person id) of the signed-in person, or None."""
    pid, tid = session.get("pid"), session.get("tid")
    return (tid, pid) if isinstance(pid, str) and isinstance(tid, str) else None


def csrf_token() -> str:
    token = session.get("csrf")
    return token if isinstance(token, str) else ""


def check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    expected = csrf_token()
    given = request.headers.get("X-CSRF-Token", "")
    if not expected or not hmac.compare_digest(expected, given):
        raise BadRequest("csrf")
