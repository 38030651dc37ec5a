"""Fixtures for who may lead whom: the rule put on the services, and a small organisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from plugin.domain.people import Person
from plugin.services import lead_pairs, lead_rule
from plugin.services.context import Services
from plugin.settings import Settings
from tests.microsoft.fixtures import (  # noqa: F401  (fixtures: the manager rule's tests)
    entra,
    graph,
    ms_app,
    ms_outbox,
    ms_services,
    ms_settings,
    ms_wired,
)
from tests.microsoft.outlook_world import office  # noqa: F401  (fixture)
from tests.microsoft.test_series_sync import weekly  # noqa: F401  (fixture)


@pytest.fixture
def use_rule(services: Services, settings: Settings) -> Callable[[str], None]:
    """Put `ONTWIKKELGESPREK_LEAD_RULE=<rule>` in force, as start-up does."""

    def use(rule: str) -> None:
        lead_rule.install(services, settings.model_copy(update={"lead_rule": rule}))

    return use


@pytest.fixture
def pair(services: Services) -> Callable[[Person, Person], None]:
    def add(lead: Person, learner: Person) -> None:
        services.write(lambda s: lead_pairs.add(services, s, lead.email, learner.email, None))

    return add


@pytest.fixture
def marco(make_person: Callable[..., Person]) -> Person:
    """A praktijkopleider."""
    return make_person(
        display_name="Marco de Vries", email="marco@example.test", job_title="Praktijkopleider"
    )


@pytest.fixture
def sem(make_person: Callable[..., Person]) -> Person:
    """An intern, Marco's."""
    return make_person(display_name="Sem Bakker", email="sem@example.test", job_title="Stagiair")


@pytest.fixture
def lisa(make_person: Callable[..., Person]) -> Person:
    return make_person(display_name="Lisa Jansen", email="lisa@example.test")


def plan_body(learner: Person, starts_at: Any) -> dict[str, Any]:
    return {"learner_id": learner.id, "starts_at": starts_at.isoformat(), "duration_minutes": 45}
