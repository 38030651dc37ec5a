"""Microsoft mode's access tokens: msal's client-credentials, on-behalf-of (OBO) and
authorization-code (consent) flows.

`TokenService` holds one `msal.ConfidentialClientApplication` per tenant authority, all
sharing one in-memory token cache. App tokens (client credentials) live only in that memory
cache; msal serves repeats from it. A user's OBO tokens (access token, refresh token, id token,
account) are also persisted, one encrypted file per user under ``cache_dir``, so a restarted
process serves them without asking Entra ID again.

Things that are easy to get wrong here, and how this module handles them:

- **CA bundle variables.** requests lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override a
  session's ``verify``. msal gets a session with ``trust_env=False`` and ``verify`` set to the
  configured CA file (or the default trust store).
- **Instance discovery.** msal would ask ``login.microsoftonline.com`` about the authority
  host first; we pass ``instance_discovery=False`` so only the configured host is contacted.
- **OBO always calls the IdP.** Reuse goes through ``acquire_token_silent`` with the user's
  cached account; only when that finds nothing does ``acquire_token_on_behalf_of`` run.
- **Errors are dicts.** msal answers errors with ``error``/``error_description``/``error_codes``;
  they become `TokenProblem`, whose text names the AADSTS code and an admin hint, never a token,
  secret or assertion. Network and TLS failures become ``TokenProblem("unavailable")``.

``user_key`` must identify the user the assertion belongs to (e.g. ``"{tid}:{oid}"`` taken from
the *validated* Teams SSO token): a cached token for that key is returned without looking at
the assertion again.

**Consent.** When OBO answers ``consent_required`` the user consents in a pop-up (TeamsJS
``authentication.authenticate``) that runs the authorization-code flow: `begin_consent` makes
the flow (msal adds PKCE, ``state`` and ``nonce``; the flow dict holds the PKCE verifier, so it
stays on the server), the pop-up goes to ``flow["auth_uri"]``, and `finish_consent` redeems what
comes back. Whoever finishes the pop-up may have signed in with *another* account, so the id
token's ``tid``/``oid`` must be the ones of the Teams user who started it: the code is redeemed
into a throw-away cache and only merged into the user's cache (and persisted, as OBO's tokens
are) once they match. The default ``response_mode`` is ``form_post`` (msal's advice): the
answer then arrives as a cross-site POST that carries no SameSite=Lax cookie, so keep the flow
in server-side storage keyed by ``flow["state"]`` rather than in a cookie session.

`user_token_silent` serves background work that has no assertion (the worker): cache and
refresh token only; with nothing usable it raises ``sign_in_required`` or ``consent_required``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msal
import requests
from cryptography import x509
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from plugin.identity.signed import fernet

log = logging.getLogger(__name__)

GRAPH_DEFAULT_SCOPES: tuple[str, ...] = ("https://graph.microsoft.com/.default",)
#: (connect, read) seconds for every call to Entra ID.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 15.0)
_CACHE_FORMAT = 1

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
#: The key `begin_consent` adds to msal's flow dict: the user the flow was started for.
_FLOW_USER_KEY = "ontwikkelgesprek_user_key"
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


class _TimeoutSession(requests.Session):
    """A requests session that ignores proxy/CA environment variables and always times out."""

    def __init__(self, verify: str | bool, timeout: tuple[float, float]) -> None:
        super().__init__()
        self.trust_env = False  # REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE would override `verify`
        self.verify = verify
        self._default_timeout = timeout

    def request(
        self, method: str, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._default_timeout
        return super().request(method, url, *args, **kwargs)


class _PartitionedCache(msal.SerializableTokenCache):  # type: ignore[misc]
    """msal's cache, with per-account export and merge (msal's unified cache schema)."""

    def partition(self, home_account_id: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            out: dict[str, dict[str, Any]] = {}
            for credential_type, entries in self._cache.items():
                if not isinstance(entries, dict):
                    continue
                kept = {
                    key: entry
                    for key, entry in entries.items()
                    if credential_type == "AppMetadata"
                    or (isinstance(entry, dict) and entry.get("home_account_id") == home_account_id)
                }
                if kept:
                    out[credential_type] = kept
            copied: dict[str, dict[str, Any]] = json.loads(json.dumps(out))  # a deep copy
            return copied

    def merge(self, partition: Mapping[str, Any]) -> None:
        with self._lock:
            for credential_type, entries in partition.items():
                if isinstance(entries, dict):
                    self._cache.setdefault(credential_type, {}).update(entries)


def _load_certificate(path: Path) -> dict[str, str]:
    """A PEM file holding the private key and the certificate → msal's credential dict."""
    pem = path.read_bytes()
    try:
        key = serialization.load_pem_private_key(pem, password=None)
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise TokenProblem(
            "invalid_client",
            f"The certificate file {path} must be PEM with an unencrypted private key and the "
            "certificate; convert a .pfx with `openssl pkcs12 -in app.pfx -out app.pem -nodes`.",
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TokenProblem(
            "invalid_client",
            f"The certificate file {path} holds a non-RSA key; Entra ID app certificates must "
            "use an RSA key (2048 bits or more).",
        )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    # msal ≥ 1.35 computes the SHA-256 thumbprint (x5t#S256) from public_certificate.
    return {"private_key": key_pem, "public_certificate": cert_pem}


class TokenService:
    """Access tokens for Microsoft Graph, app-only and on behalf of a user."""

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str | None = None,
        certificate: Path | None = None,
        authority_host: str = "https://login.microsoftonline.com",
        ca_bundle: Path | None = None,
        cache_dir: Path,
        encryption_key: bytes,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        graph_scopes: Sequence[str] = GRAPH_DEFAULT_SCOPES,
    ) -> None:
        if not client_secret and certificate is None:
            raise ValueError("TokenService needs a client secret or a certificate")
        if not encryption_key:
            raise ValueError("TokenService needs an encryption key for its token cache")
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.authority_host = authority_host.rstrip("/")
        #: The Graph service's scopes (another host in a national cloud).
        self.graph_scopes = tuple(graph_scopes)
        self._credential: str | dict[str, str] = (
            _load_certificate(certificate) if certificate is not None else str(client_secret)
        )
        self._http = _TimeoutSession(str(ca_bundle) if ca_bundle else True, timeout)
        self._cache = _PartitionedCache()
        self._apps: dict[str, Any] = {}
        self._apps_lock = threading.Lock()
        self._cache_dir = cache_dir
        self._fernet = fernet(encryption_key, b"ontwikkelgesprek/token-cache/v1")
        self._name_key = hashlib.sha256(b"ontwikkelgesprek/token-cache-name\0" + encryption_key)
        self._users_lock = threading.Lock()
        self._user_locks: dict[str, threading.Lock] = {}
        self._home_accounts: dict[str, str | None] = {}  # user_key → home_account_id (loaded)
        self._written: dict[str, str] = {}  # user_key → digest of the last partition written
        # user_key → the cache file's mtime when last read or written: another process (the
        # web, where consent and on-behalf-of happen) may write a newer one for a worker.
        self._file_versions: dict[str, int | None] = {}

    @classmethod
    def from_settings(cls, settings: Any, cache_dir: Path | None = None) -> TokenService:
        """Build from a `plugin.settings.Settings` in Microsoft mode."""
        if not settings.tenant_id or not settings.client_id:
            raise ValueError("Microsoft mode needs ONTWIKKELGESPREK_TENANT_ID and _CLIENT_ID")
        secret = settings.client_secret.get_secret_value() if settings.client_secret else None
        return cls(
            tenant_id=settings.tenant_id,
            client_id=settings.client_id,
            client_secret=secret,
            certificate=settings.client_cert_path,
            authority_host=settings.authority_host,
            ca_bundle=settings.ca_bundle,
            cache_dir=cache_dir or Path(settings.data_dir) / "token-cache",
            encryption_key=settings.resolved_secret_key(),
            graph_scopes=(settings.graph_scope(),),
        )

    # -- public API ---------------------------------------------------------------------------

    def app_token(
        self, scopes: Sequence[str] | None = None, *, tenant_id: str | None = None
    ) -> str:
        """An app-only token (client credentials); msal serves repeats from its cache."""
        tenant = tenant_id or self.tenant_id
        app = self._app(tenant)
        wanted = list(scopes or self.graph_scopes)
        result = self._call(tenant, lambda: app.acquire_token_for_client(scopes=wanted))
        return self._access_token(result, tenant)

    def user_token(
        self,
        user_key: str,
        assertion: str,
        scopes: Sequence[str] | None = None,
        *,
        tenant_id: str | None = None,
    ) -> str:
        """A token on behalf of the user whose (validated) SSO token is ``assertion``.

        Served from the user's cache (memory, then their file) when possible, else by OBO.
        """
        tenant = tenant_id or self.tenant_id
        app = self._app(tenant)
        scopes = list(scopes or self.graph_scopes)
        with self._user_lock(user_key):
            home_account_id = self._ensure_loaded(user_key)
            if home_account_id:
                account = self._account(app, home_account_id, tenant)
                if account is not None:
                    cached = self._call(
                        tenant, lambda: app.acquire_token_silent(list(scopes), account=account)
                    )
                    if cached and "access_token" in cached:
                        self._persist(user_key, home_account_id)  # a refresh may have rotated it
                        return str(cached["access_token"])
            result = self._call(
                tenant, lambda: app.acquire_token_on_behalf_of(assertion, list(scopes))
            )
            token = self._access_token(result, tenant)
            found = self._home_account_id(result)
            if found:
                self._home_accounts[user_key] = found
                self._persist(user_key, found)
            else:
                log.warning("OBO answer carried no id_token/client_info; token not persisted")
            return token

    def user_token_silent(
        self,
        user_key: str,
        scopes: Sequence[str] | None = None,
        *,
        tenant_id: str | None = None,
    ) -> str:
        """A token for the user from their cache (refreshing it if needed), with no assertion.

        For background work. Raises `TokenProblem` ``sign_in_required`` when nothing usable is
        cached (never signed in here, forgotten, refresh token expired or revoked) and
        ``consent_required`` when the user has not consented to ``scopes``.
        """
        tenant = tenant_id or self.tenant_id
        app = self._app(tenant)
        wanted = list(scopes or self.graph_scopes)
        with self._user_lock(user_key):
            home_account_id = self._ensure_loaded(user_key)
            account = self._account(app, home_account_id, tenant) if home_account_id else None
            if home_account_id is None or account is None:
                raise TokenProblem("sign_in_required", self._hint("sign_in_required", tenant))
            result = self._call(
                tenant, lambda: app.acquire_token_silent_with_error(wanted, account=account)
            )
            if isinstance(result, dict) and "access_token" in result:
                self._persist(user_key, home_account_id)  # a refresh may have rotated it
                return str(result["access_token"])
            if not isinstance(result, dict) or "error" not in result:
                # msal found no refresh token for this account and scopes.
                raise TokenProblem("sign_in_required", self._hint("sign_in_required", tenant))
            raise self._problem(result, tenant, flow="silent")

    def begin_consent(
        self,
        user_key: str,
        scopes: Sequence[str],
        redirect_uri: str,
        login_hint: str | None = None,
        *,
        tenant_id: str | None = None,
        prompt: str | None = None,
        response_mode: str = "form_post",
    ) -> dict[str, Any]:
        """Start the consent pop-up's authorization-code flow for this user.

        Returns msal's flow dict: send the pop-up to ``flow["auth_uri"]`` and keep the whole
        dict on the server (it holds the PKCE verifier) until `finish_consent`, which accepts
        it for ``user_key`` only. ``scopes`` are resource scopes (e.g.
        ``https://graph.microsoft.com/ChatMessage.Send``); msal adds ``openid``, ``profile``
        and ``offline_access``. ``login_hint`` (the user's UPN from the SSO token) preselects
        their account in the pop-up.
        """
        tenant = tenant_id or self.tenant_id
        app = self._app(tenant)
        flow: dict[str, Any] = self._call(
            tenant,
            lambda: app.initiate_auth_code_flow(
                list(scopes),
                redirect_uri=redirect_uri,
                login_hint=login_hint,
                prompt=prompt,
                response_mode=response_mode,
            ),
        )
        flow[_FLOW_USER_KEY] = user_key
        return flow

    def finish_consent(
        self,
        user_key: str,
        flow: Mapping[str, Any],
        auth_response: Mapping[str, str],
        expected_tenant: str,
        expected_oid: str,
    ) -> None:
        """Redeem the pop-up's answer and keep the user's tokens, as OBO's are kept.

        ``flow`` is what `begin_consent` returned for ``user_key``; ``auth_response`` the
        query or form parameters the pop-up brought back. ``expected_tenant``/``expected_oid``
        come from the user's *validated* Teams SSO token. Raises `TokenProblem`:
        ``wrong_account`` when the pop-up was finished with another account, ``invalid_response``
        when the answer does not belong to this flow, ``consent_required`` when the user
        declined, or the token endpoint's kinds. Nothing is stored unless it succeeds.
        """
        tenant = expected_tenant
        if flow.get(_FLOW_USER_KEY) != user_key:
            raise TokenProblem("invalid_response", self._hint("invalid_response", tenant))
        msal_flow = {k: v for k, v in flow.items() if k != _FLOW_USER_KEY}
        response = {str(k): str(v) for k, v in auth_response.items()}
        # Redeem into a cache of its own: another account's tokens must never reach the
        # shared cache, let alone this user's file.
        staging = _PartitionedCache()
        app = self._new_app(tenant, staging)
        try:
            result = self._call(
                tenant, lambda: app.acquire_token_by_auth_code_flow(msal_flow, response)
            )
        except (ValueError, RuntimeError):
            # msal's own checks: state mismatch (ValueError), nonce mismatch (RuntimeError),
            # an answer with neither code nor error. Their texts carry the values; not logged.
            log.warning("consent answer refused: it does not belong to the flow started")
            raise TokenProblem("invalid_response", self._hint("invalid_response", tenant)) from None
        if not isinstance(result, dict) or "access_token" not in result:
            if isinstance(result, dict) and "error" in result:
                raise self._problem(result, tenant, flow="consent")
            raise TokenProblem("other", "Entra ID gave an answer without a token; try again.")
        claims = result.get("id_token_claims") or {}
        if claims.get("tid") != expected_tenant or claims.get("oid") != expected_oid:
            log.warning("consent finished with another account than the Teams user's; refused")
            raise TokenProblem("wrong_account", self._hint("wrong_account", tenant))
        home_account_id = self._home_account_id(result)
        if home_account_id is None:
            raise TokenProblem("other", "Entra ID's answer carried no id token; try again.")
        with self._user_lock(user_key):
            self._ensure_loaded(user_key)  # older tokens first, so the new ones win the merge
            self._cache.merge(staging.partition(home_account_id))
            self._home_accounts[user_key] = home_account_id
            self._persist(user_key, home_account_id)
        log.info("consent granted and stored for a user of tenant %s", tenant)

    def forget_user(self, user_key: str) -> None:
        """Drop a user's persisted cache file (e.g. on sign-out or off-boarding)."""
        with self._user_lock(user_key):
            self._cache_path(user_key).unlink(missing_ok=True)
            self._home_accounts.pop(user_key, None)
            self._written.pop(user_key, None)

    # -- msal plumbing -------------------------------------------------------------------------

    def _app(self, tenant: str) -> Any:
        authority = f"{self.authority_host}/{tenant}"
        with self._apps_lock:
            app = self._apps.get(authority)
            if app is None:
                app = self._new_app(tenant, self._cache)
                self._apps[authority] = app
            return app

    def _new_app(self, tenant: str, cache: msal.SerializableTokenCache) -> Any:
        return self._call(
            tenant,
            lambda: msal.ConfidentialClientApplication(
                self.client_id,
                client_credential=self._credential,
                authority=f"{self.authority_host}/{tenant}",
                instance_discovery=False,
                http_client=self._http,
                token_cache=cache,
            ),
        )

    @staticmethod
    def _account(app: Any, home_account_id: str, tenant: str) -> Any:
        """The cached msal account of that user in that tenant, or None."""
        return next(
            (
                a
                for a in app.get_accounts()
                if a.get("home_account_id") == home_account_id and a.get("realm") == tenant
            ),
            None,
        )

    def _call(self, tenant: str, fn: Any) -> Any:
        """Run an msal call, turning transport failures into `TokenProblem`."""
        try:
            return fn()
        except requests.exceptions.SSLError as exc:
            log.warning("TLS failure talking to %s: %s", self.authority_host, type(exc).__name__)
            raise TokenProblem(
                "unavailable",
                f"The TLS certificate of {self.authority_host} is not trusted. If a proxy "
                "inspects TLS, set ONTWIKKELGESPREK_CA_BUNDLE to its CA file.",
            ) from None
        except requests.exceptions.RequestException as exc:
            log.warning("Could not reach %s: %s", self.authority_host, type(exc).__name__)
            raise TokenProblem(
                "unavailable",
                f"Entra ID at {self.authority_host} could not be reached; check the network, "
                "proxy and firewall of this server, then try again.",
            ) from None
        except ValueError as exc:
            # msal raises ValueError from the constructor when OIDC discovery answers 4xx.
            if "authority configuration" in str(exc) or "OIDC Discovery" in str(exc):
                raise TokenProblem(
                    "unknown_tenant",
                    f"Entra ID does not know the tenant {tenant!r} at {self.authority_host}; "
                    "check ONTWIKKELGESPREK_TENANT_ID (the Directory (tenant) ID on the app "
                    "registration's overview page) and ONTWIKKELGESPREK_AUTHORITY_HOST.",
                ) from None
            raise

    def _access_token(self, result: Any, tenant: str) -> str:
        if isinstance(result, dict) and "access_token" in result:
            return str(result["access_token"])
        if not isinstance(result, dict) or "error" not in result:
            raise TokenProblem("other", "Entra ID gave an answer without a token; try again later.")
        raise self._problem(result, tenant)

    def _problem(
        self, result: Mapping[str, Any], tenant: str, *, flow: str = "obo"
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
            self._hint(kind, tenant, error=error, code=code),
            code=code,
            error=error or None,
            trace_id=_str_or_none(result.get("trace_id")),
            correlation_id=_str_or_none(result.get("correlation_id")),
        )

    def _hint(
        self, kind: str, tenant: str, *, error: str | None = None, code: str | None = None
    ) -> str:
        hints = {
            "consent_required": (
                "Ask your Microsoft 365 admin to grant admin consent for the Ontwikkelgesprek app "
                f"(client id {self.client_id}) in tenant {tenant}: Entra ID > Enterprise "
                "applications > Ontwikkelgesprek > Permissions > Grant admin consent."
            ),
            "invalid_assertion": (
                "The user's Teams sign-in token was not accepted for on-behalf-of; check that "
                "the app registration's Application ID URI and the Teams manifest's "
                "webApplicationInfo use this client id, then have the user reopen the app."
            ),
            "invalid_client": (
                f"Entra ID rejected the app credential for client id {self.client_id}; check "
                "ONTWIKKELGESPREK_CLIENT_ID and ONTWIKKELGESPREK_CLIENT_SECRET (or "
                "_CLIENT_CERT_PATH) against the app registration's Certificates & secrets; "
                "an expired secret needs a new one."
            ),
            "unknown_tenant": (
                f"Entra ID does not know the tenant {tenant!r}; check "
                "ONTWIKKELGESPREK_TENANT_ID and ONTWIKKELGESPREK_AUTHORITY_HOST."
            ),
            "unavailable": (
                f"Entra ID at {self.authority_host} is temporarily unavailable; try again later."
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

    @staticmethod
    def _home_account_id(result: Mapping[str, Any]) -> str | None:
        claims = result.get("id_token_claims") or {}
        oid, tid = claims.get("oid"), claims.get("tid")
        # msal derives home_account_id from client_info ({uid}.{utid}); for Entra that is oid.tid.
        return f"{oid}.{tid}" if oid and tid else None

    # -- per-user persistence ------------------------------------------------------------------

    def _user_lock(self, user_key: str) -> threading.Lock:
        with self._users_lock:
            return self._user_locks.setdefault(user_key, threading.Lock())

    def _cache_path(self, user_key: str) -> Path:
        name = hmac.new(self._name_key.digest(), user_key.encode("utf-8"), "sha256").hexdigest()
        return self._cache_dir / f"{name}.tokens"

    def _file_version(self, path: Path) -> int | None:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return None

    def _ensure_loaded(self, user_key: str) -> str | None:
        path = self._cache_path(user_key)
        version = self._file_version(path)
        if user_key in self._home_accounts and self._file_versions.get(user_key) == version:
            return self._home_accounts[user_key]
        home_account_id: str | None = self._home_accounts.get(user_key)
        self._file_versions[user_key] = version
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            blob = None
        except OSError as exc:
            log.warning("token cache %s unreadable (%s); starting empty", path.name, exc.strerror)
            blob = None
        if blob is not None:
            try:
                envelope = json.loads(self._fernet.decrypt(blob))
                if envelope.get("v") != _CACHE_FORMAT:
                    raise ValueError("format")
                home_account_id = str(envelope["home_account_id"])
                self._cache.merge(envelope["cache"])
            except (InvalidToken, ValueError, KeyError, TypeError, AttributeError):
                log.warning("token cache %s is corrupt or undecryptable; ignored", path.name)
        self._home_accounts[user_key] = home_account_id
        return home_account_id

    def _persist(self, user_key: str, home_account_id: str) -> None:
        partition = self._cache.partition(home_account_id)
        body = json.dumps(
            {"v": _CACHE_FORMAT, "home_account_id": home_account_id, "cache": partition},
            sort_keys=True,
        ).encode("utf-8")
        digest = hashlib.sha256(body).hexdigest()
        if self._written.get(user_key) == digest:
            return
        path = self._cache_path(user_key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".tokens")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self._fernet.encrypt(body))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._written[user_key] = digest
        self._file_versions[user_key] = self._file_version(path)


def _str_or_none(value: object) -> str | None:
    return str(value) if value else None


__all__ = ["GRAPH_DEFAULT_SCOPES", "TokenProblem", "TokenService"]
