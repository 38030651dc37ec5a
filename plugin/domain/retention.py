"""How long a track's talks are kept (AVG): while the track is active, then a retention period.

The law sets no term for development-talk reports; the Autoriteit Persoonsgegevens' guidance,
as commonly cited, is about two years. So a track (every talk between one lead and one
learner) is kept while it is active, then `months` more, then deleted whole.

A track is **active** until its *last activity*, the latest of:

- the end of its last talk that was not cancelled (a talk still to come keeps it active);
- the last change of any of its talks or agreements (a sign-off, a cancellation, a progress
  note, an agreement closed later);
- the due date of an agreement still open (an agreement with a date ahead keeps it active).

An open agreement without a due date, or past it, keeps the track only from its last change:
an agreement nobody touched for the retention period does not hold a person's data forever.
The rule reads dates only, so the purge can find expired tracks from three aggregates each.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

#: The default retention period after a track's last activity, in months (two years).
DEFAULT_RETENTION_MONTHS = 24
#: The default for the audit log (who opened what): five years, long enough to answer a
#: question about who read a form during the talks' own period and after.
DEFAULT_AUDIT_RETENTION_MONTHS = 60


@dataclass(frozen=True)
class TrackFacts:
    """What the rule needs to know about one track (none of it personal)."""

    #: The end of the last talk that was not cancelled (None: every talk was cancelled).
    last_talk_end: datetime | None
    #: The last change of any of its talks or agreements.
    last_change: datetime | None
    #: The latest due date of its agreements still open (None: none open with a date).
    last_open_due: date | None


@dataclass(frozen=True)
class Verdict:
    expired: bool
    #: The track's last activity (None: nothing known, which counts as long ago).
    last_activity: datetime | None
    #: When it may be deleted: `months` after its last activity.
    delete_after: datetime | None
    #: Why: "upcoming_talk", "open_agreement", "recent_activity" (kept) or
    #: "retention_ended" (deleted).
    reason: str


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole months; the 31st becomes the month's last day."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def last_activity(facts: TrackFacts) -> datetime | None:
    moments = [m for m in (facts.last_talk_end, facts.last_change) if m is not None]
    if facts.last_open_due is not None:
        # The end of the due day, in UTC: a day is not over anywhere before then.
        moments.append(datetime.combine(facts.last_open_due, time.max, tzinfo=UTC))
    return max(moments) if moments else None


def verdict(facts: TrackFacts, now: datetime, months: int) -> Verdict:
    """Whether the track's retention has ended at `now`, and why (or why not)."""
    if months < 1:
        raise ValueError("the retention period is at least one month")
    last = last_activity(facts)
    if last is None:
        return Verdict(True, None, None, "retention_ended")
    delete_after = add_months(last, months)
    if delete_after <= now:
        return Verdict(True, last, delete_after, "retention_ended")
    if facts.last_talk_end is not None and facts.last_talk_end > now:
        reason = "upcoming_talk"
    elif facts.last_open_due is not None and last == last_activity(
        TrackFacts(None, None, facts.last_open_due)
    ):
        reason = "open_agreement"
    else:
        reason = "recent_activity"
    return Verdict(False, last, delete_after, reason)
