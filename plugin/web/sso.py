"""Microsoft mode's sign-in: a validated Teams SSO token, sent as a bearer token.

Every request that carries `Authorization: Bearer …` is checked by `SsoValidator` before any
view runs; a token that fails any check gets 401 with no detail (the reason goes to the log at
INFO, the token never). The person is found by tenant and object id, and added on first
sign-in. Bearer requests need no CSRF token: a browser never attaches that header by itself.
In Microsoft mode this is the only way in; session cookies and sign-in links are off.

Who a token's identity is here is remembered for a second per process (`SignedInPeople`): a
live panel sends the same token twice a second, and reading the person each time was most of
a poll's cost. A changed name or address is a different key, so it is stored at once; an
erased person's token stops counting within that second (as a copied session cookie does
after a sign-out elsewhere, `session_check.py`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, g, request

from plugin.identity.teams_sso import InvalidSsoToken, SsoIdentity, SsoValidator
from plugin.services.people import known_person, person_for_sign_in
from plugin.web.context import services
from plugin.web.errors import Unauthenticated
from plugin.web.session import (
    BEARER,
    SIGNED_IN_PEOPLE,
    SSO_TOKEN,
    SSO_VALIDATOR,
    bearer_token,
)

log = logging.getLogger(__name__)

Key = tuple[str, str, str, str]


class SignedInPeople:
    """(tenant id, object id, name, username) → (tenant id, person id), for `ttl` seconds."""

    def __init__(
        self,
        *,
        ttl: float = 1.0,
        size: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._size = size
        self._monotonic = monotonic
        self._known: OrderedDict[Key, tuple[tuple[str, str], float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, identity: SsoIdentity) -> tuple[str, str] | None:
        key = _key(identity)
        with self._lock:
            known = self._known.get(key)
            if known is None or self._monotonic() - known[1] > self._ttl:
                return None
            return known[0]

    def put(self, identity: SsoIdentity, person: tuple[str, str]) -> None:
        key = _key(identity)
        with self._lock:
            self._known[key] = (person, self._monotonic())
            self._known.move_to_end(key)
            while len(self._known) > self._size:
                self._known.popitem(last=False)


def _key(identity: SsoIdentity) -> Key:
    return (identity.tenant_id, identity.object_id, identity.name, identity.username)


def register(app: Flask, validator: SsoValidator) -> None:
    app.extensions[SSO_VALIDATOR] = validator
    app.extensions[SIGNED_IN_PEOPLE] = SignedInPeople()

    @app.before_request
    def authenticate_bearer() -> None:
        header = request.headers.get("Authorization")
        if header is None:
            return
        token = bearer_token(header)
        if token is None:
            raise Unauthenticated(invalid_token=True)
        try:
            identity = validator.validate(token)
        except InvalidSsoToken as error:
            log.info("SSO token refused: %s", error.reason)
            raise Unauthenticated(invalid_token=True) from None
        people: SignedInPeople = app.extensions[SIGNED_IN_PEOPLE]
        known = people.get(identity)
        if known is None:
            known = _person_of(identity)
            people.put(identity, known)
        setattr(g, BEARER, known)
        setattr(g, SSO_TOKEN, identity.token)


def _person_of(identity: SsoIdentity) -> tuple[str, str]:
    svc = services()
    args = (identity.tenant_id, identity.object_id, identity.name, identity.username)
    person = svc.read(lambda s: known_person(s, *args))
    if person is None:
        person = svc.write(lambda s: person_for_sign_in(svc, s, *args))
    return (person.tenant_id, person.id)
