"""The admin's API under /api/admin/: the terms, the working week and holidays, late talks, a
person's export, the audit log. Everything an admin sets holds for their own tenant only.

Every route but `/admin/me` is for admins only: no sign-in answers 401, a signed-in person
who is not an admin 403, before the CSRF token or the body is looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Annotated, Any

from flask import Response, current_app, request
from flask_babel import get_locale
from pydantic import Field, StringConstraints
from sqlalchemy.orm import Session

from plugin.domain import work_week
from plugin.domain.admin import MONTHS_MAX, MONTHS_MIN, WEEKS_MAX, WEEKS_MIN
from plugin.domain.errors import NotFound
from plugin.domain.people import Person
from plugin.services import admin_settings, admin_views, audit, privacy_export, working_time
from plugin.services.context import Services
from plugin.services.privacy_terms import Terms
from plugin.web import privacy_page
from plugin.web.admin_access import refusal, viewer_is_admin
from plugin.web.api.base import api, attachment, blueprint
from plugin.web.context import as_viewer_read, as_viewer_write, services
from plugin.web.schemas import Body, Day, Query, Version

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
    #: The version of the terms this save is based on (`GET`'s `version`).
    version: Version


class HolidayIn(Body):
    date: Day
    name: Annotated[str, StringConstraints(max_length=work_week.NAME_MAX)] = ""


class WorkWeekIn(Body):
    #: Monday = 0 ... Sunday = 6.
    days: list[Annotated[int, Field(ge=0, le=6)]] = Field(max_length=7)
    start: time
    end: time
    holidays: list[HolidayIn] = Field(default_factory=list, max_length=work_week.HOLIDAYS_MAX)
    #: The version of the week this save is based on (`GET`'s `version`).
    version: Version


class AuditQuery(Query):
    page: int = Field(default=0, ge=0, le=100_000)


class NationalQuery(Query):
    year: int = Field(ge=work_week.YEAR_MIN, le=work_week.YEAR_MAX)


def _terms(svc: Services, session: Session, me: Person) -> dict[str, Any]:
    base: Terms = current_app.extensions.get(privacy_page.TERMS, Terms())
    return admin_settings.view(session, base, svc.policy, me.tenant_id)


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
    return as_viewer_read(_terms)


@api.route(
    "PUT",
    "/admin/settings",
    summary="Set the retention periods (months) and the follow-up interval (weeks)",
    tag="admin",
    body=AdminTermsIn,
)
def set_admin_terms(body: AdminTermsIn) -> dict[str, Any]:
    terms = admin_settings.AdminTerms(**body.model_dump(exclude={"version"}))

    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        base: Terms = current_app.extensions.get(privacy_page.TERMS, Terms())
        return admin_settings.store(
            s, base, svc.policy, me.tenant_id, terms, body.version, svc.clock.now()
        )

    return _change_of_settings(work)


@api.route(
    "GET",
    "/admin/working-hours",
    summary="The working days, daily hours and holidays in force for my organisation",
    tag="admin",
)
def admin_working_hours() -> dict[str, Any]:
    return as_viewer_read(
        lambda svc, s, me: working_time.week_view(s, svc.policy.hours, me.tenant_id)
    )


@api.route(
    "PUT",
    "/admin/working-hours",
    summary="Set the working days, daily hours and holidays of my organisation",
    tag="admin",
    body=WorkWeekIn,
)
def set_admin_working_hours(body: WorkWeekIn) -> dict[str, Any]:
    week = work_week.WorkWeek(
        days=frozenset(body.days),
        start=body.start,
        end=body.end,
        holidays=tuple(work_week.Holiday(h.date, h.name.strip()) for h in body.holidays),
    )

    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        return working_time.store_week(
            s, svc.policy.hours, me.tenant_id, week, body.version, svc.clock.now()
        )

    return _change_of_settings(work)


def _change_of_settings(
    work: Callable[[Services, Session, Person], dict[str, Any]],
) -> dict[str, Any]:
    """Save an admin's settings, then note in the audit log who changed them (no values)."""
    me, saved = as_viewer_write(lambda svc, s, me: (me, work(svc, s, me)))
    audit.record(services(), "settings_change", tenant_id=me.tenant_id, actor_id=me.id, via="admin")
    return saved


@api.route(
    "GET",
    "/admin/national-holidays",
    summary="The Dutch public holidays of a year: a suggestion to add to the holidays",
    tag="admin",
    query=NationalQuery,
)
def national_holidays(query: NationalQuery) -> dict[str, Any]:
    as_viewer_read(lambda svc, s, me: me)  # signed in (the admins-only check ran before)
    language = str(get_locale() or "nl")
    found = work_week.national_holidays(query.year, language)
    return {
        "year": query.year,
        "holidays": [{"date": h.day.isoformat(), "name": h.name} for h in found],
    }


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
    return attachment(made.content, made.filename, "application/zip")


@api.route(
    "GET",
    "/admin/audit",
    summary="The audit log, newest first, a page at a time",
    tag="admin",
    query=AuditQuery,
)
def admin_audit(query: AuditQuery) -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: admin_views.audit_page(s, me, query.page))
