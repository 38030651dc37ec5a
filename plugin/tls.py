"""TLS trust for calls to Microsoft: the system's, plus the configured extra CA."""

from __future__ import annotations

import ssl
from pathlib import Path


def tls_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """System trust plus `ca_bundle` (a TLS-inspecting proxy's CA, or the tests' fakes').

    A context rather than a file path: libraries would let `SSL_CERT_FILE`-style environment
    variables replace a path, never a context.
    """
    context = ssl.create_default_context()
    if ca_bundle is not None:
        context.load_verify_locations(cafile=str(ca_bundle))
    return context
