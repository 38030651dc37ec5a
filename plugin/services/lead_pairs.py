"""The lead-learner pairs an admin keeps for the `pairs` rule: list, add, remove, import.

People are named by e-mail address, as an admin knows them; both must be colleagues (not
school supervisors) of one organisation. An import is all or nothing: every line is checked
first, and one wrong line saves none, with each wrong line's number in the answer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from plugin.domain.errors import InvalidInput
from plugin.domain.people import Person
from plugin.services.context import Services
from plugin.store import lead_pairs as store
from plugin.store import repo

#: The most lines an import takes (an SME's whole staff, several times over).
MAX_IMPORT_LINES = 10_000


@dataclass(frozen=True)
class Pair:
    lead: Person
    learner: Person


@dataclass(frozen=True)
class LineProblem:
    """What is wrong with one line of an import: a code (`describe` words it for the command
    line, the admin page in the admin's language), the column concerned, and its value."""

    line: int
    code: str
    field: str | None = None
    value: str = ""


class ImportRefused(Exception):
    """The file was not imported; each problem names its line."""

    def __init__(self, lines: list[LineProblem]) -> None:
        self.lines = lines
        self.problems = [f"line {p.line}: {describe_line(p)}" for p in lines]
        super().__init__("\n".join(self.problems))


def leads_of(session: Session, tenant_id: str, learner_id: str) -> set[str]:
    """The ids of the people paired as this learner's leads."""
    return store.leads_of(session, tenant_id, learner_id)


def learners_of(session: Session, tenant_id: str, lead_id: str) -> set[str]:
    """The ids of the people this lead is paired with as their learners."""
    return store.learners_of(session, tenant_id, lead_id)


def list_pairs(session: Session, tenant_id: str | None = None) -> list[Pair]:
    """Every pair (of one organisation, or of all), by the lead's then the learner's name."""
    found = [Pair(lead, learner) for lead, learner in store.pairs(session, tenant_id)]
    return sorted(found, key=lambda p: (p.lead.display_name, p.learner.display_name, p.lead.id))


def _person(session: Session, email: str, field: str, tenant_id: str | None) -> Person:
    """The colleague with this address (within `tenant_id` when given)."""
    found = store.colleagues_by_email(session, email, tenant_id) if email.strip() else []
    if not found:
        raise InvalidInput("unknown_person", field, email=email)
    if len(found) > 1:
        raise InvalidInput("several_tenants", field, email=email)
    return found[0]


def _resolve(
    session: Session, lead_email: str, learner_email: str, tenant_id: str | None
) -> tuple[Person, Person]:
    lead = _person(session, lead_email, "lead", tenant_id)
    learner = _person(session, learner_email, "learner", lead.tenant_id)
    if lead.id == learner.id:
        raise InvalidInput("self_talk", "learner")
    return lead, learner


def add(
    svc: Services, session: Session, lead_email: str, learner_email: str, tenant_id: str | None
) -> tuple[Pair, bool]:
    """Pair them; False when they were paired already (adding again changes nothing)."""
    lead, learner = _resolve(session, lead_email, learner_email, tenant_id)
    added = learner.id not in learners_of(session, lead.tenant_id, lead.id) and bool(
        _insert(svc, session, [(lead, learner)])
    )
    return Pair(lead, learner), added


def remove(
    session: Session, lead_email: str, learner_email: str, tenant_id: str | None
) -> tuple[Pair, bool]:
    """Unpair them; False when they were not paired. Talks planned before stay as they are."""
    lead, learner = _resolve(session, lead_email, learner_email, tenant_id)
    return Pair(lead, learner), store.remove(session, lead.tenant_id, lead.id, learner.id)


def import_csv(svc: Services, session: Session, text: str, tenant_id: str | None) -> int:
    """Add the pairs of a CSV file with the header `lead,learner` (e-mail addresses); how many
    were new. `ImportRefused` with every wrong line when any line is wrong: nothing saved."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header != ["lead", "learner"]:
        raise ImportRefused([LineProblem(1, "header")])
    problems: list[LineProblem] = []
    wanted: dict[tuple[str, str], tuple[Person, Person]] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if number > MAX_IMPORT_LINES + 1:
            problems.append(LineProblem(number, "too_many_lines", value=str(MAX_IMPORT_LINES)))
            break
        if len(row) != 2:
            problems.append(LineProblem(number, "columns", value=str(len(row))))
            continue
        try:
            lead, learner = _resolve(session, row[0], row[1], tenant_id)
        except InvalidInput as error:
            email = str(error.params.get("email", ""))
            problems.append(LineProblem(number, error.code, error.field, email))
            continue
        wanted[(lead.id, learner.id)] = (lead, learner)
    if problems:
        raise ImportRefused(problems)
    new = [
        (lead, learner)
        for lead, learner in wanted.values()
        if learner.id not in learners_of(session, lead.tenant_id, lead.id)
    ]
    return _insert(svc, session, new)


def describe(error: InvalidInput) -> str:
    """A refusal for the command line (English, as the other commands' output)."""
    email = str(error.params.get("email", ""))
    return describe_line(LineProblem(0, error.code, error.field, email))


def describe_line(problem: LineProblem) -> str:
    """A line's problem for the command line (English, as the other commands' output)."""
    return {
        "header": "the first line must be the header: lead,learner",
        "too_many_lines": f"at most {problem.value} pairs in one file",
        "columns": f"expected 2 columns (lead,learner), found {problem.value}",
        "unknown_person": f"no colleague with the address {problem.value} ({problem.field})",
        "several_tenants": f"{problem.value} is known in several organisations: give --tenant",
        "self_talk": "lead and learner are the same person",
    }.get(problem.code, problem.code)


def _colleague(session: Session, tenant_id: str, person_id: str, field: str) -> Person:
    person = repo.person(session, tenant_id, person_id)
    if person is None or person.external:
        raise InvalidInput("unknown_person", field)
    return person


def add_by_id(
    svc: Services, session: Session, tenant_id: str, lead_id: str, learner_id: str
) -> tuple[Pair, bool]:
    """Pair two colleagues of `tenant_id` named by id (the admin page); False when they were
    paired already."""
    lead = _colleague(session, tenant_id, lead_id, "lead_id")
    learner = _colleague(session, tenant_id, learner_id, "learner_id")
    if lead.id == learner.id:
        raise InvalidInput("same_person", "learner_id")
    added = learner.id not in learners_of(session, tenant_id, lead.id) and bool(
        _insert(svc, session, [(lead, learner)])
    )
    return Pair(lead, learner), added


def remove_by_id(session: Session, tenant_id: str, lead_id: str, learner_id: str) -> bool:
    """Unpair them (the admin page); False when they were not paired."""
    return store.remove(session, tenant_id, lead_id, learner_id)


def _insert(svc: Services, session: Session, pairs: Iterable[tuple[Person, Person]]) -> int:
    return store.add(session, pairs, svc.clock.now())
