"""People and tracks: who talks with whom.

A person is known by tenant id + object id (the Entra ID identity in Microsoft mode, a local
id in local mode), so the same code serves both modes. A track is every talk between one lead
and one learner, across any recurring series.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from plugin.domain.errors import InvalidInput

LOCAL_TENANT = "local"

#: The talk's hints a person can fold away: the questions per goal, the question check, the
#: feedback steps, the prompt to summarise, the agreement check.
HINTS = ("questions", "question_check", "feedback", "summarise", "agreement_check")


@dataclass(eq=False)
class Person:
    id: str
    tenant_id: str
    object_id: str
    display_name: str
    email: str
    job_title: str = ""
    #: A school supervisor: outside the organisation, reads only what talks share with them.
    external: bool = False
    #: Bumped to revoke the person's iCalendar feed URL.
    feed_version: int = 1
    locale: str = "nl"
    #: Sessions carry the generation they began in; signing out bumps it, ending them all.
    session_generation: int = 1
    #: The talk hints this person folded away (`HINTS`); remembered on every device.
    folded_hints: list[str] = field(default_factory=list)

    def renew_feed(self) -> None:
        self.feed_version += 1

    def end_sessions(self) -> None:
        self.session_generation += 1

    def fold_hints(self, folded: Iterable[str]) -> None:
        wanted = set(folded)
        unknown = wanted - set(HINTS)
        if unknown:
            raise InvalidInput("unknown_hint", "folded", hints=sorted(unknown))
        self.folded_hints = [hint for hint in HINTS if hint in wanted]


@dataclass(eq=False)
class Track:
    id: str
    tenant_id: str
    lead_id: str
    learner_id: str
    created_at: datetime


def check_pair(lead: Person, learner: Person) -> None:
    """A talk needs two different people of the same organisation, neither of them external."""
    if lead.id == learner.id:
        raise InvalidInput("self_talk", "learner_id")
    if lead.tenant_id != learner.tenant_id:
        raise InvalidInput("unknown_person", "learner_id")
    if learner.external:
        raise InvalidInput("external_learner", "learner_id")
    if lead.external:
        raise InvalidInput("external_lead", "lead_id")


def first_name(name: str) -> str:
    """The first word of a display name ("Sem Bakker" -> "Sem"); the whole name if one word."""
    parts = name.split()
    return parts[0] if parts else ""
