"""The admin's talk types under /api/admin/talk-types: list, download, upload, remove, hide.

Admins only, as every /api/admin/ route (`admin.admins_only`: 401, then 403, before the
CSRF token or the body is looked at). Each change names the version of the type's row it is
based on (0: the organisation changed nothing about it yet) and answers with the whole list
as it is now, as a stale one's 409 does in `error.current`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from flask import Response
from flask_babel import gettext as _
from pydantic import StringConstraints
from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.services import tenant_talk_types
from plugin.services.context import Services
from plugin.web.api.base import api, attachment, language
from plugin.web.context import as_viewer_read, as_viewer_write, services
from plugin.web.errors import error_response
from plugin.web.schemas import Body, Version, VersionQuery

Work = Callable[[Services, Session, Person], None]


class TalkTypeUpload(Body):
    version: Version
    #: The type's JSON file as text: checked as the files are at start-up (JSON, then the
    #: published schema /static/schemas/talk-type.json, then the template's own rules).
    file: Annotated[str, StringConstraints(max_length=tenant_talk_types.MAX_FILE_CHARS)]


class TalkTypeHidden(Body):
    version: Version
    #: True: the organisation no longer offers this type; false: it offers it again.
    hidden: bool


def _refusal(error: tenant_talk_types.TypeRefused) -> tuple[Response, int]:
    """A refusal worded for the admin, naming the field (in a file: its JSON path)."""
    p = error.params
    texts = {
        "bad_file": lambda: (
            _(
                "The file is not right at %(field)s: %(problem)s",
                field=error.field,
                problem=p["problem"],
            )
            if error.field != "file"
            else _("This file is not valid JSON: %(problem)s", problem=p["problem"])
        ),
        "id_mismatch": lambda: _(
            "The id in the file is %(found)s, not %(expected)s.",
            found=p["found"],
            expected=p["expected"],
        ),
        "too_many_types": lambda: _(
            "Your organisation has %(max)s kinds of talk of its own already. Remove one first.",
            max=p["max"],
        ),
        "default_type": lambda: _(
            "This is the default kind. It cannot be hidden: "
            "a talk planned without a kind gets this one."
        ),
        "not_installation": lambda: _(
            "You added this kind yourself. You can remove it, not hide it."
        ),
        "nothing_to_remove": lambda: _(
            "This kind was not uploaded here, so there is nothing to remove. You can hide it."
        ),
    }
    message = str(texts[error.code]())
    return error_response(422, error.code, error.field, extra={"message": message})


def _write(action: str, work: Work) -> dict[str, Any] | tuple[Response, int]:
    """Make the change, record it, and answer with the list as it is now (or the refusal)."""

    def then_list(svc: Services, s: Session, me: Person) -> tuple[Person, dict[str, Any]]:
        work(svc, s, me)
        return me, tenant_talk_types.listing(svc, s, me, language())

    try:
        admin, listing = as_viewer_write(then_list)
    except tenant_talk_types.TypeRefused as error:
        return _refusal(error)
    tenant_talk_types.record(services(), admin, action)  # after the commit, in its own transaction
    return listing


@api.route(
    "GET",
    "/admin/talk-types",
    summary="The organisation's talk types: where each comes from, hidden or not",
    tag="admin",
)
def admin_talk_types() -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: tenant_talk_types.listing(svc, s, me, language()))


@api.route(
    "GET",
    "/admin/talk-types/<type_id>",
    summary="A talk type's JSON file as the organisation has it now (a download)",
    tag="admin",
)
def download_talk_type(type_id: str) -> Response:
    made = as_viewer_read(lambda svc, s, me: tenant_talk_types.download(svc, s, me, type_id))
    return attachment(made.content, made.filename, "application/json")


@api.route(
    "PUT",
    "/admin/talk-types/<type_id>",
    summary="Upload a talk type's file: adds the type, or replaces it, for my organisation",
    tag="admin",
    body=TalkTypeUpload,
)
def upload_talk_type(type_id: str, body: TalkTypeUpload) -> dict[str, Any] | tuple[Response, int]:
    return _write(
        tenant_talk_types.AUDIT_UPLOAD,
        lambda svc, s, me: tenant_talk_types.upload(
            svc, s, me, type_id, version=body.version, text=body.file, lang=language()
        ),
    )


@api.route(
    "DELETE",
    "/admin/talk-types/<type_id>",
    summary="Remove my organisation's upload of a talk type (a replaced one comes back)",
    tag="admin",
    query=VersionQuery,
)
def remove_talk_type(type_id: str, query: VersionQuery) -> dict[str, Any] | tuple[Response, int]:
    return _write(
        tenant_talk_types.AUDIT_REMOVE,
        lambda svc, s, me: tenant_talk_types.remove(
            svc, s, me, type_id, version=query.version, lang=language()
        ),
    )


@api.route(
    "PUT",
    "/admin/talk-types/<type_id>/hidden",
    summary="Hide a built-in or installation talk type in my organisation, or offer it again",
    tag="admin",
    body=TalkTypeHidden,
)
def hide_talk_type(type_id: str, body: TalkTypeHidden) -> dict[str, Any] | tuple[Response, int]:
    return _write(
        tenant_talk_types.AUDIT_HIDE if body.hidden else tenant_talk_types.AUDIT_SHOW,
        lambda svc, s, me: tenant_talk_types.set_hidden(
            svc, s, me, type_id, version=body.version, hidden=body.hidden, lang=language()
        ),
    )
