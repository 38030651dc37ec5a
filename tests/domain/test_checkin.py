"""Check-ins (domain/checkin.py), without a database: the lead's decision, what a check-in
agreed and who confirms it; a check-in is never the track's follow-up, needs no sign-off and
is a to-do for the lead only."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugin.domain.agreement import Agreement, AgreementStatus, Owner
from plugin.domain.checkin import CheckIn, CheckInReason, CheckInState, is_open
from plugin.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from plugin.domain.followup_rules import planned_follow_up
from plugin.domain.schedule import WorkingHours
from plugin.domain.talk_state import TalkStatus
from plugin.domain.todo import TodoKind, todos
from tests.domain.test_talk import LEAD, LEARNER, NAMES, START, STRANGER, make_talk

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2027, 3, 11, 9, tzinfo=AMS)
TODAY = date(2027, 3, 11)


def proposal(**overrides: object) -> CheckIn:
    values: dict[str, object] = {
        "id": "check-in-1",
        "tenant_id": "local",
        "agreement_id": "agreement-1",
        "talk_id": "talk-1",
        "track_id": "track-1",
        "lead_id": LEAD,
        "learner_id": LEARNER,
        "reason": CheckInReason.OVERDUE,
        "reason_key": "2027-03-10",
        "created_at": NOW,
        "updated_at": NOW,
        "slot_start": NOW,
        "slot_end": NOW + timedelta(minutes=15),
    }
    values.update(overrides)
    return CheckIn(**values)  # type: ignore[arg-type]


def agreement(**overrides: object) -> Agreement:
    values: dict[str, object] = {
        "id": "agreement-1",
        "talk_id": "talk-1",
        "position": 1,
        "what": "Sem loopt een dag mee",
        "owner": Owner.LEARNER,
        "due": date(2027, 3, 10),
        "status": AgreementStatus.OPEN,
        "author_id": LEAD,
        "created_by": LEAD,
        "created_at": NOW,
        "updated_at": NOW,
        "version": 2,
    }
    values.update(overrides)
    return Agreement(**values)  # type: ignore[arg-type]


def test_only_the_lead_accepts_or_dismisses_once_on_the_version_read() -> None:
    offer = proposal()
    with pytest.raises(NotFound):
        offer.accept(STRANGER, 1, NOW)
    with pytest.raises(NotAllowed):
        offer.dismiss(LEARNER, 1, NOW)
    with pytest.raises(Conflict) as stale:
        offer.accept(LEAD, 2, NOW)
    assert stale.value.code == "stale"
    offer.accept(LEAD, 1, NOW)
    assert offer.state is CheckInState.ACCEPTED
    with pytest.raises(Conflict) as decided:
        offer.dismiss(LEAD, 1, NOW)
    assert decided.value.code == "check_in_decided"


def test_open_while_waiting_or_accepted_and_not_over() -> None:
    assert is_open(proposal(), check_in_talk_ended=False)
    assert not is_open(proposal(state=CheckInState.DISMISSED), check_in_talk_ended=False)
    accepted = proposal(state=CheckInState.ACCEPTED)
    assert is_open(accepted, check_in_talk_ended=False)
    assert not is_open(accepted, check_in_talk_ended=True)


def booked() -> CheckIn:
    offer = proposal(state=CheckInState.ACCEPTED)
    offer.booked("check-in-talk", NOW, NOW + timedelta(minutes=15))
    return offer


def test_a_new_due_date_counts_once_the_other_confirms() -> None:
    offer, item = booked(), agreement()
    offer.propose_outcome(
        LEARNER, 1, item, what=None, due=date(2027, 3, 24), held=True, today=TODAY, now=NOW
    )
    assert item.due == date(2027, 3, 10)
    with pytest.raises(NotAllowed):
        offer.confirm_outcome(LEARNER, 1, item, NOW)
    offer.confirm_outcome(LEAD, 1, item, NOW)
    assert (item.due, item.what, item.version) == (date(2027, 3, 24), "Sem loopt een dag mee", 3)
    with pytest.raises(Conflict):
        offer.confirm_outcome(LEAD, 1, item, NOW)  # confirmed already


def test_new_wording_takes_the_agreement_rules() -> None:
    offer, item = booked(), agreement()
    offer.propose_outcome(
        LEAD, 1, item, what="  Sem loopt in april een dag mee ", due=None, held=True,
        today=TODAY, now=NOW,
    )  # fmt: skip
    offer.confirm_outcome(LEARNER, 1, item, NOW)
    assert (item.what, item.due) == ("Sem loopt in april een dag mee", date(2027, 3, 10))


@pytest.mark.parametrize(
    ("what", "due", "error"),
    [
        (None, None, InvalidInput),
        ("", None, InvalidInput),
        ("x" * 501, None, InvalidInput),
        (None, date(2027, 3, 1), InvalidInput),  # in the past
        ("Sem loopt een dag mee", None, InvalidInput),  # nothing changes
    ],
)
def test_an_outcome_must_be_a_valid_change(
    what: str | None, due: date | None, error: type[Exception]
) -> None:
    offer, item = booked(), agreement()
    with pytest.raises(error):
        offer.propose_outcome(LEAD, 1, item, what=what, due=due, held=True, today=TODAY, now=NOW)
    assert offer.outcome_by is None


def test_the_same_date_is_no_change() -> None:
    item = agreement(due=date(2027, 3, 20))
    for what in (None, "Sem loopt een dag mee"):
        with pytest.raises(InvalidInput) as refused:
            booked().propose_outcome(
                LEAD, 1, item, what=what, due=date(2027, 3, 20), held=True, today=TODAY, now=NOW
            )
        assert refused.value.code == "unchanged"


def test_no_outcome_before_the_check_in_was_held_or_for_a_closed_agreement() -> None:
    item = agreement()
    with pytest.raises(Conflict):
        booked().propose_outcome(
            LEAD, 1, item, what=None, due=date(2027, 4, 1), held=False, today=TODAY, now=NOW
        )
    with pytest.raises(Conflict):
        proposal().propose_outcome(
            LEAD, 1, item, what=None, due=date(2027, 4, 1), held=True, today=TODAY, now=NOW
        )
    with pytest.raises(Conflict):
        booked().propose_outcome(
            LEAD, 1, agreement(status=AgreementStatus.DONE), what=None, due=date(2027, 4, 1),
            held=True, today=TODAY, now=NOW,
        )  # fmt: skip


def test_a_check_in_is_never_the_tracks_follow_up() -> None:
    signed = make_talk(id="signed", status=TalkStatus.SIGNED)
    check_in = make_talk(
        id="check-in",
        starts_at=START + timedelta(days=3),
        ends_at=START + timedelta(days=3, minutes=15),
        check_in_of="agreement-1",
    )
    later = make_talk(
        id="later",
        starts_at=START + timedelta(days=20),
        ends_at=START + timedelta(days=20, hours=1),
    )
    assert planned_follow_up(signed, [check_in], START + timedelta(days=1)) is None
    assert planned_follow_up(signed, [check_in, later], START + timedelta(days=1)) is later


def test_a_check_in_needs_no_sign_off() -> None:
    check_in = make_talk(check_in_of="agreement-1")
    with pytest.raises(Conflict) as refused:
        check_in.sign(
            LEAD, shown_hash="", new_id="s-1", now=START + timedelta(hours=1), names=NAMES
        )
    assert refused.value.code == "check_in_no_sign"
    # Nor is it a "sign" to-do once it ended, or a "prepare" one before.
    after = START + timedelta(days=2)
    assert [t.kind for t in todos(LEAD, [check_in], [], after, WorkingHours())] == []
    before = START - timedelta(hours=2)
    assert [t.kind for t in todos(LEAD, [check_in], [], before, WorkingHours())] == []
    plain = make_talk()
    assert [t.kind for t in todos(LEAD, [plain], [], before, WorkingHours())] == [TodoKind.PREPARE]


def test_a_proposal_is_the_leads_to_do_only() -> None:
    offer, item = proposal(), agreement()
    [todo] = todos(LEAD, [], [], NOW, WorkingHours(), [(offer, item)])
    assert (todo.kind, todo.agreement_id, todo.check_in) == (TodoKind.CHECK_IN, item.id, offer)
    assert todos(LEARNER, [], [], NOW, WorkingHours(), [(offer, item)]) == []
