"""The talk's agenda during the talk: mark an item discussed with a note, each person's own
goal, and an earlier talk's agreement closed or kept open with a note."""

from __future__ import annotations

from typing import Any

from plugin.domain.errors import Conflict
from plugin.services import agenda
from plugin.web.api.base import api, talk_for_viewer, write_then_detail
from plugin.web.context import as_viewer_read, as_viewer_write
from plugin.web.schemas import AgendaNoteIn, OwnGoalIn, StatusIn


@api.route(
    "PUT",
    "/talks/<talk_id>/agenda/<key>",
    summary="Mark an agenda item discussed and write what was heard (shared with the other)",
    tag="agenda",
    body=AgendaNoteIn,
)
def note_item(talk_id: str, key: str, body: AgendaNoteIn) -> dict[str, Any]:
    # The answer is the talk as it is now; a stale note's refusal carries the talk too (with
    # the note as the other left it), not the note alone: the page shows the agenda from it.
    try:
        return _note_item(talk_id, key, body)
    except Conflict as error:
        if error.code == "stale":
            error.params["current"] = as_viewer_read(
                lambda svc, s, me: talk_for_viewer(svc, s, talk_id, me)
            )
        raise


def _note_item(talk_id: str, key: str, body: AgendaNoteIn) -> dict[str, Any]:
    return write_then_detail(
        talk_id,
        lambda svc, s, me: agenda.note_item(
            svc,
            s,
            me,
            talk_id,
            key,
            discussed=body.discussed,
            note=body.note,
            expected_version=body.version,
        ),
    )


@api.route(
    "PUT",
    "/talks/<talk_id>/own-goal",
    summary="Write my own goal for the talk (the lead's or the learner's)",
    tag="agenda",
    body=OwnGoalIn,
)
def own_goal(talk_id: str, body: OwnGoalIn) -> dict[str, Any]:
    return write_then_detail(
        talk_id, lambda svc, s, me: agenda.set_own_goal(svc, s, me, talk_id, body.text)
    )


@api.route(
    "POST",
    "/talks/<talk_id>/earlier-agreements/<agreement_id>/status",
    summary="Close, reopen or keep open an earlier talk's agreement, with a note",
    tag="agenda",
    body=StatusIn,
)
def close_earlier(talk_id: str, agreement_id: str, body: StatusIn) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: agenda.close_agreement_from(
            svc,
            s,
            me,
            talk_id,
            agreement_id,
            status=body.status,
            expected_version=body.version,
            note=body.note,
        ).to_dict()
    )
