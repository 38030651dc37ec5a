"""Benchmark: a burst of Graph change notifications against `ontwikkelgesprek serve`, beside a
bare Flask floor, then the worker applying them, and what the sync asks of Graph.

Not part of the test suite; it starts what it needs (a PostgreSQL server, the Entra ID and Graph
fakes, `ontwikkelgesprek serve` in Microsoft mode on gunicorn, the floor on gunicorn with the
same sizing, and `ontwikkelgesprek worker` processes):

    .venv/bin/python tests/bench/notifications.py [--notifications 1000] [--concurrency 50]

Set-up (not timed): leads and learners with mailboxes at the Graph fake; talks planned and
booked in Outlook through the outbox; every lead's mailbox subscribed by the sync's own upkeep
(Graph's validation handshake goes to an in-process HTTPS copy of the app, since `serve` speaks
plain HTTP behind its TLS proxy). Each talk's event is then moved in the Graph fake a number of
times, round robin, and the fake's queued notifications are what is posted: Graph's own shape,
the subscription's id and clientState, the event's immutable id.

1. **The burst.** `--concurrency` requests in flight at any time, one notification each, until
   all are posted, to `/graph/notifications` as a TLS-terminating proxy forwards them
   (`X-Forwarded-Proto: https`, `ONTWIKKELGESPREK_PROXY_HOPS=1`). Per request the time to the
   202 (client side, on loopback): slowest, p99, p50, and the share over 2.9 s (Graph counts
   such answers as slow, and throttles an endpoint when over 10% of them are).
2. **The floor**, in the same run: a bare Flask endpoint answering 202 (it reads the body),
   on gunicorn with the same workers and threads, the same burst with the same bodies. It
   runs just before and just after ours (drift hits both alike); its figures pool both. The
   ratios are ours over the floor's.
3. **Applying.** `--drainers` `ontwikkelgesprek worker` processes are started after the burst;
   measured: the time from the first one's ready line (and from their launch) until every
   notification's job is done. Checked: none lost (one job per notification, every one done on
   its first attempt), none applied twice (each talk moved exactly once, to its event's last
   time), and the Graph requests per applied change, counted at the fake (expected 1: the event
   read back).
4. **Reconciliation** (in-process, timed once): one more lead with `--reconcile-talks` talks,
   all moved in Outlook while their notifications are lost; one reconciliation of the mailbox
   puts every talk right. Counted at the fake: calendarView pages (expected 1 for 50 events)
   and single event reads (expected 0).

The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from flask import Flask, Response, request
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from plugin.bootstrap import build_services  # noqa: E402
from plugin.domain.people import Person  # noqa: E402
from plugin.domain.talk import Talk  # noqa: E402
from plugin.services import calendar_sync, talks  # noqa: E402
from plugin.services.context import Links, Services  # noqa: E402
from plugin.settings import Settings  # noqa: E402
from plugin.store import subscriptions as subs  # noqa: E402
from plugin.store.working_tables import outbox_jobs  # noqa: E402
from plugin.web.app import create_app  # noqa: E402
from plugin.web.context import STAMPS  # noqa: E402
from tests.microsoft.entra_fake import EntraFake  # noqa: E402
from tests.microsoft.fixtures import mailbox_person  # noqa: E402
from tests.microsoft.graph_fake import GraphFake  # noqa: E402
from tests.microsoft.https_server import LoopbackHttps  # noqa: E402
from tests.support.postgres import PostgresServer, create_database  # noqa: E402

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fakes' request lines
# The set-up's tab jobs are refused (the app has no AppCatalog role at the fake): expected.
logging.getLogger("plugin").setLevel(logging.ERROR)

#: Graph counts an answer over this as slow (and throttles at 10% slow).
SLOW_MS = 2900.0
#: The floor runs on gunicorn as `serve` does (plugin/web/server.py): gthread, preloaded.
FLOOR_OPTIONS = ["-k", "gthread", "--preload", "--keep-alive", "75", "--log-level", "info"]
FLOOR_APP = "tests.bench.notifications:floor"
#: What a TLS-terminating proxy in front of `serve` adds (Graph's requests come over https).
FORWARDED = {
    "Content-Type": "application/json; charset=utf-8",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "52.159.23.209",
    "X-Forwarded-Host": "og.example.test",
}
GIVE_UP = 150.0

floor = Flask("floor")


@floor.post("/graph/notifications")
def floor_notifications() -> Response:
    request.get_data()
    return Response(status=202)


# -- processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    """Start `command` with its output in `log` (read, never piped: it cannot block)."""
    with log.open("w") as handle:
        return subprocess.Popen(
            command, env=env, stdout=handle, stderr=subprocess.STDOUT, text=True, cwd=ROOT
        )


def wait_ready(processes: list[tuple[subprocess.Popen[str], Path]], ready: str) -> list[float]:
    """Wait until `ready` is in each process's log; returns when each was first seen."""
    seen: dict[int, float] = {}
    deadline = time.perf_counter() + 60
    while len(seen) < len(processes) and time.perf_counter() < deadline:
        for n, (process, log) in enumerate(processes):
            if n in seen:
                continue
            if ready in log.read_text(errors="replace"):
                seen[n] = time.perf_counter()
            elif process.poll() is not None:
                raise RuntimeError(f"{process.args} ended early:\n{log.read_text()[-3000:]}")
        time.sleep(0.01)
    if len(seen) < len(processes):
        raise RuntimeError(f"not ready in 60 s: {[p.args for p, _ in processes]}")
    return [seen[n] for n in range(len(processes))]


