"""The talk aggregate's rules, without a database or an app."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from plugin.domain.agreement import Agreement, AgreementStatus, Owner
from plugin.domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from plugin.domain.form import form_hash, form_intact, signing_hash, talk_form
from plugin.domain.talk import Talk, check_schedule
from plugin.domain.talk_agreements import MAX_AGREEMENTS, close_earlier_agreement
from plugin.domain.talk_state import FollowUpStatus, Role, TalkStatus

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
TODAY = NOW.date()
START = NOW + timedelta(days=1)
LATER = START + timedelta(hours=1)  # after the talk started: signing is allowed
LEAD, LEARNER, STRANGER = "lead-1", "learner-1", "stranger-1"
NAMES = {LEAD: "Marco Lead", LEARNER: "Sem Learner"}
TEMPLATE_ITEMS = ["goals.learn", "goals.appreciation", "goals.feedback", "goals.wishes"]
_ids = itertools.count(1)


def new_id() -> str:
    return f"id-{next(_ids)}"


def make_talk(**overrides: Any) -> Talk:
    values: dict[str, Any] = {
        "id": "talk-1",
        "tenant_id": "local",
        "track_id": "track-1",
        "lead_id": LEAD,
        "learner_id": LEARNER,
        "title": "Development talk: Sem",
        "starts_at": START,
        "ends_at": START + timedelta(minutes=45),
        "template_id": "default",
        "created_at": NOW,
        "updated_at": NOW,
        "goals": ["goals.learn"],
    }
    values.update(overrides)
    return Talk(**values)


def add(talk: Talk, by: str = LEAD, what: str = "Read the handbook", **kw: Any) -> Agreement:
    return talk.add_agreement(
        by,
        what=what,
        owner=kw.pop("owner", Owner.LEARNER),
        due=kw.pop("due", None),
        today=kw.pop("today", TODAY),
        new_id=kw.pop("new_id", new_id()),
        now=kw.pop("now", NOW),
    )


def confirm(talk: Talk, item: Agreement, by: str | None = None) -> Agreement:
    other = by or talk.other_participant(item.author_id)
    return talk.confirm_agreement(other, item.id, expected_version=item.version, now=NOW)


def signed_talk(**overrides: Any) -> Talk:
    talk = make_talk(**overrides)
    item = add(talk, due=TODAY + timedelta(days=30))
    confirm(talk, item)
    talk.sign(LEAD, shown_hash=signing_hash(talk), new_id=new_id(), now=LATER, names=NAMES)
    assert talk.sign(
        LEARNER, shown_hash=signing_hash(talk), new_id=new_id(), now=LATER, names=NAMES
    )
    return talk


# -- status flow -------------------------------------------------------------------------------


def test_new_talk_is_planned() -> None:
    talk = make_talk()
    assert talk.status is TalkStatus.PLANNED
    assert not talk.locked
    assert talk.follow_up_status is FollowUpStatus.NONE


def test_mark_held_moves_planned_to_held_once_started() -> None:
    talk = make_talk()
    with pytest.raises(Conflict) as error:
        talk.mark_held(LEAD, NOW)
    assert error.value.code == "not_started"
    talk.mark_held(LEARNER, LATER)
    assert talk.status is TalkStatus.HELD
    assert talk.updated_at == LATER
    talk.mark_held(LEAD, LATER)  # again: stays held
    assert talk.status is TalkStatus.HELD


def test_first_signature_makes_talk_held_second_signs() -> None:
    talk = make_talk()
    assert (
        talk.sign(LEARNER, shown_hash=signing_hash(talk), new_id="sig-1", now=LATER, names=NAMES)
        is False
    )
    assert talk.status is TalkStatus.HELD
    assert talk.signature_of(LEARNER).role is Role.LEARNER  # type: ignore[union-attr]
    assert talk.signed_form is None and talk.content_hash is None
    # Signing twice by the same person adds no second signature.
    assert (
        talk.sign(LEARNER, shown_hash=signing_hash(talk), new_id="sig-2", now=LATER, names=NAMES)
        is False
    )
    assert len(talk.signatures) == 1
    assert (
        talk.sign(LEAD, shown_hash=signing_hash(talk), new_id="sig-3", now=LATER, names=NAMES)
        is True
    )
    assert talk.status is TalkStatus.SIGNED
    assert talk.locked


# -- cancel ------------------------------------------------------------------------------------


def test_cancel_by_lead() -> None:
    talk = make_talk()
    talk.cancel(LEAD, NOW)
    assert talk.status is TalkStatus.CANCELLED
    assert talk.event_sequence == 1
    assert talk.locked
    with pytest.raises(Conflict) as error:
        add(talk)
    assert error.value.code == "cancelled"


def test_learner_cannot_cancel() -> None:
    talk = make_talk()
    with pytest.raises(NotAllowed) as error:
        talk.cancel(LEARNER, NOW)
    assert error.value.code == "lead_only"
    assert talk.status is TalkStatus.PLANNED


def test_cannot_cancel_after_signing() -> None:
    talk = signed_talk()
    with pytest.raises(Conflict) as error:
        talk.cancel(LEAD, LATER)
    assert error.value.code == "locked"
    assert talk.status is TalkStatus.SIGNED


# -- reschedule --------------------------------------------------------------------------------


def test_reschedule_by_lead_bumps_sequence() -> None:
    talk = make_talk()
    new_start = START + timedelta(days=2)
    talk.reschedule(LEAD, new_start, new_start + timedelta(minutes=60), NOW)
    assert (talk.starts_at, talk.ends_at) == (new_start, new_start + timedelta(minutes=60))
    assert talk.event_sequence == 1
    talk.reschedule(LEAD, new_start, new_start + timedelta(minutes=30), NOW)
    assert talk.event_sequence == 2


def test_reschedule_lead_only() -> None:
    talk = make_talk()
    with pytest.raises(NotAllowed) as error:
        talk.reschedule(LEARNER, START, START + timedelta(minutes=30), NOW)
    assert error.value.code == "lead_only"
    assert talk.event_sequence == 0


def test_reschedule_not_in_past() -> None:
    talk = make_talk()
    past = NOW - timedelta(minutes=1)
    with pytest.raises(InvalidInput) as error:
        talk.reschedule(LEAD, past, past + timedelta(minutes=30), NOW)
    assert (error.value.code, error.value.field) == ("in_past", "starts_at")


@pytest.mark.parametrize(
    ("minutes", "ok"), [(9, False), (10, True), (480, True), (481, False), (-30, False)]
)
def test_reschedule_duration_bounds(minutes: int, ok: bool) -> None:
    talk = make_talk()
    ends = START + timedelta(minutes=minutes)
    if ok:
        talk.reschedule(LEAD, START, ends, NOW)
        assert talk.ends_at == ends
    else:
        with pytest.raises(InvalidInput) as error:
            talk.reschedule(LEAD, START, ends, NOW)
        assert error.value.code == "duration_range"
        assert error.value.params == {"min": 10, "max": 480}


def test_reschedule_only_when_planned() -> None:
    talk = make_talk()
    talk.mark_held(LEAD, LATER)
    with pytest.raises(Conflict) as error:
        talk.reschedule(LEAD, LATER + timedelta(days=1), LATER + timedelta(days=1, hours=1), LATER)
    assert error.value.code == "not_planned"


def test_reschedule_needs_timezone() -> None:
    talk = make_talk()
    naive = datetime(2027, 3, 5, 10, 0)
    with pytest.raises(InvalidInput) as error:
        talk.reschedule(LEAD, naive, naive + timedelta(hours=1), NOW)
    assert error.value.code == "timezone_required"


# -- agreements: add ---------------------------------------------------------------------------


def test_add_agreement_records_author_and_positions_increase() -> None:
    talk = make_talk()
    first = add(talk, what="  First  ")
    second = add(talk, by=LEARNER, what="Second", owner=Owner.BOTH)
    assert first.what == "First"
    assert (first.position, second.position) == (1, 2)
    assert first.author_id == LEAD and second.author_id == LEARNER
    assert not first.confirmed and first.version == 1
    assert first.status is AgreementStatus.OPEN
    talk.remove_agreement(LEAD, first.id, expected_version=1, now=NOW)
    third = add(talk, what="Third")
    assert third.position == 3  # positions never go back


@pytest.mark.parametrize("what", ["", "   ", None])
def test_add_agreement_requires_what(what: str | None) -> None:
    talk = make_talk()
    with pytest.raises(InvalidInput) as error:
        add(talk, what=what)  # type: ignore[arg-type]
    assert (error.value.code, error.value.field) == ("required", "what")
    assert talk.agreements == []


def test_add_agreement_length_limit() -> None:
    talk = make_talk()
    assert len(add(talk, what="x" * 500).what) == 500
    with pytest.raises(InvalidInput) as error:
        add(talk, what="x" * 501)
    assert error.value.code == "too_long"
    assert error.value.params["max"] == 500
    assert len(talk.agreements) == 1


def test_add_agreement_due_not_in_past() -> None:
    talk = make_talk()
    assert add(talk, due=TODAY).due == TODAY
    with pytest.raises(InvalidInput) as error:
        add(talk, due=TODAY - timedelta(days=1))
    assert (error.value.code, error.value.field) == ("in_past", "due")


# -- agreements: edit --------------------------------------------------------------------------


def test_edit_with_stale_version_conflicts_with_current() -> None:
    talk = make_talk()
    item = add(talk)
    talk.edit_agreement(LEAD, item.id, expected_version=1, today=TODAY, now=NOW, what="New")
    with pytest.raises(Conflict) as error:
        talk.edit_agreement(LEARNER, item.id, expected_version=1, today=TODAY, now=NOW, what="X")
    assert error.value.code == "stale"
    assert error.value.params["current"]["version"] == 2
    assert error.value.params["current"]["what"] == "New"
    assert item.what == "New"


def test_edit_resets_confirmation_and_author() -> None:
    talk = make_talk()
    item = add(talk)
    confirm(talk, item)
    assert item.confirmed_by == LEARNER and item.version == 2
    later = NOW + timedelta(minutes=5)
    talk.edit_agreement(
        LEARNER, item.id, expected_version=2, today=TODAY, now=later, owner=Owner.BOTH
    )
    assert item.owner is Owner.BOTH
    assert item.author_id == LEARNER
    assert item.confirmed_by is None and item.confirmed_at is None
    assert item.version == 3
    assert item.updated_at == later


def test_noop_edit_keeps_version_and_confirmation() -> None:
    talk = make_talk()
    item = add(talk, due=TODAY + timedelta(days=3))
    confirm(talk, item)
    same = talk.edit_agreement(
        LEARNER,
        item.id,
        expected_version=2,
        today=TODAY,
        now=NOW,
        what=f"  {item.what} ",
        owner=item.owner,
        due=item.due,
    )
    assert same is item
    assert item.version == 2
    assert item.confirmed_by == LEARNER
    assert item.author_id == LEAD


def test_edit_can_clear_due_and_checks_new_due() -> None:
    talk = make_talk()
    item = add(talk, due=TODAY + timedelta(days=3))
    with pytest.raises(InvalidInput):
        talk.edit_agreement(
            LEAD, item.id, expected_version=1, today=TODAY, now=NOW, due=TODAY - timedelta(1)
        )
    talk.edit_agreement(LEAD, item.id, expected_version=1, today=TODAY, now=NOW, clear_due=True)
    assert item.due is None and item.version == 2


# -- agreements: confirm -----------------------------------------------------------------------


def test_author_cannot_confirm_own_wording() -> None:
    talk = make_talk()
    item = add(talk, by=LEAD)
    with pytest.raises(NotAllowed) as error:
        talk.confirm_agreement(LEAD, item.id, expected_version=1, now=NOW)
    assert error.value.code == "confirm_own_wording"
    assert not item.confirmed


def test_confirm_by_other_sets_confirmed_by_and_at() -> None:
    talk = make_talk()
    item = add(talk, by=LEARNER)
    at = NOW + timedelta(minutes=1)
    talk.confirm_agreement(LEAD, item.id, expected_version=1, now=at)
    assert (item.confirmed_by, item.confirmed_at, item.version) == (LEAD, at, 2)
    # Confirming again changes nothing.
    talk.confirm_agreement(LEAD, item.id, expected_version=2, now=NOW + timedelta(hours=1))
    assert (item.confirmed_at, item.version) == (at, 2)


def test_confirm_with_stale_version() -> None:
    talk = make_talk()
    item = add(talk)
    talk.edit_agreement(LEAD, item.id, expected_version=1, today=TODAY, now=NOW, what="Changed")
    with pytest.raises(Conflict) as error:
        talk.confirm_agreement(LEARNER, item.id, expected_version=1, now=NOW)
    assert error.value.code == "stale"
    assert error.value.params["current"]["what"] == "Changed"
    assert not item.confirmed


# -- agreements: react and remove --------------------------------------------------------------


def test_only_learner_reacts() -> None:
    talk = make_talk()
    item = add(talk)
    with pytest.raises(NotAllowed) as error:
        talk.react(LEAD, item.id, reaction="Fine", expected_version=1, now=NOW)
    assert error.value.code == "learner_only"
    talk.react(LEARNER, item.id, reaction=" I agree ", expected_version=1, now=NOW)
    assert item.reaction == "I agree" and item.version == 2
    # Same reaction again: no new version.
    talk.react(LEARNER, item.id, reaction="I agree", expected_version=2, now=NOW)
    assert item.version == 2
    with pytest.raises(Conflict):
        talk.react(LEARNER, item.id, reaction="Other", expected_version=1, now=NOW)


def test_reaction_change_clears_signatures() -> None:
    talk = make_talk()
    item = add(talk)
    confirm(talk, item)
    talk.sign(LEAD, shown_hash=signing_hash(talk), new_id="s1", now=LATER, names=NAMES)
    assert len(talk.signatures) == 1
    talk.react(LEARNER, item.id, reaction="Hmm", expected_version=item.version, now=LATER)
    assert talk.signatures == []


def test_remove_own_unconfirmed_wording_at_once() -> None:
    talk = make_talk()
    item = add(talk)
    with pytest.raises(Conflict):
        talk.remove_agreement(LEAD, item.id, expected_version=5, now=NOW)
    assert talk.remove_agreement(LEAD, item.id, expected_version=1, now=NOW) is None
    assert talk.agreements == []
    with pytest.raises(NotFound):
        talk.remove_agreement(LEAD, item.id, expected_version=1, now=NOW)


@pytest.mark.parametrize("confirmed", [True, False])
def test_removing_what_the_other_stands_behind_waits_for_them(confirmed: bool) -> None:
    # Confirmed by the learner, or written by the learner: the lead alone cannot strike it.
    talk = make_talk()
    item = add(talk, by=LEAD) if confirmed else add(talk, by=LEARNER)
    if confirmed:
        item = confirm(talk, item)
    asked = talk.remove_agreement(LEAD, item.id, expected_version=item.version, now=NOW)
    assert asked is item and item.removal_requested_by == LEAD
    assert talk.agreements == [item]
    # Nobody signs while the removal waits, and the one who asked cannot confirm it.
    waiting = [a.id for a in talk.unconfirmed()]
    assert waiting == [item.id]
    with pytest.raises(Conflict) as error:
        talk.sign(LEARNER, shown_hash=signing_hash(talk), new_id="s", now=LATER, names=NAMES)
    assert error.value.code == "unconfirmed"
    with pytest.raises(NotAllowed):
        talk.decide_removal(LEAD, item.id, keep=False, expected_version=item.version, now=NOW)
    # Keeping it clears the request; asking again and confirming removes it.
    kept = talk.decide_removal(LEARNER, item.id, keep=True, expected_version=item.version, now=NOW)
    assert kept is item and item.removal_requested_by is None
    with pytest.raises(Conflict) as error:
        talk.decide_removal(LEARNER, item.id, keep=True, expected_version=item.version, now=NOW)
    assert error.value.code == "no_removal"
    talk.remove_agreement(LEAD, item.id, expected_version=item.version, now=NOW)
    with pytest.raises(Conflict):  # based on an older state of the agreement
        talk.decide_removal(LEARNER, item.id, keep=False, expected_version=1, now=NOW)
    gone = talk.decide_removal(LEARNER, item.id, keep=False, expected_version=item.version, now=NOW)
    assert gone is None and talk.agreements == []


def test_new_wording_replaces_a_removal_request() -> None:
    talk = make_talk()
    item = confirm(talk, add(talk))
    talk.remove_agreement(LEAD, item.id, expected_version=item.version, now=NOW)
    talk.edit_agreement(
        LEARNER, item.id, expected_version=item.version, today=TODAY, now=NOW, what="Anders"
    )
    assert item.removal_requested_by is None and not item.confirmed


def test_a_signature_names_the_form_as_shown() -> None:
    talk = make_talk()
    first, second = confirm(talk, add(talk)), confirm(talk, add(talk, what="Second"))
    shown = signing_hash(talk)
    # Removing a confirmed agreement: the learner's signature of what they saw is refused.
    talk.remove_agreement(LEAD, second.id, expected_version=second.version, now=LATER)
    talk.decide_removal(LEARNER, second.id, keep=False, expected_version=second.version, now=LATER)
    with pytest.raises(Conflict) as error:
        talk.sign(LEARNER, shown_hash=shown, new_id="s1", now=LATER, names=NAMES)
    assert error.value.code == "form_changed" and talk.signatures == []
    assert [a.id for a in talk.agreements] == [first.id]
    # Seen anew, it signs; names and signatures do not enter what is signed.
    shown = signing_hash(talk)
    assert talk.sign(LEARNER, shown_hash=shown, new_id="s1", now=LATER, names=NAMES) is False
    assert signing_hash(talk) == shown
    assert talk.sign(LEAD, shown_hash=shown, new_id="s2", now=LATER, names={}) is True


def test_agreements_per_talk_are_bounded() -> None:
    talk = make_talk()
    for i in range(MAX_AGREEMENTS):
        add(talk, what=f"Afspraak {i}")
    with pytest.raises(InvalidInput) as error:
        add(talk, what="Nog een")
    assert (error.value.code, error.value.field) == ("too_many", "agreements")
    assert len(talk.agreements) == MAX_AGREEMENTS


def test_dates_lie_within_five_years() -> None:
    with pytest.raises(InvalidInput) as error:
        check_schedule(NOW + timedelta(days=365 * 5 + 1), NOW + timedelta(days=365 * 5 + 2), NOW)
    assert (error.value.code, error.value.field) == ("too_far", "starts_at")
    check_schedule(NOW + timedelta(days=365 * 4), NOW + timedelta(days=365 * 4, hours=1), NOW)
    with pytest.raises(InvalidInput) as error:
        add(talk=make_talk(), due=TODAY.replace(year=TODAY.year + 5) + timedelta(days=1))
    assert (error.value.code, error.value.field) == ("too_far", "due")
    add(talk=make_talk(), due=TODAY.replace(year=TODAY.year + 5))


@pytest.mark.parametrize("change", ["add", "edit", "remove", "react"])
def test_any_content_change_after_one_signature_needs_both_again(change: str) -> None:
    talk = make_talk()
    item = add(talk)
    confirm(talk, item)
    talk.sign(LEARNER, shown_hash=signing_hash(talk), new_id="s1", now=LATER, names=NAMES)
    if change == "add":
        add(talk, now=LATER)
    elif change == "edit":
        talk.edit_agreement(
            LEAD, item.id, expected_version=item.version, today=TODAY, now=LATER, what="New"
        )
    elif change == "remove":
        talk.remove_agreement(LEAD, item.id, expected_version=item.version, now=LATER)
    else:
        talk.react(LEARNER, item.id, reaction="Ok", expected_version=item.version, now=LATER)
    assert talk.signatures == []
    for a in talk.unconfirmed():
        if a.removal_requested_by:
            other = talk.other_participant(a.removal_requested_by)
            talk.decide_removal(other, a.id, keep=False, expected_version=a.version, now=LATER)
        else:
            confirm(talk, a)
    # The lead's signature alone no longer completes the form.
    assert (
        talk.sign(LEAD, shown_hash=signing_hash(talk), new_id="s2", now=LATER, names=NAMES) is False
    )
    assert talk.status is TalkStatus.HELD
    assert (
        talk.sign(LEARNER, shown_hash=signing_hash(talk), new_id="s3", now=LATER, names=NAMES)
        is True
    )


# -- signing -----------------------------------------------------------------------------------


def test_sign_refused_with_unconfirmed_agreements() -> None:
    talk = make_talk()
    a = add(talk)
    b = add(talk, by=LEARNER)
    c = add(talk)
    confirm(talk, b)
    with pytest.raises(Conflict) as error:
        talk.sign(LEAD, shown_hash=signing_hash(talk), new_id="s1", now=LATER, names=NAMES)
    assert error.value.code == "unconfirmed"
    assert error.value.params["agreements"] == [a.id, c.id]
    assert talk.signatures == []
    assert talk.status is TalkStatus.PLANNED


def test_sign_refused_before_start() -> None:
    talk = make_talk()
    with pytest.raises(Conflict) as error:
        talk.sign(
            LEAD,
            shown_hash=signing_hash(talk),
            new_id="s1",
            now=START - timedelta(seconds=1),
            names=NAMES,
        )
    assert error.value.code == "not_started"
    assert talk.signatures == []
    talk.sign(
        LEAD, shown_hash=signing_hash(talk), new_id="s1", now=START, names=NAMES
    )  # at the start is fine
    assert len(talk.signatures) == 1


def test_second_signature_seals_form() -> None:
    talk = signed_talk()
    assert talk.status is TalkStatus.SIGNED
    assert talk.follow_up_status is FollowUpStatus.BOOKING
    form = talk.signed_form
    assert form is not None
    assert form["talk_id"] == talk.id
    assert form["lead"] == {"id": LEAD, "name": "Marco Lead"}
    assert form["learner"] == {"id": LEARNER, "name": "Sem Learner"}
    assert [a["id"] for a in form["agreements"]] == [a.id for a in talk.agreements]
    assert [s["role"] for s in form["signatures"]] == ["lead", "learner"]
    canonical = json.dumps(form, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert talk.content_hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert talk.content_hash == form_hash(form)
    assert form == talk_form(talk, NAMES)


def test_everything_locked_after_signing() -> None:
    talk = signed_talk()
    item = talk.agreements[0]
    v = item.version
    attempts = [
        lambda: add(talk),
        lambda: talk.edit_agreement(
            LEAD, item.id, expected_version=v, today=TODAY, now=LATER, what="X"
        ),
        lambda: talk.remove_agreement(LEAD, item.id, expected_version=v, now=LATER),
        lambda: talk.confirm_agreement(LEAD, item.id, expected_version=v, now=LATER),
        lambda: talk.react(LEARNER, item.id, reaction="x", expected_version=v, now=LATER),
        lambda: talk.sign(
            LEAD, shown_hash=signing_hash(talk), new_id="again", now=LATER, names=NAMES
        ),
        lambda: talk.mark_held(LEAD, LATER),
        lambda: talk.cancel(LEAD, LATER),
        lambda: talk.retitle(LEAD, "New title", LATER),
        lambda: talk.set_goals(LEAD, [], "", TEMPLATE_ITEMS, LATER),
        lambda: talk.prepare(
            LEAD,
            ticked=[],
            points=[],
            expected_version=0,
            known_items=TEMPLATE_ITEMS,
            new_id=new_id,
            now=LATER,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.code == "locked"
    assert form_intact(talk, NAMES)
    assert len(talk.signatures) == 2


def test_form_intact_and_tampering() -> None:
    talk = signed_talk()
    assert form_intact(talk, NAMES)
    # Changing the content behind the aggregate's back shows.
    original = talk.agreements[0].what
    talk.agreements[0].what = "Something else"
    assert not form_intact(talk, NAMES)
    talk.agreements[0].what = original
    assert form_intact(talk, NAMES)
    # So does editing the stored form.
    saved = copy.deepcopy(talk.signed_form)
    talk.signed_form["agreements"][0]["what"] = "Something else"  # type: ignore[index]
    assert not form_intact(talk, NAMES)
    # Even when form and hash are both rewritten, the talk's content no longer matches.
    talk.content_hash = form_hash(talk.signed_form)  # type: ignore[arg-type]
    assert not form_intact(talk, NAMES)
    talk.signed_form = saved
    talk.content_hash = form_hash(saved)  # type: ignore[arg-type]
    assert form_intact(talk, NAMES)
    talk.content_hash = "0" * 64
    assert not form_intact(talk, NAMES)


def test_renaming_a_person_keeps_form_intact() -> None:
    talk = signed_talk()
    assert form_intact(talk, {LEAD: "Marco de Vries", LEARNER: "Sem Learner"})
    assert form_intact(talk, {})


def test_form_intact_false_when_never_signed() -> None:
    assert not form_intact(make_talk(), NAMES)


# -- closing an earlier agreement --------------------------------------------------------------


def _earlier_and_current(**current_overrides: Any) -> tuple[Talk, Talk]:
    earlier = signed_talk(id="talk-earlier")
    later_start = START + timedelta(days=30)
    values: dict[str, Any] = {
        "id": "talk-current",
        "starts_at": later_start,
        "ends_at": later_start + timedelta(minutes=45),
    }
    values.update(current_overrides)
    return earlier, make_talk(**values)


def test_close_earlier_agreement_records_current_talk_and_reopen_clears() -> None:
    earlier, current = _earlier_and_current()
    item = earlier.agreements[0]
    closed = close_earlier_agreement(
        current,
        earlier,
        item.id,
        by=LEARNER,
        status=AgreementStatus.DONE,
        expected_version=item.version,
        now=NOW,
    )
    assert closed is item
    assert item.status is AgreementStatus.DONE
    assert (item.closed_in_talk_id, item.closed_by, item.closed_at) == (current.id, LEARNER, NOW)
    version = item.version
    # The same status again is a no-op.
    close_earlier_agreement(
        current,
        earlier,
        item.id,
        by=LEAD,
        status=AgreementStatus.DONE,
        expected_version=version,
        now=NOW,
    )
    assert item.version == version and item.closed_by == LEARNER
    with pytest.raises(Conflict) as error:
        close_earlier_agreement(
            current,
            earlier,
            item.id,
            by=LEAD,
            status=AgreementStatus.OPEN,
            expected_version=version - 1,
            now=NOW,
        )
    assert error.value.code == "stale"
    assert error.value.params["current"]["version"] == version
    close_earlier_agreement(
        current,
        earlier,
        item.id,
        by=LEAD,
        status=AgreementStatus.OPEN,
        expected_version=version,
        now=NOW,
    )
    assert item.status is AgreementStatus.OPEN
    assert (item.closed_in_talk_id, item.closed_by, item.closed_at) == (None, None, None)
    # The earlier form stays as it was signed.
    assert form_intact(earlier, NAMES)


def test_close_earlier_agreement_only_same_track_signed_and_earlier() -> None:
    def attempt(current: Talk, earlier: Talk) -> None:
        item = earlier.agreements[0]
        close_earlier_agreement(
            current,
            earlier,
            item.id,
            by=LEAD,
            status=AgreementStatus.DONE,
            expected_version=item.version,
            now=NOW,
        )

    earlier, other_track = _earlier_and_current(track_id="track-2")
    with pytest.raises(NotFound):
        attempt(other_track, earlier)

    unsigned = make_talk(id="talk-unsigned")
    add(unsigned)
    _, current = _earlier_and_current()
    with pytest.raises(NotFound):
        attempt(current, unsigned)

    earlier, same_time = _earlier_and_current(starts_at=START, ends_at=START + timedelta(hours=1))
    with pytest.raises(NotFound):
        attempt(same_time, earlier)
    earlier_current = make_talk(
        id="talk-before",
        starts_at=START - timedelta(hours=2),
        ends_at=START - timedelta(hours=1),
    )
    with pytest.raises(NotFound):
        attempt(earlier_current, earlier)

    earlier, current = _earlier_and_current()
    with pytest.raises(NotFound):
        close_earlier_agreement(
            current,
            earlier,
            "missing",
            by=LEAD,
            status=AgreementStatus.DONE,
            expected_version=1,
            now=NOW,
        )
    with pytest.raises(NotFound):
        close_earlier_agreement(
            current,
            earlier,
            earlier.agreements[0].id,
            by=STRANGER,
            status=AgreementStatus.DONE,
            expected_version=earlier.agreements[0].version,
            now=NOW,
        )
    assert earlier.agreements[0].status is AgreementStatus.OPEN


# -- preparation -------------------------------------------------------------------------------


def _prepare(talk: Talk, by: str = LEARNER, **kw: Any) -> Any:
    return talk.prepare(
        by,
        ticked=kw.pop("ticked", []),
        points=kw.pop("points", []),
        # By default based on what is saved now: 0 before the first save.
        expected_version=kw.pop("expected_version", getattr(talk.preparation_of(by), "version", 0)),
        known_items=TEMPLATE_ITEMS,
        new_id=new_id,
        now=kw.pop("now", NOW),
    )


def test_prepare_keeps_template_order_and_cleans_points() -> None:
    talk = make_talk()
    prep = _prepare(
        talk,
        ticked=["goals.wishes", "goals.learn", "goals.wishes"],
        points=[{"text": "  My point "}, {"id": "p-2", "text": "Private", "shared": False}],
    )
    assert prep.person_id == LEARNER and prep.version == 1
    assert prep.ticked == ["goals.learn", "goals.wishes"]
    assert prep.points[0]["text"] == "My point" and prep.points[0]["shared"] is True
    assert prep.points[0]["id"].startswith("id-")
    assert prep.points[1] == {"id": "p-2", "text": "Private", "shared": False}
    assert [p.id for p in prep.shared_points()] == [prep.points[0]["id"]]
    assert talk.preparation_of(LEARNER) is prep
    assert talk.preparation_of(LEAD) is None


def test_prepare_refuses_unknown_items() -> None:
    talk = make_talk()
    with pytest.raises(InvalidInput) as error:
        _prepare(talk, ticked=["goals.learn", "nope"])
    assert error.value.code == "unknown_item"
    assert error.value.params["items"] == ["nope"]
    assert talk.preparations == []


def test_prepare_refuses_bad_points() -> None:
    talk = make_talk()
    with pytest.raises(InvalidInput) as error:
        _prepare(talk, points=[{"id": "a", "text": "x"}, {"id": "a", "text": "y"}])
    assert error.value.code == "duplicate"
    with pytest.raises(InvalidInput) as error:
        _prepare(talk, points=[{"text": "  "}])
    assert error.value.code == "required"
    with pytest.raises(InvalidInput) as error:
        _prepare(talk, points=[{"text": f"p{i}"} for i in range(31)])
    assert error.value.code == "too_many"
    assert len(_prepare(talk, points=[{"text": f"p{i}"} for i in range(30)]).points) == 30


def test_prepare_versions() -> None:
    talk = make_talk()
    with pytest.raises(Conflict) as error:
        _prepare(talk, expected_version=3)
    assert error.value.params["current"] is None
    prep = _prepare(talk, expected_version=0)
    assert prep.version == 1
    _prepare(talk, expected_version=1, ticked=["goals.learn"])
    assert prep.version == 2 and prep.ticked == ["goals.learn"]
    with pytest.raises(Conflict) as error:
        _prepare(talk, expected_version=1, ticked=[])
    assert error.value.code == "stale"
    assert error.value.params["current"] == 2
    assert prep.ticked == ["goals.learn"]
    assert len(talk.preparations) == 1
    # Each participant has their own.
    assert _prepare(talk, by=LEAD).version == 1
    assert len(talk.preparations) == 2


# -- outsiders ---------------------------------------------------------------------------------


def test_non_participant_sees_nothing() -> None:
    talk = make_talk()
    item = add(talk)
    earlier = signed_talk(id="talk-earlier", starts_at=NOW - timedelta(days=30))
    earlier.starts_at = NOW - timedelta(days=30)
    attempts = [
        lambda: talk.reschedule(STRANGER, START, START + timedelta(hours=1), NOW),
        lambda: talk.retitle(STRANGER, "x", NOW),
        lambda: talk.set_goals(STRANGER, [], "", TEMPLATE_ITEMS, NOW),
        lambda: talk.cancel(STRANGER, NOW),
        lambda: talk.mark_held(STRANGER, LATER),
        lambda: _prepare(talk, by=STRANGER),
        lambda: add(talk, by=STRANGER),
        lambda: talk.edit_agreement(
            STRANGER, item.id, expected_version=1, today=TODAY, now=NOW, what="x"
        ),
        lambda: talk.remove_agreement(STRANGER, item.id, expected_version=1, now=NOW),
        lambda: talk.confirm_agreement(STRANGER, item.id, expected_version=1, now=NOW),
        lambda: talk.react(STRANGER, item.id, reaction="x", expected_version=1, now=NOW),
        lambda: talk.sign(
            STRANGER, shown_hash=signing_hash(talk), new_id="s", now=LATER, names=NAMES
        ),
        lambda: talk.other_participant(STRANGER),
        lambda: talk.retry_follow_up(STRANGER),
        lambda: close_earlier_agreement(
            talk,
            earlier,
            earlier.agreements[0].id,
            by=STRANGER,
            status=AgreementStatus.DONE,
            expected_version=earlier.agreements[0].version,
            now=NOW,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound) as error:
            attempt()
        assert error.value.code == "not_found"
    assert talk.status is TalkStatus.PLANNED
    assert len(talk.agreements) == 1 and item.version == 1
    assert talk.signatures == [] and talk.preparations == []
    assert talk.event_sequence == 0


def test_unknown_agreement_is_not_found() -> None:
    talk = make_talk()
    with pytest.raises(NotFound):
        talk.confirm_agreement(LEARNER, "missing", expected_version=1, now=NOW)


def test_open_due_dates() -> None:
    talk = make_talk()
    add(talk, due=date(2027, 5, 1))
    add(talk, due=date(2027, 4, 1))
    add(talk)
    assert talk.open_due_dates() == [date(2027, 4, 1), date(2027, 5, 1)]
