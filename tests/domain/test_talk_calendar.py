"""What a change made in the calendar does to a talk (domain/talk_calendar.py), without a
database or Graph: moves follow, cancellations cancel (a signed talk stays signed), a missing
learner or another organiser asks for attention, the app's own writes change nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from plugin.domain.talk_calendar import (
    CANCELLED_IN_OUTLOOK,
    LEARNER_REMOVED,
    ORGANIZER_CHANGED,
    EventState,
)
from plugin.domain.talk_state import TalkStatus
from tests.domain.test_talk import NOW, START, make_talk

LEAD_MAIL, LEARNER_MAIL = "marco@contoso.example", "sem@contoso.example"


def event(**changes: object) -> EventState:
    state = EventState(
        change_key="ck-2",
        starts_at=START,
        ends_at=START + timedelta(minutes=45),
        cancelled=False,
        organizer=LEAD_MAIL,
        attendees=frozenset({LEARNER_MAIL}),
    )
    return replace(state, **changes)  # type: ignore[arg-type]


def test_a_moved_meeting_moves_the_planned_talk() -> None:
    talk = make_talk()
    later = START + timedelta(days=1)
    change = talk.apply_event(
        event(starts_at=later, ends_at=later + timedelta(hours=1)), LEAD_MAIL, LEARNER_MAIL, NOW
    )
    assert change.moved and not change.cancelled and change.attention is None
    assert (talk.starts_at, talk.ends_at) == (later, later + timedelta(hours=1))
    assert talk.event_change_key == "ck-2" and talk.event_sequence == 1


def test_the_apps_own_write_echoes_nothing() -> None:
    talk = make_talk()
    talk.event_written("ck-2")
    later = START + timedelta(days=1)
    change = talk.apply_event(
        event(starts_at=later, ends_at=later + timedelta(hours=1)), LEAD_MAIL, LEARNER_MAIL, NOW
    )
    assert not change.anything and talk.starts_at == START


@pytest.mark.parametrize("gone", ["cancelled", "deleted"])
def test_a_cancelled_or_deleted_meeting_cancels_the_talk_saying_why(gone: str) -> None:
    talk = make_talk()
    state = event(cancelled=True) if gone == "cancelled" else None
    change = talk.apply_event(state, LEAD_MAIL, LEARNER_MAIL, NOW)
    assert change.cancelled
    assert talk.status is TalkStatus.CANCELLED and talk.cancel_reason == CANCELLED_IN_OUTLOOK


@pytest.mark.parametrize("status", [TalkStatus.SIGNED, TalkStatus.CANCELLED])
def test_a_signed_or_cancelled_talk_is_left_as_it_is(status: TalkStatus) -> None:
    talk = make_talk(status=status)
    assert not talk.apply_event(None, LEAD_MAIL, LEARNER_MAIL, NOW).anything
    later = START + timedelta(days=1)
    moved = event(starts_at=later, ends_at=later + timedelta(hours=1))
    assert not talk.apply_event(moved, LEAD_MAIL, LEARNER_MAIL, NOW).moved
    assert talk.status is status and talk.starts_at == START


def test_a_held_talk_keeps_its_time_when_the_meeting_is_dragged_later() -> None:
    talk = make_talk(status=TalkStatus.HELD)
    later = START + timedelta(days=1)
    change = talk.apply_event(
        event(starts_at=later, ends_at=later + timedelta(hours=1)), LEAD_MAIL, LEARNER_MAIL, NOW
    )
    assert not change.moved and talk.starts_at == START


def test_the_learner_taken_off_the_invite_needs_attention_and_nothing_is_guessed() -> None:
    talk = make_talk()
    change = talk.apply_event(
        event(attendees=frozenset({"anna@contoso.example"})), LEAD_MAIL, LEARNER_MAIL, NOW
    )
    assert change.attention == LEARNER_REMOVED
    assert talk.calendar_attention == LEARNER_REMOVED and talk.status is TalkStatus.PLANNED
    # Invited again (a new change): the attention goes.
    again = talk.apply_event(event(change_key="ck-3"), LEAD_MAIL, LEARNER_MAIL, NOW)
    assert again.attention is None and talk.calendar_attention is None


def test_another_organiser_needs_attention() -> None:
    talk = make_talk()
    change = talk.apply_event(event(organizer="anna@contoso.example"), LEAD_MAIL, LEARNER_MAIL, NOW)
    assert change.attention == ORGANIZER_CHANGED


def test_subject_and_body_are_the_organisers_business() -> None:
    talk = make_talk()
    # A new changeKey with the same time and people: a subject or body edit.
    change = talk.apply_event(event(change_key="ck-9"), LEAD_MAIL, LEARNER_MAIL, NOW)
    assert not change.anything and talk.starts_at == START
    assert talk.event_change_key is None  # nothing of the talk changed, nor its version


def test_addresses_are_compared_without_case() -> None:
    talk = make_talk()
    state = event(organizer=LEAD_MAIL, attendees=frozenset({LEARNER_MAIL}))
    change = talk.apply_event(state, LEAD_MAIL.upper(), LEARNER_MAIL.title(), NOW)
    assert change.attention is None
