"""Fixtures for planning as a kind of talk on every path: the Microsoft-mode world of the
Outlook add-in and the meeting tab (loopback Entra ID and Graph fakes)."""

from tests.microsoft.fixtures import (  # noqa: F401  (fixtures)
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
