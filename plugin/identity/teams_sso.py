"""Teams single sign-on: who is asking, proved by a token Entra ID signed for our API.

A tab gets the token with TeamsJS `authentication.getAuthToken()` and sends it as a bearer
token. `SsoValidator.validate` accepts it only when all of this holds, and otherwise raises
`InvalidSsoToken` (whose reason is for our logs, never for the client):

- the header names RS256 and a key id (no `none`, no HMAC: an HS256 token "signed" with our
  public key is the classic confusion attack);
- the tenant (`tid`) is one the configuration allows, checked *before* fetching any keys, so
  strangers cannot make us fetch other tenants' key sets;
- the signature verifies with that tenant's published key (PyJWT's `PyJWKClient` on the
  `jwks_uri` of the tenant's OpenID configuration; keys are cached and fetched again when a
  token names an unknown key id, as after Entra's key rollover, at most every 30 seconds);
- the issuer is the tenant's (`issuer` of its OpenID configuration, or the v1 form
  `https://sts.windows.net/{tid}/`), the audience is our client id or Application ID URI;
- `exp` and `nbf` hold on the injected clock, with a small leeway for clock skew;
- the delegated scope `access_as_user` is granted, and the user has an object id.

The raw token stays in memory for on-behalf-of; it is never stored or logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

from plugin.tls import tls_context

log = logging.getLogger(__name__)

SCOPE = "access_as_user"
ALGORITHMS = ["RS256"]
DEFAULT_LEEWAY = timedelta(minutes=2)
#: How many accepted tokens one process remembers (each with its token: some 10 MB at most).
ACCEPTED_TOKENS = 4096


class InvalidSsoToken(Exception):
    """The token proves nothing. `reason` is for logs; clients only learn "401"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SsoIdentity:
    tenant_id: str
    object_id: str
    name: str
    username: str
    #: The validated token itself, for on-behalf-of (memory only).
    token: str = field(repr=False)


@dataclass
class _Tenant:
    issuer: str
    keys: jwt.PyJWKClient


