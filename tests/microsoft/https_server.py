"""A threaded werkzeug server over HTTPS on loopback, for the Entra ID and Graph fakes."""

from __future__ import annotations

import ssl
import threading
from typing import Any

import trustme
from werkzeug.serving import make_server


class LoopbackHttps:
    """Serves `app` on a free port of `host` with a certificate from `ca`, until `stop()`."""

    def __init__(self, app: Any, ca: trustme.CA, host: str = "127.0.0.1") -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(host).configure_cert(context)
        server = make_server(host, 0, app, threaded=True, ssl_context=context)
        self._server = server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.02), daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
