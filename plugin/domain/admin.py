"""Who is an admin (HR, the app's owner), and which talks an admin sees as late.

An admin is named by configuration: an e-mail address in `ONTWIKKELGESPREK_ADMINS` (local
mode, and Microsoft mode as a fallback), or in Microsoft mode the Entra app role
`Ontwikkelgesprek.Admin` in the Teams SSO token's `roles` claim. An admin manages the
organisation's terms and sees which talks lag behind, never what was said in them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from plugin.domain.schedule import WorkingHours
from plugin.domain.talk_state import FollowUpStatus, TalkStatus

#: The Entra app role (its "value") that makes a person an admin in Microsoft mode.
ADMIN_ROLE = "Ontwikkelgesprek.Admin"
#: A held talk still unsigned after this many working days counts as late.
SIGN_WITHIN_WORKING_DAYS = 5
#: What an admin may set: whole months to keep talks and the audit log, and whole weeks
#: between a signed talk and its follow-up.
MONTHS_MIN, MONTHS_MAX = 1, 1200
WEEKS_MIN, WEEKS_MAX = 1, 52


def admin_addresses(configured: str | None) -> frozenset[str]:
    """The configured comma-separated addresses, compared without case or spaces."""
    return frozenset(a.strip().casefold() for a in (configured or "").split(",") if a.strip())


def is_admin(email: str, roles: Iterable[str], addresses: frozenset[str]) -> bool:
    """An admin: the app role in the token, or an address the configuration names."""
    return ADMIN_ROLE in set(roles) or email.strip().casefold() in addresses


class Lateness(StrEnum):
    #: Its time passed, but nobody marked it held or signed it.
    NOT_HELD = "not_held"
    #: Held, but not signed by both after `SIGN_WITHIN_WORKING_DAYS` working days.
    NOT_SIGNED = "not_signed"
    #: Signed, but no follow-up talk is booked.
    NO_FOLLOW_UP = "no_follow_up"


@dataclass(frozen=True)
class TalkTimes:
    """What lateness is judged on: a talk's state and dates, nothing of its contents."""

    status: TalkStatus
    starts_at: datetime
    ends_at: datetime
    follow_up_status: FollowUpStatus
    #: A check-in (about one agreement) needs no sign-off and no follow-up.
    check_in: bool


def lateness(talk: TalkTimes, now: datetime, hours: WorkingHours) -> Lateness | None:
    """How `talk` lags behind at `now`, or None when it is on time (or cancelled)."""
    today = hours.local_date(now)
    ended_on = hours.local_date(talk.ends_at)
    if talk.status is TalkStatus.PLANNED and ended_on < today:
        return Lateness.NOT_HELD
    if talk.check_in:
        return None
    if talk.status is TalkStatus.HELD:
        due = hours.add_working_days(ended_on, SIGN_WITHIN_WORKING_DAYS)
        return Lateness.NOT_SIGNED if due < today else None
    if talk.status is TalkStatus.SIGNED and talk.follow_up_status is not FollowUpStatus.BOOKED:
        return Lateness.NO_FOLLOW_UP
    return None
