"""Who may do what: every cell of the rules table, through the talk's own methods (so the table
is what is enforced), and the table in README is the table in the domain."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from plugin.domain.agenda import AgendaItem, ItemKind
from plugin.domain.agreement import Agreement, AgreementStatus, Owner
from plugin.domain.errors import NotAllowed
from plugin.domain.form import signing_hash
from plugin.domain.rules import RULES, Act, markdown_table
from plugin.domain.talk import Talk
from plugin.domain.talk_agreements import close_earlier_agreement
from tests.domain.test_talk import (
    LATER,
    LEAD,
    LEARNER,
    NOW,
    TEMPLATE_ITEMS,
    TODAY,
    add,
    confirm,
    make_talk,
    new_id,
    signed_talk,
)

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = (LEAD, LEARNER)
OTHER = {LEAD: LEARNER, LEARNER: LEAD}


def test_readme_shows_the_rules_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n".join("  " + line for line in markdown_table().split("\n")) in readme


def test_every_act_has_one_rule() -> None:
    assert sorted(r.act for r in RULES) == sorted(Act)


def _allowed(call: Any) -> bool:
    try:
        call()
    except NotAllowed:
        return False
    return True


# -- agreements in the talk -------------------------------------------------------------------


@pytest.mark.parametrize("writer", PEOPLE)
@pytest.mark.parametrize("by", PEOPLE)
@pytest.mark.parametrize("state", ["proposed", "reworded_by_other", "confirmed"])
def test_remove_at_once_only_for_the_writer_of_an_unconfirmed_proposal(
    writer: str, by: str, state: str
) -> None:
    talk = make_talk()
    item = add(talk, by=writer)
    if state == "reworded_by_other":
        talk.edit_agreement(
            OTHER[writer], item.id, expected_version=item.version, today=TODAY, now=NOW, what="X"
        )
    if state == "confirmed":
        confirm(talk, item)
    left = talk.remove_agreement(by, item.id, expected_version=item.version, now=NOW)
    at_once = state == "proposed" and by == writer
    assert (left is None) is at_once
    if not at_once:
        # Anyone else asks; the agreement stays until the other confirms.
        assert left is item and item.removal_requested_by == by and item in talk.agreements


def test_the_old_loophole_is_closed_a_learner_cannot_reword_then_strike_the_leads_agreement() -> (
    None
):
    talk = make_talk()
    item = add(talk, by=LEAD)
    talk.edit_agreement(
        LEARNER, item.id, expected_version=item.version, today=TODAY, now=NOW, what="Nothing"
    )
    left = talk.remove_agreement(LEARNER, item.id, expected_version=item.version, now=NOW)
    assert left is item and item.removal_requested_by == LEARNER
    assert item in talk.agreements


@pytest.mark.parametrize("asker", PEOPLE)
@pytest.mark.parametrize("by", PEOPLE)
@pytest.mark.parametrize("keep", [True, False])
def test_removal_confirmed_by_the_other_kept_by_either(asker: str, by: str, keep: bool) -> None:
    talk = make_talk()
    item = add(talk, by=LEAD)
    confirm(talk, item)
    talk.remove_agreement(asker, item.id, expected_version=item.version, now=NOW)
    allowed = _allowed(
        lambda: talk.decide_removal(by, item.id, keep=keep, expected_version=item.version, now=NOW)
    )
    assert allowed is (keep or by != asker)


@pytest.mark.parametrize("writer", PEOPLE)
@pytest.mark.parametrize("by", PEOPLE)
def test_wording_is_confirmed_by_the_one_who_did_not_write_it(writer: str, by: str) -> None:
    talk = make_talk()
    item = add(talk, by=writer)
    allowed = _allowed(
        lambda: talk.confirm_agreement(by, item.id, expected_version=item.version, now=NOW)
    )
    assert allowed is (by != writer)


@pytest.mark.parametrize("writer", PEOPLE)
@pytest.mark.parametrize("by", PEOPLE)
def test_either_adds_and_rewords(writer: str, by: str) -> None:
    talk = make_talk()
    item = add(talk, by=writer)
    talk.edit_agreement(by, item.id, expected_version=item.version, today=TODAY, now=NOW, what="Y")
    assert item.what == "Y" and item.author_id == by and not item.confirmed


@pytest.mark.parametrize("by", PEOPLE)
def test_only_the_learner_reacts(by: str) -> None:
    talk = make_talk()
    item = add(talk)
    allowed = _allowed(
        lambda: talk.react(by, item.id, reaction="Fine", expected_version=item.version, now=NOW)
    )
    assert allowed is (by == LEARNER)


# -- earlier agreements: closed by their owner or the lead ------------------------------------


def _earlier_with(owner: Owner) -> tuple[Talk, Talk, Agreement]:
    earlier = signed_talk(id="talk-0")
    item = earlier.agreements[0]
    item.owner = owner
    current = make_talk(id="talk-2", starts_at=LATER + timedelta(days=30))
    current.ends_at = current.starts_at + timedelta(hours=1)
    return earlier, current, item


@pytest.mark.parametrize("owner", list(Owner))
@pytest.mark.parametrize("by", PEOPLE)
@pytest.mark.parametrize("status", [AgreementStatus.DONE, AgreementStatus.DROPPED])
def test_closing_an_earlier_agreement_is_for_its_owner_or_the_lead(
    owner: Owner, by: str, status: AgreementStatus
) -> None:
    earlier, current, item = _earlier_with(owner)
    allowed = _allowed(
        lambda: close_earlier_agreement(
            current,
            earlier,
            item.id,
            by=by,
            status=status,
            expected_version=item.version,
            now=NOW,
            note="Gelukt",
        )
    )
    assert allowed is (by == LEAD or owner in (Owner.BOTH, Owner.LEARNER))
    if allowed:
        assert item.status is status and item.close_note == "Gelukt"
        assert item.closed_in_talk_id == current.id


def test_keeping_an_earlier_agreement_open_with_a_note() -> None:
    earlier, current, item = _earlier_with(Owner.LEARNER)
    revision = current.revision
    close_earlier_agreement(
        current,
        earlier,
        item.id,
        by=LEARNER,
        status=AgreementStatus.OPEN,
        expected_version=item.version,
        now=NOW,
        note="Loopt nog, de cursus begint in mei",
    )
    assert item.status is AgreementStatus.OPEN
    assert item.close_note == "Loopt nog, de cursus begint in mei"
    # The current talk's live panels see it.
    assert current.revision > revision


# -- goals, own goals, agenda, signing --------------------------------------------------------


@pytest.mark.parametrize("by", PEOPLE)
def test_the_lead_chooses_the_goals(by: str) -> None:
    talk = make_talk()
    allowed = _allowed(lambda: talk.set_goals(by, ["goals.feedback"], "", TEMPLATE_ITEMS, NOW))
    assert allowed is (by == LEAD)


@pytest.mark.parametrize("by", PEOPLE)
def test_each_writes_their_own_goal(by: str) -> None:
    talk = make_talk()
    talk.set_own_goal(by, "Zelf een groep aansluiten", NOW)
    mine, theirs = ("own_goal", "learner_goal") if by == LEAD else ("learner_goal", "own_goal")
    assert getattr(talk, mine) == "Zelf een groep aansluiten"
    assert getattr(talk, theirs) == ""


def test_a_changed_goal_asks_both_to_sign_again() -> None:
    talk = make_talk()
    talk.sign(LEAD, shown_hash=signing_hash(talk), new_id=new_id(), now=LATER, names={})
    assert talk.signatures
    talk.set_own_goal(LEARNER, "Meer zelf doen", NOW)
    assert talk.signatures == []


@pytest.mark.parametrize("by", PEOPLE)
def test_either_notes_the_agenda_and_signs(by: str) -> None:
    talk = make_talk()
    item = AgendaItem("goal:goals.learn", ItemKind.GOAL, "goals.learn")
    note = talk.note_agenda(
        by, item, discussed=True, note="Gaat goed", expected_version=0, new_id=new_id(), now=NOW
    )
    assert note is not None and note.updated_by == by
    assert (
        talk.sign(by, shown_hash=signing_hash(talk), new_id=new_id(), now=LATER, names={}) is False
    )
