"""When each reminder goes out: working days, working hours, weekends, holidays and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from plugin.domain import reminders
from plugin.domain.reminders import ReminderKind
from plugin.domain.schedule import WorkingHours

AMS = ZoneInfo("Europe/Amsterdam")
HOURS = WorkingHours(timezone="Europe/Amsterdam", start=time(8, 30), end=time(17, 0))


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=AMS)


def utc(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


@pytest.mark.parametrize(
    ("talk", "expected"),
    [
        # A Wednesday talk: Monday morning (winter time, UTC+1).
        (local(2026, 12, 9, 10), utc(2026, 12, 7, 7, 30)),
        # A Monday talk: the Thursday before, over the weekend.
        (local(2026, 12, 14, 9), utc(2026, 12, 10, 7, 30)),
        # A Tuesday talk after summer time ends (Sunday 25 October): the Friday before is
        # still summer time (UTC+2).
        (local(2026, 10, 27, 10), utc(2026, 10, 23, 6, 30)),
        # A Monday talk after summer time starts (Sunday 29 March): the Thursday before is
        # winter time (UTC+1).
        (local(2026, 3, 30, 10), utc(2026, 3, 26, 7, 30)),
    ],
)
def test_prepare_two_working_days_before_the_talk(talk: datetime, expected: datetime) -> None:
    occasion = reminders.prepare("t1", talk, HOURS)
    assert occasion.kind is ReminderKind.PREPARE
    assert occasion.at == expected
    assert occasion.key == talk.astimezone(UTC).isoformat()


def test_a_moved_talk_is_a_new_occasion() -> None:
    first = reminders.prepare("t1", local(2026, 12, 9, 10), HOURS)
    moved = reminders.prepare("t1", local(2026, 12, 10, 10), HOURS)
    assert (first.subject_id, first.kind) == (moved.subject_id, moved.kind)
    assert first.key != moved.key


def test_sign_two_working_days_after_the_end_over_a_weekend() -> None:
    occasion = reminders.sign("t1", local(2026, 12, 11, 16), HOURS)  # a Friday
    assert occasion.at == utc(2026, 12, 15, 7, 30)  # Tuesday morning


def test_due_soon_five_working_days_before_and_overdue_the_next_working_day() -> None:
    soon = reminders.due_soon("a1", date(2026, 12, 14), HOURS)  # due on a Monday
    assert soon.at == utc(2026, 12, 7, 7, 30)  # the Monday before
    assert soon.key == "2026-12-14"
    late = reminders.overdue("a1", date(2026, 12, 11), HOURS)  # due on a Friday
    assert late.at == utc(2026, 12, 14, 7, 30)  # Monday morning


def test_holidays_are_skipped() -> None:
    christmas = WorkingHours(holidays=frozenset({date(2026, 12, 25), date(2026, 12, 28)}))
    late = reminders.overdue("a1", date(2026, 12, 24), christmas)
    assert late.at == utc(2026, 12, 29, 7, 30)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(2026, 12, 8, 12), local(2026, 12, 8, 12)),  # Tuesday noon: now
        (local(2026, 12, 8, 7), local(2026, 12, 8, 8, 30)),  # before work: this morning
        (local(2026, 12, 8, 17), local(2026, 12, 9, 8, 30)),  # at closing time: tomorrow
        (local(2026, 12, 8, 23), local(2026, 12, 9, 8, 30)),  # at night: tomorrow
        (local(2026, 12, 12, 12), local(2026, 12, 14, 8, 30)),  # Saturday: Monday
        (local(2026, 12, 11, 18), local(2026, 12, 14, 8, 30)),  # Friday evening: Monday
        # The night summer time ends: Monday morning, in winter time.
        (utc(2026, 10, 25, 1, 30), local(2026, 10, 26, 8, 30)),
    ],
)
def test_never_at_night_or_at_the_weekend(moment: datetime, expected: datetime) -> None:
    assert reminders.working_moment(moment, HOURS) == expected


def test_send_at_waits_until_due_then_keeps_to_working_hours() -> None:
    occasion = reminders.due_soon("a1", date(2026, 12, 14), HOURS)  # Monday 7 Dec, 08:30
    assert reminders.send_at(occasion, local(2026, 12, 7, 8), HOURS) is None
    assert reminders.send_at(occasion, local(2026, 12, 7, 9), HOURS) == local(2026, 12, 7, 9)
    # Found late, on a Saturday (the worker was down): Monday morning, not now.
    assert reminders.send_at(occasion, local(2026, 12, 12, 10), HOURS) == local(2026, 12, 14, 8, 30)


def test_a_check_in_goes_out_when_working_hours_allow() -> None:
    occasion = reminders.check_in("a1", local(2026, 12, 12, 10), HOURS)  # Saturday
    assert occasion.at == local(2026, 12, 14, 8, 30)
