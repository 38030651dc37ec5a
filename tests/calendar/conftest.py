"""The calendar contract suite runs against the Graph fakes too."""

from tests.microsoft.fixtures import entra, graph  # noqa: F401  (fixtures)
