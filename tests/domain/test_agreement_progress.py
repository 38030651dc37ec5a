"""Progress on agreements after sign-off, without a database: every cell of its rules, the
state changes each kind makes, and that the signed form stays exactly as signed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from plugin.domain.agreement import AgreementStatus, Owner
from plugin.domain.agreement_progress import (
    MAX_PROGRESS_NOTE,
    AgreementProgress,
    ProgressKind,
    is_stuck,
    record_progress,
)
from plugin.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from plugin.domain.form import form_intact
from plugin.domain.talk import Talk
from tests.domain.test_talk import (
    LATER,
    LEAD,
    LEARNER,
    NAMES,
    STRANGER,
    add,
    make_talk,
    new_id,
    signed_talk,
)

PEOPLE = (LEAD, LEARNER)
STATUS_KINDS = [ProgressKind.DONE, ProgressKind.STUCK, ProgressKind.DROPPED]
AFTER = LATER + timedelta(days=3)


def step(
    talk: Talk,
    history: list[AgreementProgress],
    kind: ProgressKind,
    by: str = LEAD,
    note: str | None = "Zo gaat het",
    **kw: Any,
) -> AgreementProgress:
    item = talk.agreements[0]
    entry = record_progress(
        talk,
        item.id,
        history,
        by=by,
        kind=kind,
        note=note,
        expected_version=kw.pop("expected_version", item.version),
        new_id=new_id(),
        now=kw.pop("now", AFTER),
    )
    history.append(entry)
    return entry


def _allowed(call: Any) -> bool:
    try:
        call()
    except NotAllowed:
        return False
    return True


# -- every cell of the rules table ------------------------------------------------------------


@pytest.mark.parametrize("owner", list(Owner))
@pytest.mark.parametrize("by", PEOPLE)
@pytest.mark.parametrize("kind", STATUS_KINDS)
def test_status_changes_are_for_the_owner_or_the_lead(
    owner: Owner, by: str, kind: ProgressKind
) -> None:
    talk = signed_talk()
    talk.agreements[0].owner = owner
    allowed = _allowed(lambda: step(talk, [], kind, by=by))
    assert allowed is (by == LEAD or owner in (Owner.BOTH, Owner.LEARNER))


@pytest.mark.parametrize("owner", list(Owner))
@pytest.mark.parametrize("by", PEOPLE)
@pytest.mark.parametrize("closed_by", [ProgressKind.DONE, ProgressKind.DROPPED, ProgressKind.STUCK])
def test_picking_up_again_is_for_the_owner_or_the_lead(
    owner: Owner, by: str, closed_by: ProgressKind
) -> None:
    talk = signed_talk()
    history: list[AgreementProgress] = []
    step(talk, history, closed_by, by=LEAD)
    talk.agreements[0].owner = owner
    allowed = _allowed(lambda: step(talk, history, ProgressKind.REOPENED, by=by, note=None))
    assert allowed is (by == LEAD or owner in (Owner.BOTH, Owner.LEARNER))


@pytest.mark.parametrize("owner", list(Owner))
@pytest.mark.parametrize("by", PEOPLE)
def test_either_participant_writes_a_progress_note(owner: Owner, by: str) -> None:
    talk = signed_talk()
    talk.agreements[0].owner = owner
    entry = step(talk, [], ProgressKind.NOTE, by=by, note="Cursus aangevraagd")
    assert (entry.author_id, entry.kind, entry.note) == (
        by,
        ProgressKind.NOTE,
        "Cursus aangevraagd",
    )


@pytest.mark.parametrize("kind", list(ProgressKind))
def test_someone_outside_the_talk_finds_nothing(kind: ProgressKind) -> None:
    talk = signed_talk()
    with pytest.raises(NotFound):
        step(talk, [], kind, by=STRANGER)


# -- what each kind does ----------------------------------------------------------------------


def test_done_and_dropped_close_it_and_picking_up_opens_it_again() -> None:
    talk = signed_talk()
    item = talk.agreements[0]
    history: list[AgreementProgress] = []
    step(talk, history, ProgressKind.DONE, by=LEARNER, note=None)
    assert item.status is AgreementStatus.DONE
    assert (item.closed_by, item.closed_at, item.closed_in_talk_id) == (LEARNER, AFTER, None)
    step(talk, history, ProgressKind.REOPENED, note=None)
    assert item.status is AgreementStatus.OPEN and item.closed_by is None
    step(talk, history, ProgressKind.DROPPED, note="Past niet meer in de planning")
    assert item.status is AgreementStatus.DROPPED
    assert [e.position for e in history] == [1, 2, 3]


def test_stuck_keeps_it_open_until_picked_up_again() -> None:
    talk = signed_talk()
    item = talk.agreements[0]
    history: list[AgreementProgress] = []
    step(talk, history, ProgressKind.STUCK, by=LEARNER, note="Geen plek in de cursus")
    assert item.status is AgreementStatus.OPEN and is_stuck(item, history)
    step(talk, history, ProgressKind.NOTE, note="Ik bel de opleider")  # a note changes nothing
    assert is_stuck(item, history)
    with pytest.raises(Conflict) as again:
        step(talk, history, ProgressKind.STUCK)
    assert again.value.code == "progress_stuck"
    step(talk, history, ProgressKind.REOPENED, note=None)
    assert not is_stuck(item, history) and item.status is AgreementStatus.OPEN


@pytest.mark.parametrize("kind", STATUS_KINDS)
def test_a_closed_agreement_is_not_closed_again(kind: ProgressKind) -> None:
    talk = signed_talk()
    history: list[AgreementProgress] = []
    step(talk, history, ProgressKind.DONE)
    with pytest.raises(Conflict) as refused:
        step(talk, history, kind)
    assert refused.value.code == "progress_closed"


def test_a_running_agreement_is_not_picked_up_again() -> None:
    talk = signed_talk()
    with pytest.raises(Conflict) as refused:
        step(talk, [], ProgressKind.REOPENED)
    assert refused.value.code == "progress_running"


def test_each_step_moves_the_agreement_and_the_talk_on() -> None:
    talk = signed_talk()
    item = talk.agreements[0]
    version, revision = item.version, talk.revision
    step(talk, [], ProgressKind.NOTE)
    assert item.version == version + 1 and talk.revision == revision + 1
    assert item.updated_at == AFTER == talk.updated_at


def test_the_later_talks_showing_it_move_on_too() -> None:
    talk = signed_talk()
    later = make_talk(id="talk-2", starts_at=LATER + timedelta(days=30))
    later.ends_at = later.starts_at + timedelta(hours=1)
    revision = later.revision
    item = talk.agreements[0]
    record_progress(
        talk,
        item.id,
        [],
        by=LEARNER,
        kind=ProgressKind.NOTE,
        note="Loopt",
        expected_version=item.version,
        new_id=new_id(),
        now=AFTER,
        shown_in=[later],
    )
    assert later.revision == revision + 1


def test_the_signed_form_stays_intact() -> None:
    talk = signed_talk()
    history: list[AgreementProgress] = []
    for kind in (ProgressKind.NOTE, ProgressKind.STUCK, ProgressKind.REOPENED, ProgressKind.DONE):
        step(talk, history, kind)
    assert form_intact(talk, NAMES)
    assert talk.signed_form is not None
    assert "status" not in talk.signed_form["agreements"][0]


# -- refusals ---------------------------------------------------------------------------------


def test_only_after_sign_off() -> None:
    talk = make_talk()
    add(talk)
    with pytest.raises(Conflict) as refused:
        step(talk, [], ProgressKind.NOTE)
    assert (refused.value.code, refused.value.field) == ("not_signed", "talk")


def test_a_stale_version_is_refused_with_the_state_now() -> None:
    talk = signed_talk()
    history: list[AgreementProgress] = []
    stale = talk.agreements[0].version
    step(talk, history, ProgressKind.NOTE, note="Eerste")
    with pytest.raises(Conflict) as refused:
        step(talk, history, ProgressKind.DONE, expected_version=stale)
    assert refused.value.code == "stale"
    current = refused.value.params["current"]
    assert [e["note"] for e in current["progress"]] == ["Eerste"]


@pytest.mark.parametrize("kind", [ProgressKind.NOTE, ProgressKind.DROPPED])
@pytest.mark.parametrize("note", [None, "", "   "])
def test_a_note_and_dropping_need_words(kind: ProgressKind, note: str | None) -> None:
    talk = signed_talk()
    with pytest.raises(InvalidInput) as refused:
        step(talk, [], kind, note=note)
    assert (refused.value.code, refused.value.field) == ("required", "note")
    assert talk.agreements[0].status is AgreementStatus.OPEN


def test_a_note_over_the_limit_is_refused_not_cut() -> None:
    talk = signed_talk()
    with pytest.raises(InvalidInput) as refused:
        step(talk, [], ProgressKind.NOTE, note="x" * (MAX_PROGRESS_NOTE + 1))
    assert refused.value.code == "too_long" and refused.value.params["max"] == MAX_PROGRESS_NOTE
    assert step(talk, [], ProgressKind.NOTE, note="x" * MAX_PROGRESS_NOTE).note == "x" * 1000
