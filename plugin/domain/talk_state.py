"""The states a talk goes through, the roles in it, and a signature: plain values of `Talk`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TalkStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    SIGNED = "signed"
    CANCELLED = "cancelled"


class Role(StrEnum):
    LEAD = "lead"
    LEARNER = "learner"


class FollowUpStatus(StrEnum):
    NONE = "none"
    BOOKING = "booking"
    BOOKED = "booked"
    NEEDS_ATTENTION = "needs_attention"


class CalendarState(StrEnum):
    PENDING = "pending"
    SYNCED = "synced"
    FAILED = "failed"


@dataclass(eq=False)
class Signature:
    id: str
    talk_id: str
    person_id: str
    role: Role
    signed_at: datetime
