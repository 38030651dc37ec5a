"""Use cases of sharing a talk read-only with a school supervisor: by person or by a link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.errors import InvalidInput, NotAllowed
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import Role
from plugin.domain.text import clean_text
from plugin.identity.share_links import ShareClaim, read_share_link_token
from plugin.services.context import Services
from plugin.services.talks import (
    load_talk,
    person_in_tenant,
)
from plugin.store import repo

#: School supervisors one talk may be shared with: a student has one or two.
MAX_SHARES = 10


def _load_as_lead(session: Session, viewer: Person, talk_id: str, field: str) -> Talk:
    """The talk, for its lead: sharing is the lead's to decide."""
    talk = load_talk(session, viewer, talk_id)
    if talk.role_of(viewer.id) is not Role.LEAD:
        raise NotAllowed("lead_only", field)
    return talk


def _change_sharing(
    svc: Services, session: Session, viewer: Person, talk_id: str, field: str, version: int
) -> Talk:
    """The talk, for its lead to change who it is shared with, based on `version` of it; the
    change counts as a change of the talk, so both see it and stale writes are refused."""
    talk = _load_as_lead(session, viewer, talk_id, field)
    talk.require_version(version)
    talk.sharing_changed(svc.clock.now())
    return talk


def _add_share(
    svc: Services, session: Session, viewer: Person, talk: Talk, supervisor: Person, field: str
) -> None:
    """Share `talk` with `supervisor`, within the limit per talk (`field` names the input)."""
    shared = repo.shares_of(session, talk.id)
    if supervisor.id not in shared and len(shared) >= MAX_SHARES:
        raise InvalidInput("too_many", field, max=MAX_SHARES)
    repo.add_share(session, talk.id, supervisor.id, viewer.id, svc.clock.now())


def share(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    person_id: str,
    *,
    expected_version: int,
) -> list[str]:
    talk = _change_sharing(svc, session, viewer, talk_id, "person_id", expected_version)
    supervisor = person_in_tenant(session, viewer, person_id, "person_id")
    if not supervisor.external:
        raise InvalidInput("not_external", "person_id")
    _add_share(svc, session, viewer, talk, supervisor, "person_id")
    return repo.shares_of(session, talk.id)


def unshare(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    person_id: str,
    *,
    expected_version: int,
) -> list[str]:
    talk = _change_sharing(svc, session, viewer, talk_id, "person_id", expected_version)
    repo.remove_share(session, talk.id, person_id)
    return repo.shares_of(session, talk.id)


def shares(session: Session, viewer: Person, talk_id: str) -> list[dict[str, Any]]:
    talk = _load_as_lead(session, viewer, talk_id, "talk")
    return repo.shares_with_people(session, talk.id)


#: How long a supervisor's link works, unless the lead says otherwise (days), and at most.
SHARE_LINK_DAYS = 30
MAX_SHARE_LINK_DAYS = 180


def share_by_link(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    *,
    name: str,
    email: str,
    days: int = SHARE_LINK_DAYS,
    expected_version: int,
) -> tuple[Person, ShareClaim]:
    """Share the talk read-only with a supervisor outside the organisation, by a link.

    The supervisor is a person of the lead's tenant marked external (found again by e-mail
    address); a new link for them retires their earlier one.
    """
    talk = _change_sharing(svc, session, viewer, talk_id, "email", expected_version)
    if not 1 <= days <= MAX_SHARE_LINK_DAYS:
        raise InvalidInput("choice", "days")
    name = clean_text(name, "name", max_length=100)
    email = clean_text(email, "email", max_length=254).lower()
    supervisor = repo.external_person_by_email(session, viewer.tenant_id, email)
    if supervisor is None:
        supervisor = Person(
            id=svc.new_id(),
            tenant_id=viewer.tenant_id,
            # Not an Entra object id (those are GUIDs), so no token can ever sign in as them.
            object_id=f"share-link:{svc.new_id()}",
            display_name=name,
            email=email,
            external=True,
        )
        session.add(supervisor)
        session.flush()
    now = svc.clock.now()
    _add_share(svc, session, viewer, talk, supervisor, "email")
    link_id = svc.new_id()
    repo.set_share_link(session, talk.id, supervisor.id, link_id)
    return supervisor, ShareClaim(talk.id, supervisor.id, link_id, now + timedelta(days=days))


def talk_by_share_link(
    svc: Services, session: Session, token: str
) -> tuple[Talk, Person, ShareClaim] | None:
    """The talk and supervisor of a share link that is genuine, unexpired and not revoked."""
    claim = read_share_link_token(svc.secret_key, token, svc.clock.now())
    if claim is None:
        return None
    if repo.share_link_id(session, claim.talk_id, claim.person_id) != claim.link_id:
        return None  # the lead stopped sharing, or made a newer link
    supervisor = session.get(Person, claim.person_id)
    if supervisor is None or not supervisor.external:
        return None
    talk = repo.talk(session, supervisor.tenant_id, claim.talk_id)
    return (talk, supervisor, claim) if talk is not None else None
