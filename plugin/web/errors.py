"""Every failure becomes a clear answer: a status code and a message in the user's language.

Domain errors carry codes; here they become sentences. Nothing internal (stack traces, SQL,
secrets) leaves the server.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from plugin.domain.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from plugin.domain.people import first_name
from plugin.identity.managers import ManagerUnavailable
from plugin.services.context import Busy
from plugin.settings import LOCAL

log = logging.getLogger(__name__)

STATUS = {InvalidInput: 422, NotAllowed: 403, NotFound: 404, Conflict: 409}


class Unauthenticated(Exception):
    """No valid session (or token): the caller must sign in.

    `invalid_token`: a bearer token was sent and refused (RFC 6750's `error="invalid_token"`),
    as opposed to none sent at all.
    """

    def __init__(self, *, invalid_token: bool = False) -> None:
        super().__init__("unauthenticated")
        self.invalid_token = invalid_token


class PayloadTooLarge(Exception):
    """The request body is larger than the app takes."""


class ConsentRequired(Exception):
    """The user must first allow the app something in Microsoft 365 (see `web/consent.py`)."""

    def __init__(self, url: str) -> None:
        super().__init__("consent_required")
        self.url = url


class Unavailable(Exception):
    """A service we depend on (Microsoft 365's calendar) did not answer: try again shortly."""

    retry_after_seconds = 5

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class BadRequest(Exception):
    """The request itself is malformed: not JSON, wrong content type, missing CSRF token."""

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


def message(code: str, field: str | None, params: dict[str, Any]) -> str:
    """The sentence for an error code, in the request's language."""
    texts = {
        "required": lambda: _("This field is required."),
        "too_long": lambda: _("At most %(max)s characters, please.", max=params.get("max")),
        "too_short": lambda: _("This is too short."),
        "in_past": lambda: _("This date lies in the past."),
        "too_far": lambda: ngettext(
            "This lies more than %(num)s year ahead. Check the year.",
            "This lies more than %(num)s years ahead. Check the year.",
            int(params.get("years", 1)),
        ),
        "timezone_required": lambda: _("Give the time with its time zone."),
        "outside_working_hours": lambda: _(
            "Choose a time on a working day between %(start)s and %(end)s.",
            start=params.get("start"),
            end=params.get("end"),
        ),
        "duration_range": lambda: _(
            "A talk lasts between %(min)s and %(max)s minutes.",
            min=params.get("min"),
            max=params.get("max"),
        ),
        "invalid_email": lambda: _("This e-mail address is not right."),
        "self_talk": lambda: _("You cannot plan a talk with yourself."),
        "same_person": lambda: _("Choose two different people: a lead and a learner."),
        "end_before_start": lambda: _("The working day must end after it starts."),
        "import_refused": lambda: ngettext(
            "Nothing was imported: %(num)s line is not right. Fix it and try again.",
            "Nothing was imported: %(num)s lines are not right. Fix them and try again.",
            int(params.get("count", 1)),
        ),
        "not_your_learner": lambda: _(
            "You are not %(name)s's lead. Choose someone you lead.",
            name=first_name(str(params.get("name", ""))),
        ),
        "unknown_person": lambda: _("There is no such person in your organisation."),
        "external_learner": lambda: _("A school supervisor cannot be the learner in a talk."),
        "external_lead": lambda: _("A school supervisor cannot plan talks."),
        "external": lambda: _("A school supervisor can read shared talks but not change them."),
        "not_external": lambda: _("Talks can only be shared with a school supervisor."),
        "unknown_item": lambda: _("The checklist has no such item."),
        "duplicate": lambda: _("This appears twice."),
        "too_many": lambda: _("At most %(max)s, please.", max=params.get("max")),
        "choice": lambda: _(
            "Choose one of: %(choices)s.", choices=", ".join(params.get("choices", []))
        ),
        "control_characters": lambda: _("This text contains characters that are not allowed."),
        "lead_only": lambda: _("Only the lead of the talk can do this."),
        "participant_only": lambda: _("Only the two people in the talk can do this."),
        "not_writer": lambda: _(
            "Only the person who wrote this agreement can remove it at once. Ask for removal."
        ),
        "owner_or_lead": lambda: _(
            "Only the person who keeps this agreement, or the lead, can change how it stands."
        ),
        "check_in_decided": lambda: _("This check-in was accepted or dismissed already."),
        "check_in_no_sign": lambda: _("A check-in has no form to sign."),
        "nothing_to_confirm": lambda: _("There is nothing waiting for your confirmation here."),
        "unchanged": lambda: _("This is what the agreement says already."),
        "no_free_slot": lambda: _("No time is free for both of you in the coming days."),
        "progress_closed": lambda: _("This agreement is closed already. Pick it up again first."),
        "progress_stuck": lambda: _("This agreement is marked as stuck already."),
        "progress_running": lambda: _(
            "This agreement is still running: there is nothing to pick up again."
        ),
        "learner_only_goal": lambda: _("This is the learner's own goal: only they write it."),
        "not_on_agenda": lambda: _("This is not on the talk's agenda (any more)."),
        "unknown_hint": lambda: _("There is no such hint."),
        "learner_only": lambda: _("Only the learner can react to an agreement."),
        "confirm_own_wording": lambda: _(
            "The other participant confirms the wording of what you wrote."
        ),
        "not_found": lambda: _("Not found, or not yours to see."),
        "locked": lambda: _("This talk is signed and locked; changes belong in a new talk."),
        "cancelled": lambda: _("This talk was cancelled."),
        "not_planned": lambda: _("Only a talk that has not taken place can be moved."),
        "not_started": lambda: _("The talk has not started yet."),
        "stale": lambda: _(
            "Someone else changed this in the meantime. Compare both versions and choose."
        ),
        "busy": lambda: _("Many changes at once. Try again in a moment."),
        "https_required": lambda: _("This app answers over https only."),
        "invalid_chat_id": lambda: _("This is not the id of a Teams meeting chat."),
        "consent_required": lambda: _(
            "Ontwikkelgesprek needs your permission first to post in the meeting chat."
        ),
        "calendar_in_outlook": lambda: _(
            "Your calendar is in Outlook: look there. This app reads it only in the background."
        ),
        "unconfirmed": lambda: _(
            "Before signing, the other participant confirms every agreement and every removal."
        ),
        "form_changed": lambda: _(
            "The form changed after you opened it. Read it again, then sign."
        ),
        "outside_calendar": lambda: _(
            "This talk's date cannot be shown in a calendar. Move the talk to a real date."
        ),
        "not_ical": lambda: _(
            "This is not a calendar invite. Save the appointment as .ics and choose that file."
        ),
        "no_event": lambda: _("This file has no appointment in it."),
        "several_events": lambda: _("This file holds several appointments. Save just the one."),
        "no_start": lambda: _("This appointment has no start time."),
        "no_end": lambda: _("This appointment has no end time."),
        "no_uid": lambda: _("This appointment has no id (UID), so it cannot be updated."),
        "all_day": lambda: _("This is an all-day appointment. A talk needs a start time."),
        "recurring": lambda: _(
            "This is a recurring series. Bring in one appointment; series come in a later version."
        ),
        "file_too_large": lambda: _(
            "This file is larger than %(max)s KB. An invite for one appointment is much smaller.",
            max=params.get("max"),
        ),
        "no_learner": lambda: _(
            "None of the invited people is a colleague in this app. Not found: %(unknown)s.",
            unknown=", ".join(params.get("unknown", [])) or "-",
        ),
        "choose_learner": lambda: _("Several colleagues are invited. Choose the learner."),
        "not_an_attendee": lambda: _("This person is not invited to the appointment."),
        "outlook_only": lambda: _(
            "This works from Outlook, with Microsoft 365. Plan the talk on the plan page instead."
        ),
        "graph_consent_required": lambda: _(
            "Your IT administrator has to allow Ontwikkelgesprek to read your calendar first."
        ),
        "calendar_refused": lambda: _(
            "Microsoft 365 did not let us read this appointment. Ask your IT administrator."
        ),
        "calendar_unavailable": lambda: _("Microsoft 365 did not answer. Try again in a moment."),
        "appointment_not_found": lambda: _(
            "This appointment is not in your calendar. Save it first, or open it from your "
            "own calendar."
        ),
        "not_organizer": lambda: _(
            "Only the organiser of the appointment can make it a development talk."
        ),
        "appointment_cancelled": lambda: _("This appointment was cancelled."),
        "series_over": lambda: _("This series has no more meetings ahead."),
        "no_series_for_meeting": lambda: _(
            "This meeting is not a recurring meeting you organise in Outlook."
        ),
        "move_in_outlook": lambda: _(
            "This talk is held in your own Outlook appointment. Move that appointment in Outlook."
        ),
        "not_from_outlook": lambda: _("This talk was not made from an Outlook appointment."),
        "no_removal": lambda: _("Nobody asked to remove this agreement."),
        "confirm_own_removal": lambda: _(
            "The other participant confirms the removal you asked for."
        ),
        "too_large": lambda: _("This request is too large."),
        "not_signed": lambda: _("The talk is not signed yet."),
        "already_booked": lambda: _("The follow-up is booked already."),
        "malformed_json": lambda: _("The request body is not valid JSON."),
        "json_required": lambda: _("Send the request body as JSON."),
        "csrf": lambda: _("This request did not come from the app; reload the page."),
        "unauthenticated": lambda: _("Please sign in."),
        "type": lambda: _("This value has the wrong type."),
        "invalid_date": lambda: _("This is not a valid date or time."),
        "too_small": lambda: _("This number is too small."),
        "too_big": lambda: _("This number is too large."),
        "unknown_field": lambda: _("This field is not known."),
    }
    text = texts.get(code)
    return str(text()) if text else str(_("This value is not valid."))


def error_response(
    status: int,
    code: str,
    field: str | None = None,
    params: dict[str, Any] | None = None,
    details: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> tuple[Response, int]:
    params = params or {}
    body: dict[str, Any] = {
        "code": code,
        "field": field,
        "message": message(code, field, params),
    }
    if details:
        body["details"] = details
    if extra:
        body.update(extra)
    return jsonify({"error": body}), status


PYDANTIC_CODES = {
    "missing": "required",
    "string_too_long": "too_long",
    "string_too_short": "too_short",
    "too_long": "too_many",
    "extra_forbidden": "unknown_field",
    "literal_error": "choice",
    "enum": "choice",
    "greater_than_equal": "too_small",
    "greater_than": "too_small",
    "less_than_equal": "too_big",
    "less_than": "too_big",
    "timezone_aware": "timezone_required",
    "invalid_email": "invalid_email",
}


def field_name(loc: tuple[int | str, ...]) -> str | None:
    """A field's name as the domain writes it too: `points[2].text`."""
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or None


def validation_details(error: ValidationError) -> list[dict[str, Any]]:
    details = []
    for item in error.errors(include_url=False):
        field = field_name(item["loc"])
        kind = item["type"]
        if kind.startswith(("date", "datetime", "time")) and kind != "timezone_aware":
            code = "invalid_date"
        elif kind.endswith("_type") or kind.endswith("_parsing"):
            code = "type"
        else:
            code = PYDANTIC_CODES.get(kind, "invalid")
        ctx = item.get("ctx") or {}
        params: dict[str, Any] = {}
        if code == "too_long":
            params["max"] = ctx.get("max_length")
        if code == "choice":
            params["choices"] = [
                c.strip(" '") for c in str(ctx.get("expected", "")).replace(" or ", ",").split(",")
            ]
        details.append({"field": field, "code": code, "message": message(code, field, params)})
    return details


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[Response, int]:
        status = next((s for cls, s in STATUS.items() if isinstance(error, cls)), 422)
        extra = {}
        if isinstance(error, Conflict) and "current" in error.params:
            extra["current"] = error.params["current"]
        params = {k: v for k, v in error.params.items() if k != "current"}
        if params.get("agreements"):
            extra["agreements"] = params["agreements"]
        return error_response(status, error.code, error.field, params, extra=extra)

    @app.errorhandler(ValidationError)
    def invalid_body(error: ValidationError) -> tuple[Response, int]:
        details = validation_details(error)
        first = details[0]
        response, status = error_response(422, first["code"], first["field"], details=details)
        # The first problem's own message already carries its parameters (limits, choices).
        body = response.get_json()
        body["error"]["message"] = first["message"]
        return jsonify(body), status

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest) -> tuple[Response, int]:
        status = 403 if error.code == "csrf" else 400
        return error_response(status, error.code, error.field)

    @app.errorhandler(ConsentRequired)
    def consent_required(error: ConsentRequired) -> tuple[Response, int]:
        return error_response(403, "consent_required", extra={"consent_url": error.url})

    @app.errorhandler(Unauthenticated)
    def unauthenticated(error: Unauthenticated) -> tuple[Response, int]:
        response, status = error_response(401, "unauthenticated")
        if app.config.get("OG_MODE") != LOCAL:
            # RFC 6750: say which scheme gets in, and whether the token sent was refused.
            challenge = 'Bearer error="invalid_token"' if error.invalid_token else "Bearer"
            response.headers["WWW-Authenticate"] = challenge
        return response, status

    @app.errorhandler(PayloadTooLarge)
    def payload_too_large(_error: PayloadTooLarge) -> tuple[Response, int]:
        return error_response(413, "too_large")

    @app.errorhandler(Busy)
    def busy(error: Busy) -> tuple[Response, int]:
        response, status = error_response(503, "busy")
        response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response, status

    @app.errorhandler(Unavailable)
    def unavailable(error: Unavailable) -> tuple[Response, int]:
        response, status = error_response(503, error.code)
        response.headers["Retry-After"] = str(error.retry_after_seconds)
        return response, status

    @app.errorhandler(ManagerUnavailable)
    def manager_unavailable(_error: ManagerUnavailable) -> tuple[Response, int]:
        # Who leads whom could not be read from Entra (the manager rule): nothing was planned.
        response, status = error_response(503, "calendar_unavailable")
        response.headers["Retry-After"] = str(Unavailable.retry_after_seconds)
        return response, status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> BaseResponse | tuple[Response, int]:
        if not request.path.startswith("/api/"):
            return error.get_response()
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            error.code or 0, "http"
        )
        response, status = error_response(error.code or 500, code)
        return response, status

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[Response, int]:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return jsonify(
            {"error": {"code": "internal", "message": _("Something went wrong on our side.")}}
        ), 500
