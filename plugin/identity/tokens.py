"""Microsoft mode's access tokens: msal's client-credentials, on-behalf-of (OBO) and
authorization-code (consent) flows.

`TokenService` holds one `msal.ConfidentialClientApplication` per tenant authority, all
sharing one in-memory token cache; a user's OBO and consent tokens are also persisted, one
encrypted file per user (`plugin.identity.token_caches`). Failures are `TokenProblem`
(`plugin.identity.token_problems`); msal's HTTP session and certificate credential come from
`plugin.identity.msal_setup`.

Things that are easy to get wrong here, and how this module handles them:

- **CA bundle variables.** requests lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override a
  session's ``verify``. msal gets a session with ``trust_env=False`` and ``verify`` set to the
  configured CA file (or the default trust store).
- **Instance discovery.** msal would ask ``login.microsoftonline.com`` about the authority
  host first; we pass ``instance_discovery=False`` so only the configured host is contacted.
- **OBO always calls the IdP.** Reuse goes through ``acquire_token_silent`` with the user's
  cached account; only when that finds nothing does ``acquire_token_on_behalf_of`` run.
- **Errors are dicts.** msal answers errors with dicts, which become `TokenProblem`. Network
  and TLS failures become ``TokenProblem("unavailable")``.

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

import logging
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import msal
import requests

from plugin.identity.msal_setup import TimeoutSession, load_certificate
from plugin.identity.token_caches import PartitionedCache, UserTokenCaches
from plugin.identity.token_problems import TokenProblem, admin_hint, problem_from_answer

log = logging.getLogger(__name__)

GRAPH_DEFAULT_SCOPES: tuple[str, ...] = ("https://graph.microsoft.com/.default",)
#: (connect, read) seconds for every call to Entra ID.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 15.0)
#: The key `begin_consent` adds to msal's flow dict: the user the flow was started for.
_FLOW_USER_KEY = "ontwikkelgesprek_user_key"


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
            load_certificate(certificate) if certificate is not None else str(client_secret)
        )
        self._http = TimeoutSession(str(ca_bundle) if ca_bundle else True, timeout)
        self._caches = UserTokenCaches(cache_dir, encryption_key)
        self._apps: dict[str, Any] = {}
        self._apps_lock = threading.Lock()

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
        with self._caches.lock(user_key):
            home_account_id = self._caches.load(user_key)
            if home_account_id:
                account = self._account(app, home_account_id, tenant)
                if account is not None:
                    cached = self._call(
                        tenant, lambda: app.acquire_token_silent(list(scopes), account=account)
                    )
                    if cached and "access_token" in cached:
                        self._caches.persist(
                            user_key, home_account_id
                        )  # a refresh may have rotated it
                        return str(cached["access_token"])
            result = self._call(
                tenant, lambda: app.acquire_token_on_behalf_of(assertion, list(scopes))
            )
            token = self._access_token(result, tenant)
            found = self._home_account_id(result)
            if found:
                self._caches.adopt(user_key, found)
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
        with self._caches.lock(user_key):
            home_account_id = self._caches.load(user_key)
            account = self._account(app, home_account_id, tenant) if home_account_id else None
            if home_account_id is None or account is None:
                raise TokenProblem("sign_in_required", self._hint("sign_in_required", tenant))
            result = self._call(
                tenant, lambda: app.acquire_token_silent_with_error(wanted, account=account)
            )
            if isinstance(result, dict) and "access_token" in result:
                self._caches.persist(user_key, home_account_id)  # a refresh may have rotated it
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
        staging = PartitionedCache()
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
        with self._caches.lock(user_key):
            self._caches.load(user_key)  # older tokens first, so the new ones win the merge
            self._caches.memory.merge(staging.partition(home_account_id))
            self._caches.adopt(user_key, home_account_id)
        log.info("consent granted and stored for a user of tenant %s", tenant)

    def forget_user(self, user_key: str) -> None:
        """Drop a user's persisted cache file (e.g. on sign-out or off-boarding)."""
        self._caches.forget(user_key)

    # -- msal plumbing -------------------------------------------------------------------------

    def _app(self, tenant: str) -> Any:
        authority = f"{self.authority_host}/{tenant}"
        with self._apps_lock:
            app = self._apps.get(authority)
            if app is None:
                app = self._new_app(tenant, self._caches.memory)
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
        return problem_from_answer(
            result,
            tenant,
            client_id=self.client_id,
            authority_host=self.authority_host,
            flow=flow,
        )

    def _hint(self, kind: str, tenant: str) -> str:
        return admin_hint(
            kind, tenant, client_id=self.client_id, authority_host=self.authority_host
        )

    @staticmethod
    def _home_account_id(result: Mapping[str, Any]) -> str | None:
        claims = result.get("id_token_claims") or {}
        oid, tid = claims.get("oid"), claims.get("tid")
        # msal derives home_account_id from client_info ({uid}.{utid}); for Entra that is oid.tid.
        return f"{oid}.{tid}" if oid and tid else None


__all__ = ["GRAPH_DEFAULT_SCOPES", "TokenService"]
