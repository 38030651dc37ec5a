"""The talk's agenda: what the two set out to discuss, and what they heard about each item.

The guide asks for an agenda that both know beforehand. Ours is built, not typed: the goals the
lead chose, each person's own goal, the discussion points both shared in their preparation, and
the agreements of earlier talks in the track that are still open ("what came of it?", with
the progress recorded since). During the talk each item can be marked discussed and get a
short shared note, so the summary is written as the talk goes; the notes are on the signed
form.

An item is known by a stable key (`goal:<item id>`, `own:lead`, `own:learner`,
`point:<point id>`, `earlier:<agreement id>`), so notes survive a reload and a reordering. A
note keeps the item's text as it was when the note was written: the form stays readable after
a point is reworded or an agreement closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from plugin.domain.agreement import Agreement
from plugin.domain.agreement_progress import AgreementProgress
from plugin.domain.errors import Conflict, InvalidInput
from plugin.domain.preparation import Preparation
from plugin.domain.text import clean_text

MAX_NOTE = 1000


class ItemKind(StrEnum):
    GOAL = "goal"
    OWN_GOAL = "own_goal"
    POINT = "point"
    EARLIER = "earlier"


#: An earlier agreement's item key: this prefix, then the agreement's id.
EARLIER_KEY = f"{ItemKind.EARLIER.value}:"


@dataclass(frozen=True)
class AgendaItem:
    key: str
    kind: ItemKind
    #: The text to show: a goal's template id (the page labels it), else the words themselves.
    text: str
    #: Whose it is: the person who wrote the point or own goal; None for chosen goals.
    by: str | None = None


@dataclass(eq=False)
class AgendaNote:
    id: str
    talk_id: str
    item_key: str
    #: The item's text when the note was last written (a goal's id for a chosen goal).
    label: str
    discussed: bool
    note: str
    updated_by: str
    updated_at: datetime
    version: int = 1

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.item_key,
            "label": self.label,
            "discussed": self.discussed,
            "note": self.note,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat(),
            "version": self.version,
        }


def agenda_items(
    *,
    goals: Sequence[str],
    free_goal_ids: Iterable[str],
    lead_id: str,
    learner_id: str,
    lead_goal: str,
    learner_goal: str,
    preparations: Iterable[Preparation],
    earlier_open: Iterable[Agreement],
) -> list[AgendaItem]:
    """The agenda in the order the talk goes through it: goals, own goals, shared points
    (the learner's first: the talk is about them), then the earlier agreements."""
    free = set(free_goal_ids)
    items = [AgendaItem(f"goal:{g}", ItemKind.GOAL, g) for g in goals if g not in free]
    if lead_goal:
        items.append(AgendaItem("own:lead", ItemKind.OWN_GOAL, lead_goal, lead_id))
    if learner_goal:
        items.append(AgendaItem("own:learner", ItemKind.OWN_GOAL, learner_goal, learner_id))
    by_person = {p.person_id: p for p in preparations}
    for person in (learner_id, lead_id):
        prep = by_person.get(person)
        if prep is not None:
            items += [
                AgendaItem(f"point:{p.id}", ItemKind.POINT, p.text, person)
                for p in prep.shared_points()
            ]
    items += [AgendaItem(f"{EARLIER_KEY}{a.id}", ItemKind.EARLIER, a.what) for a in earlier_open]
    return items


def progress_since(
    history: Iterable[AgreementProgress], moment: datetime
) -> list[AgreementProgress]:
    """What happened to an earlier agreement since `moment` (the start of the talk it came
    from; progress is recorded only after sign-off): its entries, oldest first."""
    return [e for e in history if e.created_at >= moment]


def clean_note(value: str | None) -> str:
    return clean_text(value, "note", max_length=MAX_NOTE, required=False)


def write_note(
    notes: list[AgendaNote],
    item: AgendaItem,
    *,
    by: str,
    talk_id: str,
    discussed: bool,
    note: str,
    expected_version: int,
    new_id: str,
    now: datetime,
) -> AgendaNote | None:
    """Record that `item` was discussed and what was heard; returns the note, or None when
    nothing changed. `expected_version` is the note's version as the writer saw it (0: none)."""
    text = clean_note(note)
    found = next((n for n in notes if n.item_key == item.key), None)
    if found is None:
        if expected_version != 0:
            raise Conflict("stale", "version", current=None)
        if not discussed and not text:
            return None
        made = AgendaNote(
            id=new_id,
            talk_id=talk_id,
            item_key=item.key,
            label=item.text,
            discussed=discussed,
            note=text,
            updated_by=by,
            updated_at=now,
        )
        notes.append(made)
        return made
    if found.version != expected_version:
        raise Conflict("stale", "version", current=found.to_dict())
    if (found.discussed, found.note) == (discussed, text):
        return None
    found.discussed, found.note = discussed, text
    found.label = item.text
    found.updated_by, found.updated_at = by, now
    found.version += 1
    return found


def find_item(items: Iterable[AgendaItem], key: str) -> AgendaItem:
    found = next((i for i in items if i.key == key), None)
    if found is None:
        raise InvalidInput("not_on_agenda", "key")
    return found


_KIND_ORDER = ("goal", "own", "point", "earlier")


def summary(notes: Iterable[AgendaNote]) -> list[dict[str, str]]:
    """What the form records of the notes: the written ones, in agenda order of kind."""
    written = [n for n in notes if n.note]
    written.sort(key=lambda n: (_KIND_ORDER.index(n.item_key.split(":", 1)[0]), n.label))
    return [{"key": n.item_key, "label": n.label, "note": n.note} for n in written]
