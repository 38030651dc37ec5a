"""Feedback drafts: what one participant prepares to say, in the guide's four steps.

A draft is private to its writer: it is not part of the talk, the other participant never sees
it, and it is not on the form. The writer decides when it has been said (`said`), and may turn
its last step, the suggestion, into an agreement (`agreement_id` remembers which), after which
the agreement follows the usual rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from plugin.domain.errors import Conflict, InvalidInput
from plugin.domain.text import clean_text

#: The guide's order: something that goes well; the behaviour you saw, said from yourself;
#: its effect, and a question for a reaction; a suggestion and a concrete agreement.
STEPS: tuple[str, ...] = ("positive", "behaviour", "effect", "suggestion")
MAX_STEP = 1000
#: Drafts per person per talk: a handful is plenty; more is a runaway client.
MAX_DRAFTS = 20


def clean_steps(raw: Mapping[str, object]) -> dict[str, str]:
    unknown = set(raw) - set(STEPS)
    if unknown:
        raise InvalidInput("unknown_item", "steps", items=sorted(unknown))
    steps: dict[str, str] = {}
    for step in STEPS:
        value = raw.get(step)
        if value is not None and not isinstance(value, str):
            raise InvalidInput("type", f"steps.{step}")
        steps[step] = clean_text(value, f"steps.{step}", max_length=MAX_STEP, required=False)
    if not any(steps.values()):
        raise InvalidInput("required", "steps")
    return steps


@dataclass(eq=False)
class FeedbackDraft:
    id: str
    talk_id: str
    person_id: str
    created_at: datetime
    updated_at: datetime
    steps: dict[str, str] = field(default_factory=dict)
    #: The writer said it in the talk.
    said: bool = False
    #: The agreement its suggestion became, if it did.
    agreement_id: str | None = None
    version: int = 1

    def change(
        self,
        *,
        steps: Mapping[str, object] | None,
        said: bool | None,
        agreement_id: str | None,
        expected_version: int,
        now: datetime,
    ) -> None:
        if expected_version != self.version:
            raise Conflict("stale", "version", current=self.to_dict())
        if steps is not None:
            self.steps = clean_steps(steps)
        if said is not None:
            self.said = said
        if agreement_id is not None:
            self.agreement_id = agreement_id
        self.updated_at = now
        self.version += 1

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "steps": {step: self.steps.get(step, "") for step in STEPS},
            "said": self.said,
            "agreement_id": self.agreement_id,
            "updated_at": self.updated_at.isoformat(),
            "version": self.version,
        }
