"""Who may lead whom, applied: the organisation's rule, checked whenever a talk or a series
is planned, and the colleagues a person may plan with (the plan page, the Outlook pane).

The rule itself is `domain/lead_rule.py`; this module finds what it needs: the pairs an admin
keeps (`services/lead_pairs.py`), or the learner's manager in Entra ID, asked of Graph at
planning time and kept briefly per learner (a lead planning several talks asks once).
Follow-ups, check-ins and a series' later talks keep their pair and are not checked again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from plugin.domain.clock import Clock
from plugin.domain.lead_rule import LeadRule, check_may_lead, may_lead
from plugin.domain.people import Person
from plugin.services import lead_pairs
from plugin.services.context import Services
from plugin.settings import Settings
from plugin.store import repo

if TYPE_CHECKING:
    from plugin.bootstrap import GraphWiring

#: How long a learner's manager, once read from Graph, is believed.
MANAGER_TTL = timedelta(minutes=5)


class ManagerCache:
    """The object id of each learner's manager, read through `lookup`, kept for `ttl`."""

    def __init__(
        self, lookup: Callable[[str], str | None], clock: Clock, ttl: timedelta = MANAGER_TTL
    ) -> None:
        self._lookup, self._clock, self._ttl = lookup, clock, ttl
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], tuple[str | None, datetime]] = {}

    def manager_of(self, tenant_id: str, object_id: str) -> str | None:
        key, now = (tenant_id, object_id), self._clock.now()
        with self._lock:
            known = self._known.get(key)
        if known is not None and now - known[1] < self._ttl:
            return known[0]
        manager = self._lookup(object_id)  # outside the lock: other learners need not wait
        with self._lock:
            self._known[key] = (manager, now)
        return manager


@dataclass
class LeadRules:
    """The rule in force, with what the `manager` rule needs to apply it."""

    rule: LeadRule = LeadRule.ANYONE
    managers: ManagerCache | None = field(default=None)


def configured(settings: Settings) -> LeadRule:
    return LeadRule(settings.lead_rule)


def install(svc: Services, settings: Settings, graph: GraphWiring | None = None) -> LeadRules:
    """Put the configured rule on `svc` (start-up; `bootstrap.build_services` calls it)."""
    rule = configured(settings)
    managers = None
    if rule is LeadRule.MANAGER and graph is not None:
        from plugin.identity.managers import graph_manager_lookup

        managers = ManagerCache(graph_manager_lookup(graph.client), svc.clock)
    rules = LeadRules(rule, managers)
    svc.lead_rules = rules
    return rules


def rules_of(svc: Services) -> LeadRules:
    found = svc.lead_rules
    return found if isinstance(found, LeadRules) else LeadRules()


def _leads_of(svc: Services, session: Session, rules: LeadRules, learner: Person) -> set[str]:
    """The ids of the people who may lead `learner` under the rule (pairs or manager)."""
    if rules.rule is LeadRule.PAIRS:
        return lead_pairs.leads_of(session, learner.tenant_id, learner.id)
    if rules.rule is LeadRule.MANAGER and rules.managers is not None:
        manager = rules.managers.manager_of(learner.tenant_id, learner.object_id)
        found = repo.person_by_identity(session, learner.tenant_id, manager) if manager else None
        return {found.id} if found is not None else set()
    return set()


def check(svc: Services, session: Session, lead: Person, learner: Person) -> None:
    """Refuse planning a talk of `lead` with `learner` when the rule says no (422 naming
    `learner_id`), before anything is saved."""
    rules = rules_of(svc)
    if rules.rule is LeadRule.ANYONE:
        return
    check_may_lead(rules.rule, lead, learner, _leads_of(svc, session, rules, learner))


def restricted(svc: Services) -> bool:
    """Whether the rule limits whom a person may lead (not `anyone`)."""
    return rules_of(svc).rule is not LeadRule.ANYONE


def learners_for(
    svc: Services, session: Session, lead: Person, candidates: Sequence[Person]
) -> list[Person]:
    """Those of `candidates` that `lead` may plan a talk with, in their order."""
    rules = rules_of(svc)
    if rules.rule is LeadRule.ANYONE:
        return list(candidates)
    if rules.rule is LeadRule.PAIRS:
        mine = lead_pairs.learners_of(session, lead.tenant_id, lead.id)
        return [p for p in candidates if p.id in mine]
    return [
        p for p in candidates if may_lead(rules.rule, lead.id, _leads_of(svc, session, rules, p))
    ]
