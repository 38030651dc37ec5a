"""When the follow-up talk should happen, once a talk is signed.

The policy picks a window of working days: by default six weeks after the talk, but earlier
when an agreement falls due sooner (a few working days before the due date), and never today
or in the past. `search` then looks for the first slot free in every attendee's calendar, or
the nearest alternatives when the window is full.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from plugin.domain.errors import InvalidInput
from plugin.domain.schedule import Interval, SlotSearch, WorkingHours, search_slot

Reason = Literal["interval", "due_date"]


@dataclass(frozen=True)
class FollowUpWindow:
    """Where to look for the follow-up: the window itself and the bounds for alternatives."""

    window: Interval
    earliest: datetime
    horizon: datetime
    reason: Reason


def _require_aware(moment: datetime, name: str) -> None:
    if moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class FollowUpPolicy:
    """An organisation's rules for planning follow-up talks."""

    interval: timedelta = timedelta(weeks=6)
    working_days_before_due: int = 3
    duration: timedelta = timedelta(minutes=30)
    window_working_days: int = 5
    options: int = 3
    horizon_working_days: int = 20
    hours: WorkingHours = field(default_factory=WorkingHours)

    def __post_init__(self) -> None:
        # The target is a date, so an interval shorter than a day would mean "the same day".
        if self.interval < timedelta(days=1):
            raise InvalidInput("too_small", "interval", min_days=1)
        # Zero is allowed: "on the due date itself".
        if self.working_days_before_due < 0:
            raise InvalidInput("negative", "working_days_before_due")
        if self.duration <= timedelta(0):
            raise InvalidInput("not_positive", "duration")
        for name in ("window_working_days", "options", "horizon_working_days"):
            if getattr(self, name) <= 0:
                raise InvalidInput("not_positive", name)
        day = date(2000, 1, 3)  # any ordinary day: only the length of the working day counts
        working_day = datetime.combine(day, self.hours.end) - datetime.combine(
            day, self.hours.start
        )
        if self.duration > working_day:
            raise InvalidInput(
                "longer_than_working_day",
                "duration",
                max_minutes=working_day // timedelta(minutes=1),
            )

    def window_for(
        self, talk_start: datetime, due_dates: Iterable[date], now: datetime
    ) -> FollowUpWindow:
        """The window to book the follow-up in; see the module docstring for the rules."""
        _require_aware(talk_start, "talk_start")
        _require_aware(now, "now")
        hours = self.hours
        dues = sorted(set(due_dates))

        target = hours.local_date(talk_start) + self.interval
        reason: Reason = "interval"
        if dues:
            # Subtracting working days is monotonic, so the earliest due date gives the minimum.
            candidate = hours.add_working_days(dues[0], -self.working_days_before_due)
            if candidate <= target:
                target, reason = candidate, "due_date"

        # Never today: the follow-up needs notice, and today's free time may already be gone.
        first_day = hours.add_working_days(hours.local_date(now), 1)
        target = hours.next_working_day_on_or_after(max(target, first_day))

        end_day = hours.add_working_days(target, self.window_working_days - 1)
        if dues:
            # Talk about an agreement before it falls due, even if the interval chose the day.
            before_due = hours.add_working_days(dues[0], -1)
            end_day = max(min(end_day, before_due), target)

        horizon_day = hours.add_working_days(end_day, self.horizon_working_days)
        return FollowUpWindow(
            window=Interval(hours.day_interval(target).start, hours.day_interval(end_day).end),
            earliest=hours.day_interval(first_day).start,
            horizon=hours.day_interval(horizon_day).end,
            reason=reason,
        )

    def search(
        self,
        busy: Iterable[Interval],
        talk_start: datetime,
        due_dates: Iterable[date],
        now: datetime,
    ) -> tuple[FollowUpWindow, SlotSearch]:
        """The window and the slot search in it; `busy` holds all attendees' busy times."""
        found = self.window_for(talk_start, due_dates, now)
        result = search_slot(
            busy,
            found.window,
            self.duration,
            self.hours,
            earliest=found.earliest,
            horizon=found.horizon,
            options=self.options,
        )
        return found, result
