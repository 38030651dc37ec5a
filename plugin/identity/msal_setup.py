"""What msal needs before its first call to Entra ID: an HTTP session that trusts only the
configured CA and always times out, and the app's certificate credential in msal's shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from plugin.identity.token_problems import TokenProblem


class TimeoutSession(requests.Session):
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


def load_certificate(path: Path) -> dict[str, str]:
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


__all__ = ["TimeoutSession", "load_certificate"]
