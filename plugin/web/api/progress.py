"""Progress on agreements between talks: done, stuck, dropped, picked up again, or a note."""

from __future__ import annotations

from typing import Any

from plugin.domain.agreement_progress import ProgressKind
from plugin.services import progress
from plugin.web.api.base import api
from plugin.web.context import as_viewer_write
from plugin.web.schemas import Body, Version


class ProgressIn(Body):
    #: The agreement's version as last read.
    version: Version
    kind: ProgressKind
    #: What happened (required for a note, and the reason for dropping it).
    note: str | None = None


@api.route(
    "POST",
    "/agreements/<agreement_id>/progress",
    summary="After sign-off: mark an agreement done, stuck, dropped or picked up again, or "
    "write a progress note; answers the agreement with its history",
    tag="agreements",
    body=ProgressIn,
)
def record_progress(agreement_id: str, body: ProgressIn) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: progress.record(
            svc,
            s,
            me,
            agreement_id,
            kind=body.kind,
            note=body.note,
            expected_version=body.version,
        )
    )
