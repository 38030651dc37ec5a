"""One follow-up per track: which talk follows up a signed talk, and when it may move earlier.

A track has at most one booked follow-up that has not been held. So when a talk is signed
while a later talk of its track is already planned, no other talk is booked: that planned
talk is the follow-up (its agenda takes the signed talk's open agreements, as any later
talk's does). It moves earlier only when it comes after the follow-up policy's window (the
policy wants it sooner), into a time in that window, and only when the app may move it: its
event is one the app booked, and nothing about it waits for the lead. Within the window or
before it, it is where the policy wants it already, and stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from plugin.domain.schedule import Interval
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus


def planned_follow_up(signed: Talk, track_talks: Iterable[Talk], now: datetime) -> Talk | None:
    """The talk of `signed`'s track that follows it up: the first one still planned, starting
    after `signed` and not started yet; None when there is none (then one is booked).

    Check-ins are left out (15 minutes about one agreement). A planned talk whose time has
    passed is left out: it was held without being marked so, or not held at all, and a
    follow-up in the past would be none.
    """
    later = [
        t
        for t in track_talks
        if t.track_id == signed.track_id
        and t.id != signed.id
        and t.status is TalkStatus.PLANNED
        # A 15-minute check-in about one agreement is not the track's follow-up.
        and t.check_in_of is None
        and _utc(t.starts_at) > _utc(signed.starts_at)
        and _utc(t.starts_at) > _utc(now)
    ]
    return min(later, key=lambda t: (_utc(t.starts_at), t.id), default=None)


def event_is_ours(talk: Talk) -> bool:
    """The app booked the talk's event, so it may move or rewrite it: not so for the
    organiser's own Outlook appointment, or a meeting they booked that the talk is held in."""
    if talk.event_from_outlook:
        return False
    return not (talk.event_id is None and talk.meeting_chat_id is not None)


def earlier_span(wanted: Interval, follow_up: Talk) -> Interval | None:
    """Where to look for an earlier time for a follow-up that is planned already: `wanted`
    (the policy's window, or the time the two chose) when the follow-up starts after it.

    None when it stays where it is: it starts within `wanted` or before (where the policy
    wants it already), or the app may not move it (not planned, not our event, or its event
    waits for the lead's attention).
    """
    if follow_up.status is not TalkStatus.PLANNED or not event_is_ours(follow_up):
        return None
    if follow_up.calendar_attention is not None:
        return None
    if _utc(follow_up.starts_at) < _utc(wanted.end):
        return None
    return wanted


def _utc(moment: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo compare on their wall-clock values (wrong around DST).
    return moment.astimezone(UTC)
