"""The working week an admin sets for their organisation: working days, daily hours, holidays.

Stored as one JSON value (`to_value`/`from_value`) over the settings' `WorkingHours`
(`applied`): the admin's days, hours and holidays replace the configured ones; the time zone
stays the installation's. The Dutch national holidays of a year are offered as a suggestion
(`national_holidays`, from the `holidays` library), never applied by themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Any

import holidays as holiday_calendars

from plugin.domain.errors import InvalidInput
from plugin.domain.schedule import WorkingHours

#: At most this many holidays (a few years of public holidays and company days off).
HOLIDAYS_MAX = 200
#: A holiday's name: short, it is a label.
NAME_MAX = 80
#: Years a holiday may fall in (and years the suggestion covers): the app's calendar range.
YEAR_MIN, YEAR_MAX = 2000, 2100


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str = ""


@dataclass(frozen=True)
class WorkWeek:
    """What the admin set: Monday = 0 ... Sunday = 6, the day's start and end, holidays."""

    days: frozenset[int]
    start: time
    end: time
    holidays: tuple[Holiday, ...] = ()


def checked(week: WorkWeek) -> WorkWeek:
    """`week` when every rule holds, holidays sorted by date; else InvalidInput naming the
    field (`days`, `end`, `holidays[2].date`, ...)."""
    if not week.days:
        raise InvalidInput("required", "days")
    if any(not 0 <= d <= 6 for d in week.days):
        raise InvalidInput("choice", "days", choices=list(range(7)))
    for field, moment in (("start", week.start), ("end", week.end)):
        # A wall-clock time in whole minutes: the zone is the installation's.
        if moment.tzinfo is not None or moment.second or moment.microsecond:
            raise InvalidInput("invalid_date", field)
    if week.end <= week.start:
        raise InvalidInput("end_before_start", "end")
    if len(week.holidays) > HOLIDAYS_MAX:
        raise InvalidInput("too_many", "holidays", max=HOLIDAYS_MAX)
    seen: set[date] = set()
    for i, holiday in enumerate(week.holidays):
        if not YEAR_MIN <= holiday.day.year <= YEAR_MAX:
            raise InvalidInput("invalid_date", f"holidays[{i}].date")
        if holiday.day in seen:
            raise InvalidInput("duplicate", f"holidays[{i}].date")
        seen.add(holiday.day)
        if len(holiday.name) > NAME_MAX:
            raise InvalidInput("too_long", f"holidays[{i}].name", max=NAME_MAX)
    return replace(week, holidays=tuple(sorted(week.holidays, key=lambda h: h.day)))


def of_hours(hours: WorkingHours) -> WorkWeek:
    """The configured hours as a work week (what the admin page shows before any change)."""
    return WorkWeek(
        days=hours.days,
        start=hours.start,
        end=hours.end,
        holidays=tuple(Holiday(d) for d in sorted(hours.holidays)),
    )


def applied(hours: WorkingHours, week: WorkWeek | None) -> WorkingHours:
    """The configured `hours` with the admin's week over them (the time zone stays)."""
    if week is None:
        return hours
    return replace(
        hours,
        days=week.days,
        start=week.start,
        end=week.end,
        holidays=frozenset(h.day for h in week.holidays),
    )


def to_value(week: WorkWeek) -> dict[str, Any]:
    """The JSON form stored and sent: days as numbers, times as "HH:MM", dates ISO."""
    return {
        "days": sorted(week.days),
        "start": week.start.strftime("%H:%M"),
        "end": week.end.strftime("%H:%M"),
        "holidays": [{"date": h.day.isoformat(), "name": h.name} for h in week.holidays],
    }


def from_value(value: object) -> WorkWeek | None:
    """The stored JSON read back; None when it is not a valid week (then nothing is set)."""
    if not isinstance(value, Mapping):
        return None
    try:
        days = value["days"]
        if not isinstance(days, list) or any(type(d) is not int for d in days):
            return None
        listed: Iterable[Mapping[str, Any]] = value.get("holidays", [])
        week = WorkWeek(
            days=frozenset(days),
            start=time.fromisoformat(value["start"]),
            end=time.fromisoformat(value["end"]),
            holidays=tuple(
                Holiday(date.fromisoformat(h["date"]), str(h.get("name", ""))) for h in listed
            ),
        )
        return checked(week)
    except (KeyError, TypeError, ValueError, AttributeError, InvalidInput):
        return None


def national_holidays(year: int, language: str = "nl") -> list[Holiday]:
    """The Netherlands' public holidays in `year`, named in `language` ("nl" or "en")."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidInput("invalid_date", "year")
    found = holiday_calendars.country_holidays(
        "NL", years=year, language="nl" if language == "nl" else "en_US"
    )
    return [Holiday(day, name) for day, name in sorted(found.items())]
