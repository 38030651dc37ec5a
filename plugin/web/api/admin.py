"""The admin's API under /api/admin/: the terms, late talks, a person's export, the audit log.

Every route but `/admin/me` is for admins only: no sign-in answers 401, a signed-in person
who is not an admin 403, before the CSRF token or the body is looked at.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from pydantic import Field
from sqlalchemy.orm import Session

from plugin.domain.admin import MONTHS_MAX, MONTHS_MIN, WEEKS_MAX, WEEKS_MIN
from plugin.domain.errors import NotFound
from plugin.domain.people import Person
from plugin.services import admin_settings, admin_views, audit, privacy_export
from plugin.services.context import Services
from plugin.services.privacy_terms import Terms
from plugin.web import privacy_page
from plugin.web.admin_access import refusal, viewer_is_admin
from plugin.web.api.base import api, blueprint
from plugin.web.context import as_viewer_read, as_viewer_write, services
from plugin.web.schemas import Body, Query

PREFIX = "/api/admin/"
OPEN_TO_ALL = frozenset({"/api/admin/me"})


@blueprint.before_request
def admins_only() -> tuple[Response, int] | None:
    if not request.path.startswith(PREFIX) or request.path in OPEN_TO_ALL:
        return None
    me = as_viewer_read(lambda svc, s, me: me)  # 401 when nobody is signed in
    return None if viewer_is_admin(me) else refusal()


class AdminTermsIn(Body):
    retention_months: int = Field(ge=MONTHS_MIN, le=MONTHS_MAX)
    audit_retention_months: int = Field(ge=MONTHS_MIN, le=MONTHS_MAX)
    follow_up_interval_weeks: int = Field(ge=WEEKS_MIN, le=WEEKS_MAX)


class AuditQuery(Query):
    page: int = Field(default=0, ge=0, le=100_000)


def _terms(svc: Services, session: Session) -> dict[str, Any]:
    base: Terms = current_app.extensions.get(privacy_page.TERMS, Terms())
    current = admin_settings.current(session, base, svc.policy)
    return {
        "retention_months": current.retention_months,
        "audit_retention_months": current.audit_retention_months,
        "follow_up_interval_weeks": current.follow_up_interval_weeks,
    }


@api.route("GET", "/admin/me", summary="Whether I am an admin of this app", tag="admin")
def am_i_admin() -> dict[str, Any]:
    return {"admin": viewer_is_admin(as_viewer_read(lambda svc, s, me: me))}


@api.route(
    "GET",
    "/admin/settings",
    summary="The terms in force: retention, audit retention, follow-up interval",
    tag="admin",
)
def admin_terms() -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: _terms(svc, s))


@api.route(
    "PUT",
    "/admin/settings",
    summary="Set the retention periods (months) and the follow-up interval (weeks)",
    tag="admin",
    body=AdminTermsIn,
)
def set_admin_terms(body: AdminTermsIn) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        admin_settings.store(s, admin_settings.AdminTerms(**body.model_dump()), svc.clock.now())
        return _terms(svc, s)

    return as_viewer_write(work)


@api.route(
    "GET",
    "/admin/late",
    summary="Talks that lag behind (never their contents)",
    tag="admin",
)
def late_talks() -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: {"talks": admin_views.late_talks(svc, s, me)})


@api.route("GET", "/admin/people", summary="The organisation's people", tag="admin")
def admin_people() -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: {"people": admin_views.tenant_people(s, me)})


@api.route(
    "GET",
    "/admin/people/<person_id>/export",
    summary="A person's data: their talks as JSON and the PDF of each signed form (logged)",
    tag="admin",
    content_type="application/zip",
)
def admin_export(person_id: str) -> Response:
    def find(svc: Services, s: Session, me: Person) -> tuple[Person, str]:
        person = admin_views.person_in_tenant(s, me, person_id)
        if person is None:
            raise NotFound("not_found", "person")
        return me, person.id

    admin, subject_id = as_viewer_read(find)
    svc = services()
    made = privacy_export.export(svc, subject_id)
    audit.record(
        svc,
        "export",
        tenant_id=admin.tenant_id,
        actor_id=admin.id,
        subject_id=subject_id,
        via="admin",
    )
    response = Response(made.content, mimetype="application/zip")
    response.headers.set("Content-Disposition", "attachment", filename=made.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@api.route(
    "GET",
    "/admin/audit",
    summary="The audit log, newest first, a page at a time",
    tag="admin",
    query=AuditQuery,
)
def admin_audit(query: AuditQuery) -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: admin_views.audit_page(s, me, query.page))
