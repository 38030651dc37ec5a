"""The follow-up policy: which window a follow-up talk is booked in, and the search in it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugin.domain.errors import InvalidInput
from plugin.domain.followup import FollowUpPolicy, FollowUpWindow
from plugin.domain.schedule import Interval, WorkingHours

AMS = ZoneInfo("Europe/Amsterdam")
NYC = ZoneInfo("America/New_York")
POLICY = FollowUpPolicy()


def ams(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def working_days(
    first: date, last: date, policy: FollowUpPolicy = POLICY
) -> tuple[datetime, datetime]:
    """The window bounds the policy should produce for these days: 08:30 to 17:00 local."""
    return policy.hours.day_interval(first).start, policy.hours.day_interval(last).end


def bounds(found: FollowUpWindow) -> tuple[datetime, datetime]:
    return found.window.start, found.window.end


def starts(slots: Iterable[Interval]) -> list[datetime]:
    return [s.start for s in slots]


# A talk on Tuesday 2 March 2027, signed the same afternoon.
TALK = ams(2027, 3, 2, 10)
NOW = ams(2027, 3, 2, 15)


def test_default_is_six_weeks_after_the_talk() -> None:
    found = POLICY.window_for(TALK, [], NOW)
    assert found.reason == "interval"
    # Tue 13 April, five working days: up to and including Mon 19 April.
    assert bounds(found) == working_days(date(2027, 4, 13), date(2027, 4, 19))
    # Never today: earliest is the next working day's start.
    assert found.earliest == ams(2027, 3, 3, 8, 30)
    # 20 working days after Mon 19 April.
    assert found.horizon == ams(2027, 5, 17, 17)


def test_due_dates_after_the_interval_change_nothing_but_may_shorten_the_window() -> None:
    found = POLICY.window_for(TALK, [date(2027, 6, 1)], NOW)
    assert found.reason == "interval"
    assert bounds(found) == working_days(date(2027, 4, 13), date(2027, 4, 19))
    # Due Mon 19 April: 3 working days before is Wed 14, later than Tue 13 -> interval decides,
    # yet the window stops before the due date.
    found = POLICY.window_for(TALK, [date(2027, 4, 19)], NOW)
    assert found.reason == "interval"
    assert bounds(found) == working_days(date(2027, 4, 13), date(2027, 4, 16))


def test_a_sooner_due_date_pulls_the_window_earlier() -> None:
    # Due Fri 26 March: 3 working days before is Tue 23 March.
    found = POLICY.window_for(TALK, [date(2027, 6, 1), date(2027, 3, 26)], NOW)
    assert found.reason == "due_date"
    # The window ends on the last working day before the due date.
    assert bounds(found) == working_days(date(2027, 3, 23), date(2027, 3, 25))
    assert found.horizon == ams(2027, 4, 22, 17)


def test_a_due_date_on_monday_gives_the_wednesday_before() -> None:
    found = POLICY.window_for(TALK, [date(2027, 3, 22)], NOW)
    assert found.reason == "due_date"
    assert bounds(found) == working_days(date(2027, 3, 17), date(2027, 3, 19))


@pytest.mark.parametrize(
    "due",
    [date(2027, 2, 1), date(2027, 3, 2), date(2027, 3, 3), date(2027, 3, 5)],
    ids=["past", "today", "tomorrow", "three-days"],
)
def test_due_date_in_the_past_or_too_near_gives_the_next_working_day(due: date) -> None:
    found = POLICY.window_for(TALK, [due], NOW)
    assert found.reason == "due_date"
    # At least the target day itself, even when the due date is before it.
    start, _ = bounds(found)
    assert start == found.earliest == ams(2027, 3, 3, 8, 30)
    assert found.window.end <= ams(2027, 3, 4, 17)


def test_due_date_after_tomorrow_keeps_tomorrow_as_its_only_day() -> None:
    found = POLICY.window_for(TALK, [date(2027, 3, 4)], NOW)
    assert bounds(found) == working_days(date(2027, 3, 3), date(2027, 3, 3))


def test_signed_on_friday_evening_starts_on_monday() -> None:
    found = POLICY.window_for(ams(2027, 3, 5, 9), [date(2027, 3, 8)], ams(2027, 3, 5, 23, 30))
    assert found.earliest == ams(2027, 3, 8, 8, 30)
    assert bounds(found) == working_days(date(2027, 3, 8), date(2027, 3, 8))


def test_now_is_read_in_the_organisations_time_zone() -> None:
    # 23:30 UTC on Tuesday is already Wednesday in Amsterdam: the first day is Thursday.
    found = POLICY.window_for(TALK, [date(2027, 3, 1)], utc(2027, 3, 2, 23, 30))
    assert found.earliest == ams(2027, 3, 4, 8, 30)
    # The talk's date too: late Monday in New York is Tuesday in Amsterdam.
    talk = datetime(2027, 3, 1, 20, tzinfo=NYC)
    assert POLICY.window_for(talk, [], NOW).window.start == ams(2027, 4, 13, 8, 30)


def test_weekends_and_holidays_are_skipped() -> None:
    # Easter Monday 29 March 2027 and Good Friday 26 March 2027 as holidays.
    hours = WorkingHours(holidays=frozenset({date(2027, 3, 26), date(2027, 3, 29)}))
    policy = FollowUpPolicy(hours=hours)
    # Talk on Mon 15 Feb: six weeks is the holiday Mon 29 March -> Tue 30 March.
    found = policy.window_for(ams(2027, 2, 15, 10), [], ams(2027, 2, 15, 12))
    assert bounds(found) == working_days(date(2027, 3, 30), date(2027, 4, 5), policy)
    # Due Wed 31 March: 3 working days before skips both holidays and the weekend.
    found = policy.window_for(ams(2027, 2, 15, 10), [date(2027, 3, 31)], ams(2027, 2, 15, 12))
    assert bounds(found) == working_days(date(2027, 3, 24), date(2027, 3, 30), policy)


def test_window_on_the_monday_after_summer_time_starts() -> None:
    # Six weeks after Mon 15 February 2027 is Mon 29 March, the day after the clocks go forward.
    found = POLICY.window_for(ams(2027, 2, 15, 10), [], ams(2027, 2, 15, 12))
    assert found.window.start == utc(2027, 3, 29, 6, 30)
    assert found.window.start.astimezone(AMS).time() == time(8, 30)
    _, result = POLICY.search([], ams(2027, 2, 15, 10), [], ams(2027, 2, 15, 12))
    assert result.slot == Interval(utc(2027, 3, 29, 6, 30), utc(2027, 3, 29, 7))


def test_window_on_the_monday_after_summer_time_ends() -> None:
    # Six weeks after Mon 20 September 2027 is Mon 1 November, the day after the clocks go back.
    found = POLICY.window_for(ams(2027, 9, 20, 10), [], ams(2027, 9, 20, 12))
    assert found.window.start == utc(2027, 11, 1, 7, 30)
    _, result = POLICY.search([], ams(2027, 9, 20, 10), [], ams(2027, 9, 20, 12))
    assert result.slot == Interval(utc(2027, 11, 1, 7, 30), utc(2027, 11, 1, 8))


def test_window_in_another_time_zone() -> None:
    policy = FollowUpPolicy(hours=WorkingHours(timezone="America/New_York", start=time(9)))
    found = policy.window_for(TALK, [], NOW)
    assert found.window.start == datetime(2027, 4, 13, 9, tzinfo=NYC)


def test_search_books_the_first_slot_free_for_both_attendees() -> None:
    busy = [
        # The lead, in Amsterdam: Tuesday morning.
        Interval(ams(2027, 4, 13, 8, 30), ams(2027, 4, 13, 12)),
        # The learner, travelling in New York: 12:00-14:00 Amsterdam.
        Interval(datetime(2027, 4, 13, 6, tzinfo=NYC), datetime(2027, 4, 13, 8, tzinfo=NYC)),
    ]
    found, result = POLICY.search(busy, TALK, [], NOW)
    assert found.reason == "interval"
    assert result.slot == Interval(ams(2027, 4, 13, 14), ams(2027, 4, 13, 14, 30))
    assert result.options == ()


def test_search_offers_options_when_the_window_is_full() -> None:
    # Due Fri 26 March: window Tue 23 - Thu 25 March, all busy, as is Monday the 22nd.
    busy = [Interval(ams(2027, 3, 22, 8), ams(2027, 3, 25, 18))]
    found, result = POLICY.search(busy, TALK, [date(2027, 3, 26)], NOW)
    assert result.slot is None
    # Fri 19 is 4 days before the window, Fri 26 one day after, Mon 29 four days after.
    assert starts(result.options) == [
        ams(2027, 3, 19, 8, 30),
        ams(2027, 3, 26, 8, 30),
        ams(2027, 3, 29, 8, 30),
    ]
    assert all(found.earliest <= s.start and s.end <= found.horizon for s in result.options)


def test_policy_defaults() -> None:
    assert POLICY.interval == timedelta(weeks=6)
    assert POLICY.working_days_before_due == 3
    assert POLICY.duration == timedelta(minutes=30)
    assert (POLICY.window_working_days, POLICY.options, POLICY.horizon_working_days) == (5, 3, 20)
    assert POLICY.hours == WorkingHours()
    assert FollowUpPolicy(working_days_before_due=0).working_days_before_due == 0


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"interval": timedelta(0)}, "too_small", "interval"),
        ({"interval": timedelta(hours=12)}, "too_small", "interval"),
        ({"interval": -timedelta(weeks=1)}, "too_small", "interval"),
        ({"working_days_before_due": -1}, "negative", "working_days_before_due"),
        ({"duration": timedelta(0)}, "not_positive", "duration"),
        ({"duration": -timedelta(minutes=30)}, "not_positive", "duration"),
        ({"duration": timedelta(hours=9)}, "longer_than_working_day", "duration"),
        ({"window_working_days": 0}, "not_positive", "window_working_days"),
        ({"options": 0}, "not_positive", "options"),
        ({"horizon_working_days": -5}, "not_positive", "horizon_working_days"),
    ],
)
def test_policy_validation(kwargs: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        FollowUpPolicy(**kwargs)  # type: ignore[arg-type]
    assert raised.value.code == code
    assert raised.value.field == field


def test_duration_of_exactly_a_working_day_is_allowed() -> None:
    policy = FollowUpPolicy(duration=timedelta(hours=8, minutes=30))
    _, result = policy.search([], TALK, [], NOW)
    assert result.slot == Interval(ams(2027, 4, 13, 8, 30), ams(2027, 4, 13, 17))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="talk_start"):
        POLICY.window_for(datetime(2027, 3, 2, 10), [], NOW)
    with pytest.raises(ValueError, match="now"):
        POLICY.window_for(TALK, [], datetime(2027, 3, 2, 15))