def start(command: list[str], env: dict[str, str], log: Path, ready: str) -> subprocess.Popen[str]:
    process = launch(command, env, log)
    try:
        wait_ready([(process, log)], ready)
    except RuntimeError:
        stop(process)
        raise
    return process


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- set-up -----------------------------------------------------------------------------------


def plan(svc: Services, lead: Person, learner: Person, starts_at: datetime) -> str:
    return svc.write(
        lambda s: (
            talks.plan_talk(
                svc,
                s,
                lead,
                learner_id=learner.id,
                starts_at=starts_at,
                duration_minutes=45,
                title=None,
                goals=[],
                own_goal="",
            ).id
        )
    )


def talk_rows(svc: Services, ids: list[str]) -> dict[str, Talk]:
    def work(session: Any) -> dict[str, Talk]:
        found = session.execute(select(Talk).where(Talk.id.in_(ids))).scalars().all()
        for talk in found:
            session.expunge(talk)
        return {t.id: t for t in found}

    return svc.read(work)


def job_counts(svc: Services) -> Counter[tuple[str, int]]:
    """(status, attempts) of the jobs that apply notifications."""
    rows = svc.read(
        lambda s: s.execute(
            select(outbox_jobs.c.status, outbox_jobs.c.attempts, func.count())
            .where(outbox_jobs.c.kind == calendar_sync.APPLY_CHANGE)
            .group_by(outbox_jobs.c.status, outbox_jobs.c.attempts)
        ).all()
    )
    return Counter({(status, attempts): n for status, attempts, n in rows})


def graph_calls(graph: GraphFake) -> Counter[str]:
    """The fake's recorded requests by kind: event reads, calendarView pages, anything else."""
    out: Counter[str] = Counter()
    for r in list(graph.requests):
        parts = r.path.split("?")[0].strip("/").split("/")
        if r.method == "GET" and len(parts) == 4 and parts[2] == "events":
            out["event_get"] += 1
        elif r.method == "GET" and parts[-1] == "calendarView":
            out["calendar_view"] += 1
        else:
            out[f"{r.method} {'/'.join(parts[:1] + parts[2:3])}"] += 1
    return out


# -- the burst --------------------------------------------------------------------------------


