"""Reading and writing the lead-learner pairs (`lead_pair_tables.lead_pairs`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.store.lead_pair_tables import lead_pairs
from plugin.store.schema import people


def leads_of(session: Session, tenant_id: str, learner_id: str) -> set[str]:
    """The ids of the people paired as this learner's leads."""
    rows = session.execute(
        select(lead_pairs.c.lead_id).where(
            lead_pairs.c.tenant_id == tenant_id, lead_pairs.c.learner_id == learner_id
        )
    )
    return {row[0] for row in rows}


def learners_of(session: Session, tenant_id: str, lead_id: str) -> set[str]:
    """The ids of the people this lead is paired with as their learners."""
    rows = session.execute(
        select(lead_pairs.c.learner_id).where(
            lead_pairs.c.tenant_id == tenant_id, lead_pairs.c.lead_id == lead_id
        )
    )
    return {row[0] for row in rows}


def pairs(session: Session, tenant_id: str | None) -> list[tuple[Person, Person]]:
    """Every (lead, learner) pair, of one organisation or of all, in no particular order."""
    query = select(lead_pairs.c.lead_id, lead_pairs.c.learner_id)
    if tenant_id is not None:
        query = query.where(lead_pairs.c.tenant_id == tenant_id)
    rows = session.execute(query).all()
    ids = {i for row in rows for i in row}
    found = {p.id: p for p in session.execute(select(Person).where(people.c.id.in_(ids))).scalars()}
    return [(found[lead], found[learner]) for lead, learner in rows]


def colleagues_by_email(session: Session, email: str, tenant_id: str | None) -> list[Person]:
    """The colleagues (not school supervisors) with this address, compared without case."""
    query = select(Person).where(
        func.lower(people.c.email) == email.strip().lower(), people.c.external.is_(False)
    )
    if tenant_id is not None:
        query = query.where(people.c.tenant_id == tenant_id)
    return list(session.execute(query).scalars())


def remove(session: Session, tenant_id: str, lead_id: str, learner_id: str) -> bool:
    """Unpair them; False when they were not paired."""
    result = session.execute(
        delete(lead_pairs).where(
            lead_pairs.c.tenant_id == tenant_id,
            lead_pairs.c.lead_id == lead_id,
            lead_pairs.c.learner_id == learner_id,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def add(session: Session, pairs: Iterable[tuple[Person, Person]], now: datetime) -> int:
    """Insert these pairs (the caller left out those there already); how many."""
    rows = [
        {
            "tenant_id": lead.tenant_id,
            "lead_id": lead.id,
            "learner_id": learner.id,
            "created_at": now,
        }
        for lead, learner in pairs
    ]
    if rows:
        session.execute(insert(lead_pairs), rows)
    return len(rows)
