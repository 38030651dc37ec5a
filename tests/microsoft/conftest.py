"""Fixtures for the Microsoft-mode tests: loopback Entra ID and Graph fakes over HTTPS."""

from tests.microsoft.fixtures import (  # noqa: F401  (fixtures)
    entra,
    graph,
    mailbox_people,
    ms_app,
    ms_outbox,
    ms_services,
    ms_settings,
    ms_wired,
)
from tests.microsoft.outlook_world import office  # noqa: F401  (fixture)
