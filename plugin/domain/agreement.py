"""Agreements: what was agreed in a talk, by whom, by when, and whether both stand behind it.

The rules that involve the talk as a whole (locking after sign-off, who may confirm) live on
`Talk`; this module holds the agreement itself and the checks on its fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from plugin.domain.errors import InvalidInput
from plugin.domain.text import clean_text

MAX_WHAT = 500
MAX_REACTION = 2000
MAX_CLOSE_NOTE = 500


class Owner(StrEnum):
    LEAD = "lead"
    LEARNER = "learner"
    BOTH = "both"


class AgreementStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


def parse_owner(value: str) -> Owner:
    try:
        return Owner(value)
    except ValueError:
        raise InvalidInput("choice", "owner", choices=[o.value for o in Owner]) from None


def parse_status(value: str) -> AgreementStatus:
    try:
        return AgreementStatus(value)
    except ValueError:
        raise InvalidInput("choice", "status", choices=[s.value for s in AgreementStatus]) from None


def clean_what(value: str | None) -> str:
    return clean_text(value, "what", max_length=MAX_WHAT)


def clean_reaction(value: str | None) -> str:
    return clean_text(value, "reaction", max_length=MAX_REACTION, required=False)


def clean_close_note(value: str | None) -> str:
    return clean_text(value, "note", max_length=MAX_CLOSE_NOTE, required=False)


#: How far ahead a due date (or a talk) may lie: further is a typo, not a plan.
YEARS_AHEAD = 5


def latest_date(today: date) -> date:
    """The last day a plan may name: `YEARS_AHEAD` years from today (28 February for 29th)."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_due(due: date | None, today: date) -> date | None:
    """A due date is optional, but one in the past can never be kept."""
    if due is not None and due < today:
        raise InvalidInput("in_past", "due")
    if due is not None and due > latest_date(today):
        raise InvalidInput("too_far", "due", years=YEARS_AHEAD)
    return due


@dataclass(eq=False)
class Agreement:
    id: str
    talk_id: str
    position: int
    what: str
    owner: Owner
    due: date | None
    #: Who last wrote the wording; the other participant confirms it.
    author_id: str
    created_at: datetime
    updated_at: datetime
    status: AgreementStatus = AgreementStatus.OPEN
    reaction: str = ""
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    #: Who asked to strike this agreement; it goes once the other participant confirms.
    removal_requested_by: str | None = None
    #: When the agreement is closed from a later talk's preparation, which talk that was.
    closed_in_talk_id: str | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    #: What was said about it when it was closed or kept open in a later talk.
    close_note: str = ""
    #: Who first wrote it (`author_id` follows the latest wording).
    created_by: str = ""
    version: int = 1

    def __post_init__(self) -> None:
        if not self.created_by:
            self.created_by = self.author_id

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by is not None

    @property
    def settled(self) -> bool:
        """Both stand behind it as it is: its wording confirmed, no removal waiting."""
        return self.confirmed and self.removal_requested_by is None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "talk_id": self.talk_id,
            "position": self.position,
            "what": self.what,
            "owner": self.owner.value,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status.value,
            "reaction": self.reaction,
            "author_id": self.author_id,
            "confirmed": self.confirmed,
            "confirmed_by": self.confirmed_by,
            "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None,
            "removal_requested_by": self.removal_requested_by,
            "closed_in_talk_id": self.closed_in_talk_id,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "close_note": self.close_note,
            "created_by": self.created_by,
            "version": self.version,
            "updated_at": self.updated_at.isoformat(),
        }
