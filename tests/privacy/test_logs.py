"""Logs carry no names, e-mail addresses or talk texts: the whole loop, an export, an erasure
and a purge run with every logger at DEBUG, and the records are searched for them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.jobs.outbox import Outbox
from plugin.services import privacy, privacy_erase
from plugin.services.context import Services
from plugin.services.privacy_terms import Terms
from tests.conftest import ApiClient
from tests.privacy.loop import TEXTS, whole_loop


def test_no_personal_data_in_the_logs(
    caplog: pytest.LogCaptureFixture,
    services: Services,
    outbox: Outbox,
    clock: FixedClock,
    client_for: Callable[[Person], ApiClient],
    make_person: Callable[..., Person],
) -> None:
    caplog.set_level(logging.DEBUG)
    lead = make_person(display_name="Marieke Opleider", email="marieke.opleider@bedrijf.example")
    learner = make_person(display_name="Yusuf Stagiair", email="yusuf.stagiair@bedrijf.example")
    marieke, yusuf = client_for(lead), client_for(learner)
    loop = whole_loop(services, outbox, clock, marieke, yusuf, learner.id)
    assert marieke.get(f"/talks/{loop.talk_id}/form").status_code == 200
    assert yusuf.get("/api/me/export").status_code == 200
    assert marieke.get("/api/overview").status_code == 200
    privacy_erase.erase(services, learner.id)
    clock.set(datetime(2031, 1, 1, tzinfo=UTC))
    assert privacy.purge(services, Terms()).talks == 2

    assert len(caplog.records) > 5, "nothing was logged: the test would prove nothing"
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}" for r in caplog.records
    ).lower()
    personal = [
        lead.display_name,
        lead.email,
        learner.display_name,
        learner.email,
        "marieke",
        "yusuf",
        *TEXTS.values(),
    ]
    assert [p for p in personal if p.lower() in logged] == []
