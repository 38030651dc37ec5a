"""The span of years the app computes with at all.

Time-zone rules, calendar software and Python's own datetime break near the ends of the
calendar (year 1 and 9999), so no time outside this span enters the app, and a row from
before this rule that lies outside it is left out of what would break on it (a feed).
The domain's own rules are narrower: a talk lies within five years from now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def within_span(value: datetime | date) -> bool:
    if isinstance(value, datetime):
        try:
            value = value.astimezone(UTC)
        except OverflowError:
            return False
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR
