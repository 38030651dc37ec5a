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
are recorded with them (those the app still keeps: it forgets an occasion once no scan can
find it again, `domain/reminders.forget_after`); then the app's own scan runs on each
working morning of the last five weeks, so that what it records (occasions, check-ins) is as a
running worker left it; the jobs it enqueued count as run. Then `VACUUM ANALYZE` (a live
database has its statistics).

The clock stands at Tuesday 9 March 2027, 09:00 in Amsterdam (a working morning). Measured,
per size, over `--rounds` rounds after one warm-up: `scan_now` as the worker runs it,

- **first**: the morning's first scan, which finds and records this morning's occasions (the
  rows it wrote are deleted after each round, so every round finds the same);
- **steady**: the scans after it, which find everything recorded (what the worker does every
  minute the rest of the day);

in three ways on the same database, so that the changes are compared under the same load:
**before** (the history kept, one INSERT per occasion: the scan as it was) and **batched**
(the history kept, a few hundred occasions per INSERT), taking turns round by round; then,
after the upkeep's forgetting ran to its end (`forget_occasions` batch after batch, then
VACUUM ANALYZE), **forgotten** (the scan as it is now: `first_scan` and `steady_scan` at the
top level are this one's). The rows a round wrote are deleted and vacuumed after it. And, in
the same run, the baseline: one indexed single-row read through the store
(`kinds_off`, a session and one primary-key lookup), five reads before every round. Ratios
are to that baseline and to the scan at N = 0. At the largest size, EXPLAIN (ANALYZE,
BUFFERS) of the scan's candidate queries (`plugin/store/reminders.py`, captured as the app
sends them, after forgetting; the anti-joins' also with the history kept) is printed and
checked: the agreements' queries must use `ix_agreements_open_due`,
never a sequential scan on agreements, and the talks' by start `ix_talks_starts_at`, or the
bench fails; an anti-join that does not probe the occasions' primary key, or a sequential scan
on talks or on the occasions, is reported (`plan_warnings`). Then every SELECT one steady scan
sends (the check-ins' and the relationship loads too), with its time and indexes.

The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from plugin.bootstrap import build_services  # noqa: E402
from plugin.domain.agreement import AgreementStatus  # noqa: E402
from plugin.domain.clock import FixedClock  # noqa: E402
from plugin.services import reminders as reminder_service  # noqa: E402
from plugin.services.context import Services  # noqa: E402
from plugin.services.reminders import (  # noqa: E402
    FORGET_BATCH,
    scan_now,
)
from plugin.settings import Settings  # noqa: E402
from plugin.store import reminders as store  # noqa: E402
from plugin.store.metadata import metadata  # noqa: E402
from plugin.store.schema import agreements  # noqa: E402
from plugin.store.schema import talks as talk_rows  # noqa: E402
from plugin.store.working_tables import outbox_jobs, reminder_occasions  # noqa: E402
from tests.bench.reminders_plans import (  # noqa: E402
    check_plans,
    plan_findings,
    query_plans,
    steady_scan_plans,
)
from tests.bench.reminders_seed import NOW, seed, vacuum_analyze  # noqa: E402
from tests.support.postgres import PostgresServer, create_database  # noqa: E402

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
    # Their dead rows would slow the next rounds (and the later phases) more and more.
    vacuum_analyze(svc.db.engine, tuple(table.name for table in written))


def baseline_read(svc: Services, person_id: str) -> None:
    with svc.db.reading() as session:
        store.kinds_off(session, person_id)


@contextmanager
def as_before(keep_history: bool, one_insert_per_row: bool) -> Iterator[None]:
    """The scan as the app ran it before issue 16's follow-up: no occasion forgotten, one
    INSERT per occasion (the module settings the scan reads on each call)."""
    saved = reminder_service.FORGET_BATCH, store.RECORD_BATCH
    if keep_history:
        reminder_service.FORGET_BATCH = 0
    if one_insert_per_row:
        store.RECORD_BATCH = 1
    try:
        yield
    finally:
        reminder_service.FORGET_BATCH, store.RECORD_BATCH = saved


#: The ways the scan is measured: (keep history, one INSERT per occasion). The first two take
#: turns round by round on the same database; then the history is forgotten, as the upkeep
#: does, and the third is measured.
PHASES = {"before": (True, True), "batched": (True, False), "forgotten": (False, False)}


def scans(
    svc: Services, rounds: int, sample_baseline: Callable[[], None], names: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Per name: `rounds` first scans (this morning's occasions undone after each), then
    `rounds` steady ones, the names taking turns; this morning's undone at the end."""
    out: dict[str, dict[str, Any]] = {
        n: {"enqueued": set(), "first_scan": [], "steady_scan": []} for n in names
    }
    with as_before(*PHASES[names[0]]):
        scan_now(svc)  # warm-up
    forget_this_morning(svc)
    for _ in range(rounds):
        for name in names:
            sample_baseline()
            with as_before(*PHASES[name]):
                took, count = timed(lambda: scan_now(svc))
            out[name]["first_scan"].append(took)
            out[name]["enqueued"].add(count)
            forget_this_morning(svc)
    with as_before(*PHASES[names[0]]):
        scan_now(svc)  # this morning's, recorded: what every later scan finds
    for _ in range(rounds):
        for name in names:
            sample_baseline()
            with as_before(*PHASES[name]):
                took, count = timed(lambda: scan_now(svc))
            out[name]["steady_scan"].append(took)
            assert count == 0, f"a steady scan enqueued {count}"
    forget_this_morning(svc)
    for name, found in out.items():
        assert len(found["enqueued"]) == 1, f"{name}: rounds found different work"
        found["enqueued"] = found["enqueued"].pop()
    return out


def forget_history(svc: Services) -> dict[str, Any]:
    """What the upkeep forgets of the history, batch after batch (as it does, a batch a
    minute), then VACUUM ANALYZE (a live database's autovacuum)."""
    began, gone, batches = time.perf_counter(), 0, 0
    while n := svc.write(lambda s: store.forget_occasions(s, NOW, FORGET_BATCH)):
        gone, batches = gone + n, batches + 1
    took = (time.perf_counter() - began) * 1000
    vacuum_analyze(svc.db.engine)
    return {"forgotten": gone, "batches": batches, "ms_per_batch": round(took / max(batches, 1), 2)}


def occasions_count(svc: Services) -> int:
    with svc.db.reading() as session:
        return len(session.execute(select(reminder_occasions.c.kind)).all())


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
            "occasions_recorded": occasions_count(svc),
        }  # fmt: skip
    assert counts["open_agreements"] == size, counts

    baseline: list[float] = []

    def sample_baseline() -> None:
        # Five reads before each round: the machine's drift hits the baseline and the scans.
        baseline.extend(timed(lambda: baseline_read(svc, person_id))[0] for _ in range(5))

    baseline_read(svc, person_id)
    phases = scans(svc, rounds, sample_baseline, ("before", "batched"))
    plans_kept = query_plans(svc) if with_plans else {}
    forgetting = forget_history(svc) | {"occasions_left": occasions_count(svc)}
    phases |= scans(svc, rounds, sample_baseline, ("forgotten",))
    assert len({p["enqueued"] for p in phases.values()}) == 1, "phases found different work"
    plans = query_plans(svc) if with_plans else {}
    scan_now(svc)  # this morning's, recorded: a steady scan's plans
    steady_plans = steady_scan_plans(svc) if with_plans else {}
    svc.db.dispose()
    now = phases["forgotten"]
    return {
        "size": size,
        "seeded_s": seeded.seconds,
        "reminders_simulated_mornings": seeded.simulated,
        **counts,
        "forgetting": forgetting,
        "reminders_enqueued_first": now["enqueued"],
        "baseline_read": summary(baseline),
        "first_scan": summary(now["first_scan"]),
        "steady_scan": summary(now["steady_scan"]),
        "phases": {
            name: {which: summary(p[which]) for which in ("first_scan", "steady_scan")}
            for name, p in phases.items()
        },
        "plans": plans,
        "plans_history_kept": plans_kept,
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
            for name, phase in result["phases"].items():
                print(
                    f"N={size:>7} {name:>9}: first scan {phase['first_scan']['median_ms']} ms "
                    f"({result['reminders_enqueued_first']} reminders), steady "
                    f"{phase['steady_scan']['median_ms']} ms",
                    flush=True,
                )
            print(
                f"N={size:>7}: occasions {result['occasions_recorded']}, then "
                f"{result['forgetting']['occasions_left']} after forgetting "
                f"({result['forgetting']['batches']} batches of {FORGET_BATCH}, "
                f"{result['forgetting']['ms_per_batch']} ms each); baseline read "
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
    kept = plan_findings(largest["plans_history_kept"])
    for result in results:
        del result["plans"], result["steady_plans"], result["plans_history_kept"]
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
        "plans_history_kept": kept,
        "steady_scan_selects": every_select,
        "plan_problems": problems,
        "plan_warnings": warnings,
    }
    print(json.dumps(report))
    if problems:
        raise SystemExit("plan problems: " + "; ".join(problems))


if __name__ == "__main__":
    main()
