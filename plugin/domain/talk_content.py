"""A talk's content besides its agreements: the goals, each person's own goal, the agenda's
notes written during the talk, and each person's preparation. `Talk` takes these rules in as a
base class."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from plugin.domain.agenda import AgendaItem, AgendaNote, write_note
from plugin.domain.errors import Conflict, InvalidInput
from plugin.domain.preparation import Preparation, clean_points, clean_ticked
from plugin.domain.rules import Act, require
from plugin.domain.talk_state import Role
from plugin.domain.text import clean_text

MAX_OWN_GOAL = 500


def clean_goals(goals: Iterable[str], known: Iterable[str]) -> list[str]:
    try:
        return clean_ticked(goals, known)
    except InvalidInput as error:
        raise InvalidInput(error.code, "goals", **error.params) from None


class TalkContent:
    """The content rules of `Talk` (which supplies the fields and checks declared here)."""

    id: str
    goals: list[str]
    own_goal: str
    learner_goal: str
    agenda_notes: list[AgendaNote]
    preparations: list[Preparation]

    if TYPE_CHECKING:

        def require_participant(self, person_id: str) -> Role: ...

        def _require_editable(self) -> None: ...

        def _touch(self, now: datetime) -> None: ...

        def _content_changed(self, now: datetime) -> None: ...

    # -- goals -------------------------------------------------------------------------------

    def set_goals(
        self, by: str, goals: Iterable[str], own_goal: str, known: Iterable[str], now: datetime
    ) -> None:
        require(Act.SET_GOALS, self.require_participant(by), by)
        self._require_editable()
        new_goals = clean_goals(goals, known)
        new_own = clean_text(own_goal, "own_goal", max_length=MAX_OWN_GOAL, required=False)
        if (new_goals, new_own) == (self.goals, self.own_goal):
            return
        self.goals, self.own_goal = new_goals, new_own
        # The goals are on the form: a signature given before the change no longer covers it.
        self._content_changed(now)

    def set_own_goal(self, by: str, text: str, now: datetime) -> None:
        """Each participant writes their own goal for the talk."""
        role = self.require_participant(by)
        act = Act.LEAD_GOAL if role is Role.LEAD else Act.LEARNER_GOAL
        require(act, role, by)
        self._require_editable()
        name = "own_goal" if role is Role.LEAD else "learner_goal"
        cleaned = clean_text(text, name, max_length=MAX_OWN_GOAL, required=False)
        if cleaned != getattr(self, name):
            setattr(self, name, cleaned)
            self._content_changed(now)

    # -- the agenda during the talk -----------------------------------------------------------

    def note_agenda(
        self,
        by: str,
        item: AgendaItem,
        *,
        discussed: bool,
        note: str,
        expected_version: int,
        new_id: str,
        now: datetime,
    ) -> AgendaNote | None:
        """Mark an agenda item discussed and write what was heard (the caller found `item` on
        this talk's agenda). A changed note is on the form, so it asks both to sign again."""
        require(Act.NOTE_AGENDA, self.require_participant(by), by)
        self._require_editable()
        before = next((n.note for n in self.agenda_notes if n.item_key == item.key), "")
        written = write_note(
            self.agenda_notes,
            item,
            by=by,
            talk_id=self.id,
            discussed=discussed,
            note=note,
            expected_version=expected_version,
            new_id=new_id,
            now=now,
        )
        if written is not None:
            if written.note != before:
                self._content_changed(now)
            else:
                self._touch(now)
        return written

    # -- preparation -------------------------------------------------------------------------

    def preparation_of(self, person_id: str) -> Preparation | None:
        return next((p for p in self.preparations if p.person_id == person_id), None)

    def prepare(
        self,
        by: str,
        *,
        ticked: Iterable[str],
        points: Iterable[Mapping[str, Any]],
        expected_version: int,
        known_items: Iterable[str],
        new_id: Callable[[], str],
        now: datetime,
    ) -> Preparation:
        self.require_participant(by)
        self._require_editable()
        clean_tick = clean_ticked(ticked, known_items)
        clean_pts = clean_points(points, new_id)
        mine = self.preparation_of(by)
        if mine is None:
            # A first save is based on nothing: version 0.
            if expected_version != 0:
                raise Conflict("stale", "version", current=None)
            mine = Preparation(id=new_id(), talk_id=self.id, person_id=by, updated_at=now)
            self.preparations.append(mine)
        elif expected_version != mine.version:
            raise Conflict("stale", "version", current=mine.version)
        else:
            mine.version += 1
        mine.ticked = clean_tick
        mine.points = clean_pts
        mine.updated_at = now
        # Shared points are on the agenda both see live.
        self._touch(now)
        return mine
