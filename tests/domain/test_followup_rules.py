"""One follow-up per track (domain/followup_rules.py), without a database: which planned talk
follows up a signed talk, and whether it may move earlier (into the policy's window)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugin.domain.followup_rules import earlier_span, event_is_ours, planned_follow_up
from plugin.domain.schedule import Interval
from plugin.domain.talk import Talk
from plugin.domain.talk_calendar import LEARNER_REMOVED
from plugin.domain.talk_state import TalkStatus
from tests.domain.test_talk import START, make_talk

AMS = ZoneInfo("Europe/Amsterdam")
DAY = timedelta(days=1)


def signed() -> Talk:
    return make_talk(id="signed", status=TalkStatus.SIGNED)


def planned(talk_id: str, starts_at: datetime, **overrides: object) -> Talk:
    values: dict[str, object] = {
        "id": talk_id,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=30),
        "event_id": f"event-{talk_id}",
    }
    values.update(overrides)
    return make_talk(**values)


def test_the_first_planned_talk_after_the_signed_one_is_its_follow_up() -> None:
    first, second = planned("first", START + 7 * DAY), planned("second", START + 14 * DAY)
    after = START + 2 * DAY  # the signed talk was held; now is some time later
    assert planned_follow_up(signed(), [second, first], after) is first


@pytest.mark.parametrize(
    "other",
    [
        planned("held", START + 7 * DAY, status=TalkStatus.HELD),
        planned("cancelled", START + 7 * DAY, status=TalkStatus.CANCELLED),
        planned("signed-too", START + 7 * DAY, status=TalkStatus.SIGNED),
        planned("before", START - DAY),
        planned("started", START + DAY),  # after the signed talk, but its time has passed
        planned("other-track", START + 7 * DAY, track_id="track-2"),
        make_talk(id="signed"),  # the signed talk itself
    ],
    ids=lambda t: t.id,
)
def test_no_follow_up_among_talks_that_are_not_later_and_planned(other: Talk) -> None:
    assert planned_follow_up(signed(), [other], START + 2 * DAY) is None


def test_times_compare_as_instants_not_as_wall_clocks() -> None:
    # 31 October 2027, the night the clocks go back: 02:30 comes twice in Amsterdam. The
    # second 02:30 (fold=1) is an hour after the first; a wall-clock comparison misses that.
    first = datetime(2027, 10, 31, 2, 30, tzinfo=AMS)
    second = first.replace(fold=1)
    talk = make_talk(id="signed", starts_at=first, ends_at=first + timedelta(minutes=10))
    later = planned("later", second)
    assert planned_follow_up(talk, [later], first) is later


def test_only_an_event_the_app_booked_is_ours_to_move() -> None:
    assert event_is_ours(planned("booked", START + 7 * DAY))
    assert event_is_ours(planned("not-yet-booked", START + 7 * DAY, event_id=None))
    assert not event_is_ours(planned("outlook", START + 7 * DAY, event_from_outlook=True))
    held_in_their_meeting = planned(
        "meeting", START + 7 * DAY, event_id=None, meeting_chat_id="19:meeting_x@thread.v2"
    )
    assert not event_is_ours(held_in_their_meeting)


def window(first_day: int, last_day: int) -> Interval:
    """The policy's window: working hours of those days of March 2027."""
    return Interval(
        datetime(2027, 3, first_day, 8, 30, tzinfo=AMS), datetime(2027, 3, last_day, 17, tzinfo=AMS)
    )


def test_a_follow_up_after_the_policys_window_may_move_into_it() -> None:
    for start in (datetime(2027, 3, 19, 17, tzinfo=AMS), datetime(2027, 3, 29, 9, tzinfo=AMS)):
        assert earlier_span(window(15, 19), planned("after", start)) == window(15, 19)


@pytest.mark.parametrize(
    "start",
    [
        datetime(2027, 3, 12, 9, tzinfo=AMS),  # before the window
        datetime(2027, 3, 15, 8, 30, tzinfo=AMS),  # on its first time
        datetime(2027, 3, 17, 10, tzinfo=AMS),  # within it
        datetime(2027, 3, 19, 16, 30, tzinfo=AMS),  # on its last half hour
    ],
    ids=["before", "first", "within", "last"],
)
def test_a_follow_up_within_or_before_the_policys_window_stays(start: datetime) -> None:
    assert earlier_span(window(15, 19), planned("stays", start)) is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"event_from_outlook": True},
        {"event_id": None, "meeting_chat_id": "19:meeting_x@thread.v2"},
        {"calendar_attention": LEARNER_REMOVED},
        {"status": TalkStatus.HELD},
    ],
    ids=["outlook-appointment", "their-meeting", "needs-attention", "held"],
)
def test_a_follow_up_the_app_may_not_move_stays(overrides: dict[str, object]) -> None:
    later = planned("later", datetime(2027, 3, 29, 9, tzinfo=AMS), **overrides)
    assert earlier_span(window(15, 19), later) is None
