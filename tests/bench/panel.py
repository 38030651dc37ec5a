"""Benchmark: 200 live agreement panels against the real server, beside a bare Flask baseline.

Not part of the test suite; it starts what it needs (a PostgreSQL server, `ontwikkelgesprek
serve` on gunicorn, and the baseline on gunicorn with the same workers and threads):

    .venv/bin/python tests/bench/panel.py [--panels 200] [--seconds 20] [--workers 2]

100 talks, each with its lead's and its learner's panel open. Every panel polls the talk with
If-None-Match every 500 ms (as panel.js does) and now and then saves a new agreement; the
partner's panel must receive it. The baseline gets the same number of clients polling a bare
JSON endpoint. Measured: server latency p50/p99 (client-side, loopback), throughput, and sync
delay (from the start of a save until the partner's panel has it). The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from plugin.bootstrap import build_services  # noqa: E402
from plugin.domain.people import LOCAL_TENANT, Person  # noqa: E402
from plugin.identity.local import issue_signin_token  # noqa: E402
from plugin.services import talks  # noqa: E402
from plugin.settings import Settings  # noqa: E402
from tests.support.postgres import PostgresServer, create_database  # noqa: E402

POLL = 0.5


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    sync: list[float] = field(default_factory=list)
    errors: int = 0
    saves: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], env: dict[str, str], ready: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )
    assert process.stdout is not None
    for line in process.stdout:
        if ready in line:
            return process
    raise RuntimeError(f"{command[0]} ended before it was ready")


def seed(settings: Settings, pairs: int) -> list[tuple[str, str, str]]:
    """Talks that started a minute ago (so agreements can be recorded), with sign-in tokens."""
    svc, _ = build_services(settings, base_url="http://bench")
    now = datetime.now(UTC)
    out = []

    def work(session):  # type: ignore[no-untyped-def]
        result = []
        for n in range(pairs):
            lead = Person(svc.new_id(), LOCAL_TENANT, f"lead-{n}", f"Lead {n}", f"l{n}@x.test")
            learner = Person(svc.new_id(), LOCAL_TENANT, f"lrn-{n}", f"Learner {n}", f"s{n}@x.test")
            session.add_all([lead, learner])
            session.flush()
            talk = talks.plan_talk(
                svc,
                session,
                lead,
                learner_id=learner.id,
                starts_at=now + timedelta(minutes=1),
                duration_minutes=60,
                title=None,
                goals=[],
                own_goal="",
            )
            result.append(
                (
                    talk.id,
                    issue_signin_token(session, lead, now),
                    issue_signin_token(session, learner, now),
                )
            )
        return result

    out = svc.write(work)
    svc.db.dispose()
    return out


async def signed_in(base: str, token: str, limits: httpx.Limits) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=base, limits=limits, timeout=30)
    await client.get(f"/signin/{token}")
    csrf = (await client.get("/api/me")).json()["csrf_token"]
    return client, csrf


async def panel(
    client: httpx.AsyncClient,
    url: str,
    stats: Stats,
    stop: float,
    save: tuple[str, str] | None,
    saved: dict[str, float],
    seen_by: set[str],
    marker_prefix: str,
) -> None:
    etag = None
    next_save = time.perf_counter() + random.uniform(2, 8)
    await asyncio.sleep(random.uniform(0, POLL))
    while time.perf_counter() < stop:
        began = time.perf_counter()
        try:
            response = await client.get(url, headers={"If-None-Match": etag} if etag else {})
            stats.latencies.append((time.perf_counter() - began) * 1000)
            if response.status_code == 200:
                etag = response.headers.get("ETag")
                body = response.json()
                for item in body.get("agreements", ()) if isinstance(body, dict) else ():
                    marker = item.get("what", "")
                    if (
                        marker in saved
                        and not marker.startswith(marker_prefix)
                        and marker not in seen_by
                    ):
                        seen_by.add(marker)
                        stats.sync.append((time.perf_counter() - saved[marker]) * 1000)
            elif response.status_code != 304:
                stats.error(f"poll {response.status_code}")
            if save and time.perf_counter() >= next_save:
                csrf, talk_url = save
                marker = f"{marker_prefix}{stats.saves}-{random.random():.12f}"
                saved[marker] = time.perf_counter()
                began = time.perf_counter()
                result = await client.post(
                    f"{talk_url}/agreements", json={"what": marker}, headers={"X-CSRF-Token": csrf}
                )
                stats.latencies.append((time.perf_counter() - began) * 1000)
                stats.saves += 1
                if result.status_code != 201:
                    stats.error(f"save {result.status_code}")
                next_save = time.perf_counter() + random.uniform(6, 12)
        except httpx.HTTPError as error:
            stats.error(type(error).__name__)
        await asyncio.sleep(max(0.0, POLL - (time.perf_counter() - began)))


async def run_ours(base: str, seeded: list[tuple[str, str, str]], seconds: float) -> Stats:
    stats = Stats()
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    clients = []
    tasks = []
    for talk_id, lead_token, learner_token in seeded:
        saved: dict[str, float] = {}
        url = f"/api/talks/{talk_id}"
        for prefix, token in (("L:", lead_token), ("S:", learner_token)):
            client, csrf = await signed_in(base, token, limits)
            clients.append(client)
            tasks.append((client, f"{url}/live", (csrf, url), saved, prefix))
    stop = time.perf_counter() + seconds
    await asyncio.gather(
        *(
            panel(client, live, stats, stop, save, saved, set(), prefix)
            for client, live, save, saved, prefix in tasks
        )
    )
    for client in clients:
        await client.aclose()
    return stats


async def run_baseline(base: str, panels: int, seconds: float) -> Stats:
    stats = Stats()
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    clients = [httpx.AsyncClient(base_url=base, limits=limits, timeout=30) for _ in range(panels)]
    stop = time.perf_counter() + seconds
    await asyncio.gather(*(panel(c, "/live", stats, stop, None, {}, set(), "") for c in clients))
    for client in clients:
        await client.aclose()
    return stats


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return (
        round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2) if ordered else float("nan")
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONTWIKKELGESPREK_")}
    exe = str(Path(sys.executable).with_name("ontwikkelgesprek"))
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    with tempfile.TemporaryDirectory() as tmp, PostgresServer() as pg:
        url = create_database(pg.url, "bench")
        settings = Settings(
            data_dir=Path(tmp), database_url=url, secret_key="bench-key", _env_file=None
        )  # type: ignore[arg-type,call-arg]
        build_services(settings, base_url="http://bench")[0].db.dispose()  # migrate
        seeded = seed(settings, args.panels // 2)
        port, base_port = free_port(), free_port()
        server_env = env | {
            "ONTWIKKELGESPREK_DATABASE_URL": url,
            "ONTWIKKELGESPREK_DATA_DIR": tmp,
            "ONTWIKKELGESPREK_SECRET_KEY": "bench-key",
        }
        ours = start(
            [
                exe,
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
            ],
            server_env,
            "runs at",
        )
        try:
            stats = asyncio.run(run_ours(f"http://127.0.0.1:{port}", seeded, args.seconds))
        finally:
            ours.terminate()
            ours.wait()
        bare = start(
            [
                gunicorn,
                "-w",
                str(args.workers),
                "--threads",
                str(args.threads),
                "-k",
                "gthread",
                "-b",
                f"127.0.0.1:{base_port}",
                "--log-level",
                "info",
                "tests.bench.bare_app:app",
            ],
            env,
            "Booting worker",
        )
        try:
            baseline = asyncio.run(
                run_baseline(f"http://127.0.0.1:{base_port}", args.panels, args.seconds)
            )
        finally:
            bare.terminate()
            bare.wait()
    result = {
        "panels": args.panels,
        "seconds": args.seconds,
        "database": "postgresql",
        "workers": args.workers,
        "threads": args.threads,
        "requests": len(stats.latencies),
        "p50_ms": percentile(stats.latencies, 0.50),
        "p99_ms": percentile(stats.latencies, 0.99),
        "throughput_rps": round(len(stats.latencies) / args.seconds, 1),
        "errors": stats.errors,
        "error_kinds": stats.error_kinds,
        "saves": stats.saves,
        "sync_samples": len(stats.sync),
        "sync_p50_ms": percentile(stats.sync, 0.50),
        "sync_p99_ms": percentile(stats.sync, 0.99),
        "baseline_p50_ms": percentile(baseline.latencies, 0.50),
        "baseline_p99_ms": percentile(baseline.latencies, 0.99),
        "baseline_throughput_rps": round(len(baseline.latencies) / args.seconds, 1),
        "baseline_errors": baseline.errors,
    }
    result["ratio_p99"] = round(result["p99_ms"] / result["baseline_p99_ms"], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
