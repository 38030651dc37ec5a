"""The reminder benchmark's query plans (`reminders.py`): the scan's candidate queries as the
store sends them, their EXPLAIN (ANALYZE, BUFFERS), and what is checked in them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from plugin.domain.reminders import ReminderKind
from plugin.domain.todo import DUE_SOON_WORKING_DAYS, PREPARE_WORKING_DAYS
from plugin.services.context import Services
from plugin.services.reminders import OVERDUE_LOOKBACK, SIGN_LOOKBACK, scan_now
from plugin.store import reminders as store

#: The plan of each candidate query must name these (at the largest size): the bench fails.
MUST_USE = {
    "due_soon": ("ix_agreements_open_due",),
    "overdue": ("ix_agreements_open_due",),
    "talks_starting": ("ix_talks_starts_at",),
    "talks_ended": (),
}
#: Reported, not failed: the anti-join should probe the occasions' primary key, and no
#: candidate query should read all talks or all occasions. (Once forgotten occasions are gone,
#: PostgreSQL may rather hash the kind's few thousand rows: the warning says so, the time
#: tells whether it matters.)
SHOULD_USE = {"due_soon": ("pk_reminder_occasions",), "overdue": ("pk_reminder_occasions",)}
WHOLE_TABLES = ("talks", "reminder_occasions")


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def candidate_calls(svc: Services) -> dict[str, Callable[[Any], object]]:
    """The scan's candidate queries with its windows (as services/reminders.py sets them)."""
    hours = svc.policy.hours
    now = svc.clock.now()
    today = hours.local_date(now)
    last_prepare = hours.add_working_days(today, PREPARE_WORKING_DAYS)
    before = datetime.combine(last_prepare + timedelta(days=1), clock_time(0), tzinfo=hours.zone)
    due_soon, overdue = ReminderKind.DUE_SOON.value, ReminderKind.OVERDUE.value
    return {
        "due_soon": lambda s: store.open_agreements_due(
            s, due_soon, today, hours.add_working_days(today, DUE_SOON_WORKING_DAYS)
        ),
        "overdue": lambda s: store.open_agreements_due(
            s, overdue, today - OVERDUE_LOOKBACK, today - timedelta(days=1)
        ),
        "talks_starting": lambda s: store.talks_starting(s, now, before),
        "talks_ended": lambda s: store.talks_ended(s, now - SIGN_LOOKBACK, now),
    }


def query_plans(svc: Services) -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of each candidate query, exactly as the store sends it."""
    plans = {}
    for name, call in candidate_calls(svc).items():
        with captured(svc.db.engine) as statements, svc.db.reading() as session:
            call(session)
        plans[name] = explain(svc.db.engine, *statements[0])
    return plans


def explain(engine: Engine, statement: str, parameters: Any) -> str:
    with engine.connect() as connection:
        lines = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
        return "\n".join(lines.scalars())


def steady_scan_plans(svc: Services) -> dict[str, str]:
    """Every SELECT one steady scan sends (the check-ins' too, and the relationship loads),
    named by its place and its tables."""
    with captured(svc.db.engine) as statements:
        scan_now(svc)
    plans = {}
    for place, (statement, parameters) in enumerate(statements):
        if statement.lstrip().upper().startswith("SELECT"):
            tables = dict.fromkeys(re.findall(r"(?:FROM|JOIN) (\w+)", statement))
            plans[f"{place:02d} {'+'.join(tables)}"] = explain(svc.db.engine, statement, parameters)
    return plans


def plan_findings(plans: dict[str, str]) -> dict[str, Any]:
    findings: dict[str, Any] = {}
    for name, plan in plans.items():
        findings[name] = {
            "uses": sorted(
                {
                    word.strip(",()")
                    for line in plan.splitlines()
                    for word in line.split()
                    if word.startswith(("ix_", "pk_", "uq_"))
                }
            ),
            "seq_scans": sorted(
                {
                    line.split("Seq Scan on ")[1].split()[0]
                    for line in plan.splitlines()
                    if "Seq Scan on " in line
                }
            ),
            "execution_ms": float(plan.rsplit("Execution Time: ", 1)[1].split()[0]),
        }
    return findings


def check_plans(plans: dict[str, str]) -> tuple[list[str], list[str]]:
    """What the plans get wrong: against MUST_USE, or a sequential scan on agreements (the
    bench fails); against SHOULD_USE, or a sequential scan on a whole table (reported)."""
    problems, warnings = [], []
    for name, plan in plans.items():
        problems += [f"{name}: does not use {ix}" for ix in MUST_USE[name] if ix not in plan]
        if "Seq Scan on agreements" in plan:
            problems.append(f"{name}: sequential scan on agreements")
        warnings += [
            f"{name}: does not use {ix}" for ix in SHOULD_USE.get(name, ()) if ix not in plan
        ]
        warnings += [
            f"{name}: sequential scan on {table}"
            for table in WHOLE_TABLES
            if f"Seq Scan on {table} " in plan
        ]
    return problems, warnings
