"""`TokenProblem`, the one error of Microsoft mode's token calls, and how Entra ID's answers
become one: the kind an AADSTS code or OAuth error stands for, and the hint an admin can act on.

msal answers errors with dicts (``error``/``error_description``/``error_codes``), not
exceptions. A `TokenProblem`'s text names the AADSTS code and an admin hint, never a token,
secret or assertion, so it is safe to log and to show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

KINDS = frozenset(
    {
        "consent_required",
        "invalid_assertion",
        "invalid_client",
        "unknown_tenant",
        "unavailable",
        "other",
        # The user must open the app (and sign in or consent) before background work can act
        # for them: no usable cached sign-in, or it was revoked or expired.
        "sign_in_required",
        # The consent pop-up was finished with another account than the Teams user's.
        "wrong_account",
        # The pop-up's answer does not belong to the flow this server started (state, nonce,
        # PKCE or code mismatch, or a code that expired or was used already).
        "invalid_response",
    }
)

# AADSTS codes → kind. See Microsoft's "Microsoft Entra authentication and authorization error
# codes" page for the full list.
_CODE_KINDS: dict[int, str] = {
    65001: "consent_required",  # user or admin has not consented
    65004: "consent_required",  # user declined consent
    50013: "invalid_assertion",  # assertion failed signature validation / wrong audience
    50027: "invalid_assertion",  # invalid JWT
    500133: "invalid_assertion",  # assertion not within its valid time range
    7000215: "invalid_client",  # invalid client secret
    7000222: "invalid_client",  # client secret expired
    700016: "invalid_client",  # application not found in the directory
    700027: "invalid_client",  # client assertion (certificate) signature invalid
    90002: "unknown_tenant",  # tenant not found
    90023: "unknown_tenant",  # invalid tenant / request
}
# Codes that, for a refresh-token (silent) call, mean the user must sign in again. Only the
# silent path reads these: OBO keeps its own mapping above.
_SIGN_IN_CODES = frozenset(
    {
        50058,  # no signed-in user (silent sign-in)
        50076,  # MFA required (location or policy change)
        50079,  # MFA registration required
        50132,  # session revoked (password change or expiry)
        50133,  # session invalid after a password change
        50173,  # grant revoked (password change or admin revocation)
        70008,  # refresh token expired through inactivity
        700082,  # refresh token expired through inactivity
        700084,  # refresh token for a single-page app expired
    }
)
_SIGN_IN_ERRORS = frozenset({"invalid_grant", "interaction_required", "login_required"})
_AADSTS = re.compile(r"AADSTS(\d+)")


class TokenProblem(Exception):
    """A token could not be obtained. ``str()`` never contains tokens, secrets or assertions."""

    def __init__(
        self,
        kind: str,
        admin_hint: str,
        *,
        code: str | None = None,
        error: str | None = None,
        trace_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown TokenProblem kind {kind!r}")
        self.kind = kind
        self.admin_hint = admin_hint
        #: The AADSTS code, e.g. ``"AADSTS65001"``, when Entra ID gave one.
        self.code = code
        #: The OAuth ``error`` value, e.g. ``"invalid_grant"``.
        self.error = error
        self.trace_id = trace_id
        self.correlation_id = correlation_id
        super().__init__(self._text())

    def _text(self) -> str:
        head = self.kind + (f" ({self.code})" if self.code else "")
        ids = ", ".join(
            f"{name}={value}"
            for name, value in (
                ("trace_id", self.trace_id),
                ("correlation_id", self.correlation_id),
            )
            if value
        )
        return f"{head}: {self.admin_hint}" + (f" [{ids}]" if ids else "")


def problem_from_answer(
    result: Mapping[str, Any],
    tenant: str,
    *,
    client_id: str,
    authority_host: str,
    flow: str = "obo",
) -> TokenProblem:
    """Entra's error answer as a `TokenProblem`. ``flow`` is "obo" (also client
    credentials), "silent" (refresh token) or "consent" (authorization code)."""
    error = str(result.get("error") or "")
    codes = [c for c in result.get("error_codes") or [] if isinstance(c, int)]
    if not codes:
        # Errors brought back by the consent pop-up have the code only in the description.
        found = _AADSTS.search(str(result.get("error_description") or ""))
        codes = [int(found.group(1))] if found else []
    kind = next((_CODE_KINDS[c] for c in codes if c in _CODE_KINDS), None)
    sign_in = any(c in _SIGN_IN_CODES for c in codes) or error in _SIGN_IN_ERRORS
    if kind is None and flow == "silent" and sign_in:
        kind = "sign_in_required"
    if kind is None and flow == "consent":
        if error == "access_denied":
            kind = "consent_required"
        elif error in ("invalid_grant", "invalid_request"):
            kind = "invalid_response"
    if kind is None:
        if error in ("invalid_client", "unauthorized_client"):
            kind = "invalid_client"
        elif error in ("temporarily_unavailable", "server_error"):
            kind = "unavailable"
        elif result.get("suberror") == "consent_required" or error == "consent_required":
            kind = "consent_required"
        else:
            kind = "other"
    code = f"AADSTS{codes[0]}" if codes else None
    return TokenProblem(
        kind,
        admin_hint(
            kind,
            tenant,
            client_id=client_id,
            authority_host=authority_host,
            error=error,
            code=code,
        ),
        code=code,
        error=error or None,
        trace_id=_str_or_none(result.get("trace_id")),
        correlation_id=_str_or_none(result.get("correlation_id")),
    )


def admin_hint(
    kind: str,
    tenant: str,
    *,
    client_id: str,
    authority_host: str,
    error: str | None = None,
    code: str | None = None,
) -> str:
    """What an admin (or the user) can do about a problem of this kind."""
    hints = {
        "consent_required": (
            "Ask your Microsoft 365 admin to grant admin consent for the Ontwikkelgesprek app "
            f"(client id {client_id}) in tenant {tenant}: Entra ID > Enterprise "
            "applications > Ontwikkelgesprek > Permissions > Grant admin consent."
        ),
        "invalid_assertion": (
            "The user's Teams sign-in token was not accepted for on-behalf-of; check that "
            "the app registration's Application ID URI and the Teams manifest's "
            "webApplicationInfo use this client id, then have the user reopen the app."
        ),
        "invalid_client": (
            f"Entra ID rejected the app credential for client id {client_id}; check "
            "ONTWIKKELGESPREK_CLIENT_ID and ONTWIKKELGESPREK_CLIENT_SECRET (or "
            "_CLIENT_CERT_PATH) against the app registration's Certificates & secrets; "
            "an expired secret needs a new one."
        ),
        "unknown_tenant": (
            f"Entra ID does not know the tenant {tenant!r}; check "
            "ONTWIKKELGESPREK_TENANT_ID and ONTWIKKELGESPREK_AUTHORITY_HOST."
        ),
        "unavailable": (
            f"Entra ID at {authority_host} is temporarily unavailable; try again later."
        ),
        "other": (
            f"Entra ID refused the token request ({error or 'unknown error'}); look up "
            f"{code or 'the error'} in Microsoft's Entra error code reference."
        ),
        "sign_in_required": (
            "The user's saved Microsoft 365 sign-in for Ontwikkelgesprek is missing, "
            "expired or was revoked; it is renewed when they next open the app in Teams "
            "(and consent, if asked). Nothing to change unless this keeps happening."
        ),
        "wrong_account": (
            "The consent pop-up was finished with another Microsoft 365 account than the "
            "one signed in to Teams; nothing was stored. The user should consent again "
            "with their own account."
        ),
        "invalid_response": (
            "The answer of the consent pop-up did not belong to the sign-in this server "
            "started (its state, nonce or code did not match, or it came too late); "
            "nothing was stored. The user should start the consent again."
        ),
    }
    return hints[kind]


def _str_or_none(value: object) -> str | None:
    return str(value) if value else None


__all__ = ["KINDS", "TokenProblem", "admin_hint", "problem_from_answer"]