class SsoValidator:
    def __init__(
        self,
        *,
        client_id: str,
        app_id_uri: str | None,
        allowed_tenants: Iterable[str],
        authority_host: str = "https://login.microsoftonline.com",
        ca_bundle: Path | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        leeway: timedelta = DEFAULT_LEEWAY,
        timeout: float = 10.0,
        key_refresh_cooldown: float = 30.0,
    ) -> None:
        """`key_refresh_cooldown`: seconds between key-set fetches caused by unknown key ids,
        so tokens with made-up key ids cannot make us hammer Entra ID."""
        self._audiences = [a for a in (client_id, app_id_uri) if a]
        self._allowed = frozenset(allowed_tenants)
        self._authority = authority_host.rstrip("/")
        self._ca_bundle = ca_bundle
        self._now = now
        self._leeway = leeway
        self._timeout = timeout
        self._cooldown = key_refresh_cooldown
        self._tenants: dict[str, _Tenant] = {}
        self._lock = threading.Lock()
        # Tokens this validator accepted, by SHA-256, with their exp/nbf: a page sends the same
        # token for up to an hour (a live panel twice a second), and the RS256 check is most
        # of a bearer call's cost. Times are checked again on every use.
        self._accepted: OrderedDict[bytes, tuple[SsoIdentity, dict[str, Any]]] = OrderedDict()

    def validate(self, token: str) -> SsoIdentity:
        digest = hashlib.sha256(token.encode()).digest()
        seen = self._seen(digest)
        if seen is not None:
            identity, times = seen
            self._check_times(times)
            return identity
        identity, times = self._validate(token)
        with self._lock:
            self._accepted[digest] = (identity, times)
            if len(self._accepted) > ACCEPTED_TOKENS:
                self._accepted.popitem(last=False)
        return identity

    def accepted(self, token: str) -> SsoIdentity | None:
        """The identity of a token this validator accepted before, while its times hold; None
        for any other token (`validate` it: that may fetch keys and logs the refusal)."""
        seen = self._seen(hashlib.sha256(token.encode()).digest())
        if seen is None:
            return None
        try:
            self._check_times(seen[1])
        except InvalidSsoToken:
            return None
        return seen[0]

    def _seen(self, digest: bytes) -> tuple[SsoIdentity, dict[str, Any]] | None:
        with self._lock:
            seen = self._accepted.get(digest)
            if seen is not None:
                self._accepted.move_to_end(digest)
            return seen

    def _validate(self, token: str) -> tuple[SsoIdentity, dict[str, Any]]:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise InvalidSsoToken(f"malformed: {type(error).__name__}") from None
        if header.get("alg") not in ALGORITHMS:
            raise InvalidSsoToken(f"algorithm {header.get('alg')!r} not accepted")
        if not header.get("kid"):
            raise InvalidSsoToken("no key id")
        tenant_id = unverified.get("tid")
        if not isinstance(tenant_id, str) or tenant_id not in self._allowed:
            raise InvalidSsoToken("tenant not allowed")
        tenant = self._tenant(tenant_id)
        try:
            key = tenant.keys.get_signing_key(str(header["kid"])).key
        except jwt.PyJWKClientError as error:
            raise InvalidSsoToken(f"signing key: {error}") from None
        try:
            # exp/nbf are checked below on our own clock, so tests can fix "now".
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._audiences,
                issuer=[tenant.issuer, f"https://sts.windows.net/{tenant_id}/"],
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "require": ["exp", "nbf", "aud", "iss", "tid", "oid"],
                },
            )
        except jwt.PyJWTError as error:
            raise InvalidSsoToken(f"rejected: {type(error).__name__}: {error}") from None
        self._check_times(claims)
        scopes = str(claims.get("scp", "")).split()
        if SCOPE not in scopes:
            raise InvalidSsoToken("scope access_as_user missing")
        identity = SsoIdentity(
            tenant_id=tenant_id,
            object_id=str(claims["oid"]),
            name=str(claims.get("name", "")),
            username=str(claims.get("preferred_username", claims.get("upn", ""))),
            token=token,
        )
        return identity, {"exp": claims["exp"], "nbf": claims["nbf"]}

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self._now().timestamp()
        leeway = self._leeway.total_seconds()
        try:
            expires, not_before = float(claims["exp"]), float(claims["nbf"])
        except (TypeError, ValueError):
            raise InvalidSsoToken("exp/nbf not numbers") from None
        if now > expires + leeway:
            raise InvalidSsoToken("expired")
        if now + leeway < not_before:
            raise InvalidSsoToken("not yet valid")

    def _tenant(self, tenant_id: str) -> _Tenant:
        with self._lock:
            known = self._tenants.get(tenant_id)
            if known is not None:
                return known
        url = f"{self._authority}/{tenant_id}/v2.0/.well-known/openid-configuration"
        try:
            with urllib.request.urlopen(  # noqa: S310 (an https URL from our configuration)
                url, context=tls_context(self._ca_bundle), timeout=self._timeout
            ) as answer:
                config = json.load(answer)
            issuer, jwks_uri = str(config["issuer"]), str(config["jwks_uri"])
        except (OSError, ValueError, KeyError) as error:
            log.warning("OpenID configuration of tenant %s unavailable: %s", tenant_id, error)
            raise InvalidSsoToken("tenant configuration unavailable") from None
        tenant = _Tenant(
            issuer=issuer.replace("{tenantid}", tenant_id),
            keys=jwt.PyJWKClient(
                jwks_uri,
                cache_keys=True,
                lifespan=3600,
                timeout=self._timeout,
                ssl_context=tls_context(self._ca_bundle),
                cooldown_duration=self._cooldown,
            ),
        )
        with self._lock:
            return self._tenants.setdefault(tenant_id, tenant)
