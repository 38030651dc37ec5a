"""What should I do now? The overview's to-dos, most urgent first.

The rules, one per kind (the reminders name the same occasions):

- `overdue`: my open agreement of a signed talk, past its due date;
- `confirm`: an agreement in a talk not yet signed that the other wrote or reworded (or asked
  to strike) and I have not confirmed;
- `sign`: a talk held or past its end that I have not signed (not while I still have to
  confirm something in it: that comes first, and leads to the same talk);
- `check_in`: for the lead, a proposed check-in (domain/checkin.py) to accept or dismiss;
- `prepare`: my planned talk within `PREPARE_WORKING_DAYS` working days, without my saved
  preparation;
- `due_soon`: my open agreement of a signed talk, due within `DUE_SOON_WORKING_DAYS` working
  days.

"My agreement" is one I own, alone or together with the other (`is_mine`). Working days are
the organisation's (`WorkingHours`, from the follow-up policy), counted from today's date in
its zone: on a Saturday, five working days reach the Friday after.

Order: first what is late already (overdue, confirm, sign, check-in, in that order; within a
kind the oldest first), then what is coming, by the day it is for (a preparation before an
agreement due the same day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from plugin.domain.agreement import Agreement, AgreementStatus, Owner
from plugin.domain.checkin import CheckIn
from plugin.domain.rules import Act, may
from plugin.domain.schedule import WorkingHours
from plugin.domain.talk import Talk
from plugin.domain.talk_state import Role, TalkStatus

#: A talk this close (in working days) asks for my preparation.
PREPARE_WORKING_DAYS = 2
#: An agreement due this close (in working days) is "due soon".
DUE_SOON_WORKING_DAYS = 5


class TodoKind(StrEnum):
    OVERDUE = "overdue"
    CONFIRM = "confirm"
    SIGN = "sign"
    CHECK_IN = "check_in"
    PREPARE = "prepare"
    DUE_SOON = "due_soon"


#: Late kinds, most urgent first; the others are ordered by the day they are for.
_LATE = (TodoKind.OVERDUE, TodoKind.CONFIRM, TodoKind.SIGN, TodoKind.CHECK_IN)
_COMING = (TodoKind.PREPARE, TodoKind.DUE_SOON)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Todo:
    kind: TodoKind
    talk_id: str
    #: The agreement's wording, or the talk's title.
    title: str
    agreement_id: str | None = None
    #: An agreement's due date.
    due: date | None = None
    #: The talk's start, for a to-do about the talk (prepare, sign) or in it (confirm); the
    #: time proposed for a check-in.
    starts_at: datetime | None = None
    #: The proposal a `check_in` to-do is about.
    check_in: CheckIn | None = None


def is_mine(agreement: Agreement, role: Role) -> bool:
    """Whether a participant in `role` has to keep the agreement (alone or together)."""
    return agreement.owner is Owner.BOTH or agreement.owner.value == role.value


def _waits_for(agreement: Agreement, role: Role, me: str) -> bool:
    """The other wrote this wording and I have not confirmed it, or asked to strike it."""
    if agreement.removal_requested_by is not None:
        return agreement.removal_requested_by != me
    return not agreement.confirmed and may(Act.CONFIRM_WORDING, role, me, agreement)


def _talk_todos(
    me: str, talk: Talk, now: datetime, last_prepare_day: date, hours: WorkingHours
) -> list[Todo]:
    role = talk.role_of(me)
    if role is None or talk.status not in (TalkStatus.PLANNED, TalkStatus.HELD):
        return []
    confirm = [
        Todo(TodoKind.CONFIRM, talk.id, a.what, a.id, a.due, talk.starts_at)
        for a in sorted(talk.agreements, key=lambda a: a.position)
        if _waits_for(a, role, me)
    ]
    out = list(confirm)
    ended = talk.status is TalkStatus.HELD or talk.ends_at <= now
    # While I still have to confirm, the talk cannot be signed: one action, not two.
    # A check-in needs no sign-off.
    if ended and not confirm and talk.signature_of(me) is None and talk.check_in_of is None:
        out.append(Todo(TodoKind.SIGN, talk.id, talk.title, starts_at=talk.starts_at))
    prepared = any(p.person_id == me for p in talk.preparations)
    if (
        talk.status is TalkStatus.PLANNED
        # A check-in is about one agreement: nothing to prepare.
        and talk.check_in_of is None
        and now < talk.starts_at
        and hours.local_date(talk.starts_at) <= last_prepare_day
        and not prepared
    ):
        out.append(Todo(TodoKind.PREPARE, talk.id, talk.title, starts_at=talk.starts_at))
    return out


def _agreement_todo(
    me: str, agreement: Agreement, talk: Talk, today: date, last_due_day: date
) -> Todo | None:
    role = talk.role_of(me)
    if (
        role is None
        or talk.status is not TalkStatus.SIGNED
        or agreement.status is not AgreementStatus.OPEN
        or agreement.due is None
        or not is_mine(agreement, role)
    ):
        return None
    if agreement.due < today:
        kind = TodoKind.OVERDUE
    elif agreement.due <= last_due_day:
        kind = TodoKind.DUE_SOON
    else:
        return None
    return Todo(kind, talk.id, agreement.what, agreement.id, agreement.due)


def _sort_key(todo: Todo, hours: WorkingHours) -> tuple[int, int, date, int, str, str]:
    # An agreement is placed by its due date, a talk by its day; ties by time, then title.
    on_agreement = todo.kind in (TodoKind.OVERDUE, TodoKind.DUE_SOON)
    moment = todo.starts_at.astimezone(UTC).isoformat() if todo.starts_at else ""
    day = todo.due if on_agreement and todo.due else hours.local_date(todo.starts_at or _EPOCH)
    if todo.kind in _LATE:
        return (0, _LATE.index(todo.kind), day, 0, moment, todo.title)
    return (1, 0, day, _COMING.index(todo.kind), moment, todo.title)


def todos(
    me: str,
    talks: Iterable[Talk],
    open_agreements: Iterable[tuple[Agreement, Talk]],
    now: datetime,
    hours: WorkingHours,
    check_ins: Iterable[tuple[CheckIn, Agreement]] = (),
) -> list[Todo]:
    """My to-dos from my talks, the open agreements of signed talks in my tracks, and the
    check-ins proposed to me (as the lead)."""
    today = hours.local_date(now)
    last_prepare_day = hours.add_working_days(today, PREPARE_WORKING_DAYS)
    last_due_day = hours.add_working_days(today, DUE_SOON_WORKING_DAYS)
    found: list[Todo] = []
    for talk in talks:
        found += _talk_todos(me, talk, now, last_prepare_day, hours)
    for agreement, talk in open_agreements:
        item = _agreement_todo(me, agreement, talk, today, last_due_day)
        if item is not None:
            found.append(item)
    found += [
        Todo(
            TodoKind.CHECK_IN,
            check_in.talk_id,
            agreement.what,
            agreement.id,
            agreement.due,
            check_in.slot_start,
            check_in,
        )
        for check_in, agreement in check_ins
        if check_in.lead_id == me
    ]
    return sorted(found, key=lambda todo: _sort_key(todo, hours))
