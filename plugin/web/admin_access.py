"""Whether the signed-in person is an admin: the request's side of `domain/admin.is_admin`.

The configured addresses are installed on the app at start-up (`install`, as `serve` does
with the privacy terms). The app role comes from this request's Teams SSO token, which
`web/sso.py` validated before any view runs; its claims are read again here, not checked
again (the token in `g` is only ever a validated one).
"""

from __future__ import annotations

from typing import Any

import jwt
from flask import Flask, Response, current_app, g
from flask_babel import gettext as _

from plugin.domain.admin import admin_addresses, is_admin
from plugin.domain.people import Person
from plugin.web.errors import error_response
from plugin.web.session import SSO_TOKEN

ADMINS = "ontwikkelgesprek.admins"


def install(app: Flask, settings: Any) -> None:
    """The admins named by `ONTWIKKELGESPREK_ADMINS` (`plugin.settings.Settings.admins`)."""
    app.extensions[ADMINS] = admin_addresses(settings.admins)


def token_roles() -> list[str]:
    """The `roles` claim of this request's validated SSO token (none without one)."""
    token = g.get(SSO_TOKEN)
    if not isinstance(token, str):
        return []
    # Validated by `web/sso.py` for this very request: only its claims are read here.
    claims = jwt.decode(token, options={"verify_signature": False})
    roles = claims.get("roles")
    return [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else []


def viewer_is_admin(person: Person) -> bool:
    addresses: frozenset[str] = current_app.extensions.get(ADMINS, frozenset())
    return is_admin(person.email, token_roles(), addresses)


def refusal() -> tuple[Response, int]:
    """403 for a signed-in person who is not an admin."""
    return error_response(
        403, "not_admin", extra={"message": _("Only an admin of this app can do this.")}
    )
