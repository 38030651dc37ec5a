"""The talk's agenda: built from goals, own goals, shared points and earlier agreements; notes
written during the talk, versioned, and on the form."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plugin.domain.agenda import AgendaItem, ItemKind, agenda_items, find_item, summary
from plugin.domain.errors import Conflict, InvalidInput
from plugin.domain.form import form_hash, form_intact, signing_hash, talk_form
from plugin.domain.preparation import Preparation
from tests.domain.test_talk import LATER, LEAD, LEARNER, NAMES, NOW, add, make_talk, new_id


def _prep(person: str, *points: tuple[str, bool]) -> Preparation:
    return Preparation(
        id=new_id(),
        talk_id="talk-1",
        person_id=person,
        updated_at=NOW,
        points=[{"id": f"{person}-{n}", "text": t, "shared": s} for n, (t, s) in enumerate(points)],
    )


def test_the_agenda_in_the_order_the_talk_goes() -> None:
    earlier = add(make_talk(id="talk-0"), what="Storingstabel leren")
    items = agenda_items(
        goals=["goals.learn", "goals.own", "goals.feedback"],
        free_goal_ids=["goals.own"],
        lead_id=LEAD,
        learner_id=LEARNER,
        lead_goal="Sem zelfstandiger",
        learner_goal="Leren solderen",
        preparations=[
            _prep(LEAD, ("Planning", True), ("Privé", False)),
            _prep(LEARNER, ("Gereedschap", True)),
        ],
        earlier_open=[earlier],
    )
    assert [(i.key, i.kind, i.text, i.by) for i in items] == [
        ("goal:goals.learn", ItemKind.GOAL, "goals.learn", None),
        ("goal:goals.feedback", ItemKind.GOAL, "goals.feedback", None),
        ("own:lead", ItemKind.OWN_GOAL, "Sem zelfstandiger", LEAD),
        ("own:learner", ItemKind.OWN_GOAL, "Leren solderen", LEARNER),
        # The learner's points first: the talk is about them. Private points never show.
        (f"point:{LEARNER}-0", ItemKind.POINT, "Gereedschap", LEARNER),
        (f"point:{LEAD}-0", ItemKind.POINT, "Planning", LEAD),
        (f"earlier:{earlier.id}", ItemKind.EARLIER, "Storingstabel leren", None),
    ]


def test_an_unknown_key_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput) as refused:
        find_item([], "goal:nope")
    assert (refused.value.code, refused.value.field) == ("not_on_agenda", "key")


GOAL = AgendaItem("goal:goals.learn", ItemKind.GOAL, "goals.learn")


def note(talk, by=LEAD, *, version=0, discussed=True, text="Gaat goed", item=GOAL):  # type: ignore[no-untyped-def]
    return talk.note_agenda(
        by, item, discussed=discussed, note=text, expected_version=version, new_id=new_id(), now=NOW
    )


def test_a_note_is_versioned_and_a_stale_write_refused() -> None:
    talk = make_talk()
    first = note(talk)
    assert first is not None and first.version == 1
    with pytest.raises(Conflict) as stale:
        note(talk, LEARNER, version=0, text="Anders")
    assert stale.value.params["current"]["note"] == "Gaat goed"
    second = note(talk, LEARNER, version=1, text="Gaat heel goed")
    assert second is first and first.version == 2 and first.updated_by == LEARNER


def test_nothing_written_is_no_note_and_an_unchanged_one_no_change() -> None:
    talk = make_talk()
    revision = talk.revision
    assert note(talk, discussed=False, text="  ") is None
    assert talk.agenda_notes == [] and talk.revision == revision
    note(talk)
    revision = talk.revision
    assert note(talk, version=1) is None and talk.revision == revision


def test_marking_discussed_keeps_signatures_a_new_note_does_not() -> None:
    talk = make_talk()
    talk.sign(LEAD, shown_hash=signing_hash(talk), new_id=new_id(), now=LATER, names={})
    note(talk, discussed=True, text="")
    assert talk.signatures, "a tick is not content"
    note(talk, version=1, text="Wat we hoorden")
    assert talk.signatures == []


def test_a_note_over_the_limit_is_refused_whole() -> None:
    talk = make_talk()
    with pytest.raises(InvalidInput) as refused:
        note(talk, text="x" * 1001)
    assert (refused.value.code, refused.value.params["max"]) == ("too_long", 1000)
    assert talk.agenda_notes == []


def test_the_summary_on_the_form_keeps_the_items_words_and_only_written_notes() -> None:
    talk = make_talk()
    point = AgendaItem("point:p1", ItemKind.POINT, "Gereedschap", LEARNER)
    note(talk, item=point, text="Nieuwe accuboor nodig")
    note(talk, text="")
    note(talk, item=AgendaItem("own:lead", ItemKind.OWN_GOAL, "Zelfstandig"), text="Lukt")
    assert summary(talk.agenda_notes) == [
        {"key": "own:lead", "label": "Zelfstandig", "note": "Lukt"},
        {"key": "point:p1", "label": "Gereedschap", "note": "Nieuwe accuboor nodig"},
    ]
    assert talk_form(talk, NAMES)["summary"] == summary(talk.agenda_notes)


def test_forms_signed_before_the_summary_existed_keep_their_shape_and_check() -> None:
    talk = make_talk(starts_at=NOW - timedelta(hours=1))
    talk.ends_at = NOW
    form = talk_form(talk, NAMES)
    assert "summary" not in form and "learner_goal" not in form
    talk.signed_form, talk.content_hash = form, form_hash(form)
    assert form_intact(talk, NAMES)
