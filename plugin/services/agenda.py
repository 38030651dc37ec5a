"""The talk's agenda during the talk: what it holds, marking items discussed with a note, each
person's own goal, and closing or keeping an earlier agreement with a note."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.agenda import (
    EARLIER_KEY,
    AgendaItem,
    AgendaNote,
    ItemKind,
    agenda_items,
    find_item,
    progress_since,
)
from plugin.domain.agreement import Agreement, AgreementStatus
from plugin.domain.agreement_progress import AgreementProgress, with_progress
from plugin.domain.errors import NotFound
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_agreements import close_earlier_agreement
from plugin.services import talk_types
from plugin.services.context import Services
from plugin.services.talks import load_talk
from plugin.store import progress as progress_store


def earlier_on_agenda(session: Session, talk: Talk) -> list[tuple[Agreement, Talk]]:
    """The earlier agreements on this talk's agenda ("what came of it?"): those still open (or
    closed in this talk), and those closed between talks since the last one, in the order
    of their talks. A check-in's agenda is its one agreement."""
    found = progress_store.earlier_on_agenda(session, talk)
    if talk.check_in_of is not None:
        return [(a, t) for a, t in found if a.id == talk.check_in_of]
    return found


def items_of(
    svc: Services, talk: Talk, earlier: Sequence[tuple[Agreement, Talk]]
) -> list[AgendaItem]:
    free = [i.id for s in svc.template.sections for i in s.items if i.free_text]
    return agenda_items(
        goals=talk.goals,
        free_goal_ids=free,
        lead_id=talk.lead_id,
        learner_id=talk.learner_id,
        lead_goal=talk.own_goal,
        learner_goal=talk.learner_goal,
        preparations=talk.preparations,
        earlier_open=[a for a, _ in earlier],
    )


def agenda_view(
    svc: Services,
    talk: Talk,
    earlier: Sequence[tuple[Agreement, Talk]],
    histories: Mapping[str, Sequence[AgreementProgress]] | None = None,
) -> dict[str, Any]:
    """The agenda as both participants see it: items in order, each with its note; earlier
    agreements with where they come from, their state, and what happened since their talk
    (`since`: the progress entries after it, from `histories`)."""
    histories = histories or {}
    notes = {n.item_key: n for n in talk.agenda_notes}
    from_talk = {a.id: (a, t) for a, t in earlier}
    items = []
    for item in items_of(svc, talk, earlier):
        note: AgendaNote | None = notes.get(item.key)
        view: dict[str, Any] = {
            "key": item.key,
            "kind": item.kind.value,
            "text": item.text,
            "by": item.by,
            "discussed": note.discussed if note else False,
            "note": note.note if note else "",
            "version": note.version if note else 0,
        }
        if item.kind is ItemKind.EARLIER:
            agreement, earlier_talk = from_talk[item.key.split(":", 1)[1]]
            history = histories.get(agreement.id, ())
            view["agreement"] = {
                **with_progress(agreement, history),
                "talk": {
                    "id": earlier_talk.id,
                    "title": earlier_talk.title,
                    "starts_at": earlier_talk.starts_at.isoformat(),
                },
            }
            view["since"] = [e.to_dict() for e in progress_since(history, earlier_talk.starts_at)]
        items.append(view)
    return {"items": items, "left": sum(1 for i in items if not i["discussed"])}


def note_item(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    key: str,
    *,
    discussed: bool,
    note: str,
    expected_version: int,
) -> AgendaNote | None:
    talk = load_talk(session, viewer, talk_id)
    own = talk_types.for_talk(svc, session, talk)
    # Only an earlier agreement's item needs the earlier talks read (a query of its own).
    earlier = earlier_on_agenda(session, talk) if key.startswith(EARLIER_KEY) else []
    item = find_item(items_of(own, talk, earlier), key)
    return talk.note_agenda(
        viewer.id,
        item,
        discussed=discussed,
        note=note,
        expected_version=expected_version,
        new_id=svc.new_id(),
        now=svc.clock.now(),
    )


def set_own_goal(svc: Services, session: Session, viewer: Person, talk_id: str, text: str) -> Talk:
    talk = load_talk(session, viewer, talk_id)
    talk.set_own_goal(viewer.id, text, svc.clock.now())
    return talk


def close_agreement_from(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    status: AgreementStatus,
    expected_version: int,
    note: str | None = None,
) -> Agreement:
    """Close or reopen an earlier talk's agreement from this talk, or keep it open with a
    note: from the preparation or the agenda."""
    current = load_talk(session, viewer, talk_id)
    earlier_talk = next(
        (t for a, t in earlier_on_agenda(session, current) if a.id == agreement_id),
        None,
    )
    if earlier_talk is None:
        raise NotFound("not_found", "agreement")
    return close_earlier_agreement(
        current,
        earlier_talk,
        agreement_id,
        by=viewer.id,
        status=status,
        expected_version=expected_version,
        now=svc.clock.now(),
        note=note,
    )
