"""A protocol-faithful fake of Entra ID (v2.0 endpoints) over HTTPS on 127.0.0.1.

It serves, per tenant path, the OpenID configuration, the JWKS, the authorization endpoint and
the token endpoint with the client-credentials, on-behalf-of (jwt-bearer), refresh-token and
authorization-code grants. Errors have Entra's shape (``error``, ``error_description`` starting
with ``AADSTS…``, ``error_codes``, ``timestamp``, ``trace_id``, ``correlation_id``). TLS uses a
throwaway CA made by trustme; ``ca_path`` is its PEM for clients. Every request is recorded in
``requests``.

The authorization endpoint (``GET /{tenant}/oauth2/v2.0/authorize``) stands in for the browser
pop-up: ``browser_user(...)`` says who is signed in to "the browser", and the fake answers at
once as if that user signed in and accepted the consent screen (unless ``decline_consent``).

- **Before it can redirect** (unknown ``client_id``, a ``redirect_uri`` not in
  ``redirect_uris``, a user of another tenant) it answers, as Entra does, with an error page
  and no redirect: HTML, status 400, the AADSTS code in the text (and, for tests, in the
  fake's own ``x-fake-error-code`` header).
- **After that** errors go back to the ``redirect_uri`` as ``error``, ``error_description``
  (``AADSTS…``), ``error_uri``, ``state`` (and ``error_subcode=cancel`` when the user declines,
  AADSTS65004). ``prompt=none`` without a browser user is ``login_required`` (AADSTS50058);
  ``prompt=none`` when consent is missing is ``consent_required`` (AADSTS65001).
- **Success** is ``code``, ``state``, ``session_state`` and, when asked with ``client_info=1``
  (msal does), ``client_info``. ``response_mode=form_post`` answers 200 with Entra's
  self-submitting HTML form instead of a 302 (``response_mode=query`` or none: 302 with the
  parameters in the query). Granting consent clears ``require_consent`` for that user.
- **Redeeming** (``grant_type=authorization_code``): client authentication as for the other
  grants; the code is single-use (AADSTS54005 when reused), unknown codes are AADSTS70000,
  codes expire after ``code_lifetime`` seconds on ``clock`` (AADSTS70008), ``redirect_uri`` must
  be the authorize request's (AADSTS50011) and the PKCE ``code_verifier`` must match the S256
  (or plain) challenge (AADSTS501481). The answer is like OBO's, with the request's ``nonce``,
  the browser user's ``name`` and ``preferred_username`` in the id token.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.wrappers import Request, Response

from tests.microsoft.https_server import LoopbackHttps

OBO_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GRAPH = "https://graph.microsoft.com"
OIDC_SCOPES = {"openid", "profile", "offline_access", "email"}
AUTH_CODE_GRANT = "authorization_code"


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    host: str
    #: The query parameters (the authorization endpoint's request is a GET).
    query: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BrowserUser:
    """Who is signed in to the browser that opens the authorization endpoint."""

    oid: str
    tenant: str
    name: str
    username: str


@dataclass(frozen=True)
class _IssuedCode:
    client_id: str
    tenant: str
    redirect_uri: str
    scopes: tuple[str, ...]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str
    user: BrowserUser
    issued_at: float


@dataclass
class EntraFake:
    tmp_dir: Path
    tenant_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    client_secret: str = field(default_factory=lambda: "s3cr3t~" + secrets.token_urlsafe(24))
    access_token_lifetime: int = 3599
    #: Application permissions put in the ``roles`` claim of client-credentials tokens (an empty
    #: list leaves the claim out, as Entra does for an app without granted permissions).
    app_roles: list[str] = field(default_factory=lambda: ["Calendars.ReadWrite"])
    #: Delegated permissions put in the ``scp`` claim of on-behalf-of and refresh tokens.
    user_scopes: list[str] = field(default_factory=lambda: ["Calendars.ReadWrite", "User.Read"])
    #: Reply URLs registered on the app; the authorization endpoint redirects only to these.
    redirect_uris: set[str] = field(default_factory=set)
    #: Seconds an authorization code can be redeemed (Entra's are short-lived: minutes).
    code_lifetime: int = 600
    #: Seconds since the epoch for the expiry of authorization codes and OBO assertions; tests
    #: that run the app on their own clock set it to that clock.
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self.tenants: set[str] = {self.tenant_id}
        self.requests: list[Recorded] = []
        self.issued_access_tokens: list[str] = []
        self._consent_missing: set[str] = set()
        self._consent_declined: set[str] = set()
        self._browser: BrowserUser | None = None
        self._codes: dict[str, _IssuedCode] = {}
        self._redeemed_codes: set[str] = set()
        #: (oid, tenant, scopes) of each consent granted through the authorization endpoint.
        self.consents: list[tuple[str, str, tuple[str, ...]]] = []
        self._refresh_tokens: dict[str, tuple[str, str, list[str]]] = {}
        self._revoked_refresh_tokens: set[str] = set()
        self._client_cert_keys: list[Any] = []
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(8)
        self._lock = threading.Lock()
        self.ca = trustme.CA()
        self.ca_path = self.tmp_dir / "entra-fake-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        self._server: LoopbackHttps | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> EntraFake:
        self._server = LoopbackHttps(self._wsgi, self.ca)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.port

    @property
    def authority_host(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    # -- test controls -------------------------------------------------------------------------

    def require_consent(self, oid: str, required: bool = True) -> None:
        """Make OBO for this user answer AADSTS65001 until consent is 'granted' again."""
        (self._consent_missing.add if required else self._consent_missing.discard)(oid)

    def consent_required(self, oid: str) -> bool:
        """Whether OBO for this user would answer AADSTS65001 now."""
        return oid in self._consent_missing

    def browser_user(
        self,
        oid: str,
        *,
        name: str = "Test User",
        username: str | None = None,
        tenant: str | None = None,
    ) -> BrowserUser:
        """Sign this user in to "the browser" that follows authorization URLs."""
        user = BrowserUser(
            oid=oid,
            tenant=tenant or self.tenant_id,
            name=name,
            username=username or f"{oid[:8]}@example.test",
        )
        self._browser = user
        return user

    def sign_out_browser(self) -> None:
        self._browser = None

    def revoke_sessions(self, oid: str) -> None:
        """Revoke the user's refresh tokens issued so far (a password reset, or an admin's
        "revoke sessions"): using one answers AADSTS50173."""
        with self._lock:
            for token, (user, _tenant, _scopes) in list(self._refresh_tokens.items()):
                if user == oid:
                    del self._refresh_tokens[token]
                    self._revoked_refresh_tokens.add(token)

    def decline_consent(self, oid: str, declined: bool = True) -> None:
        """Make this user press "Cancel" on the consent screen (AADSTS65004)."""
        (self._consent_declined.add if declined else self._consent_declined.discard)(oid)

    def add_client_certificate(self, cert_pem: bytes) -> None:
        """Register a certificate whose key may sign client assertions (certificate auth)."""
        self._client_cert_keys.append(x509.load_pem_x509_certificate(cert_pem).public_key())

    def user_assertion(
        self,
        oid: str,
        tid: str | None = None,
        *,
        audience: str | None = None,
        lifetime: int = 3600,
        name: str = "Test User",
        issued_at: int | None = None,
        issuer: str | None = None,
        scope: str = "access_as_user",
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A Teams-SSO-like token for our API (aud = client id), signed by this fake.

        Its issuer is the one the tenant's OpenID configuration names, as Entra's are.
        """
        tid = tid or self.tenant_id
        now = int(time.time()) if issued_at is None else issued_at
        claims = {
            "aud": audience or self.client_id,
            "iss": issuer or f"{self._issuer_host()}/{tid}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "oid": oid,
            "sub": secrets.token_urlsafe(16),
            "tid": tid,
            "name": name,
            "preferred_username": f"{oid[:8]}@example.test",
            "scp": scope,
            "ver": "2.0",
        }
        claims.update(extra or {})
        return self._sign(claims)

    def _issuer_host(self) -> str:
        return (
            self.authority_host if self._server is not None else "https://login.microsoftonline.com"
        )

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        """Any claims, signed with this fake's key (for tests of token validation)."""
        return jwt.encode(
            claims, self._key, algorithm="RS256", headers={"kid": self._kid, **(headers or {})}
        )

    @property
    def public_key_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def rotate_key(self) -> None:
        """A new signing key with a new key id, as Entra's rollover; the old one is dropped."""
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = secrets.token_hex(8)

    def token_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/oauth2/v2.0/token")]

    def authorize_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/oauth2/v2.0/authorize")]

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self._kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    # -- HTTP ----------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        form = {k: v for k, v in request.form.items()} if request.method == "POST" else {}
        query = {k: v for k, v in request.args.items()}
        with self._lock:
            self.requests.append(
                Recorded(request.method, request.path, form, request.host or "", query)
            )
        response = self._route(request, form)
        return response(environ, start_response)

    def _route(self, request: Request, form: dict[str, str]) -> Response:
        parts = request.path.strip("/").split("/")
        if len(parts) < 2:
            return self._error(404, "invalid_request", 900561, "The endpoint is not found.")
        tenant, rest = parts[0], "/".join(parts[1:])
        known = {
            "v2.0/.well-known/openid-configuration": "GET",
            "discovery/v2.0/keys": "GET",
            "oauth2/v2.0/token": "POST",
            "oauth2/v2.0/authorize": "GET",
        }
        if rest not in known:
            return self._error(404, "invalid_request", 900561, "The endpoint is not found.")
        if request.method != known[rest]:
            return self._error(
                405, "invalid_request", 900561, f"The endpoint only accepts {known[rest]} requests."
            )
        if tenant not in self.tenants:
            return self._error(
                400,
                "invalid_request",
                90002,
                f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant "
                "ID and are signing into the correct cloud.",
            )
        if rest == "discovery/v2.0/keys":
            return self._json(self.jwks())
        if rest.startswith("v2.0/.well-known"):
            return self._json(self._openid_configuration(tenant))
        if rest == "oauth2/v2.0/authorize":
            return self._authorize(tenant, {k: v for k, v in request.args.items()})
        return self._token(tenant, form)

    def _openid_configuration(self, tenant: str) -> dict[str, Any]:
        base = f"{self.authority_host}/{tenant}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{self.authority_host}/{tenant}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "oid", "tid"],
            "kerberos_endpoint": f"{base}/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    # -- authorization endpoint ----------------------------------------------------------------

    def _authorize(self, tenant: str, query: dict[str, str]) -> Response:
        client_id = query.get("client_id", "")
        if client_id != self.client_id:
            return self._error_page(
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{tenant}'. This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant.",
            )
        redirect_uri = query.get("redirect_uri", "")
        if redirect_uri not in self.redirect_uris:
            return self._error_page(
                50011,
                f"The redirect URI '{redirect_uri}' specified in the request does not match the "
                f"redirect URIs configured for the application '{client_id}'. Make sure the "
                "redirect URI sent in the request matches one added to your application in the "
                "Azure portal.",
            )
        state = query.get("state")
        form_post = query.get("response_mode") == "form_post"

        def refuse(error: str, code: int, message: str, subcode: str | None = None) -> Response:
            fields = self._error_fields(code, message)
            params = {"error": error, "error_description": fields["error_description"]}
            params["error_uri"] = fields["error_uri"]
            if subcode:
                params["error_subcode"] = subcode
            if state is not None:
                params["state"] = state
            return self._to_client(redirect_uri, params, form_post)

        if query.get("response_mode") not in (None, "query", "form_post"):
            return refuse(
                "invalid_request",
                900144,
                f"The response_mode '{query['response_mode']}' is not supported.",
            )
        if query.get("response_type") != "code":
            return refuse(
                "unsupported_response_type",
                700054,
                f"response_type '{query.get('response_type', '')}' is not enabled for the "
                "application.",
            )
        scopes = query.get("scope", "").split()
        if not [s for s in scopes if s not in OIDC_SCOPES] and "openid" not in scopes:
            return refuse(
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'scope'.",
            )
        challenge = query.get("code_challenge")
        method = query.get("code_challenge_method", "plain" if challenge else "")
        if challenge is not None and method not in ("S256", "plain"):
            return refuse("invalid_request", 50149, "Invalid Code_Challenge_method parameter.")
        user = self._browser
        prompt = query.get("prompt")
        if user is None:
            if prompt == "none":
                return refuse(
                    "login_required",
                    50058,
                    "A silent sign-in request was sent but no user is signed in.",
                )
            # Entra would show its sign-in page here; the fake has nobody to sign in.
            return self._error_page(
                50058, "EntraFake has no browser user: call browser_user() first."
            )
        if user.tenant != tenant:
            return self._error_page(
                50020,
                f"User account '{user.username}' from identity provider "
                f"'https://sts.windows.net/{user.tenant}/' does not exist in tenant '{tenant}' "
                "and cannot access the application in that tenant.",
            )
        needs_consent = user.oid in self._consent_missing or prompt == "consent"
        if needs_consent:
            if prompt == "none":
                return refuse(
                    "consent_required",
                    65001,
                    f"The user or administrator has not consented to use the application with "
                    f"ID '{self.client_id}' named 'Ontwikkelgesprek'. Send an interactive "
                    "authorization request for this user and resource.",
                )
            if user.oid in self._consent_declined:
                return refuse(
                    "access_denied",
                    65004,
                    "User declined to consent to access the app.",
                    subcode="cancel",
                )
            with self._lock:
                self._consent_missing.discard(user.oid)
                self.consents.append((user.oid, tenant, tuple(scopes)))
        code = secrets.token_urlsafe(64)
        with self._lock:
            self._codes[code] = _IssuedCode(
                client_id=client_id,
                tenant=tenant,
                redirect_uri=redirect_uri,
                scopes=tuple(scopes),
                nonce=query.get("nonce"),
                code_challenge=challenge,
                code_challenge_method=method,
                user=user,
                issued_at=self.clock(),
            )
        params = {"code": code}
        if state is not None:
            params["state"] = state
        params["session_state"] = str(uuid.uuid4())
        if query.get("client_info") == "1":
            params["client_info"] = _b64url_json({"uid": user.oid, "utid": user.tenant})
        return self._to_client(redirect_uri, params, form_post)

    @staticmethod
    def _to_client(redirect_uri: str, params: dict[str, str], form_post: bool) -> Response:
        """The browser's way back to the app: a 302 with a query, or Entra's form_post page."""
        if not form_post:
            sep = "&" if "?" in redirect_uri else "?"
            return Response(
                status=302,
                headers={"Location": f"{redirect_uri}{sep}{urlencode(params)}"},
            )
        inputs = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}" />'
            for k, v in params.items()
        )
        page = (
            "<html><head><title>Working...</title></head><body>"
            f'<form method="POST" name="hiddenform" action="{html.escape(redirect_uri)}">'
            f"{inputs}<noscript><p>Script is disabled. Click Submit to continue.</p>"
            '<input type="submit" value="Submit" /></noscript></form>'
            "<script>document.forms[0].submit();</script></body></html>"
        )
        return Response(page, status=200, content_type="text/html; charset=utf-8")

    def _error_page(self, code: int, message: str) -> Response:
        fields = self._error_fields(code, message)
        page = (
            "<html><head><title>Sign in to your account</title></head><body>"
            '<div id="login"><p>Sorry, but we\u2019re having trouble signing you in.</p>'
            f"<p>{html.escape(fields['error_description'])}</p></div></body></html>"
        )
        return Response(
            page,
            status=400,
            content_type="text/html; charset=utf-8",
            headers={"x-fake-error-code": f"AADSTS{code}"},
        )

    # -- token endpoint ------------------------------------------------------------------------

    def _token(self, tenant: str, form: dict[str, str]) -> Response:
        grant = form.get("grant_type")
        if not grant:
            return self._error(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
            )
        problem = self._authenticate_client(tenant, form)
        if problem is not None:
            return problem
        scopes = form.get("scope", "").split()
        if grant == "client_credentials":
            if len(scopes) != 1 or not scopes[0].endswith("/.default"):
                return self._error(
                    400,
                    "invalid_scope",
                    1002012,
                    f"The provided value for scope {' '.join(scopes)} is not valid. Client "
                    "credential flows must have a scope value with /.default suffixed to the "
                    "resource identifier (application ID URI).",
                )
            claims = {"tid": tenant, "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, self.client_id))}
            if self.app_roles:
                claims["roles"] = list(self.app_roles)
            return self._json(self._token_answer(tenant, scopes, claims, form, user=None))
        if grant == OBO_GRANT:
            if form.get("requested_token_use") != "on_behalf_of":
                return self._error(
                    400,
                    "invalid_request",
                    50034,
                    "The request body must contain 'requested_token_use=on_behalf_of'.",
                )
            assertion = form.get("assertion", "")
            try:
                user = jwt.decode(
                    assertion,
                    self._key.public_key(),
                    algorithms=["RS256"],
                    audience=self.client_id,
                    # Expiry on the fake's clock (tests run the app on their own clock).
                    options={
                        "require": ["exp", "aud", "oid", "tid"],
                        "verify_exp": False,
                        "verify_nbf": False,
                        "verify_iat": False,
                    },
                )
                now = self.clock()
                if not isinstance(user["exp"], int | float) or user["exp"] <= now:
                    raise jwt.ExpiredSignatureError("expired")
                if float(user.get("nbf", 0)) > now + 300:
                    raise jwt.ImmatureSignatureError("not yet valid")
            except jwt.ExpiredSignatureError:
                return self._error(
                    400,
                    "invalid_grant",
                    500133,
                    "Assertion is not within its valid time range.",
                )
            except jwt.InvalidAudienceError:
                return self._error(
                    400,
                    "invalid_grant",
                    50013,
                    "Assertion failed signature validation. [Reason - The provided audience "
                    "does not match the Client app presenting the assertion.]",
                )
            except jwt.PyJWTError:
                return self._error(
                    400,
                    "invalid_grant",
                    50013,
                    "Assertion failed signature validation. [Reason - The key was not found.]",
                )
            if user["tid"] != tenant:
                return self._error(
                    400, "invalid_grant", 50013, "Assertion contains an invalid tenant."
                )
            return self._user_grant(tenant, scopes, user["oid"], form)
        if grant == AUTH_CODE_GRANT:
            return self._redeem_code(tenant, scopes, form)
        if grant == "refresh_token":
            if form.get("refresh_token", "") in self._revoked_refresh_tokens:
                return self._error(
                    400,
                    "invalid_grant",
                    50173,
                    "The provided grant has expired due to it being revoked, a fresh auth token "
                    "is needed. The user might have changed or reset their password.",
                )
            entry = self._refresh_tokens.get(form.get("refresh_token", ""))
            if entry is None or entry[1] != tenant:
                return self._error(
                    400,
                    "invalid_grant",
                    9002313,
                    "Invalid request. Request is malformed or invalid.",
                )
            return self._user_grant(tenant, scopes or entry[2], entry[0], form)
        return self._error(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant}'.",
        )

    def _redeem_code(self, tenant: str, scopes: list[str], form: dict[str, str]) -> Response:
        code = form.get("code", "")
        with self._lock:
            issued = self._codes.pop(code, None)
            reused = issued is None and code in self._redeemed_codes
            if issued is not None:
                self._redeemed_codes.add(code)
        if reused:
            return self._error(
                400,
                "invalid_grant",
                54005,
                "OAuth2 Authorization code was already redeemed, please retry with a new valid "
                "code or use an existing refresh token.",
            )
        if issued is None or issued.tenant != tenant or issued.client_id != form.get("client_id"):
            return self._error(
                400,
                "invalid_grant",
                70000,
                "The provided value for the 'code' parameter is not valid.",
            )
        if self.clock() > issued.issued_at + self.code_lifetime:
            return self._error(
                400,
                "invalid_grant",
                70008,
                "The provided authorization code or refresh token has expired due to "
                "inactivity. Send a new interactive authorization request for this user and "
                "resource.",
            )
        if form.get("redirect_uri") != issued.redirect_uri:
            return self._error(
                400,
                "invalid_grant",
                50011,
                f"The redirect URI '{form.get('redirect_uri', '')}' specified in the request "
                "does not match the redirect URI used to obtain the authorization code.",
            )
        if issued.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            if issued.code_challenge_method == "S256":
                derived = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest())
                    .rstrip(b"=")
                    .decode("ascii")
                )
            else:
                derived = verifier
            if not verifier or not secrets.compare_digest(derived, issued.code_challenge):
                return self._error(
                    400,
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the "
                    "authorization request.",
                )
        user = issued.user
        if user.oid in self._consent_missing:
            return self._consent_error()  # consent was revoked since the code was issued
        id_claims: dict[str, Any] = {"name": user.name, "preferred_username": user.username}
        if issued.nonce is not None:
            id_claims["nonce"] = issued.nonce
        claims = {"tid": tenant, "oid": user.oid, "scp": " ".join(self.user_scopes)}
        answer = self._token_answer(
            tenant, scopes or list(issued.scopes), claims, form, user=user.oid, id_claims=id_claims
        )
        return self._json(answer)

    def _user_grant(
        self, tenant: str, scopes: list[str], oid: str, form: dict[str, str]
    ) -> Response:
        if oid in self._consent_missing:
            return self._consent_error()
        claims = {"tid": tenant, "oid": oid, "scp": " ".join(self.user_scopes)}
        return self._json(self._token_answer(tenant, scopes, claims, form, user=oid))

    def _consent_error(self) -> Response:
        return self._error(
            400,
            "invalid_grant",
            65001,
            f"The user or administrator has not consented to use the application with ID "
            f"'{self.client_id}' named 'Ontwikkelgesprek'. Send an interactive "
            "authorization request for this user and resource.",
            suberror="consent_required",
        )

    def _token_answer(
        self,
        tenant: str,
        scopes: list[str],
        claims: dict[str, Any],
        form: dict[str, str],
        user: str | None,
        id_claims: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = int(time.time())
        resource_scopes = [s for s in scopes if s not in OIDC_SCOPES]
        access = self._sign(
            {
                **claims,
                "aud": GRAPH,
                "iss": f"https://sts.windows.net/{tenant}/",
                "iat": now,
                "nbf": now,
                "exp": now + self.access_token_lifetime,
                "appid": self.client_id,
                "uti": secrets.token_urlsafe(16),
            }
        )
        self.issued_access_tokens.append(access)
        answer: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": " ".join(resource_scopes),
            "expires_in": self.access_token_lifetime,
            "ext_expires_in": self.access_token_lifetime,
            "access_token": access,
        }
        if user is not None:
            if "offline_access" in scopes:
                refresh = secrets.token_urlsafe(48)
                self._refresh_tokens[refresh] = (user, tenant, scopes)
                answer["refresh_token"] = refresh
            if "openid" in scopes:
                answer["id_token"] = self._sign(
                    {
                        "aud": self.client_id,
                        "iss": f"{self.authority_host}/{tenant}/v2.0",
                        "iat": now,
                        "nbf": now,
                        "exp": now + 3600,
                        "oid": user,
                        "sub": user,
                        "tid": tenant,
                        "name": "Test User",
                        "preferred_username": f"{user[:8]}@example.test",
                        "ver": "2.0",
                        **(id_claims or {}),
                    }
                )
            if form.get("client_info") == "1":
                answer["client_info"] = _b64url_json({"uid": user, "utid": tenant})
        return answer

    def _authenticate_client(self, tenant: str, form: dict[str, str]) -> Response | None:
        client_id = form.get("client_id")
        if client_id != self.client_id:
            return self._error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{tenant}'.",
            )
        if "client_assertion" in form:
            if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
                return self._error(401, "invalid_client", 50027, "Invalid JWT token.")
            token_endpoint = f"{self.authority_host}/{tenant}/oauth2/v2.0/token"
            for key in self._client_cert_keys:
                try:
                    jwt.decode(
                        form["client_assertion"],
                        key,
                        algorithms=["PS256", "RS256"],
                        audience=token_endpoint,
                        issuer=self.client_id,
                    )
                    return None
                except jwt.PyJWTError:
                    continue
            return self._error(
                401,
                "invalid_client",
                700027,
                "The certificate with identifier used to sign the client assertion is not "
                "registered on application.",
            )
        if form.get("client_secret") != self.client_secret:
            return self._error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request "
                "is the client secret value, not the client secret ID, for a secret added to "
                f"app '{self.client_id}'.",
            )
        return None

    # -- helpers -------------------------------------------------------------------------------

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})

    @staticmethod
    def _json(body: dict[str, Any], status: int = 200) -> Response:
        return Response(
            json.dumps(body),
            status=status,
            content_type="application/json; charset=utf-8",
            headers={"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"},
        )

    @staticmethod
    def _error_fields(code: int, message: str) -> dict[str, str]:
        """``error_description`` and its ids, as the token endpoint and redirects carry them."""
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        return {
            "error_description": (
                f"AADSTS{code}: {message} Trace ID: {trace_id} Correlation ID: "
                f"{correlation_id} Timestamp: {stamp}"
            ),
            "error_uri": f"https://login.microsoftonline.com/error?code={code}",
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "timestamp": stamp,
        }

    def _error(
        self, status: int, error: str, code: int, message: str, suberror: str | None = None
    ) -> Response:
        fields = self._error_fields(code, message)
        body: dict[str, Any] = {
            "error": error,
            "error_description": fields["error_description"],
            "error_codes": [code],
            "timestamp": fields["timestamp"],
            "trace_id": fields["trace_id"],
            "correlation_id": fields["correlation_id"],
            "error_uri": fields["error_uri"],
        }
        if suberror:
            body["suberror"] = suberror
        return self._json(body, status)


def _b64url_json(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode("ascii")
