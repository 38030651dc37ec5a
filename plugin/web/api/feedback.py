"""My private feedback drafts for a talk: the other participant never sees them."""

from __future__ import annotations

from typing import Any

from plugin.services import feedback
from plugin.web.api.base import api
from plugin.web.context import as_viewer_read, as_viewer_write
from plugin.web.schemas import FeedbackChange, FeedbackIn


@api.route("GET", "/talks/<talk_id>/feedback", summary="My feedback drafts", tag="feedback")
def my_drafts(talk_id: str) -> dict[str, Any]:
    return as_viewer_read(
        lambda svc, s, me: {"drafts": [d.to_dict() for d in feedback.my_drafts(s, me, talk_id)]}
    )


@api.route(
    "POST",
    "/talks/<talk_id>/feedback",
    summary="Start a feedback draft (private to me)",
    tag="feedback",
    body=FeedbackIn,
    status=201,
)
def write_draft(talk_id: str, body: FeedbackIn) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: feedback.write_draft(
            svc, s, me, talk_id, body.steps.model_dump()
        ).to_dict()
    )


@api.route(
    "PATCH",
    "/talks/<talk_id>/feedback/<draft_id>",
    summary="Change my draft, mark it said, or link the agreement its suggestion became",
    tag="feedback",
    body=FeedbackChange,
)
def change_draft(talk_id: str, draft_id: str, body: FeedbackChange) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: feedback.change_draft(
            svc,
            s,
            me,
            talk_id,
            draft_id,
            expected_version=body.version,
            steps=body.steps.model_dump() if body.steps is not None else None,
            said=body.said,
            agreement_id=body.agreement_id,
        ).to_dict()
    )


@api.route(
    "DELETE", "/talks/<talk_id>/feedback/<draft_id>", summary="Drop my draft", tag="feedback"
)
def drop_draft(talk_id: str, draft_id: str) -> dict[str, Any]:
    as_viewer_write(lambda svc, s, me: feedback.drop_draft(s, me, talk_id, draft_id))
    return {"dropped": draft_id}
