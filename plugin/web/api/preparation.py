"""The preparation: checklist ticks, discussion points, earlier talks' open agreements (closing
one is on the agenda: `agenda`)."""

from __future__ import annotations

from typing import Any

from plugin.domain.errors import Conflict
from plugin.services import preparation, talks, views
from plugin.web.api.base import api, language
from plugin.web.context import as_viewer_read, as_viewer_write
from plugin.web.schemas import PreparationIn


@api.route(
    "GET",
    "/talks/<talk_id>/preparation",
    summary="Checklist, my and the other's points, earlier open agreements",
    tag="preparation",
)
def get_preparation(talk_id: str) -> dict[str, Any]:
    return _preparation(talk_id)


def _preparation(talk_id: str) -> dict[str, Any]:
    return as_viewer_read(
        lambda svc, s, me: views.preparation_view(
            svc, s, talks.load_talk(s, me, talk_id), me, language()
        )
    )


@api.route(
    "PUT",
    "/talks/<talk_id>/preparation",
    summary="Save my ticks and discussion points",
    tag="preparation",
    body=PreparationIn,
)
def put_preparation(talk_id: str, body: PreparationIn) -> dict[str, Any]:
    try:
        as_viewer_write(
            lambda svc, s, me: preparation.prepare(
                svc,
                s,
                me,
                talk_id,
                ticked=body.ticked,
                points=[p.model_dump() for p in body.points],
                expected_version=body.version,
            )
        )
    except Conflict as error:
        if error.code == "stale":
            # Saved meanwhile elsewhere (another tab): answer with what is saved now.
            error.params["current"] = _preparation(talk_id)
        raise
    return _preparation(talk_id)
