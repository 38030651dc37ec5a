"""The overview: what I should do now, my upcoming talks, the open agreements (mine, and my
learners'), my tracks; and the to-dos my calendar feed lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from plugin.domain import todo
from plugin.domain.agreement import Agreement, AgreementStatus
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import Role, TalkStatus
from plugin.services import checkins, progress
from plugin.services.context import Services
from plugin.services.views import earlier_agreement_view, talk_summary
from plugin.services.working_time import hours_of
from plugin.store import repo


def _todo_view(item: todo.Todo) -> dict[str, Any]:
    talk_url = f"/talks/{quote(item.talk_id, safe='')}"
    view: dict[str, Any] = {
        "kind": item.kind.value,
        "talk_id": item.talk_id,
        "title": item.title,
        # A path on this server: the page that holds the one action.
        "url": f"{talk_url}/prepare" if item.kind is todo.TodoKind.PREPARE else talk_url,
    }
    if item.agreement_id is not None:
        view["agreement_id"] = item.agreement_id
    if item.due is not None:
        view["due"] = item.due.isoformat()
    if item.starts_at is not None:
        view["starts_at"] = item.starts_at.isoformat()
    if item.check_in is not None:
        # What the lead's accept or dismiss names (`/api/check-ins/<id>/…`).
        view["check_in"] = item.check_in.to_dict()
    return view


def overview(svc: Services, session: Session, viewer: Person) -> dict[str, Any]:
    now = svc.clock.now()
    if viewer.external:
        shared = repo.talks_shared_with(session, viewer)
        names = repo.names(session, {p for t in shared for p in (t.lead_id, t.learner_id)})
        return {
            "todo": [],
            "upcoming": [],
            "open_agreements": {"mine": [], "my_learners": []},
            "tracks": [],
            "shared_with_me": [talk_summary(t, names, viewer.id) for t in shared],
        }
    talks = repo.talks_of(session, viewer)
    tracks = repo.tracks_of(session, viewer)
    names = repo.names(
        session, {p for t in tracks for p in (t.lead_id, t.learner_id)} | {viewer.id}
    )
    open_items = repo.open_agreements_of_tracks(session, viewer.tenant_id, [t.id for t in tracks])
    # Each listed agreement with what happened since its talk (stuck, notes): one read for all.
    histories = progress.histories(session, (agreement for agreement, _ in open_items))
    mine: list[dict[str, Any]] = []
    learners: list[dict[str, Any]] = []
    for agreement, talk in open_items:
        role = talk.role_of(viewer.id)
        assert role is not None
        item = {
            **earlier_agreement_view(agreement, talk, histories.get(agreement.id, ())),
            "lead": {"id": talk.lead_id, "name": names.get(talk.lead_id, "")},
            "learner": {"id": talk.learner_id, "name": names.get(talk.learner_id, "")},
        }
        # Each agreement once: what I keep (alone or together) is mine; a lead's other list
        # holds what the learner keeps alone.
        if todo.is_mine(agreement, role):
            mine.append(item)
        elif role is Role.LEAD:
            learners.append(item)
    by_track: dict[str, list[Talk]] = {}
    for talk in talks:
        by_track.setdefault(talk.track_id, []).append(talk)
    return {
        "todo": [
            _todo_view(item)
            for item in todo.todos(
                viewer.id,
                talks,
                open_items,
                now,
                hours_of(session, svc.policy.hours, viewer.tenant_id),
                checkins.waiting_for(session, viewer),
            )
        ],
        "upcoming": [
            # "Bezig" while it runs, by the server's clock.
            {**talk_summary(t, names, viewer.id), "running": t.starts_at <= now < t.ends_at}
            for t in talks
            if t.ends_at >= now and t.status in (TalkStatus.PLANNED, TalkStatus.HELD)
        ],
        "open_agreements": {"mine": mine, "my_learners": learners},
        "tracks": [
            {
                "id": track.id,
                "lead": {"id": track.lead_id, "name": names.get(track.lead_id, "")},
                "learner": {"id": track.learner_id, "name": names.get(track.learner_id, "")},
                "my_role": Role.LEAD.value if track.lead_id == viewer.id else Role.LEARNER.value,
                "talks": [talk_summary(t, names, viewer.id) for t in by_track.get(track.id, [])],
            }
            for track in tracks
        ],
        "shared_with_me": [],
    }


def open_agreements_for_feed(
    viewer: Person, tracks_talks: Sequence[tuple[Agreement, Talk]]
) -> list[tuple[Agreement, Talk]]:
    """The viewer's own open agreements with a due date: what their feed lists as to-dos."""
    out = []
    for agreement, talk in tracks_talks:
        role = talk.role_of(viewer.id)
        if (
            role is not None
            and agreement.due is not None
            and agreement.status is AgreementStatus.OPEN
            and todo.is_mine(agreement, role)
        ):
            out.append((agreement, talk))
    return out
