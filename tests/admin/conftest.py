"""The admin tests' people: Hanna of HR, an admin by configuration, and Marco, who is not."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from flask import Flask

from plugin.domain.people import Person
from plugin.web.admin_access import install
from tests.conftest import ApiClient
from tests.microsoft.fixtures import (  # noqa: F401  (fixtures for Microsoft mode)
    entra,
    graph,
    ms_app,
    ms_services,
    ms_settings,
    ms_wired,
)

HR_EMAIL = "Hanna.HR@example.test"


@pytest.fixture
def admin_app(app: Flask) -> Flask:
    # As `serve` installs ONTWIKKELGESPREK_ADMINS (written in another case than stored).
    install(app, SimpleNamespace(admins=f" {HR_EMAIL.lower()} , other@example.test"))
    return app


@pytest.fixture
def hr(make_person: Callable[..., Person]) -> Person:
    return make_person(display_name="Hanna de Boer", email=HR_EMAIL)


@pytest.fixture
def hanna(admin_app: Flask, client_for: Callable[[Person], ApiClient], hr: Person) -> ApiClient:
    return client_for(hr)


@pytest.fixture
def marco(admin_app: Flask, client_for: Callable[[Person], ApiClient], lead: Person) -> ApiClient:
    return client_for(lead)
