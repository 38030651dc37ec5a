"""The retention rule (domain/retention.py), as a table: when a track's talks may go."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from plugin.domain.retention import TrackFacts, add_months, verdict

NOW = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("facts", "months", "expired", "reason"),
    [
        # Last talk two years and a day ago, nothing since: gone.
        (TrackFacts(at(2025, 6, 14), at(2025, 6, 14), None), 24, True, "retention_ended"),
        # Exactly at the end of the period: gone (the period is over).
        (
            TrackFacts(datetime(2025, 6, 15, 12, 0, tzinfo=UTC), None, None),
            24,
            True,
            "retention_ended",
        ),
        # A day short of two years: kept.
        (TrackFacts(at(2025, 6, 16), at(2025, 6, 16), None), 24, False, "recent_activity"),
        # An old talk, but a talk still to come: kept (the track is active).
        (TrackFacts(at(2027, 7, 1), at(2020, 1, 1), None), 24, False, "upcoming_talk"),
        # Old talks, an open agreement due in the future: kept.
        (TrackFacts(at(2020, 1, 1), at(2020, 1, 1), date(2027, 9, 1)), 24, False, "open_agreement"),
        # An open agreement due long ago, untouched for years: no longer keeps it.
        (TrackFacts(at(2020, 1, 1), at(2020, 1, 1), date(2020, 3, 1)), 24, True, "retention_ended"),
        # Signed or a progress note written recently on an old talk: kept.
        (TrackFacts(at(2020, 1, 1), at(2027, 1, 1), None), 24, False, "recent_activity"),
        # Every talk cancelled; the cancellation three years ago is its last change: gone.
        (TrackFacts(None, at(2024, 6, 1), None), 24, True, "retention_ended"),
        # Every talk cancelled, recently: kept.
        (TrackFacts(None, at(2027, 6, 1), None), 24, False, "recent_activity"),
        # Nothing known at all (a track without talks): gone.
        (TrackFacts(None, None, None), 24, True, "retention_ended"),
        # A shorter period set by the organisation: six months.
        (TrackFacts(at(2026, 12, 1), at(2026, 12, 1), None), 6, True, "retention_ended"),
        (TrackFacts(at(2027, 1, 1), at(2027, 1, 1), None), 6, False, "recent_activity"),
    ],
)
def test_verdict(facts: TrackFacts, months: int, expired: bool, reason: str) -> None:
    found = verdict(facts, NOW, months)
    assert (found.expired, found.reason) == (expired, reason)


def test_delete_after_is_the_period_after_the_last_activity() -> None:
    found = verdict(TrackFacts(at(2026, 1, 31), at(2025, 1, 1), date(2025, 2, 1)), NOW, 1)
    assert found.last_activity == at(2026, 1, 31)
    assert found.delete_after == at(2026, 2, 28)  # the 31st becomes the month's last day


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (at(2027, 3, 31), -1, at(2027, 2, 28)),
        (at(2027, 6, 15), -24, at(2025, 6, 15)),
        (at(2024, 2, 29), 12, at(2025, 2, 28)),
        (at(2027, 11, 5), 3, at(2028, 2, 5)),
    ],
)
def test_add_months(moment: datetime, months: int, expected: datetime) -> None:
    assert add_months(moment, months) == expected


def test_a_period_under_a_month_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one month"):
        verdict(TrackFacts(None, None, None), NOW, 0)