async def burst(url: str, bodies: list[bytes], concurrency: int) -> tuple[list[float], Counter]:
    """Post every body, `concurrency` requests in flight at a time; latency of each (ms)."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    pending = iter(bodies)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:

        async def sender() -> None:
            for body in pending:
                began = time.perf_counter()
                try:
                    async with client.post(url, data=body, headers=FORWARDED) as response:
                        await response.read()
                        statuses[str(response.status)] += 1
                except (aiohttp.ClientError, TimeoutError) as error:
                    statuses[type(error).__name__] += 1
                latencies.append((time.perf_counter() - began) * 1000)

        await asyncio.gather(*(sender() for _ in range(concurrency)))
    return latencies, statuses


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 1)


def figures(latencies: list[float]) -> dict[str, float]:
    return {
        "slowest_ms": round(max(latencies), 1),
        "p99_ms": percentile(latencies, 0.99),
        "p50_ms": round(statistics.median(latencies), 1),
        "over_2900ms_share": round(sum(v > SLOW_MS for v in latencies) / len(latencies), 4),
    }


# -- the run ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notifications", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--talks", type=int, default=50, help="talks the burst's events are of")
    parser.add_argument("--leads", type=int, default=5, help="leads those talks are shared by")
    parser.add_argument("--reconcile-talks", type=int, default=50)
    parser.add_argument("--drainers", type=int, default=2, help="`worker` processes")
    # `serve`'s own defaults (plugin/cli.py): one process of eight threads.
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if args.notifications % args.talks:
        parser.error("--notifications must be a multiple of --talks")
    load = os.getloadavg()[0]
    result: dict[str, Any] = {
        "notifications": args.notifications,
        "concurrency": args.concurrency,
        "talks": args.talks,
        "leads": args.leads,
        "database": "postgresql",
        "server": f"ontwikkelgesprek serve (gunicorn gthread, {args.workers} x {args.threads})",
    }
    with tempfile.TemporaryDirectory(prefix="og-notify-") as tmp_name, PostgresServer() as pg:
        tmp = Path(tmp_name)
        url = create_database(pg.url, "bench")
        (tmp / "entra").mkdir()
        entra = EntraFake(tmp / "entra").start()
        graph = GraphFake(entra).start()
        settings = Settings(
            data_dir=tmp / "data",
            database_url=url,
            secret_key="bench-secret-key-that-is-long-enough",  # type: ignore[arg-type]
            tenant_id=entra.tenant_id,
            client_id=entra.client_id,
            client_secret=entra.client_secret,  # type: ignore[arg-type]
            authority_host=entra.authority_host,
            graph_url=graph.base_url,
            ca_bundle=entra.ca_path,
            public_url="https://og.example.test",
            _env_file=None,  # type: ignore[call-arg]
        )
        svc, outbox = build_services(settings, base_url="https://og.example.test")
        hooks_app = create_app(svc, mode="microsoft")
        hooks = LoopbackHttps(hooks_app, entra.ca)
        public = f"https://127.0.0.1:{hooks.port}"
        svc.links = Links(public, teams_app_id=svc.links.teams_app_id)
        processes: list[subprocess.Popen[str]] = []
        try:
            result |= run(args, svc, outbox, graph, entra, settings, public, tmp, processes)
        finally:
            for process in processes:
                stop(process)
            hooks.stop()
            hooks_app.extensions[STAMPS].stop()
            if svc.graph is not None:
                svc.graph.close()
            svc.db.dispose()
            graph.stop()
            entra.stop()
    result["cpus"] = os.cpu_count()
    result["load_1min_at_start"] = round(load, 2)
    print(json.dumps(result))


def run(
    args: argparse.Namespace,
    svc: Services,
    outbox: Any,
    graph: GraphFake,
    entra: EntraFake,
    settings: Settings,
    public: str,
    tmp: Path,
    processes: list[subprocess.Popen[str]],
) -> dict[str, Any]:
    began = time.perf_counter()
    # -- people, talks booked in Outlook, mailboxes subscribed --------------------------------
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    leads = [
        mailbox_person(svc, graph, entra, f"Lead {n}", f"lead{n}@contoso.example")
        for n in range(args.leads + 1)
    ]
    burst_leads, reconcile_lead = leads[:-1], leads[-1]
    planned: list[tuple[Person, str]] = []
    for n in range(args.talks + args.reconcile_talks):
        learner = mailbox_person(svc, graph, entra, f"Learner {n}", f"learner{n}@contoso.example")
        lead = burst_leads[n % args.leads] if n < args.talks else reconcile_lead
        starts_at = now + timedelta(days=2, minutes=30 * (n % args.talks))
        planned.append((lead, plan(svc, lead, learner, starts_at)))
    outbox.drain(limit=10 * len(planned))  # books every event (a Graph POST each)
    calendar_sync.maintain(svc)  # subscribes every lead: the handshake, then a first compare
    rows = svc.read(subs.all_subscriptions)
    assert len(rows) == args.leads + 1, rows
    left = svc.read(
        lambda s: s.execute(
            select(outbox_jobs.c.kind, func.count())
            .where(outbox_jobs.c.status == "pending")
            .group_by(outbox_jobs.c.kind)
        ).all()
    )
    assert not left, f"jobs left from the set-up: {left}"
    burst_ids = [talk_id for _, talk_id in planned[: args.talks]]
    before = talk_rows(svc, burst_ids)
    assert all(t.event_id for t in before.values()), "a talk was not booked"
    lead_of = {talk_id: lead for lead, talk_id in planned}

    # -- the changes in Outlook, and the notifications Graph would send for them ---------------
    per_talk = args.notifications // args.talks
    final: dict[str, datetime] = {}
    for round_ in range(per_talk):
        for talk_id in burst_ids:
            talk = before[talk_id]
            moved = talk.starts_at + timedelta(minutes=5 * (round_ + 1))
            graph.user_moves_event(
                lead_of[talk_id].email, talk.event_id or "", moved, moved + timedelta(minutes=45)
            )
            final[talk_id] = moved
    queued = graph.queued_notifications()
    assert len(queued) == args.notifications, len(queued)
    assert {q["clientState"] for q in queued} <= {r.client_state for r in rows}
    bodies = [json.dumps({"value": [item]}).encode() for item in queued]
    # Warm-up bodies: a real subscription, a wrong clientState (read, checked, not recorded).
    warm = [
        json.dumps({"value": [{**item, "clientState": "not-the-secret"}]}).encode()
        for item in queued[: 2 * args.concurrency]
    ]
    set_up = time.perf_counter() - began

    # -- the servers --------------------------------------------------------------------------
    bin_dir = Path(sys.executable).parent
    sizing = ["--workers", str(args.workers), "--threads", str(args.threads)]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ONTWIKKELGESPREK_")}
    ms_env = clean | {
        "ONTWIKKELGESPREK_DATABASE_URL": settings.resolved_database_url(),
        "ONTWIKKELGESPREK_DATA_DIR": str(settings.data_dir),
        "ONTWIKKELGESPREK_SECRET_KEY": "bench-secret-key-that-is-long-enough",
        "ONTWIKKELGESPREK_TENANT_ID": entra.tenant_id,
        "ONTWIKKELGESPREK_CLIENT_ID": entra.client_id,
        "ONTWIKKELGESPREK_CLIENT_SECRET": entra.client_secret,
        "ONTWIKKELGESPREK_AUTHORITY_HOST": entra.authority_host,
        "ONTWIKKELGESPREK_GRAPH_URL": graph.base_url,
        "ONTWIKKELGESPREK_CA_BUNDLE": str(entra.ca_path),
        "ONTWIKKELGESPREK_PUBLIC_URL": public,
        "ONTWIKKELGESPREK_PROXY_HOPS": "1",
    }
    port, floor_port = free_port(), free_port()
    serve = start(
        [str(bin_dir / "ontwikkelgesprek"), "serve", "--port", str(port), *sizing],
        ms_env,
        tmp / "serve.log",
        "runs at",
    )
    processes.append(serve)
    bind = ["-b", f"127.0.0.1:{floor_port}"]
    floor_server = start(
        [str(bin_dir / "gunicorn"), *sizing, *FLOOR_OPTIONS, *bind, FLOOR_APP],
        clean,
        tmp / "floor.log",
        "Booting worker",
    )
    processes.append(floor_server)
    ours_url = f"http://127.0.0.1:{port}/graph/notifications"
    floor_url = f"http://127.0.0.1:{floor_port}/graph/notifications"

    # -- 1 and 2: the burst, ours between two of the floor's ----------------------------------
    for target in (ours_url, floor_url):
        _, warmed = asyncio.run(burst(target, warm, args.concurrency))
        assert set(warmed) == {"202"}, (target, warmed)
    floor_ms, floor_statuses = asyncio.run(burst(floor_url, bodies, args.concurrency))
    burst_began = time.perf_counter()
    ours_ms, ours_statuses = asyncio.run(burst(ours_url, bodies, args.concurrency))
    burst_seconds = time.perf_counter() - burst_began
    more_ms, more_statuses = asyncio.run(burst(floor_url, bodies, args.concurrency))
    floor_ms += more_ms
    floor_statuses += more_statuses
    stop(floor_server)
    recorded = job_counts(svc)
    ours, base = figures(ours_ms), figures(floor_ms)
    acknowledged: dict[str, Any] = {
        **ours,
        "statuses": dict(ours_statuses),
        "seconds": round(burst_seconds, 2),
        "per_second": round(len(ours_ms) / burst_seconds, 1),
        "jobs_recorded": sum(recorded.values()),
    }
    floor_figures: dict[str, Any] = {**base, "statuses": dict(floor_statuses)}
    ratios = {
        f"ratio_{k.removesuffix('_ms')}": round(ours[k] / base[k], 2)
        for k in ("slowest_ms", "p99_ms", "p50_ms")
    }

    # -- 3: the workers apply them ------------------------------------------------------------
    graph.clear_requests()
    launched = time.perf_counter()
    drainers = [
        launch([str(bin_dir / "ontwikkelgesprek"), "worker"], ms_env, tmp / f"worker-{n}.log")
        for n in range(args.drainers)
    ]
    processes.extend(drainers)
    # Draining begins with the first worker's ready line; the others join as they get there.
    logs = [tmp / f"worker-{n}.log" for n in range(args.drainers)]
    ready_at = wait_ready(list(zip(drainers, logs, strict=True)), "Worker ready")
    ready = min(ready_at)
    done_at = None
    while time.perf_counter() - ready < GIVE_UP:
        counts = job_counts(svc)
        if sum(n for (status, _), n in counts.items() if status != "pending") >= args.notifications:
            done_at = time.perf_counter()
            break
        time.sleep(0.05)
    for process in drainers:
        stop(process)
    counts = job_counts(svc)
    calls = graph_calls(graph)
    after = talk_rows(svc, burst_ids)
    wrong = [
        t
        for t in burst_ids
        if after[t].starts_at != final[t]
        or after[t].revision != before[t].revision + 1
        or after[t].event_sequence != before[t].event_sequence + 1
    ]
    done = sum(n for (status, _), n in counts.items() if status == "done")
    # What one job's Graph round trip costs alone (SDK, TLS, the fake), for comparison.
    reads = []
    for talk_id in burst_ids:
        began_read = time.perf_counter()
        assert svc.watch is not None
        svc.watch.read(lead_of[talk_id].email, before[talk_id].event_id or "")
        reads.append((time.perf_counter() - began_read) * 1000)
    applied: dict[str, Any] = {
        "drainers": args.drainers,
        "how": "ontwikkelgesprek worker processes (PostgreSQL, SKIP LOCKED claims)",
        "seconds_from_ready": round(done_at - ready, 2) if done_at else None,
        "workers_ready_after_s": [round(t - launched, 2) for t in ready_at],
        "seconds_from_launch": round(done_at - launched, 2) if done_at else None,
        "per_second": round(args.notifications / (done_at - ready), 1) if done_at else None,
        "ms_per_job_per_worker": (
            round(1000 * (done_at - ready) * args.drainers / args.notifications, 1)
            if done_at
            else None
        ),
        "event_read_alone_p50_ms": round(statistics.median(reads), 1),
        "jobs": {f"{status} (attempt {attempts})": n for (status, attempts), n in counts.items()},
        "lost": args.notifications - done,
        "talks_wrong": len(wrong),
        "graph_requests": dict(calls),
        "graph_requests_per_applied_change": round(sum(calls.values()) / max(done, 1), 3),
    }

    # -- 4: one reconciliation of a mailbox with many talks -----------------------------------
    reconcile_ids = [talk_id for _, talk_id in planned[args.talks :]]
    waiting = talk_rows(svc, reconcile_ids)
    moved_to = {}
    for talk_id, talk in waiting.items():
        moved_to[talk_id] = talk.starts_at + timedelta(hours=2)
        graph.user_moves_event(
            reconcile_lead.email,
            talk.event_id or "",
            moved_to[talk_id],
            moved_to[talk_id] + timedelta(minutes=45),
        )
    graph.clear_requests()  # their notifications are never posted: lost

    def reconcile(session: Any) -> int:
        row = subs.of_person(session, reconcile_lead.tenant_id, reconcile_lead.id)
        assert row is not None
        return calendar_sync.reconcile(svc, session, row)

    started = time.perf_counter()
    compared = svc.write(reconcile)
    reconcile_ms = (time.perf_counter() - started) * 1000
    calls = graph_calls(graph)
    healed = talk_rows(svc, reconcile_ids)
    reconciled = {
        "talks": compared,
        "ms": round(reconcile_ms, 1),
        "how": "calendar_sync.reconcile in-process",
        "calendar_view_pages": calls["calendar_view"],
        "single_event_reads": calls["event_get"],
        "graph_requests": sum(calls.values()),
        "talks_wrong": sum(healed[t].starts_at != moved_to[t] for t in reconcile_ids),
    }
    for log in (tmp / "serve.log", *logs):
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith(("ERROR", "WARNING", "Traceback")) and "clientState" not in line:
                print(f"{log.stem}: {line}")
    report = {
        "acknowledgement": acknowledged,
        "floor": floor_figures,
        **ratios,
        "apply": applied,
        "reconcile": reconciled,
        "set_up_seconds": round(set_up, 1),
    }
    print_figures(report)
    return report


def print_figures(report: dict[str, Any]) -> None:
    ack, base, apply, rec = (
        report["acknowledgement"],
        report["floor"],
        report["apply"],
        report["reconcile"],
    )
    for name, row in (("ours", ack), ("floor", base)):
        print(
            f"{name:>6}: slowest {row['slowest_ms']:8.1f} ms  p99 {row['p99_ms']:8.1f} ms  "
            f"p50 {row['p50_ms']:7.1f} ms  over 2.9 s {row['over_2900ms_share']:.1%}  "
            f"{row['statuses']}"
        )
    print(
        f" ratio: slowest {report['ratio_slowest']}  p99 {report['ratio_p99']}  "
        f"p50 {report['ratio_p50']}  (burst {ack['seconds']} s, {ack['per_second']}/s, "
        f"{ack['jobs_recorded']} jobs recorded)"
    )
    print(
        f" apply: {apply['seconds_from_ready']} s from the first worker's ready line "
        f"({apply['seconds_from_launch']} s from launch; ready after "
        f"{apply['workers_ready_after_s']} s), {apply['per_second']}/s; "
        f"jobs {apply['jobs']}; lost {apply['lost']}; "
        f"talks wrong {apply['talks_wrong']}; Graph {apply['graph_requests']} = "
        f"{apply['graph_requests_per_applied_change']} per applied change; "
        f"{apply['ms_per_job_per_worker']} ms per job per worker, of which the event read "
        f"alone takes about {apply['event_read_alone_p50_ms']} ms"
    )
    print(
        f" reconcile: {rec['talks']} talks in {rec['ms']} ms, {rec['calendar_view_pages']} "
        f"calendarView page(s), {rec['single_event_reads']} single reads, "
        f"{rec['talks_wrong']} talks wrong"
    )


if __name__ == "__main__":
    main()
