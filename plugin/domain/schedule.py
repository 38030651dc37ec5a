"""Finding a time that suits everyone: working hours, free slots and the nearest alternatives.

Pure arithmetic on timezone-aware datetimes. Working hours are defined in an organisation's
time zone (via `zoneinfo`, so daylight-saving days come out right); busy intervals may come
in any time zone. Internally all comparisons are done in UTC, because Python compares two
datetimes that share a tzinfo on their wall-clock values, which goes wrong around DST.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from plugin.domain.errors import InvalidInput

_ONE_DAY = timedelta(days=1)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Interval:
    """A half-open span of time [start, end) between two timezone-aware moments."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("Interval needs timezone-aware datetimes")
        if _utc(self.end) <= _utc(self.start):
            raise ValueError("Interval must end after it starts")

    @property
    def duration(self) -> timedelta:
        """Elapsed time, also correct across a DST change."""
        return _utc(self.end) - _utc(self.start)

    def overlaps(self, other: Interval) -> bool:
        """True when both share some moment; touching ends do not overlap."""
        return _utc(self.start) < _utc(other.end) and _utc(other.start) < _utc(self.end)

    def contains(self, other: Interval) -> bool:
        """True when `other` lies entirely within this interval."""
        return _utc(self.start) <= _utc(other.start) and _utc(other.end) <= _utc(self.end)


