"""Reading `ONTWIKKELGESPREK_SMTP_URL`: where the mail server is, and how to speak TLS with it.

`smtp://[user[:password]@]host[:port]` is submission with STARTTLS (port 587 by default);
`smtps://…` is TLS from the first byte (port 465). User and password may be percent-encoded in
the URL, or given as separate settings (`ONTWIKKELGESPREK_SMTP_USER`, `_SMTP_PASSWORD`). Errors
name what is wrong, never the URL itself: it may carry a password.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    #: smtps://: TLS from the start; smtp://: STARTTLS after the greeting.
    implicit_tls: bool
    user: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpTarget:
    """The URL as a `SmtpTarget`; ValueError saying what is wrong (without the URL)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError("must start with smtp:// (STARTTLS) or smtps:// (TLS)")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port that is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise ValueError("names no host, e.g. smtp://mail.example.nl:587")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("must end after host and port (no path, query or fragment)")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and not user:
        raise ValueError("has a password but no user name")
    return SmtpTarget(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[scheme],
        implicit_tls=scheme == "smtps",
        user=user,
        password=password,
    )


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (a relay that no one else can listen in on)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
