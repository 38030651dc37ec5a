"""Microsoft mode's sign-in: a validated Teams SSO token, sent as a bearer token.

Every request that carries `Authorization: Bearer …` is checked by `SsoValidator` before any
view runs; a token that fails any check gets 401 with no detail (the reason goes to the log at
INFO, the token never). The person is found by tenant and object id, and added on first
sign-in. Bearer requests need no CSRF token: a browser never attaches that header by itself.
In Microsoft mode this is the only way in; session cookies and sign-in links are off.
"""

from __future__ import annotations

import logging

from flask import Flask, g, request

from plugin.identity.teams_sso import InvalidSsoToken, SsoValidator
from plugin.services.people import known_person, person_for_sign_in
from plugin.web.context import services
from plugin.web.errors import Unauthenticated
from plugin.web.session import BEARER, SSO_TOKEN

log = logging.getLogger(__name__)


def register(app: Flask, validator: SsoValidator) -> None:
    @app.before_request
    def authenticate_bearer() -> None:
        header = request.headers.get("Authorization")
        if header is None:
            return
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(invalid_token=True)
        try:
            identity = validator.validate(token.strip())
        except InvalidSsoToken as error:
            log.info("SSO token refused: %s", error.reason)
            raise Unauthenticated(invalid_token=True) from None
        svc = services()
        args = (
            identity.tenant_id,
            identity.object_id,
            identity.name,
            identity.username,
        )
        person = svc.read(lambda s: known_person(s, *args))
        if person is None:
            person = svc.write(lambda s: person_for_sign_in(svc, s, *args))
        setattr(g, BEARER, (person.tenant_id, person.id))
        setattr(g, SSO_TOKEN, identity.token)