@dataclass(frozen=True)
class WorkingHours:
    """When an organisation works: weekdays (Monday = 0), daily hours, and optional holidays.

    Holidays count as non-working days; organisations may fill them with public holidays.
    """

    timezone: str = "Europe/Amsterdam"
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    start: time = time(8, 30)
    end: time = time(17, 0)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Accept any collection but keep the instance hashable and immutable.
        object.__setattr__(self, "days", frozenset(self.days))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput("unknown_timezone", "timezone", timezone=self.timezone) from exc
        if not self.days:
            raise InvalidInput("required", "days")
        if any(not 0 <= day <= 6 for day in self.days):
            raise InvalidInput("out_of_range", "days", min=0, max=6)
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise InvalidInput("naive_time_required", "start")
        if self.start >= self.end:
            raise InvalidInput("end_before_start", "end")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, d: date) -> bool:
        return d.weekday() in self.days and d not in self.holidays

    def day_interval(self, d: date) -> Interval:
        """That day's working hours as aware datetimes in the zone (DST-correct)."""
        zone = self.zone
        # The UTC round trip normalises wall times that do not exist (spring-forward gap).
        start = _utc(datetime.combine(d, self.start, tzinfo=zone)).astimezone(zone)
        end = _utc(datetime.combine(d, self.end, tzinfo=zone)).astimezone(zone)
        return Interval(start, end)

    def next_working_day_on_or_after(self, d: date) -> date:
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after `d` (before it when n < 0); `d` itself is not counted.

        n == 0 returns `d` when it is a working day, else the next working day (forward).
        So Saturday + 1 is Monday and Monday - 3 is the Wednesday before.
        """
        if n == 0:
            return self.next_working_day_on_or_after(d)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def local_date(self, moment: datetime) -> date:
        """The calendar date of `moment` in this zone."""
        return moment.astimezone(self.zone).date()


@dataclass(frozen=True)
class SlotSearch:
    """The result of `search_slot`.

    `slot` is the earliest free slot in the window; when there is none, `options` holds the
    nearest free alternatives outside it (sorted by time) and is empty otherwise.
    """

    slot: Interval | None
    options: tuple[Interval, ...] = ()


def _merge(busy: Iterable[Interval]) -> list[tuple[datetime, datetime]]:
    """Busy intervals in UTC, sorted, with overlapping and touching ones joined."""
    spans = sorted((_utc(b.start), _utc(b.end)) for b in busy)
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _check_lengths(duration: timedelta, step: timedelta) -> None:
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    if step <= timedelta(0):
        raise ValueError("step must be positive")


def _step_on_or_after(anchor: datetime, moment: datetime, step: timedelta) -> datetime:
    """The first of anchor, anchor + step, ... that is not before `moment` (>= anchor)."""
    return anchor + -((anchor - moment) // step) * step


def _day_slots(
    merged: list[tuple[datetime, datetime]],
    ends: list[datetime],
    day: date,
    lo: datetime,
    hi: datetime,
    duration: timedelta,
    hours: WorkingHours,
    step: timedelta,
) -> Iterator[Interval]:
    """Free slots on one working day, clipped to [lo, hi] (UTC)."""
    work = hours.day_interval(day)
    anchor = _utc(work.start)
    first = max(anchor, lo)
    last_end = min(_utc(work.end), hi)
    # Steps are counted from the day's working start, so slots sit on 08:30, 08:45, ...
    start = _step_on_or_after(anchor, first, step)
    zone = hours.zone
    # Skip busy intervals that end before the day starts (bisect: O(log n), not a scan).
    i = bisect.bisect_right(ends, start)
    while start + duration <= last_end:
        end = start + duration
        while i < len(merged) and merged[i][1] <= start:
            i += 1
        if i < len(merged) and merged[i][0] < end:
            # Jump to the first step boundary at or after the end of the blocking interval.
            start = _step_on_or_after(anchor, merged[i][1], step)
            continue
        yield Interval(start.astimezone(zone), end.astimezone(zone))
        start += step


def _days(within: Interval, hours: WorkingHours) -> Iterator[date]:
    """Working days whose date (in the zone) falls within the interval, in order."""
    day = hours.local_date(within.start)
    # Working hours never span midnight, so each slot belongs to the date it starts on.
    last = hours.local_date(within.end)
    while day <= last:
        if hours.is_working_day(day):
            yield day
        day += _ONE_DAY


def _free_slots(
    merged: list[tuple[datetime, datetime]],
    within: Interval,
    duration: timedelta,
    hours: WorkingHours,
    step: timedelta,
) -> Iterator[Interval]:
    ends = [end for _, end in merged]
    lo, hi = _utc(within.start), _utc(within.end)
    for day in _days(within, hours):
        yield from _day_slots(merged, ends, day, lo, hi, duration, hours, step)


def free_slots(
    busy: Iterable[Interval],
    within: Interval,
    duration: timedelta,
    hours: WorkingHours,
    step: timedelta = timedelta(minutes=15),
) -> Iterator[Interval]:
    """Free slots of length `duration` inside `within`, in time order.

    A slot lies within one working day's hours, starts on a `step` boundary counted from that
    day's working start (08:30, 08:45, ... in the zone) and overlaps no busy interval. Busy
    intervals may be unsorted, overlapping and in any time zone; they are sorted and merged
    once, so the cost is O(busy log busy + slots). Slots are given in the working-hours zone.
    """
    _check_lengths(duration, step)
    return _free_slots(_merge(busy), within, duration, hours, step)


def _clip(lo: datetime, hi: datetime) -> Interval | None:
    return Interval(lo, hi) if _utc(lo) < _utc(hi) else None


def search_slot(
    busy: Iterable[Interval],
    window: Interval,
    duration: timedelta,
    hours: WorkingHours,
    *,
    earliest: datetime,
    horizon: datetime,
    options: int = 3,
    step: timedelta = timedelta(minutes=15),
) -> SlotSearch:
    """The first free slot in `window` (not before `earliest`), else nearby alternatives.

    Alternatives come from [earliest, window.start) and (window.end, horizon]: at most one per
    calendar day (that day's first free slot), the `options` nearest to the window by calendar
    days (a tie goes to the earlier one), returned in time order.
    """
    _check_lengths(duration, step)
    if options < 0:
        raise ValueError("options must not be negative")
    merged = _merge(busy)
    inside = _clip(max(_utc(window.start), _utc(earliest)), _utc(window.end))
    if inside is not None:
        slot = next(_free_slots(merged, inside, duration, hours, step), None)
        if slot is not None:
            return SlotSearch(slot, ())
    if options == 0:
        return SlotSearch(None, ())

    first_day = hours.local_date(window.start)
    last_day = hours.local_date(window.end - timedelta(microseconds=1))
    ranked: list[tuple[int, datetime, Interval]] = []
    ranges = [
        _clip(_utc(earliest), _utc(window.start)),
        _clip(max(_utc(window.end), _utc(earliest)), _utc(horizon)),
    ]
    ends = [end for _, end in merged]
    for span in ranges:
        if span is None:
            continue
        lo, hi = _utc(span.start), _utc(span.end)
        for day in _days(span, hours):
            candidate = next(_day_slots(merged, ends, day, lo, hi, duration, hours, step), None)
            if candidate is not None:
                distance = (first_day - day).days if day < first_day else (day - last_day).days
                ranked.append((distance, _utc(candidate.start), candidate))
    ranked.sort(key=lambda item: (item[0], item[1]))
    chosen = sorted((item[2] for item in ranked[:options]), key=lambda s: _utc(s.start))
    return SlotSearch(None, tuple(chosen))


def off_hours(hours: WorkingHours, within: Interval) -> list[Interval]:
    """The parts of `within` outside these working hours, as busy intervals.

    Lets one person's own working hours (another time zone, other days) count in a search
    that runs on the organisation's hours: their off hours simply become busy time.
    """
    spans: list[Interval] = []
    cursor = _utc(within.start)
    end = _utc(within.end)
    day = hours.local_date(within.start) - _ONE_DAY
    while cursor < end:
        if hours.is_working_day(day):
            work = hours.day_interval(day)
            work_start, work_end = _utc(work.start), _utc(work.end)
            if work_end > cursor:
                if work_start > cursor:
                    spans.append(Interval(cursor, min(work_start, end)))
                cursor = max(cursor, work_end)
        day += _ONE_DAY
        if day > hours.local_date(within.end) + _ONE_DAY:
            break
    if cursor < end:
        spans.append(Interval(cursor, end))
    return spans
