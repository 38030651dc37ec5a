"""Who may lead whom, applied: the organisation's rule, checked whenever a talk or a series
is planned, and the colleagues a person may plan with (the plan page, the Outlook pane).

The rule itself is `domain/lead_rule.py`; this module finds what it needs: the pairs an admin
keeps (`services/lead_pairs.py`), or the learner's manager in Entra ID, asked of Graph at
planning time and kept briefly per learner (a lead planning several talks asks once).
Follow-ups, check-ins and a series' later talks keep their pair and are not checked again.

The manager is asked of Graph before the planning transaction, never inside it: on SQLite a
write transaction holds the database's one write lock, and every other writer would wait on
the network call. A planning route runs its write through `planning`: when the check inside
the transaction finds a learner whose manager it has not got, it stops the attempt (nothing
is written yet: the check comes first), the manager is read with no transaction open, and the
write runs again, checked against that answer. Which learner it is can only be known inside
(the invite, the Outlook meeting or the series says who is invited), so this beats repeating
the choice of learner before the transaction on every path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

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

T = TypeVar("T")

#: A learner: (tenant id, Entra object id).
LearnerKey = tuple[str, str]
#: The managers read for this planning request, outside its transaction (see `planning`).
_resolved: ContextVar[dict[LearnerKey, str | None] | None] = ContextVar(
    "og_resolved_managers", default=None
)


class ManagerNeeded(Exception):
    """Inside a planning transaction: the learner's manager must be read first, outside it."""

    def __init__(self, learner: LearnerKey) -> None:
        super().__init__("manager of a learner needed before planning")
        self.learner = learner


class ManagerCache:
    """The object id of each learner's manager, read through `lookup`, kept for `ttl`."""

    def __init__(
        self, lookup: Callable[[str], str | None], clock: Clock, ttl: timedelta = MANAGER_TTL
    ) -> None:
        self._lookup, self._clock, self._ttl = lookup, clock, ttl
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], tuple[str | None, datetime]] = {}

    def known(self, tenant_id: str, object_id: str) -> tuple[bool, str | None]:
        """(True, the manager) when a fresh answer is kept; (False, None) when Graph must be
        asked. Never asks Graph itself."""
        with self._lock:
            known = self._known.get((tenant_id, object_id))
        if known is not None and self._clock.now() - known[1] < self._ttl:
            return True, known[0]
        return False, None

    def manager_of(self, tenant_id: str, object_id: str) -> str | None:
        key, now = (tenant_id, object_id), self._clock.now()
        fresh, manager = self.known(tenant_id, object_id)
        if fresh:
            return manager
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


def _leads_of(
    svc: Services, session: Session, rules: LeadRules, learner: Person, *, planning: bool = False
) -> set[str]:
    """The ids of the people who may lead `learner` under the rule (pairs or manager).

    ``planning``: inside a planning transaction, where Graph is never asked (`planning`)."""
    if rules.rule is LeadRule.PAIRS:
        return lead_pairs.leads_of(session, learner.tenant_id, learner.id)
    if rules.rule is LeadRule.MANAGER and rules.managers is not None:
        key = (learner.tenant_id, learner.object_id)
        if planning:
            manager = _manager_for_planning(rules.managers, key)
        else:
            manager = rules.managers.manager_of(*key)
        found = repo.person_by_identity(session, learner.tenant_id, manager) if manager else None
        return {found.id} if found is not None else set()
    return set()


def _manager_for_planning(managers: ManagerCache, key: LearnerKey) -> str | None:
    """The manager read for this request before its transaction, or kept from before."""
    resolved = _resolved.get()
    if resolved is not None and key in resolved:
        return resolved[key]
    fresh, manager = managers.known(*key)
    if fresh:
        return manager
    if resolved is None:
        # Planned outside `planning` (the command line's demo, an older route): ask now, as
        # before; the write lock is then held for the call.
        return managers.manager_of(*key)
    raise ManagerNeeded(key)


def planning(svc: Services, attempt: Callable[[], T]) -> T:
    """Run `attempt` (a planning route's write: `as_viewer_write(...)`) so that the `manager`
    rule asks Graph with no transaction open: an attempt that needs a learner's manager stops
    before writing anything, the manager is read, and the attempt runs again against it."""
    rules = rules_of(svc)
    if rules.rule is not LeadRule.MANAGER or rules.managers is None:
        return attempt()  # pairs and anyone need no network
    answers: dict[LearnerKey, str | None] = {}
    token = _resolved.set(answers)
    try:
        while True:
            try:
                return attempt()
            except ManagerNeeded as need:
                if need.learner in answers:  # cannot happen: answers are used first
                    raise
                answers[need.learner] = rules.managers.manager_of(*need.learner)
    finally:
        _resolved.reset(token)


def check(svc: Services, session: Session, lead: Person, learner: Person) -> None:
    """Refuse planning a talk of `lead` with `learner` when the rule says no (422 naming
    `learner_id`), before anything is saved. Under `manager`, inside `planning`, it asks
    Graph nothing: see `planning`."""
    rules = rules_of(svc)
    if rules.rule is LeadRule.ANYONE:
        return
    leads = _leads_of(svc, session, rules, learner, planning=True)
    check_may_lead(rules.rule, lead, learner, leads)


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
