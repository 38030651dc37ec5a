"""Fixtures for the Microsoft-mode tests: a loopback Entra ID fake over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.microsoft.entra_fake import EntraFake


@pytest.fixture
def entra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EntraFake]:
    """A fresh Entra ID fake per test (its own CA, tenant, client id and secret)."""
    fake = EntraFake(Path(tmp_path_factory.mktemp("entra"))).start()
    try:
        yield fake
    finally:
        fake.stop()
