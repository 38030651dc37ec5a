"""Which requests reached Flask: for what a WSGI layer in front of it answers itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, request, request_started


@contextmanager
def talks_requests_reaching(app: Flask) -> Iterator[list[str]]:
    """The paths (with query) of the talks' API requests that reached Flask while open; Flask
    signals each request before any of its hooks run."""
    calls: list[str] = []

    def seen(_sender: Flask, **_extra: object) -> None:
        if request.path.startswith("/api/talks/"):
            calls.append(request.full_path)

    with request_started.connected_to(seen, app):
        yield calls
