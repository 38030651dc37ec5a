"""When a reminder goes out: one moment per occasion, always within working hours.

The occasions are the overview's to-dos seen from the calendar (`domain/todo.py` names the
same ones, with the same working-day distances):

- `prepare`: a talk in `PREPARE_WORKING_DAYS` working days: at the start of that working day;
- `sign`: a talk held but not signed `SIGN_AFTER_WORKING_DAYS` working days after its end: at
  the start of that working day;
- `due_soon`: an agreement due in `DUE_SOON_WORKING_DAYS` working days: at the start of that
  working day;
- `overdue`: an agreement past its due date: at the start of the next working day;
- `check_in`: a check-in proposed: as soon as working hours allow.

An occasion is named by what it is about and the fact that makes it one (the talk's start,
its end, the agreement's due date): when a talk moves or a due date changes, that is a new
occasion, and the old one's reminder never comes. Nothing goes out at night, at the weekend
or on a holiday: a moment outside working hours moves to the next working morning, in the
organisation's zone, so daylight-saving days come out right.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from plugin.domain.schedule import WorkingHours
from plugin.domain.todo import DUE_SOON_WORKING_DAYS, PREPARE_WORKING_DAYS

#: A talk not signed this many working days after its end gets a reminder to sign.
SIGN_AFTER_WORKING_DAYS = 2
#: An agreement that went overdue longer ago than this (the app was off) is not reminded of
#: any more: its owner sees it on the overview.
OVERDUE_LOOKBACK = timedelta(days=14)
#: Likewise a talk left unsigned.
SIGN_LOOKBACK = timedelta(days=30)
#: How long a recorded occasion is kept past the last moment a scan could look for it
#: (`forget_after`).
FORGET_MARGIN = timedelta(days=30)


class ReminderKind(StrEnum):
    PREPARE = "prepare"
    SIGN = "sign"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    CHECK_IN = "check_in"


@dataclass(frozen=True)
class Occasion:
    """One reason to remind someone, once."""

    kind: ReminderKind
    #: The talk's id (prepare, sign) or the agreement's (due soon, overdue, check-in).
    subject_id: str
    #: What makes it this occasion: the talk's start or end, the due date (ISO text).
    key: str
    #: When it goes out (UTC, within working hours).
    at: datetime


def working_moment(moment: datetime, hours: WorkingHours) -> datetime:
    """`moment` if it falls within working hours, else the start of the next working day."""
    day = hours.local_date(moment)
    if hours.is_working_day(day):
        span = hours.day_interval(day)
        if moment < span.start:
            return span.start.astimezone(UTC)
        if moment < span.end:
            return moment.astimezone(UTC)
    return _morning(hours.add_working_days(day, 1), hours)


def _morning(day: date, hours: WorkingHours) -> datetime:
    return hours.day_interval(day).start.astimezone(UTC)


def prepare(talk_id: str, starts_at: datetime, hours: WorkingHours) -> Occasion:
    """A talk on day D: the morning of the working day `PREPARE_WORKING_DAYS` before D (a talk
    planned later than that: as soon as working hours allow; `working_moment` of now)."""
    day = hours.add_working_days(hours.local_date(starts_at), -PREPARE_WORKING_DAYS)
    return Occasion(ReminderKind.PREPARE, talk_id, moment_key(starts_at), _morning(day, hours))


def sign(talk_id: str, ends_at: datetime, hours: WorkingHours) -> Occasion:
    day = hours.add_working_days(hours.local_date(ends_at), SIGN_AFTER_WORKING_DAYS)
    return Occasion(ReminderKind.SIGN, talk_id, moment_key(ends_at), _morning(day, hours))


def due_soon(agreement_id: str, due: date, hours: WorkingHours) -> Occasion:
    day = hours.add_working_days(due, -DUE_SOON_WORKING_DAYS)
    return Occasion(ReminderKind.DUE_SOON, agreement_id, due.isoformat(), _morning(day, hours))


def overdue(agreement_id: str, due: date, hours: WorkingHours) -> Occasion:
    day = hours.add_working_days(due, 1)
    return Occasion(ReminderKind.OVERDUE, agreement_id, due.isoformat(), _morning(day, hours))


def check_in(agreement_id: str, proposed_at: datetime, hours: WorkingHours) -> Occasion:
    return Occasion(
        ReminderKind.CHECK_IN,
        agreement_id,
        moment_key(proposed_at),
        working_moment(proposed_at, hours),
    )


def send_at(occasion: Occasion, now: datetime, hours: WorkingHours) -> datetime | None:
    """When to send a due occasion found at `now`: its moment, or, when that has passed (the
    talk was planned late, the worker was down), the next moment within working hours. None
    while it is not due yet."""
    if occasion.at > now:
        return None
    return working_moment(now, hours)


def moment_key(moment: datetime) -> str:
    """How a moment names an occasion (the talk's start or end)."""
    return moment.astimezone(UTC).isoformat()


def forget_after(kind: ReminderKind, key: str) -> datetime:
    """From when the record of an occasion can go: no scan can find it again.

    Why that is safe. The scan looks an occasion up only while its key lies in a window that
    moves forward with the clock, and the key never changes (a talk moved or a due date
    changed is a new key, `Occasion`):

    - due soon: agreements due on or after today (the local date): key D stops being asked
      for after day D;
    - overdue: due on or after today - `OVERDUE_LOOKBACK`: after day D + 14 days;
    - prepare: talks starting after now: after the start (the key);
    - sign: talks that ended at or after now - `SIGN_LOOKBACK`: after the end + 30 days;
    - check-in: never (a proposal is found once, by the check-ins' own record; its occasion
      row only records it).

    Past that edge no scan, on any worker, can ask for that (subject, key) again, whatever
    happens to the subject later, so a forgotten occasion cannot be found, nor its reminder
    sent, a second time. A local date ends at most 14 hours after the UTC day of that date:
    the dates' edges are taken a day later. `FORGET_MARGIN` is added on top: for a clock set
    back, a zone changed in the settings, a lookback made longer in a later release. Jobs
    already enqueued do not depend on the record: they check their reminder still holds.
    """
    if kind in (ReminderKind.DUE_SOON, ReminderKind.OVERDUE):
        due = date.fromisoformat(key)
        lookback = OVERDUE_LOOKBACK if kind is ReminderKind.OVERDUE else timedelta(0)
        edge = datetime.combine(due + lookback + timedelta(days=2), time(0), tzinfo=UTC)
    else:
        edge = datetime.fromisoformat(key).astimezone(UTC)
        if kind is ReminderKind.SIGN:
            edge += SIGN_LOOKBACK
    return edge + FORGET_MARGIN
