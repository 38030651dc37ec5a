"""A talk series: a recurring meeting in Outlook where every occurrence is a talk of its own
(its own preparation, panel, form and follow-up), all in one track, so that what was agreed
in one is on the agenda of the next.

Occurrences become talks as they come within `WINDOW` of now, not all at once: a weekly
series with no end would otherwise make talks for years. An occurrence is known by its
original start (the time the series' pattern gives it), which stays the same when that one
occurrence is moved. When the whole series moves, every occurrence gets a new original start;
the talks not yet held then follow the new occurrences in order (`follow_series_move`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from plugin.domain.talk import Talk
from plugin.domain.talk_calendar import EventState
from plugin.domain.talk_state import TalkStatus

#: How far ahead occurrences become talks.
WINDOW = timedelta(weeks=8)


@dataclass(frozen=True)
class Occurrence:
    """One meeting of a series, as the calendar has it now."""

    event_id: str
    original_start: datetime
    state: EventState


@dataclass(eq=False)
class TalkSeries:
    id: str
    tenant_id: str
    track_id: str
    lead_id: str
    learner_id: str
    #: The series' master event in the lead's calendar (Graph's immutable id).
    master_event_id: str
    title: str
    template_id: str
    created_at: datetime
    updated_at: datetime
    goals: list[str] = field(default_factory=list)
    own_goal: str = ""
    join_url: str | None = None
    #: One chat for every occurrence: the meeting tab shows the occurrence on now or next.
    meeting_chat_id: str | None = None
    #: False once the series ended in Outlook or the lead unlinked it: no more talks are made.
    active: bool = True
    version: int = 1

    def due(
        self, occurrences: Iterable[Occurrence], made: Iterable[datetime], now: datetime
    ) -> list[Occurrence]:
        """Occurrences within the window, not over, not cancelled, without a talk yet."""
        if not self.active:
            return []
        have = set(made)
        horizon = now + WINDOW
        return sorted(
            (
                o
                for o in occurrences
                if o.original_start not in have
                and not o.state.cancelled
                and o.state.ends_at > now
                and o.state.starts_at <= horizon
            ),
            key=lambda o: o.state.starts_at,
        )

    def ended(self, now: datetime) -> None:
        self.active = False
        self.updated_at = now


def now_or_next(talks: Sequence[Talk], now: datetime) -> Talk | None:
    """Of talks in time order, the one on now, else the next one; else the last (cancelled
    ones left out): what a recurring meeting's tab opens."""
    held = [t for t in talks if t.status is not TalkStatus.CANCELLED]
    current = [t for t in held if t.ends_at > now]
    return current[0] if current else (held[-1] if held else None)


@dataclass(frozen=True)
class SeriesTalk:
    """What matching needs of a talk in the series."""

    talk_id: str
    original_start: datetime
    starts_at: datetime
    #: Still planned: held and signed talks keep the occurrence they were.
    open: bool


def follow_series_move(
    talks: Sequence[SeriesTalk], occurrences: Sequence[Occurrence], now: datetime
) -> dict[str, Occurrence]:
    """After the whole series moved, which new occurrence each open talk now is.

    Talks whose original start is still an occurrence keep it. The other open talks that lie
    ahead take, in order, the future occurrences that no talk has: the first open talk the
    first free occurrence, and so on. A talk left without one (the series got shorter) is not
    in the answer.
    """
    known = {o.original_start for o in occurrences}
    taken = {t.original_start for t in talks if t.original_start in known}
    free = sorted(
        (o for o in occurrences if o.original_start not in taken and o.state.ends_at > now),
        key=lambda o: o.state.starts_at,
    )
    lost = sorted(
        (t for t in talks if t.open and t.original_start not in known),
        key=lambda t: t.starts_at,
    )
    return {talk.talk_id: occurrence for talk, occurrence in zip(lost, free, strict=False)}
