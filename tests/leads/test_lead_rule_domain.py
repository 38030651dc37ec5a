"""The rule of who may lead whom, as a table: rule, lead, the learner's leads -> allowed."""

from __future__ import annotations

import pytest

from plugin.domain.errors import InvalidInput
from plugin.domain.lead_rule import LeadRule, NotYourLearner, check_may_lead, may_lead
from plugin.domain.people import Person

MARCO, ANNA, SEM = "marco", "anna", "sem"


@pytest.mark.parametrize(
    ("rule", "lead", "leads_of_learner", "allowed"),
    [
        (LeadRule.ANYONE, MARCO, set(), True),
        (LeadRule.ANYONE, SEM, {MARCO}, True),
        (LeadRule.PAIRS, MARCO, {MARCO}, True),
        (LeadRule.PAIRS, ANNA, {MARCO, ANNA}, True),
        (LeadRule.PAIRS, ANNA, {MARCO}, False),
        (LeadRule.PAIRS, MARCO, set(), False),
        (LeadRule.MANAGER, MARCO, {MARCO}, True),
        (LeadRule.MANAGER, ANNA, {MARCO}, False),
        (LeadRule.MANAGER, MARCO, set(), False),
    ],
)
def test_may_lead(rule: LeadRule, lead: str, leads_of_learner: set[str], allowed: bool) -> None:
    assert may_lead(rule, lead, leads_of_learner) is allowed


def _person(person_id: str, name: str) -> Person:
    return Person(id=person_id, tenant_id="t", object_id=person_id, display_name=name, email="")


@pytest.mark.parametrize("rule", [LeadRule.PAIRS, LeadRule.MANAGER])
def test_an_intern_may_not_lead_their_praktijkopleider(rule: LeadRule) -> None:
    trainer, intern = _person(MARCO, "Marco de Vries"), _person(SEM, "Sem Bakker")
    check_may_lead(rule, trainer, intern, {MARCO})  # the trainer leads the intern
    with pytest.raises(NotYourLearner) as refused:
        check_may_lead(rule, intern, trainer, set())  # nobody, or someone else, leads Marco
    assert isinstance(refused.value, InvalidInput)  # 422, as other refusals of the learner
    assert refused.value.field == "learner_id"
    assert refused.value.params["name"] == "Marco de Vries"
