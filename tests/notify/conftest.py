"""Fixtures of the reminder channels' tests: loopback SMTP servers, the Entra and Graph fakes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The Entra ID and Graph fakes, for the Teams feed and sendMail.
from tests.microsoft.fixtures import entra, graph  # noqa: F401  (fixtures)
from tests.support.smtp import SmtpServer


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[Callable[..., SmtpServer]]:
    started: list[SmtpServer] = []

    def start(**kwargs: Any) -> SmtpServer:
        folder = tmp_path / f"smtp{len(started)}"
        folder.mkdir()
        server = SmtpServer(folder, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
