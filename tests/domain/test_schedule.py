"""Working hours, free slots and slot search: pure time arithmetic, no app or database."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugin.domain.errors import InvalidInput
from plugin.domain.schedule import (
    Interval,
    SlotSearch,
    WorkingHours,
    free_slots,
    search_slot,
)

AMS = ZoneInfo("Europe/Amsterdam")
NYC = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
HOURS = WorkingHours()
HALF_HOUR = timedelta(minutes=30)


def ams(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def span(start: datetime, end: datetime) -> Interval:
    return Interval(start, end)


def day(d: date, hours: WorkingHours = HOURS) -> Interval:
    return hours.day_interval(d)


def starts(slots: Iterable[Interval]) -> list[datetime]:
    return [s.start for s in slots]


# --- Interval ---------------------------------------------------------------------------


def test_interval_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(datetime(2027, 3, 1, 9), datetime(2027, 3, 1, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(ams(2027, 3, 1, 9), datetime(2027, 3, 1, 10))


@pytest.mark.parametrize("end_hour", [9, 8])
def test_interval_must_end_after_start(end_hour: int) -> None:
    with pytest.raises(ValueError, match="end after"):
        Interval(ams(2027, 3, 1, 9), ams(2027, 3, 1, end_hour))


def test_interval_compares_moments_across_time_zones() -> None:
    # 09:00 Amsterdam is 08:00 UTC in winter: this ends before it starts.
    with pytest.raises(ValueError, match="end after"):
        Interval(ams(2027, 3, 1, 9), utc(2027, 3, 1, 8))
    assert Interval(ams(2027, 3, 1, 9), ams(2027, 3, 1, 10)) == Interval(
        utc(2027, 3, 1, 8), utc(2027, 3, 1, 9)
    )


def test_interval_duration_is_elapsed_time_across_dst() -> None:
    # The night of 28 March 2027 loses an hour in Amsterdam.
    assert span(ams(2027, 3, 28, 0), ams(2027, 3, 28, 4)).duration == timedelta(hours=3)
    assert span(ams(2027, 10, 31, 0), ams(2027, 10, 31, 4)).duration == timedelta(hours=5)


def test_interval_overlaps_and_contains() -> None:
    a = span(ams(2027, 3, 1, 9), ams(2027, 3, 1, 10))
    touching = span(ams(2027, 3, 1, 10), ams(2027, 3, 1, 11))
    crossing = span(utc(2027, 3, 1, 8, 30), utc(2027, 3, 1, 9, 30))
    inner = span(ams(2027, 3, 1, 9, 15), ams(2027, 3, 1, 9, 45))
    assert not a.overlaps(touching)
    assert not touching.overlaps(a)
    assert a.overlaps(crossing)
    assert crossing.overlaps(a)
    assert a.contains(inner)
    assert a.contains(a)
    assert not inner.contains(a)
    assert not a.contains(crossing)


# --- WorkingHours -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"timezone": "Europe/Atlantis"}, "unknown_timezone", "timezone"),
        ({"timezone": "../etc/passwd"}, "unknown_timezone", "timezone"),
        ({"days": frozenset()}, "required", "days"),
        ({"days": frozenset({0, 7})}, "out_of_range", "days"),
        ({"days": frozenset({-1})}, "out_of_range", "days"),
        ({"start": time(17), "end": time(8, 30)}, "end_before_start", "end"),
        ({"start": time(9), "end": time(9)}, "end_before_start", "end"),
    ],
)
def test_working_hours_validation(kwargs: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        WorkingHours(**kwargs)  # type: ignore[arg-type]
    assert raised.value.code == code
    assert raised.value.field == field


def test_working_hours_defaults_and_hashable() -> None:
    assert HOURS.zone == AMS
    assert HOURS.days == frozenset({0, 1, 2, 3, 4})
    assert (HOURS.start, HOURS.end) == (time(8, 30), time(17))
    # Plain sets are accepted and frozen, so the value stays usable as a dict key.
    assert hash(WorkingHours(days={0, 1}, holidays={date(2027, 1, 1)}))  # type: ignore[arg-type]


def test_is_working_day_skips_weekends_and_holidays() -> None:
    hours = WorkingHours(holidays=frozenset({date(2027, 4, 5)}))  # Easter Monday
    assert hours.is_working_day(date(2027, 4, 2))  # Friday
    assert not hours.is_working_day(date(2027, 4, 3))  # Saturday
    assert not hours.is_working_day(date(2027, 4, 4))  # Sunday
    assert not hours.is_working_day(date(2027, 4, 5))
    assert hours.is_working_day(date(2027, 4, 6))


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2027, 3, 5), 1, date(2027, 3, 8)),  # Fri + 1 = Mon
        (date(2027, 3, 22), -3, date(2027, 3, 17)),  # Mon - 3 = previous Wed
        (date(2027, 3, 3), 0, date(2027, 3, 3)),  # a working day stays
        (date(2027, 3, 6), 0, date(2027, 3, 8)),  # Sat + 0 = next working day
        (date(2027, 3, 6), 1, date(2027, 3, 8)),  # Sat + 1 = Mon
        (date(2027, 3, 6), -1, date(2027, 3, 5)),  # Sat - 1 = Fri
        (date(2027, 3, 1), 10, date(2027, 3, 15)),
        (date(2027, 3, 15), -10, date(2027, 3, 1)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert HOURS.add_working_days(start, n) == expected


def test_add_working_days_skips_holidays() -> None:
    hours = WorkingHours(holidays=frozenset({date(2027, 4, 5)}))
    assert hours.add_working_days(date(2027, 4, 2), 1) == date(2027, 4, 6)
    assert hours.add_working_days(date(2027, 4, 6), -1) == date(2027, 4, 2)
    assert hours.add_working_days(date(2027, 4, 5), 0) == date(2027, 4, 6)
    assert hours.next_working_day_on_or_after(date(2027, 4, 3)) == date(2027, 4, 6)


def test_custom_working_days() -> None:
    # A Tuesday-to-Saturday shop.
    hours = WorkingHours(days=frozenset({1, 2, 3, 4, 5}))
    assert hours.add_working_days(date(2027, 3, 6), 1) == date(2027, 3, 9)
    assert hours.next_working_day_on_or_after(date(2027, 3, 8)) == date(2027, 3, 9)


def test_day_interval_in_winter_and_summer_time() -> None:
    winter = HOURS.day_interval(date(2027, 3, 26))
    summer = HOURS.day_interval(date(2027, 3, 29))
    assert (winter.start, winter.end) == (utc(2027, 3, 26, 7, 30), utc(2027, 3, 26, 16))
    assert (summer.start, summer.end) == (utc(2027, 3, 29, 6, 30), utc(2027, 3, 29, 15))
    assert summer.start.tzinfo == AMS
    assert HOURS.day_interval(date(2027, 11, 1)).start == utc(2027, 11, 1, 7, 30)


def test_day_interval_on_the_changeover_night() -> None:
    night = WorkingHours(days=frozenset(range(7)), start=time(0), end=time(6))
    assert night.day_interval(date(2027, 3, 28)).duration == timedelta(hours=5)
    assert night.day_interval(date(2027, 10, 31)).duration == timedelta(hours=7)
    # 02:30 does not exist on 28 March: it becomes 03:30 summer time (01:30Z).
    gap = WorkingHours(days=frozenset(range(7)), start=time(2, 30), end=time(4))
    interval = gap.day_interval(date(2027, 3, 28))
    assert interval.start == utc(2027, 3, 28, 1, 30)
    assert interval.start.hour == 3
    assert interval.duration == timedelta(minutes=30)


# --- free_slots -------------------------------------------------------------------------


def test_free_slots_on_an_empty_day_step_through_working_hours() -> None:
    slots = list(free_slots([], day(date(2027, 3, 3)), HALF_HOUR, HOURS))
    assert slots[0] == span(ams(2027, 3, 3, 8, 30), ams(2027, 3, 3, 9))
    assert slots[1].start == ams(2027, 3, 3, 8, 45)
    # Never straddles the end of working hours.
    assert slots[-1] == span(ams(2027, 3, 3, 16, 30), ams(2027, 3, 3, 17))
    assert len(slots) == 33
    assert all(s.duration == HALF_HOUR for s in slots)
    assert all(s.start.tzinfo == AMS for s in slots)


def test_slots_never_straddle_the_end_of_the_day_or_the_window() -> None:
    slots = list(free_slots([], day(date(2027, 3, 3)), timedelta(minutes=45), HOURS))
    assert slots[-1].end == ams(2027, 3, 3, 17)
    within = span(ams(2027, 3, 3, 8), ams(2027, 3, 3, 10, 10))
    assert starts(free_slots([], within, HALF_HOUR, HOURS))[-1] == ams(2027, 3, 3, 9, 30)


def test_free_slots_align_to_the_working_start() -> None:
    within = span(ams(2027, 3, 3, 10, 7), ams(2027, 3, 3, 12))
    assert starts(free_slots([], within, HALF_HOUR, HOURS))[:2] == [
        ams(2027, 3, 3, 10, 15),
        ams(2027, 3, 3, 10, 30),
    ]
    # A 25-minute step counts from 08:30: 08:30, 08:55, ... 16:25 is the last that fits.
    slots = starts(free_slots([], day(date(2027, 3, 3)), HALF_HOUR, HOURS, timedelta(minutes=25)))
    assert slots[:3] == [ams(2027, 3, 3, 8, 30), ams(2027, 3, 3, 8, 55), ams(2027, 3, 3, 9, 20)]
    assert slots[-1] == ams(2027, 3, 3, 16, 25)
    odd = WorkingHours(start=time(8, 10))
    assert starts(free_slots([], within, HALF_HOUR, odd))[0] == ams(2027, 3, 3, 10, 10)


def test_free_slots_skip_weekends_and_holidays() -> None:
    hours = WorkingHours(holidays=frozenset({date(2027, 4, 5)}))
    within = span(ams(2027, 4, 2, 16), ams(2027, 4, 7))
    got = starts(free_slots([], within, HALF_HOUR, hours, timedelta(hours=4)))
    # Steps of 4 hours from 08:30; Sat, Sun and Easter Monday are skipped.
    assert got == [
        ams(2027, 4, 2, 16, 30),
        ams(2027, 4, 6, 8, 30),
        ams(2027, 4, 6, 12, 30),
        ams(2027, 4, 6, 16, 30),
    ]


def test_busy_intervals_unsorted_overlapping_and_in_other_time_zones() -> None:
    busy = [
        # 10:00-11:00 Amsterdam, given in New York time (UTC-5 on 3 March).
        span(datetime(2027, 3, 3, 4, tzinfo=NYC), datetime(2027, 3, 3, 5, tzinfo=NYC)),
        # 08:30-09:10 Amsterdam, given in Tokyo time.
        span(
            datetime(2027, 3, 3, 16, 30, tzinfo=TOKYO), datetime(2027, 3, 3, 17, 10, tzinfo=TOKYO)
        ),
        # Overlaps the New York one: 10:30-11:20 Amsterdam.
        span(utc(2027, 3, 3, 9, 30), utc(2027, 3, 3, 10, 20)),
        # Nested in the previous.
        span(ams(2027, 3, 3, 10, 40), ams(2027, 3, 3, 11)),
        # Whole afternoon from 12:00, and one spilling over from the night before.
        span(ams(2027, 3, 3, 12), ams(2027, 3, 3, 18)),
        span(ams(2027, 3, 2, 23), ams(2027, 3, 3, 1)),
    ]
    got = starts(free_slots(busy, day(date(2027, 3, 3)), HALF_HOUR, HOURS))
    assert got == [
        ams(2027, 3, 3, 9, 15),
        ams(2027, 3, 3, 9, 30),
        ams(2027, 3, 3, 11, 30),
    ]


def test_busy_touching_a_slot_does_not_block_it() -> None:
    busy = [
        span(ams(2027, 3, 3, 8, 30), ams(2027, 3, 3, 9)),
        span(ams(2027, 3, 3, 9, 30), ams(2027, 3, 3, 17)),
    ]
    assert starts(free_slots(busy, day(date(2027, 3, 3)), HALF_HOUR, HOURS)) == [ams(2027, 3, 3, 9)]


def test_free_slots_across_the_spring_changeover() -> None:
    within = span(ams(2027, 3, 26), ams(2027, 3, 30))
    busy = [span(ams(2027, 3, 26, 8, 30), ams(2027, 3, 26, 17))]
    first = next(free_slots(busy, within, HALF_HOUR, HOURS))
    assert first.start == utc(2027, 3, 29, 6, 30)
    assert first.start.hour == 8


def test_free_slots_across_the_autumn_changeover() -> None:
    within = span(ams(2027, 10, 29, 12), ams(2027, 11, 2))
    busy = [span(ams(2027, 10, 29, 8), ams(2027, 10, 29, 18))]
    first = next(free_slots(busy, within, HALF_HOUR, HOURS))
    assert first.start == utc(2027, 11, 1, 7, 30)
    assert first.start.hour == 8


def test_free_slots_rejects_non_positive_lengths() -> None:
    with pytest.raises(ValueError, match="duration"):
        free_slots([], day(date(2027, 3, 3)), timedelta(0), HOURS)
    with pytest.raises(ValueError, match="step"):
        free_slots([], day(date(2027, 3, 3)), HALF_HOUR, HOURS, timedelta(0))


def test_free_slots_with_many_busy_intervals_matches_a_brute_force_check() -> None:
    # 2,000 random meetings over three months, on whole minutes, checked minute by minute.
    rng = random.Random(20270301)
    origin = utc(2027, 3, 1)
    zones = [AMS, NYC, TOKYO, UTC]
    busy: list[Interval] = []
    taken: set[int] = set()
    for _ in range(2000):
        start = rng.randrange(0, 92 * 24 * 60)
        length = rng.choice([15, 30, 45, 60, 90, 120, 240])
        zone = rng.choice(zones)
        busy.append(
            span(
                (origin + timedelta(minutes=start)).astimezone(zone),
                (origin + timedelta(minutes=start + length)).astimezone(zone),
            )
        )
        taken.update(range(start, start + length))
    within = span(origin, origin + timedelta(days=92))

    got = list(free_slots(busy, within, HALF_HOUR, HOURS))

    expected: list[datetime] = []
    d = date(2027, 3, 1)
    while d < date(2027, 6, 1):
        if HOURS.is_working_day(d):
            work = HOURS.day_interval(d)
            s = work.start.astimezone(UTC)
            while s + HALF_HOUR <= work.end:
                first = (s - origin) // timedelta(minutes=1)
                if not taken.intersection(range(first, first + 30)):
                    expected.append(s)
                s += timedelta(minutes=15)
        d += timedelta(days=1)
    assert starts(got) == expected
    assert 0 < len(expected) < 65 * 33  # the calendar is neither empty nor full


# --- search_slot ------------------------------------------------------------------------


def full_days(*days: date) -> list[Interval]:
    return [day(d) for d in days]


MARCH_1 = ams(2027, 3, 1)
MARCH_20 = ams(2027, 3, 20)


def search(
    busy: list[Interval],
    window: Interval,
    *,
    earliest: datetime = MARCH_1,
    horizon: datetime = MARCH_20,
    options: int = 3,
) -> SlotSearch:
    return search_slot(
        busy, window, HALF_HOUR, HOURS, earliest=earliest, horizon=horizon, options=options
    )


WEDNESDAY = day(date(2027, 3, 10))


def test_search_finds_the_first_free_slot_in_the_window() -> None:
    busy = [span(ams(2027, 3, 10, 8, 30), ams(2027, 3, 10, 11))]
    result = search(busy, WEDNESDAY)
    assert result == SlotSearch(span(ams(2027, 3, 10, 11), ams(2027, 3, 10, 11, 30)), ())


def test_search_clips_the_window_to_earliest() -> None:
    window = span(ams(2027, 3, 8), ams(2027, 3, 13))
    result = search([], window, earliest=ams(2027, 3, 10, 8, 30))
    assert result.slot is not None
    assert result.slot.start == ams(2027, 3, 10, 8, 30)


def test_full_window_offers_nearest_days_on_both_sides() -> None:
    # Window Wed 10 March; Tue 9 and Thu 11 are one day away, Mon 8 and Fri 12 two.
    busy = [*full_days(date(2027, 3, 10)), span(ams(2027, 3, 9, 8), ams(2027, 3, 9, 10))]
    result = search(busy, WEDNESDAY, earliest=ams(2027, 3, 8, 8, 30))
    assert result.slot is None
    # One per day (that day's first free slot), the tie between Mon and Fri to the earlier.
    assert starts(result.options) == [
        ams(2027, 3, 8, 8, 30),
        ams(2027, 3, 9, 10),
        ams(2027, 3, 11, 8, 30),
    ]


def test_a_tie_in_distance_goes_to_the_earlier_day() -> None:
    result = search(full_days(date(2027, 3, 10)), WEDNESDAY, options=1)
    assert starts(result.options) == [ams(2027, 3, 9, 8, 30)]
    result = search(full_days(date(2027, 3, 10)), WEDNESDAY, options=2)
    assert starts(result.options) == [ams(2027, 3, 9, 8, 30), ams(2027, 3, 11, 8, 30)]


def test_options_skip_full_days_and_weekends() -> None:
    # Window Mon 8 - Fri 12 all busy, as are Fri 5 and Tue 16.
    window = span(ams(2027, 3, 8), ams(2027, 3, 13))
    busy = full_days(*(date(2027, 3, n) for n in (5, 8, 9, 10, 11, 12, 16)))
    result = search(busy, window)
    # Distances in calendar days: Mon 15 is 3, Thu 4 is 4, Wed 3 and Wed 17 are 5 (the
    # earlier wins); returned in time order.
    assert starts(result.options) == [
        ams(2027, 3, 3, 8, 30),
        ams(2027, 3, 4, 8, 30),
        ams(2027, 3, 15, 8, 30),
    ]


def test_options_respect_earliest_and_horizon() -> None:
    busy = full_days(date(2027, 3, 10))
    result = search(
        busy,
        WEDNESDAY,
        earliest=ams(2027, 3, 9, 12),
        horizon=ams(2027, 3, 11, 12),
    )
    # Nothing before Tue 12:00, nothing after Thu 12:00: only two days remain.
    assert starts(result.options) == [ams(2027, 3, 9, 12), ams(2027, 3, 11, 8, 30)]
    result = search(busy, WEDNESDAY, earliest=ams(2027, 3, 9, 12), horizon=ams(2027, 3, 10, 17))
    assert starts(result.options) == [ams(2027, 3, 9, 12)]


def test_no_slot_and_no_options() -> None:
    window = span(ams(2027, 3, 8), ams(2027, 3, 13))
    busy = [span(ams(2027, 3, 1), ams(2027, 3, 20))]
    assert search(busy, window) == SlotSearch(None, ())
    assert search(full_days(date(2027, 3, 10)), WEDNESDAY, options=0) == SlotSearch(None, ())


def test_window_entirely_before_earliest_only_offers_later_days() -> None:
    result = search([], WEDNESDAY, earliest=ams(2027, 3, 12, 8, 30))
    assert result.slot is None
    assert starts(result.options) == [
        ams(2027, 3, 12, 8, 30),
        ams(2027, 3, 15, 8, 30),
        ams(2027, 3, 16, 8, 30),
    ]


def test_search_accepts_busy_as_a_one_shot_iterator() -> None:
    busy = iter(full_days(date(2027, 3, 10)))
    result = search_slot(
        busy,
        WEDNESDAY,
        HALF_HOUR,
        HOURS,
        earliest=ams(2027, 3, 1),
        horizon=ams(2027, 3, 20),
    )
    assert starts(result.options) == [
        ams(2027, 3, 8, 8, 30),
        ams(2027, 3, 9, 8, 30),
        ams(2027, 3, 11, 8, 30),
    ]
