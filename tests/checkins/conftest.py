"""The two participants' signed-in clients, as in tests/api, and a real SMTP server on
loopback that reminders go to (as in tests/api/test_checkins.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from plugin.notify.smtp import SmtpChannel
from plugin.notify.smtp_url import parse_smtp_url
from tests.support.smtp import SmtpServer


@pytest.fixture
def marco(client_for, lead):
    return client_for(lead)


@pytest.fixture
def sem(client_for, learner):
    return client_for(learner)


@pytest.fixture
def mailbox(tmp_path: Path, services, clock) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path, mode="starttls")
    channel = SmtpChannel(
        parse_smtp_url(server.url()),
        sender="ontwikkelgesprek@bedrijf.test",
        ca_bundle=server.ca_path,
        clock=clock,
    )
    services.reminder_channel = lambda: channel
    yield server
    server.stop()
