"""People as Microsoft mode knows them: found, or added, by their Entra identity; and the
colleagues a person may plan a talk with."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.domain.text import clean_text
from plugin.services import lead_rule, views
from plugin.services.context import Services
from plugin.store import repo, sessions
from plugin.store.db import Database


def known_person(
    session: Session, tenant_id: str, object_id: str, name: str, email: str
) -> Person | None:
    """The person with this identity, when their stored name and address are current."""
    person = repo.person_by_identity(session, tenant_id, object_id)
    if person is None or person.display_name != _name(name, email) or person.email != email:
        return None
    return person


def person_for_sign_in(
    svc: Services, session: Session, tenant_id: str, object_id: str, name: str, email: str
) -> Person:
    """The person with this Entra identity; added on first sign-in, kept up to date after."""
    person = repo.person_by_identity(session, tenant_id, object_id)
    if person is None:
        person = Person(
            id=svc.new_id(),
            tenant_id=tenant_id,
            object_id=object_id,
            display_name=_name(name, email),
            email=email,
        )
        session.add(person)
    else:
        person.display_name, person.email = _name(name, email), email
    return person


def signed_in_person(session: Session, tenant_id: str, person_id: str) -> Person | None:
    """The person an identity (from a session or a token) names, within that tenant."""
    return repo.person(session, tenant_id, person_id)


def session_generation(db: Database, tenant_id: str, person_id: str) -> int | None:
    """The person's session generation (local mode: signing out bumps it, ending every
    session begun before), or None for nobody: one indexed read on a bare connection."""
    with db.connection() as connection:
        return sessions.session_generation(connection, tenant_id, person_id)


def session_generations(
    db: Database, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Many people's session generations in one read (the session check's refresh)."""
    with db.connection() as connection:
        return sessions.session_generations(connection, keys)


def _name(name: str, email: str) -> str:
    return clean_text(name, "name", max_length=200, required=False) or email or "?"


def people_to_lead(svc: Services, session: Session, viewer: Person) -> dict[str, Any]:
    """As `views.people_to_plan_with`, with only the colleagues the viewer may lead under the
    organisation's rule; `restricted` says whether the rule limits them (not `anyone`)."""
    found = views.people_to_plan_with(session, viewer)
    colleagues = [p for p in repo.colleagues(session, viewer.tenant_id) if p.id != viewer.id]
    allowed = {p.id for p in lead_rule.learners_for(svc, session, viewer, colleagues)}
    people = [p for p in found["people"] if p["id"] in allowed]
    return {**found, "people": people, "restricted": lead_rule.restricted(svc)}
