"""Who may lead whom: the organisation's rule for who may plan a talk with whom as learner.

`anyone` is how the app began: any colleague may lead any other. `pairs` follows a list of
lead-learner pairs an admin keeps. `manager` follows Entra's manager relation (Microsoft
mode). The rule is decided when a talk (or a series) is planned; what follows from that talk
(follow-ups, check-ins, the series' later talks) keeps its pair and is never checked again.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from plugin.domain.errors import InvalidInput
from plugin.domain.people import Person


class LeadRule(StrEnum):
    ANYONE = "anyone"
    PAIRS = "pairs"
    MANAGER = "manager"


class NotYourLearner(InvalidInput):
    """The lead may not lead this learner under the organisation's rule.

    422 like the other refusals of the chosen learner (`self_talk`, `external_learner`): the
    value of one field is wrong for this caller, and another learner would be accepted. A 403
    would say the caller may not plan at all, which is not so."""

    code = "not_your_learner"


def may_lead(rule: LeadRule, lead_id: str, leads_of_learner: Collection[str]) -> bool:
    """Whether `lead_id` may lead the learner whose leads under `rule` are `leads_of_learner`:
    the leads paired with them (`pairs`), or their manager (`manager`, none or one)."""
    if rule is LeadRule.ANYONE:
        return True
    return lead_id in leads_of_learner


def check_may_lead(
    rule: LeadRule, lead: Person, learner: Person, leads_of_learner: Collection[str]
) -> None:
    """Refuse the learner (field `learner_id`) when `lead` may not lead them."""
    if not may_lead(rule, lead.id, leads_of_learner):
        raise NotYourLearner(field="learner_id", name=learner.display_name)
