"""An invite from another calendar, and the rule for who in it is the learner.

Both ways a meeting becomes a talk read an event first (an `.ics` file in local mode, the
Outlook event through Graph in Microsoft mode) and then ask the same question: which attendee
is the learner? The answer: one of the lead's colleagues among the attendees, chosen by the
lead when there are several; addresses nobody here has are listed, never invented.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from plugin.domain.errors import InvalidInput
from plugin.domain.people import Person


@dataclass(frozen=True)
class InvitedPerson:
    email: str
    name: str = ""


@dataclass(frozen=True)
class Invite:
    """One event as another calendar wrote it (times are aware)."""

    uid: str
    sequence: int
    subject: str
    description: str
    start: datetime
    end: datetime
    organizer: InvitedPerson | None
    attendees: tuple[InvitedPerson, ...]

    @property
    def invited(self) -> tuple[InvitedPerson, ...]:
        """Everyone the invite names: its attendees, then its organiser."""
        return (*self.attendees, *((self.organizer,) if self.organizer else ()))


@dataclass(frozen=True)
class Invitees:
    """Who of an invite's attendees the lead can hold the talk with, and who is not known."""

    #: Colleagues of the lead among the attendees: who may be the learner.
    candidates: tuple[Person, ...]
    #: Addresses of attendees nobody here has, or who are outside the organisation.
    unknown: tuple[str, ...]


def invitees(invite: Invite, lead: Person, people: Mapping[str, Person]) -> Invitees:
    """Sort the attendees (and an organiser who is not the lead) by the people the lead's
    organisation knows, by e-mail address (`people` is keyed by the lower-cased address)."""
    return sort_invited(invite.invited, lead, people)


def sort_invited(
    invited: Iterable[InvitedPerson], lead: Person, people: Mapping[str, Person]
) -> Invitees:
    """`invitees` for people named one by one (an appointment still being written, whose
    attendees Outlook knows before any calendar does)."""
    candidates: dict[str, Person] = {}
    unknown: list[str] = []
    for someone in invited:
        address = someone.email.lower()
        if address == lead.email.lower():
            continue
        found = people.get(address)
        if found is None or found.external or found.tenant_id != lead.tenant_id:
            if address not in unknown:
                unknown.append(address)
        elif found.id != lead.id:
            candidates.setdefault(found.id, found)
    return Invitees(tuple(candidates.values()), tuple(unknown))


def choose_learner(found: Invitees, chosen_id: str | None) -> Person:
    """The learner: the one the lead chose among the candidates, or the only candidate."""
    if chosen_id is not None:
        match = next((p for p in found.candidates if p.id == chosen_id), None)
        if match is None:
            raise InvalidInput("not_an_attendee", "learner_id")
        return match
    if not found.candidates:
        raise InvalidInput("no_learner", "learner_id", unknown=list(found.unknown))
    if len(found.candidates) > 1:
        raise InvalidInput(
            "choose_learner", "learner_id", candidates=[p.id for p in found.candidates]
        )
    return found.candidates[0]
