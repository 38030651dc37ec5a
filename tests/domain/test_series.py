"""A talk series' rules without a database or Graph (domain/series.py): which occurrences
become talks now, and which occurrence each open talk is after the whole series moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plugin.domain.series import WINDOW, Occurrence, SeriesTalk, TalkSeries, follow_series_move
from plugin.domain.talk_calendar import EventState

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
WEEK = timedelta(weeks=1)


def occurrence(week: int, *, hour: int = 10, cancelled: bool = False, moved: int = 0) -> Occurrence:
    """The weekly occurrence `week` weeks from the first one (Tuesday 2 March, `hour`:00)."""
    original = datetime(2027, 3, 2, hour, 0, tzinfo=UTC) + week * WEEK
    start = original + timedelta(hours=moved)
    return Occurrence(
        event_id=f"occ-{hour}-{week}",
        original_start=original,
        state=EventState(
            change_key=f"ck-{week}",
            starts_at=start,
            ends_at=start + timedelta(minutes=45),
            cancelled=cancelled,
            organizer="marco@contoso.example",
            attendees=frozenset({"sem@contoso.example"}),
        ),
    )


def series(**changes: object) -> TalkSeries:
    made = TalkSeries(
        id="s-1",
        tenant_id="t",
        track_id="track",
        lead_id="marco",
        learner_id="sem",
        master_event_id="master",
        title="Wekelijks",
        template_id="default",
        created_at=NOW,
        updated_at=NOW,
    )
    for name, value in changes.items():
        setattr(made, name, value)
    return made


def test_only_the_occurrences_within_the_window_become_talks() -> None:
    weekly = [occurrence(w) for w in range(20)]
    due = series().due(weekly, [], NOW)
    assert [o.event_id for o in due] == [f"occ-10-{w}" for w in range(8)]
    assert all(o.state.starts_at <= NOW + WINDOW for o in due)


def test_occurrences_with_a_talk_cancelled_or_over_are_not_due() -> None:
    weekly = [occurrence(w) for w in range(4)] + [occurrence(4, cancelled=True)]
    made = [weekly[1].original_start]
    later = NOW + timedelta(days=3)  # the first occurrence is over
    due = series().due(weekly, made, later)
    assert [o.event_id for o in due] == ["occ-10-2", "occ-10-3"]


def test_an_ended_series_makes_no_more_talks() -> None:
    assert series(active=False).due([occurrence(0)], [], NOW) == []


def test_after_a_series_move_open_talks_take_the_new_occurrences_in_order() -> None:
    old = [occurrence(w) for w in range(3)]
    held = SeriesTalk("t0", old[0].original_start, old[0].state.starts_at, open=False)
    open_talks = [
        SeriesTalk(f"t{w}", o.original_start, o.state.starts_at, open=True)
        for w, o in enumerate(old)
        if w
    ]
    # The whole series now starts at 14:00: every occurrence has a new original start.
    new = [occurrence(w, hour=14) for w in range(3)]
    later = NOW + timedelta(days=3)  # the first one is past
    moved = follow_series_move([held, *open_talks], new, later)
    assert {k: v.event_id for k, v in moved.items()} == {"t1": "occ-14-1", "t2": "occ-14-2"}


def test_talks_whose_occurrence_is_still_there_keep_it() -> None:
    weekly = [occurrence(w) for w in range(3)]
    talks = [
        SeriesTalk(f"t{w}", o.original_start, o.state.starts_at, True) for w, o in enumerate(weekly)
    ]
    assert follow_series_move(talks, weekly, NOW) == {}


def test_a_shorter_series_leaves_the_last_talks_without_an_occurrence() -> None:
    old = [occurrence(w) for w in range(3)]
    talks = [
        SeriesTalk(f"t{w}", o.original_start, o.state.starts_at, True) for w, o in enumerate(old)
    ]
    new = [occurrence(w, hour=9) for w in range(2)]
    moved = follow_series_move(talks, new, NOW)
    assert sorted(moved) == ["t0", "t1"]  # t2 has none: its talk will be cancelled
