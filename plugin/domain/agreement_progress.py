"""Progress on an agreement between talks: done, dropped, stuck, picked up again, or a note.

The guide's last step is keeping to the agreements. Once a talk is signed its form is locked,
but life goes on: the owner finishes the course, the lead arranges the ride-along, something
gets in the way. Each such event is a dated entry in the agreement's own history, beside the
signed form and never in it (the form and its check code stay exactly as signed).

A status change also moves the agreement's `status` (done, dropped, open again), so every list
of open agreements agrees with the history. "Stuck" is its own kind: the agreement stays open,
and the lead can offer a check-in; it lasts until someone picks the agreement up again or
closes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from plugin.domain.agreement import Agreement, AgreementStatus
from plugin.domain.errors import Conflict, InvalidInput
from plugin.domain.rules import Act, require
from plugin.domain.talk_state import TalkStatus
from plugin.domain.text import clean_text

if TYPE_CHECKING:
    from plugin.domain.talk import Talk

#: A progress note says what happened in a few sentences; a report belongs in the next talk.
MAX_PROGRESS_NOTE = 1000


class ProgressKind(StrEnum):
    NOTE = "note"
    DONE = "done"
    DROPPED = "dropped"
    STUCK = "stuck"
    REOPENED = "reopened"


#: Which rule of the rules table each kind is.
ACT_OF = {
    ProgressKind.NOTE: Act.PROGRESS_NOTE,
    ProgressKind.DONE: Act.MARK_DONE,
    ProgressKind.DROPPED: Act.MARK_DROPPED,
    ProgressKind.STUCK: Act.MARK_STUCK,
    ProgressKind.REOPENED: Act.REOPEN,
}

#: A note is the entry itself; dropping an agreement made together needs a reason the other
#: can read. Done, stuck and picked up again may say why, but need not.
NOTE_REQUIRED = frozenset({ProgressKind.NOTE, ProgressKind.DROPPED})


@dataclass(eq=False)
class AgreementProgress:
    id: str
    agreement_id: str
    #: Its place in the agreement's history (1, 2, ...): entries of the same second keep order.
    position: int
    author_id: str
    kind: ProgressKind
    note: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "note": self.note,
            "author_id": self.author_id,
            "created_at": self.created_at.isoformat(),
        }


def parse_kind(value: str) -> ProgressKind:
    try:
        return ProgressKind(value)
    except ValueError:
        raise InvalidInput("choice", "kind", choices=[k.value for k in ProgressKind]) from None


def clean_progress_note(value: str | None, kind: ProgressKind) -> str:
    return clean_text(value, "note", max_length=MAX_PROGRESS_NOTE, required=kind in NOTE_REQUIRED)


def is_stuck(agreement: Agreement, history: Sequence[AgreementProgress]) -> bool:
    """Open, and the latest change of its state was "stuck" (notes change nothing)."""
    if agreement.status is not AgreementStatus.OPEN:
        return False
    changes = [e for e in history if e.kind is not ProgressKind.NOTE]
    return bool(changes) and changes[-1].kind is ProgressKind.STUCK


def with_progress(agreement: Agreement, history: Sequence[AgreementProgress]) -> dict[str, Any]:
    """The agreement as both see it after sign-off: as signed, its state, and its history."""
    return {
        **agreement.to_dict(),
        "stuck": is_stuck(agreement, history),
        "progress": [e.to_dict() for e in history],
    }


def _check_change(
    kind: ProgressKind, agreement: Agreement, history: Sequence[AgreementProgress]
) -> None:
    """A status change must change something: closing what is closed, or picking up what
    runs, is a client that missed a change (or never looked)."""
    is_open = agreement.status is AgreementStatus.OPEN
    if kind in (ProgressKind.DONE, ProgressKind.DROPPED, ProgressKind.STUCK) and not is_open:
        raise Conflict("progress_closed", "kind", current=with_progress(agreement, history))
    if kind is ProgressKind.STUCK and is_stuck(agreement, history):
        raise Conflict("progress_stuck", "kind", current=with_progress(agreement, history))
    if kind is ProgressKind.REOPENED and is_open and not is_stuck(agreement, history):
        raise Conflict("progress_running", "kind", current=with_progress(agreement, history))


def record_progress(
    talk: Talk,
    agreement_id: str,
    history: Sequence[AgreementProgress],
    *,
    by: str,
    kind: ProgressKind,
    note: str | None,
    expected_version: int,
    new_id: str,
    now: datetime,
    shown_in: Iterable[Talk] = (),
) -> AgreementProgress:
    """Record one step of progress on an agreement of the signed `talk` (with its `history`
    so far): the new entry, for the caller to store. The signed form is not touched.

    `shown_in`: the later talks whose agendas list the agreement ("what came of it?")."""
    role = talk.require_participant(by)
    if talk.status is not TalkStatus.SIGNED:
        raise Conflict("not_signed", "talk")
    item = talk.agreement(agreement_id)
    if item.version != expected_version:
        raise Conflict("stale", "version", current=with_progress(item, history))
    require(ACT_OF[kind], role, by, item)
    text = clean_progress_note(note, kind)
    _check_change(kind, item, history)
    if kind in (ProgressKind.DONE, ProgressKind.DROPPED):
        item.status = AgreementStatus.DONE if kind is ProgressKind.DONE else AgreementStatus.DROPPED
        # Closed between talks, not in one: no talk to name.
        item.closed_in_talk_id, item.closed_by, item.closed_at = None, by, now
    elif kind is ProgressKind.REOPENED and item.status is not AgreementStatus.OPEN:
        item.status = AgreementStatus.OPEN
        item.closed_in_talk_id = item.closed_by = None
        item.closed_at = None
    item.version += 1
    item.updated_at = now
    # Live panels and the talk pages follow each talk's version: they must see the entry.
    talk._touch(now)
    for later in shown_in:
        later._touch(now)
    return AgreementProgress(
        id=new_id,
        agreement_id=item.id,
        position=len(history) + 1,
        author_id=by,
        kind=kind,
        note=text,
        created_at=now,
    )
