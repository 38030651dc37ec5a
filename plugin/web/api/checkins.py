"""Check-ins when an agreement slips: the lead accepts (at the time found, or a time they
pick) or dismisses a proposal; after the check-in, one of the two writes the new wording or
due date and the other confirms it."""

from __future__ import annotations

from typing import Any

from plugin.services import checkins
from plugin.web.api.base import api
from plugin.web.context import as_viewer_read, as_viewer_write
from plugin.web.schemas import Body, Day, Moment, Version, Versioned


class OutcomeIn(Body):
    #: The check-in's version as last read.
    version: Version
    #: The agreement's new wording, its new due date, or both.
    what: str | None = None
    due: Day | None = None


class AcceptIn(Body):
    #: The check-in's version as last read.
    version: Version
    #: A time the lead picks instead of the one found (none was found, or another suits):
    #: 15 minutes from then, on a working day within working hours, booked as it is.
    starts_at: Moment | None = None


@api.route(
    "GET",
    "/check-ins/<check_in_id>",
    summary="A check-in (proposed, accepted or dismissed) with its agreement",
    tag="check-ins",
)
def get_check_in(check_in_id: str) -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: checkins.view(svc, s, me, check_in_id))


@api.route(
    "POST",
    "/check-ins/<check_in_id>/accept",
    summary="The lead accepts a proposed check-in, at the time found or one they pick: it is "
    "booked in both calendars",
    tag="check-ins",
    body=AcceptIn,
)
def accept_check_in(check_in_id: str, body: AcceptIn) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: checkins.accept(
            svc, s, me, check_in_id, expected_version=body.version, starts_at=body.starts_at
        )
    )


@api.route(
    "POST",
    "/check-ins/<check_in_id>/dismiss",
    summary="The lead dismisses a proposed check-in: not proposed again for the same occasion",
    tag="check-ins",
    body=Versioned,
)
def dismiss_check_in(check_in_id: str, body: Versioned) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: checkins.dismiss(svc, s, me, check_in_id, expected_version=body.version)
    )


@api.route(
    "PUT",
    "/check-ins/<check_in_id>/outcome",
    summary="After the check-in started: the agreement's new wording or due date, for the "
    "other to confirm",
    tag="check-ins",
    body=OutcomeIn,
)
def write_outcome(check_in_id: str, body: OutcomeIn) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: checkins.write_outcome(
            svc, s, me, check_in_id, what=body.what, due=body.due, expected_version=body.version
        )
    )


@api.route(
    "POST",
    "/check-ins/<check_in_id>/outcome/confirm",
    summary="Confirm the check-in's outcome the other wrote: the agreement takes it",
    tag="check-ins",
    body=Versioned,
)
def confirm_outcome(check_in_id: str, body: Versioned) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: checkins.confirm_outcome(
            svc, s, me, check_in_id, expected_version=body.version
        )
    )
