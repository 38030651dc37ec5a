"""Who is asking, on each request: a validated Teams SSO bearer (Microsoft mode, see
`web/sso.py`), or the signed-in person of the session cookie (local mode's one-time links).

Cookie-authenticated API calls that change state must carry the session's CSRF token in
`X-CSRF-Token`, so another site cannot make a signed-in browser act. Bearer calls need none.

A session cookie names the person's session generation; signing out bumps it on the server,
so a copied cookie stops working the moment its owner signs out.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from flask import current_app, g, request, session

from plugin.domain.people import Person
from plugin.settings import LOCAL
from plugin.web.errors import BadRequest
from plugin.web.session_check import SessionGenerations

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


#: `app.extensions` key: the `SessionGenerations` that say whether a session still counts.
SESSION_CHECK = "ontwikkelgesprek.session_check"
#: `g` attribute: this request's checked session identity (checked once per request).
_CHECKED = "session_identity"


def start_session(person: Person) -> None:
    session.clear()
    session["pid"] = person.id
    session["tid"] = person.tenant_id
    session["gen"] = person.session_generation
    session["csrf"] = secrets.token_urlsafe(24)
    session.permanent = True


def end_session(person: Person) -> None:
    """Clear this browser's cookie; the caller has ended the person's sessions on the server
    (`Person.end_sessions`), which this process takes in at once."""
    session.clear()
    generations: SessionGenerations = current_app.extensions[SESSION_CHECK]
    generations.forget(person.tenant_id, person.id)


#: `app.extensions` keys set by `web/sso.py` in Microsoft mode: the `SsoValidator`, and the
#: `SignedInPeople` who the validated tokens are.
SSO_VALIDATOR = "ontwikkelgesprek.sso_validator"
SIGNED_IN_PEOPLE = "ontwikkelgesprek.signed_in_people"
#: `g` attribute set by `web/sso.py` for a request with a validated bearer token.
BEARER = "sso_identity"
#: `g` attribute set by `web/sso.py`: the validated token itself, for on-behalf-of (memory only).
SSO_TOKEN = "sso_token"  # noqa: S105  (a name in `g`, not a secret)


def signed_in_identity() -> tuple[str, str] | None:
    """(tenant id, person id) of the signed-in person, or None."""
    bearer = g.get(BEARER)
    if isinstance(bearer, tuple):
        return bearer
    if current_app.config.get("OG_MODE") != LOCAL:
        return None  # Microsoft mode: only validated tokens say who is asking
    if _CHECKED in g:
        checked: tuple[str, str] | None = g.get(_CHECKED)
        return checked
    identity = session_identity(session, current_app.extensions[SESSION_CHECK])
    setattr(g, _CHECKED, identity)
    return identity


def session_identity(
    data: Mapping[str, Any], generations: SessionGenerations
) -> tuple[str, str] | None:
    """(tenant id, person id) of a verified session cookie's contents, if it still counts."""
    pid, tid, gen = data.get("pid"), data.get("tid"), data.get("gen")
    if not (isinstance(pid, str) and isinstance(tid, str) and type(gen) is int):
        return None
    return (tid, pid) if generations.is_current(tid, pid, gen) else None


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer …` header; None for any other header."""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def csrf_token() -> str:
    token = session.get("csrf")
    return token if isinstance(token, str) else ""


def check_csrf() -> None:
    if request.method in SAFE_METHODS or isinstance(g.get(BEARER), tuple):
        return
    expected = csrf_token()
    given = request.headers.get("X-CSRF-Token", "")
    # Bytes: compare_digest refuses str with characters outside ASCII, which a header may hold.
    if not expected or not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
        raise BadRequest("csrf")
