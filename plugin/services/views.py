"""What the API shows: talks, preparations and overviews as JSON-ready dictionaries.

Reads only; every function gets a talk the caller is already allowed to see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session, object_session

from plugin.domain.agenda import summary as agenda_summary
from plugin.domain.agreement import Agreement
from plugin.domain.agreement_progress import AgreementProgress, with_progress
from plugin.domain.errors import NotFound
from plugin.domain.form import form_intact, signing_hash
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import FollowUpStatus, Role, TalkStatus
from plugin.services import agenda, progress, talk_types
from plugin.services.context import Services
from plugin.store import repo


def person_view(person: Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.display_name,
        "email": person.email,
        "job_title": person.job_title,
        "external": person.external,
    }


def talk_summary(talk: Talk, names: Mapping[str, str], viewer_id: str) -> dict[str, Any]:
    role = talk.role_of(viewer_id)
    return {
        "id": talk.id,
        "title": talk.title,
        "starts_at": talk.starts_at.isoformat(),
        "ends_at": talk.ends_at.isoformat(),
        "status": talk.status.value,
        "track_id": talk.track_id,
        "lead": {"id": talk.lead_id, "name": names.get(talk.lead_id, "")},
        "learner": {"id": talk.learner_id, "name": names.get(talk.learner_id, "")},
        "my_role": role.value if role else None,
        "previous_talk_id": talk.previous_talk_id,
        "meeting_chat_id": talk.meeting_chat_id,
        "chat_summary": talk.chat_summary,
        #: One time of a recurring meeting (a talk series), or None.
        "series_id": talk.series_id,
        "follow_up": follow_up_view(talk),
        #: Set when a change in Outlook needs the lead: `learner_removed`, `organizer_changed`.
        "calendar_attention": talk.calendar_attention,
        #: Why the talk was cancelled outside the app (`cancelled_in_outlook`), else None.
        "cancel_reason": talk.cancel_reason,
        #: What a change of the talk as a whole names as the state it is based on.
        "version": talk.version,
    }


def talk_summaries(session: Session, found: Sequence[Talk], viewer_id: str) -> list[dict[str, Any]]:
    names = repo.names(session, {p for t in found for p in (t.lead_id, t.learner_id)})
    return [talk_summary(t, names, viewer_id) for t in found]


def my_talks(session: Session, viewer: Person) -> list[dict[str, Any]]:
    """The talks the viewer takes part in."""
    return talk_summaries(session, repo.talks_of(session, viewer), viewer.id)


def people_to_plan_with(session: Session, viewer: Person) -> dict[str, Any]:
    """Colleagues to plan a talk with and the school supervisors to share with; a school
    supervisor reads what is shared with them, not the staff list."""
    if viewer.external:
        return {"people": [], "supervisors": []}
    return {
        "people": [
            person_view(p) for p in repo.colleagues(session, viewer.tenant_id) if p.id != viewer.id
        ],
        "supervisors": [person_view(p) for p in repo.supervisors(session, viewer.tenant_id)],
    }


def panel_detail(
    svc: Services, session: Session, tenant_id: str, person_id: str, talk_id: str
) -> dict[str, Any]:
    """The talk as a participant's live panel shows it, in as few queries as possible (no
    shares): its caller knows the identity, not yet the person."""
    talk = repo.talk(session, tenant_id, talk_id)
    if talk is None or talk.role_of(person_id) is None:
        raise NotFound("not_found", "talk")
    return talk_detail(svc, session, talk, person_id, read_only=False, with_shares=False)


def live_panel_detail(svc: Services, session: Session, talk: Talk) -> dict[str, Any]:
    """What every participant's live panel shows of the talk (their role aside): for a writer
    to share with the panels at once."""
    return talk_detail(svc, session, talk, talk.lead_id, read_only=False, with_shares=False)


def follow_up_view(talk: Talk) -> dict[str, Any]:
    """The follow-up's booking, and once it is booked, when it is (`starts_at`, `ends_at`).

    Its time costs one small read in the talk's own session, and only for a booked follow-up.
    """
    times = None
    if talk.follow_up_status is FollowUpStatus.BOOKED and talk.follow_up_talk_id is not None:
        session = object_session(talk)
        if session is not None:
            times = repo.talk_times(session, talk.tenant_id, talk.follow_up_talk_id)
    return {
        "status": talk.follow_up_status.value,
        "reason": talk.follow_up_reason,
        "options": list(talk.follow_up_options),
        "talk_id": talk.follow_up_talk_id,
        "starts_at": times[0].isoformat() if times else None,
        "ends_at": times[1].isoformat() if times else None,
    }


def talk_detail(
    svc: Services,
    session: Session,
    talk: Talk,
    viewer_id: str,
    *,
    read_only: bool,
    with_shares: bool = True,
) -> dict[str, Any]:
    names = repo.names(session, (talk.lead_id, talk.learner_id))
    detail = talk_summary(talk, names, viewer_id)
    own = talk_types.for_talk(svc, session, talk)  # the talk's own type version
    earlier = [] if read_only else agenda.earlier_on_agenda(session, talk)
    # Progress between talks is the participants' own: a school supervisor reads the form.
    signed = talk.status is TalkStatus.SIGNED and not read_only
    histories = progress.histories(
        session, [*(talk.agreements if signed else ()), *(a for a, _ in earlier)]
    )
    detail.update(
        {
            "read_only": read_only,
            #: The kind of talk, as planned; `offer_share`: sign-off offers the share link.
            "talk_type": {
                "id": own.template.id,
                "name": own.template.name.in_(svc.language),
                "offer_share": own.template.offer_share,
            },
            "goals": list(talk.goals),
            "own_goal": talk.own_goal,
            "learner_goal": talk.learner_goal,
            #: What was heard per agenda item, as the form records it (`agenda.summary`).
            "summary": agenda_summary(talk.agenda_notes),
            #: After sign-off each with `stuck` and its `progress` (agreement_progress.py).
            "agreements": (
                [a.to_dict() for a in talk.agreements]
                if read_only
                else progress.agreement_views(talk.agreements, histories)
            ),
            "signatures": [
                {
                    "person_id": s.person_id,
                    "role": s.role.value,
                    "signed_at": s.signed_at.isoformat(),
                }
                for s in talk.signatures
            ],
            "content_hash": talk.content_hash,
            #: What a signature must name (`POST …/sign`): the form as this answer shows it.
            "form_hash": signing_hash(talk),
            "calendar": {
                "state": talk.calendar_state.value,
                "error": talk.calendar_error,
                "event_id": talk.event_id,
                "ical_uid": talk.event_ical_uid,
                "join_url": talk.join_url,
            },
            "urls": {
                "talk": svc.links.talk(talk.id),
                "ics": f"/api/talks/{talk.id}/event.ics",
            },
        }
    )
    if not read_only:
        detail["agenda"] = agenda.agenda_view(own, talk, earlier, histories)
    if with_shares and talk.role_of(viewer_id) is Role.LEAD:
        detail["shared_with"] = repo.shares_of(session, talk.id)
    if talk.series_id is not None:
        # The other times of a recurring meeting: each its own talk, one chat for all.
        detail["series"] = [
            {"id": t.id, "starts_at": t.starts_at.isoformat(), "status": t.status.value}
            for t in repo.talks_of_series(session, talk.series_id)
        ]
    if read_only:
        _leave_out_for_supervisors(detail)
    return detail


#: Not for a school supervisor (signed in, or by a share link): how to reach the meeting, the
#: participants' pages and their other talks.
_NOT_SHARED = (
    "calendar",
    "meeting_chat_id",
    "chat_summary",
    "urls",
    "shared_with",
    "previous_talk_id",
    "series",
    "series_id",
)


def _leave_out_for_supervisors(detail: dict[str, Any]) -> None:
    for key in _NOT_SHARED:
        detail.pop(key, None)
    detail["follow_up"] = {k: v for k, v in detail["follow_up"].items() if k != "talk_id"}


def shared_talk_view(
    svc: Services, session: Session, talk: Talk, supervisor_id: str, lang: str
) -> dict[str, Any]:
    """What a school supervisor's link shows: the form, the goals' texts, the hash check."""
    detail = talk_detail(svc, session, talk, supervisor_id, read_only=True, with_shares=False)
    template = talk_types.talk_template(svc, session, talk)
    return {
        "talk": detail,
        "goal_texts": {
            item["id"]: item["text"]
            for section in template.to_dict(lang)["sections"]
            for item in section["items"]
        },
        "intact": form_view(session, talk)["intact"],
    }


def form_view(session: Session, talk: Talk) -> dict[str, Any]:
    names = repo.names(session, (talk.lead_id, talk.learner_id))
    return {
        "talk_id": talk.id,
        "signed": talk.status is TalkStatus.SIGNED,
        "form": talk.signed_form,
        "content_hash": talk.content_hash,
        "intact": form_intact(talk, names) if talk.signed_form else None,
    }


def preparation_view(
    svc: Services, session: Session, talk: Talk, viewer: Person, language: str
) -> dict[str, Any]:
    other_id = talk.other_participant(viewer.id)
    mine = talk.preparation_of(viewer.id)
    theirs = talk.preparation_of(other_id)
    names = repo.names(session, (talk.lead_id, talk.learner_id))
    return {
        "talk_id": talk.id,
        "checklist": talk_types.talk_template(svc, session, talk).to_dict(language),
        "goals": list(talk.goals),
        "own_goal": talk.own_goal,
        "mine": {
            "ticked": list(mine.ticked) if mine else [],
            "points": list(mine.points) if mine else [],
            "version": mine.version if mine else 0,
        },
        "other": {
            "id": other_id,
            "name": names.get(other_id, ""),
            "points": [p.to_dict() for p in theirs.shared_points()] if theirs else [],
        },
        "earlier_agreements": _earlier_views(session, talk),
    }


def _earlier_views(session: Session, talk: Talk) -> list[dict[str, Any]]:
    earlier = agenda.earlier_on_agenda(session, talk)
    histories = progress.histories(session, (a for a, _ in earlier))
    return [earlier_agreement_view(a, t, histories.get(a.id, ())) for a, t in earlier]


def earlier_agreement_view(
    agreement: Agreement, talk: Talk, history: Sequence[AgreementProgress] = ()
) -> dict[str, Any]:
    """An earlier talk's agreement on this talk's agenda, with what happened since."""
    return {
        **with_progress(agreement, history),
        "talk": {"id": talk.id, "title": talk.title, "starts_at": talk.starts_at.isoformat()},
    }
