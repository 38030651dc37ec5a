"""A protocol-faithful fake of Entra ID (v2.0 endpoints) over HTTPS on 127.0.0.1.

It serves, per tenant path, the OpenID configuration, the JWKS and the token endpoint with the
client-credentials, on-behalf-of (jwt-bearer) and refresh-token grants. Errors have Entra's
shape (``error``, ``error_description`` starting with ``AADSTS…``, ``error_codes``,
``timestamp``, ``trace_id``, ``correlation_id``). TLS uses a throwaway CA made by trustme;
``ca_path`` is its PEM for clients. Every request is recorded in ``requests``.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]
    host: str


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

    def __post_init__(self) -> None:
        self.tenants: set[str] = {self.tenant_id}
        self.requests: list[Recorded] = []
        self.issued_access_tokens: list[str] = []
        self._consent_missing: set[str] = set()
        self._refresh_tokens: dict[str, tuple[str, str, list[str]]] = {}
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

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self._kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    # -- HTTP ----------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        form = {k: v for k, v in request.form.items()} if request.method == "POST" else {}
        with self._lock:
            self.requests.append(Recorded(request.method, request.path, form, request.host or ""))
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
        }
        if rest not in known:
            return self._error(404, "invalid_request", 900561, "The endpoint is not found.")
        if request.method != known[rest]:
            return self._error(
                405, "invalid_request", 900561, "The endpoint only accepts POST requests."
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
                    options={"require": ["exp", "aud", "oid", "tid"]},
                )
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
        if grant == "refresh_token":
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

    def _user_grant(
        self, tenant: str, scopes: list[str], oid: str, form: dict[str, str]
    ) -> Response:
        if oid in self._consent_missing:
            return self._error(
                400,
                "invalid_grant",
                65001,
                f"The user or administrator has not consented to use the application with ID "
                f"'{self.client_id}' named 'Ontwikkelgesprek'. Send an interactive "
                "authorization request for this user and resource.",
                suberror="consent_required",
            )
        claims = {"tid": tenant, "oid": oid, "scp": " ".join(self.user_scopes)}
        return self._json(self._token_answer(tenant, scopes, claims, form, user=oid))

    def _token_answer(
        self,
        tenant: str,
        scopes: list[str],
        claims: dict[str, Any],
        form: dict[str, str],
        user: str | None,
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

    def _error(
        self, status: int, error: str, code: int, message: str, suberror: str | None = None
    ) -> Response:
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        body: dict[str, Any] = {
            "error": error,
            "error_description": (
                f"AADSTS{code}: {message} Trace ID: {trace_id} Correlation ID: "
                f"{correlation_id} Timestamp: {stamp}"
            ),
            "error_codes": [code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={code}",
        }
        if suberror:
            body["suberror"] = suberror
        return self._json(body, status)


def _b64url_json(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode("ascii")
