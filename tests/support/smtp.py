"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the e-mail tests.

`SmtpServer(mode=...)` starts on a free port of 127.0.0.1 and serves one of:

- ``"plain"``: no TLS at all (a local relay);
- ``"starttls"``: STARTTLS offered and required before MAIL and AUTH (submission, port 587);
- ``"tls"``: TLS from the first byte (smtps, port 465).

The certificate is issued for 127.0.0.1 by a trustme CA of the test's own (``ca_path`` is its
PEM, to give the client as ``ca_bundle``), as the Graph and Entra fakes do theirs: the client
does not trust it unless told to. ``users`` turns on AUTH (PLAIN and LOGIN) and requires it.
``messages`` holds each received mail, parsed, with its envelope. ``stop()`` ends it.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One mail as the server got it: envelope, raw bytes, parsed message, who logged in."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage
    login: str | None
    tls: bool


class _Keeper:
    def __init__(self) -> None:
        self.received: list[Received] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        login = session.auth_data.login.decode() if session.authenticated else None
        self.received.append(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=tuple(envelope.rcpt_tos),
                raw=raw,
                message=parsed,
                login=login,
                tls=server.transport.get_extra_info("ssl_object") is not None,
            )
        )
        return "250 OK"


class _BoundController(Controller):
    """Serves on a socket bound before start, so the free port is never raced for."""

    def __init__(self, handler: Any, sock: socket.socket, **kwargs: Any) -> None:
        super().__init__(handler, hostname=HOST, port=sock.getsockname()[1], **kwargs)
        self._sock = sock

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


class SmtpServer:
    def __init__(
        self,
        tmp: Path,
        *,
        mode: str = "starttls",
        users: dict[str, str] | None = None,
    ) -> None:
        if mode not in ("plain", "starttls", "tls"):
            raise ValueError(f"unknown mode {mode!r}")
        self.ca = trustme.CA()
        self.ca_path = tmp / "smtp-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ca.issue_cert(HOST).configure_cert(server_context)
        self._users = dict(users or {})
        self._keeper = _Keeper()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, 0))
        kwargs: dict[str, Any] = {"ready_timeout": 5.0}
        if mode == "starttls":
            kwargs |= {"tls_context": server_context, "require_starttls": True}
        elif mode == "tls":
            kwargs["ssl_context"] = server_context
        if users is not None:
            kwargs |= {
                "authenticator": self._authenticate,
                "auth_required": True,
                # aiosmtpd counts only STARTTLS as TLS for AUTH (not smtps), and a plain
                # loopback relay may take a login too.
                "auth_require_tls": mode == "starttls",
            }
        self.mode = mode
        self.port = int(sock.getsockname()[1])
        self._controller = _BoundController(self._keeper, sock, **kwargs)
        self._controller.start()

    @property
    def messages(self) -> list[Received]:
        return list(self._keeper.received)

    def url(self, scheme: str | None = None, *, user: str = "", password: str = "") -> str:
        scheme = scheme or ("smtps" if self.mode == "tls" else "smtp")
        auth = f"{user}:{password}@" if user else ""
        return f"{scheme}://{auth}{HOST}:{self.port}"

    def stop(self) -> None:
        self._controller.stop()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            user, password = data.login.decode(), data.password.decode()
            if self._users.get(user) == password:
                return AuthResult(success=True, auth_data=data)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    """A port nothing listens on (bound, then closed): for a refused connection."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


__all__ = ["HOST", "Received", "SmtpServer", "free_port"]
