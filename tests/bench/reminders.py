"""Benchmark: the reminder scan as the data grows, on PostgreSQL, with its query plans.

Not part of the test suite; it starts its own PostgreSQL server:

    .venv/bin/python tests/bench/reminders.py [--sizes 0,1000,100000] [--rounds 7]

(The index on unsigned talks' ends that the first run proposed is in the schema now:
migration 0013, `ix_talks_unsigned_ends_at`.)

For each size N, a database of its own (`reminders_seed.py`) holds N open agreements in signed
talks, as a school or company would after a few years: per pair of lead and learner four signed
talks (three open agreements and one done in each, both signatures), one talk planned in the
next two months, and for one pair in twenty a talk held in the last month and not signed yet.
Due dates: one in ten open agreements has none, 65 % fall in the coming year, 3 % went overdue
in the last two weeks and 22 % longer ago (about as many per day ahead as behind). One pair,
its talks and rows are made through the app's services; the rest are copies of those rows with
new ids and dates, inserted in bulk through SQLAlchemy Core. The occasions of the years before
are recorded with them (the app keeps every occasion); then the app's own scan runs on each
working morning of the last five weeks, so that what it records (occasions, check-ins) is as a
running worker left it; the jobs it enqueued count as run. Then `VACUUM ANALYZE` (a live
database has its statistics).

The clock stands at Tuesday 9 March 2027, 09:00 in Amsterdam (a working morning). Measured,
per size, over `--rounds` rounds after one warm-up: `scan_now` as the worker runs it,

- **first**: the morning's first scan, which finds and records this morning's occasions (the
  rows it wrote are deleted after each round, so every round finds the same);
- **steady**: the scans after it, which find everything recorded (what the worker does every
  minute the rest of the day);

and, in the same run, the baseline: one indexed single-row read through the store
(`kinds_off`, a session and one primary-key lookup), five reads before every round. Ratios
are to that baseline and to the scan at N = 0. At the largest size, EXPLAIN (ANALYZE,
BUFFERS) of the scan's candidate queries (`plugin/store/reminders.py`, captured as the app
sends them) is printed and checked: the agreements' queries must use `ix_agreements_open_due`,
never a sequential scan on agreements, and the talks' by start `ix_talks_starts_at`, or the
bench fails; an anti-join that does not probe the occasions' primary key, or a sequential scan
on talks or on the occasions, is reported (`plan_warnings`). Then every SELECT one steady scan
sends (the check-ins' and the relationship loads too), with its time and indexes.

The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from plugin.bootstrap import build_services  # noqa: E402
from plugin.domain.agreement import AgreementStatus  # noqa: E402
from plugin.domain.clock import FixedClock  # noqa: E402
from plugin.domain.reminders import ReminderKind  # noqa: E402
from plugin.domain.todo import DUE_SOON_WORKING_DAYS, PREPARE_WORKING_DAYS  # noqa: E402
from plugin.services.context import Services  # noqa: E402
from plugin.services.reminders import OVERDUE_LOOKBACK, SIGN_LOOKBACK, scan_now  # noqa: E402
from plugin.settings import Settings  # noqa: E402
from plugin.store import reminders as store  # noqa: E402
from plugin.store.metadata import metadata  # noqa: E402
from plugin.store.schema import agreements  # noqa: E402
from plugin.store.schema import talks as talk_rows  # noqa: E402
from plugin.store.working_tables import outbox_jobs, reminder_occasions  # noqa: E402
from tests.bench.reminders_seed import NOW, seed  # noqa: E402
from tests.support.postgres import PostgresServer, create_database  # noqa: E402

#: The plan of each candidate query must name these (at the largest size): the bench fails.
MUST_USE = {
    "due_soon": ("ix_agreements_open_due",),
    "overdue": ("ix_agreements_open_due",),
    "talks_starting": ("ix_talks_starts_at",),
    "talks_ended": (),
}
#: Reported, not failed: the anti-join should probe the occasions' primary key, and no
#: candidate query should read all talks or all occasions.
SHOULD_USE = {"due_soon": ("pk_reminder_occasions",), "overdue": ("pk_reminder_occasions",)}
WHOLE_TABLES = ("talks", "reminder_occasions")


# -- measuring --------------------------------------------------------------------------------


def timed(work: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = work()
    return (time.perf_counter() - began) * 1000, result


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), 2),
        "min_ms": round(min(values), 2),
        "max_ms": round(max(values), 2),
    }


def forget_this_morning(svc: Services) -> None:
    """Undo what a first scan wrote (the rows it made now), so the next round finds the same."""
    written = [reminder_occasions, outbox_jobs]
    if "check_ins" in metadata.tables:
        written.append(metadata.tables["check_ins"])
    with svc.db.writing() as session:
        for table in written:
            session.execute(delete(table).where(table.c.created_at == NOW))


def baseline_read(svc: Services, person_id: str) -> None:
    with svc.db.reading() as session:
        store.kinds_off(session, person_id)


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


def measure(settings: Settings, size: int, rounds: int, with_plans: bool) -> dict[str, Any]:
    clock = FixedClock(NOW)
    svc, outbox = build_services(settings, base_url="http://bench", clock=clock)
    # Measured is the scan, as the worker's upkeep runs it: local mode's inline drain after a
    # write (which would send the reminders right here) is off; the sending is the outbox's.
    svc.after_enqueue.clear()
    seeded = seed(svc, outbox, clock, size)
    person_id = seeded.person_id
    with svc.db.reading() as session:
        counts = {
            "open_agreements": len(session.execute(
                select(agreements.c.id).where(agreements.c.status == AgreementStatus.OPEN)
            ).all()),
            "talks": len(session.execute(select(talk_rows.c.id)).all()),
            "occasions_recorded": len(session.execute(select(reminder_occasions.c.kind)).all()),
        }  # fmt: skip
    assert counts["open_agreements"] == size, counts

    baseline: list[float] = []

    def sample_baseline() -> None:
        # Five reads before each round: the machine's drift hits the baseline and the scans.
        baseline.extend(timed(lambda: baseline_read(svc, person_id))[0] for _ in range(5))

    baseline_read(svc, person_id)
    scan_now(svc)  # warm-up
    forget_this_morning(svc)
    first, enqueued = [], set()
    for _ in range(rounds):
        sample_baseline()
        took, count = timed(lambda: scan_now(svc))
        first.append(took)
        enqueued.add(count)
        forget_this_morning(svc)
    assert len(enqueued) == 1, f"rounds found different work: {enqueued}"
    plans = query_plans(svc) if with_plans else {}
    scan_now(svc)  # this morning's, recorded: what every later scan finds
    steady = []
    for _ in range(rounds):
        sample_baseline()
        took, count = timed(lambda: scan_now(svc))
        steady.append(took)
        assert count == 0, f"a steady scan enqueued {count}"
    steady_plans = steady_scan_plans(svc) if with_plans else {}
    svc.db.dispose()
    return {
        "size": size,
        "seeded_s": seeded.seconds,
        "reminders_simulated_mornings": seeded.simulated,
        **counts,
        "reminders_enqueued_first": enqueued.pop(),
        "baseline_read": summary(baseline),
        "first_scan": summary(first),
        "steady_scan": summary(steady),
        "plans": plans,
        "steady_plans": steady_plans,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0,1000,100000", help="open agreements per database")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp, PostgresServer() as pg:
        for size in sizes:
            url = create_database(pg.url, f"bench_{size}")
            settings = Settings(
                data_dir=Path(tmp) / str(size), database_url=url, secret_key="bench-key",
                _env_file=None,
            )  # type: ignore[call-arg]  # fmt: skip
            result = measure(
                settings,
                size,
                args.rounds,
                with_plans=size == max(sizes),
            )
            results.append(result)
            print(
                f"N={size:>7}: first scan {result['first_scan']['median_ms']} ms "
                f"({result['reminders_enqueued_first']} reminders), steady "
                f"{result['steady_scan']['median_ms']} ms, baseline read "
                f"{result['baseline_read']['median_ms']} ms (seeded in {result['seeded_s']} s)",
                flush=True,
            )
    empty = next((r for r in results if r["size"] == 0), None)
    largest = next(r for r in results if r["size"] == max(sizes))
    plans = largest["plans"]
    for name, plan in plans.items():
        print(f"\n-- {name} at N={max(sizes)}\n{plan}")
    findings = plan_findings(plans)
    problems, warnings = check_plans(plans)
    every_select = plan_findings(largest["steady_plans"])
    print(f"\n-- every SELECT of a steady scan at N={max(sizes)}")
    for name, found in every_select.items():
        print(
            f"{name:<60} {found['execution_ms']:>8} ms  {found['uses']} seq: {found['seq_scans']}"
        )
    for result in results:
        del result["plans"], result["steady_plans"]
        base = result["baseline_read"]["median_ms"]
        for which in ("first_scan", "steady_scan"):
            result[which]["ratio_to_baseline_read"] = round(result[which]["median_ms"] / base, 1)
            if empty is not None:
                result[which]["ratio_to_empty_scan"] = round(
                    result[which]["median_ms"] / empty[which]["median_ms"], 2
                )
    report = {
        "clock": NOW.isoformat(),
        "rounds": args.rounds,
        "database": "postgresql",
        "results": results,
        "plans": findings,
        "steady_scan_selects": every_select,
        "plan_problems": problems,
        "plan_warnings": warnings,
    }
    print(json.dumps(report))
    if problems:
        raise SystemExit("plan problems: " + "; ".join(problems))


if __name__ == "__main__":
    main()
