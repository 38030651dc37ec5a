"""Invites from other calendars (local mode's way in from Outlook or Google): read one, and
plan the talk it describes, getting the invite back updated to send from one's own calendar."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.services import invite_import, lead_rule
from plugin.services.context import Services
from plugin.web.api.base import api, talk_for_viewer
from plugin.web.context import as_viewer_read, as_viewer_write, services
from plugin.web.schemas import InviteIn, PlanFromInvite


@api.route(
    "POST",
    "/invites/read",
    summary="Read an invite (.ics): its time, subject, and who of its attendees can be the learner",
    tag="talks",
    body=InviteIn,
)
def read_invite(body: InviteIn) -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: invite_import.preview(svc, s, me, body.ics))


@api.route(
    "POST",
    "/talks/from-invite",
    summary="Plan the talk an invite describes; answers the talk and the updated invite",
    tag="talks",
    body=PlanFromInvite,
    status=201,
)
def plan_from_invite(body: PlanFromInvite) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> tuple[str, str, str]:
        talk, updated = invite_import.plan_from_invite(
            svc,
            s,
            me,
            body.ics,
            learner_id=body.learner_id,
            title=body.title,
            goals=body.goals,
            own_goal=body.own_goal,
            talk_type=body.type,
        )
        return talk.id, updated.ics.decode("utf-8"), updated.filename

    # The lead rule's remote look-up (if any) happens before the transaction, not in it.
    talk_id, ics, filename = lead_rule.planning(services(), lambda: as_viewer_write(work))
    return {
        "talk": as_viewer_read(lambda svc, s, me: talk_for_viewer(svc, s, talk_id, me)),
        "invite": {"ics": ics, "filename": filename},
    }
