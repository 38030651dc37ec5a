"""The admin's lead-learner pairs under /api/admin/lead-pairs: who may lead whom under the
`pairs` rule, kept on the admin page as the `leads` command keeps them on the server.

The admins-only check of `api/admin.py` covers these routes (401, then 403, before the body).
Adding a pair twice or removing one that is not there changes nothing, so these writes need
no version: two admins at once cannot overwrite each other. Each change is in the audit log.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.services import audit, lead_pairs
from plugin.services.context import Services
from plugin.services.lead_rule import rules_of
from plugin.web.api.base import api
from plugin.web.context import as_viewer_read, as_viewer_write, services
from plugin.web.errors import error_response
from plugin.web.schemas import Body

#: An import's text: 10,000 lines of two addresses fit well within the app's request limit.
MAX_CSV = 250_000


class PairIn(Body):
    lead_id: str = Field(min_length=1, max_length=36)
    learner_id: str = Field(min_length=1, max_length=36)


class PairsImport(Body):
    csv: str = Field(min_length=1, max_length=MAX_CSV)


def _person(person: Person) -> dict[str, Any]:
    return {"id": person.id, "name": person.display_name, "email": person.email}


def _pairs(svc: Services, session: Session, me: Person) -> dict[str, Any]:
    pairs = lead_pairs.list_pairs(session, me.tenant_id)
    return {
        #: The rule in force: the pairs decide only under `pairs`.
        "rule": rules_of(svc).rule.value,
        "pairs": [{"lead": _person(p.lead), "learner": _person(p.learner)} for p in pairs],
    }


def _record(svc: Services, me: Person) -> None:
    audit.record(svc, "lead_pairs_change", tenant_id=me.tenant_id, actor_id=me.id, via="admin")


def _answer(me: Person, changed: bool, listing: dict[str, Any]) -> dict[str, Any]:
    """The pairs as the change left them (read in its transaction); a real change logged."""
    if changed:
        _record(services(), me)
    return {**listing, "changed": changed}


@api.route(
    "GET",
    "/admin/lead-pairs",
    summary="Who may lead whom (the pairs rule): every lead-learner pair of my organisation",
    tag="admin",
)
def list_lead_pairs() -> dict[str, Any]:
    return as_viewer_read(_pairs)


@api.route(
    "POST",
    "/admin/lead-pairs",
    summary="Pair a lead with a learner (adding a pair again changes nothing)",
    tag="admin",
    body=PairIn,
)
def add_lead_pair(body: PairIn) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> tuple[Person, bool, dict[str, Any]]:
        _pair, added = lead_pairs.add_by_id(svc, s, me.tenant_id, body.lead_id, body.learner_id)
        return me, added, _pairs(svc, s, me)

    return _answer(*as_viewer_write(work))


@api.route(
    "DELETE",
    "/admin/lead-pairs/<lead_id>/<learner_id>",
    summary="Unpair a lead and a learner (talks planned before stay as they are)",
    tag="admin",
)
def remove_lead_pair(lead_id: str, learner_id: str) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> tuple[Person, bool, dict[str, Any]]:
        removed = lead_pairs.remove_by_id(s, me.tenant_id, lead_id, learner_id)
        return me, removed, _pairs(svc, s, me)

    return _answer(*as_viewer_write(work))


@api.route(
    "POST",
    "/admin/lead-pairs/import",
    summary="Add the pairs of a CSV text (header lead,learner; e-mail addresses): all or none",
    tag="admin",
    body=PairsImport,
)
def import_lead_pairs(body: PairsImport) -> dict[str, Any] | tuple[Response, int]:
    def work(svc: Services, s: Session, me: Person) -> tuple[Person, int, dict[str, Any]]:
        added = lead_pairs.import_csv(svc, s, body.csv, me.tenant_id)
        return me, added, _pairs(svc, s, me)

    try:
        me, added, listing = as_viewer_write(work)
    except lead_pairs.ImportRefused as refused:
        details = [
            {"field": "csv", "line": p.line, "message": _line_message(p)} for p in refused.lines
        ]
        return error_response(
            422, "import_refused", "csv", params={"count": len(details)}, details=details
        )
    if added:
        _record(services(), me)
    return {**listing, "added": added}


def _line_message(problem: lead_pairs.LineProblem) -> str:
    """A wrong line of an import, in the admin's language."""
    column = {"lead": _("lead"), "learner": _("learner")}.get(problem.field or "", "")
    texts = {
        "header": lambda: _("The first line must be: lead,learner"),
        "too_many_lines": lambda: _("At most %(max)s pairs in one file.", max=problem.value),
        "columns": lambda: _(
            "Give two e-mail addresses, separated by a comma (found %(found)s columns).",
            found=problem.value,
        ),
        "unknown_person": lambda: _(
            "No colleague has the address %(email)s (%(column)s).",
            email=problem.value,
            column=column,
        ),
        "self_talk": lambda: _("Lead and learner are the same person."),
    }
    text = texts.get(problem.code)
    return text() if text else problem.code
