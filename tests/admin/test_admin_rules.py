"""The admin rules: who is an admin, and when a talk lags behind (working days count)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from plugin.domain.admin import (
    ADMIN_ROLE,
    Lateness,
    TalkTimes,
    admin_addresses,
    is_admin,
    lateness,
)
from plugin.domain.schedule import WorkingHours
from plugin.domain.talk_state import FollowUpStatus, TalkStatus
from plugin.settings import Settings, describe

HOURS = WorkingHours()
#: Thursday 4 March 2027, 10:00 in Amsterdam.
TALK = datetime(2027, 3, 4, 9, 0, tzinfo=UTC)


def test_admins_by_address_without_case_or_spaces_or_by_the_app_role() -> None:
    addresses = admin_addresses(" HR@Example.test, ,owner@example.test ")
    assert addresses == frozenset({"hr@example.test", "owner@example.test"})
    assert is_admin("hr@example.TEST", [], addresses)
    assert not is_admin("marco@example.test", [], addresses)
    assert is_admin("marco@example.test", [ADMIN_ROLE], frozenset())
    assert not is_admin("marco@example.test", ["Ontwikkelgesprek.Reader"], admin_addresses(None))


def times(
    status: TalkStatus, follow_up: FollowUpStatus = FollowUpStatus.NONE, *, check_in: bool = False
) -> TalkTimes:
    return TalkTimes(status, TALK, TALK + timedelta(hours=1), follow_up, check_in)


@pytest.mark.parametrize(
    ("talk", "days_later", "expected"),
    [
        (times(TalkStatus.PLANNED), 0, None),  # the same day: it may still be marked held
        (times(TalkStatus.PLANNED), 1, Lateness.NOT_HELD),
        (times(TalkStatus.PLANNED, check_in=True), 1, Lateness.NOT_HELD),
        # Thursday + 5 working days is the next Thursday; late from the day after.
        (times(TalkStatus.HELD), 7, None),
        (times(TalkStatus.HELD), 8, Lateness.NOT_SIGNED),
        (times(TalkStatus.HELD, check_in=True), 30, None),
        (times(TalkStatus.SIGNED, FollowUpStatus.NEEDS_ATTENTION), 0, Lateness.NO_FOLLOW_UP),
        (times(TalkStatus.SIGNED, FollowUpStatus.BOOKED), 90, None),
        (times(TalkStatus.SIGNED, check_in=True), 90, None),
        (times(TalkStatus.CANCELLED), 90, None),
    ],
)
def test_when_a_talk_lags_behind(
    talk: TalkTimes, days_later: int, expected: Lateness | None
) -> None:
    assert lateness(talk, TALK + timedelta(days=days_later), HOURS) == expected


def test_the_admins_setting_takes_addresses_only(tmp_path: Path) -> None:
    def load(value: str) -> Settings:
        return Settings(data_dir=tmp_path, admins=value, _env_file=None)  # type: ignore[call-arg]

    assert load(" hr@example.nl, owner@example.nl ").admins is not None
    assert load("  ").admins is None
    with pytest.raises(ValidationError) as refused:
        load("hr@example.nl, not an address")
    assert "ONTWIKKELGESPREK_ADMINS" in describe(refused.value)
