"""Benchmark: the retention purge of 100,000 expired talks on PostgreSQL, while the web app
answers requests.

Not part of the test suite; it starts its own PostgreSQL server and `ontwikkelgesprek serve`:

    .venv/bin/python tests/bench/purge.py [--talks 100000] [--active 1000] [--colleagues 2000]

The database (`purge_seed.py`) holds copies of one whole loop (a signed talk with everything
hanging off it, and its booked follow-up: two talks a track) between colleagues of a pool,
spread over 2022–2024 (expired: the clock stands at 1 June 2027, retention 24 months), and
`--active` tracks whose talks are still to come (kept). The server runs as in production
(gunicorn, 2 workers of 4 threads; its own daily purge told to keep 100 years, so that it does
not compete). One client polls `GET /api/overview` (an active colleague's overview: their
talks and agreements) and another `PUT /api/me/hints` (a write of their person row), one
request after another, for 10 s before the purge, during it, and 5 s after. Measured: the
purge's time, its batches (each its own transaction), and the requests' latency in each phase.
The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from plugin.bootstrap import build_services  # noqa: E402
from plugin.domain.clock import FixedClock  # noqa: E402
from plugin.domain.people import Person  # noqa: E402
from plugin.identity.local import issue_signin_token  # noqa: E402
from plugin.services import privacy  # noqa: E402
from plugin.services.privacy_terms import Terms  # noqa: E402
from plugin.settings import Settings  # noqa: E402
from plugin.store.schema import talks  # noqa: E402
from plugin.web.app import create_app  # noqa: E402
from plugin.web.context import STAMPS  # noqa: E402
from plugin.web.session import SESSION_CHECK  # noqa: E402
from tests.bench import purge_seed  # noqa: E402
from tests.support.postgres import PostgresServer, create_database  # noqa: E402

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
EXE = Path(sys.executable).with_name("ontwikkelgesprek")


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {
        "n": len(values),
        "p50_ms": at(0.5),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(max(values) * 1000, 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1),
    }


def test_clients(svc: Any, stoppers: list[Any]) -> Any:
    """Sign two people in to an in-process app, for the template's loop."""
    from tests.conftest import ApiClient

    app = create_app(svc)
    # The app's polling threads end with the template: the bench's server is another process.
    stoppers.extend([app.extensions[STAMPS].stop, app.extensions[SESSION_CHECK].stop])

    def clients(*persons: Person) -> list[ApiClient]:
        out = []
        for person in persons:
            token = svc.write(lambda s, p=person: issue_signin_token(s, p, svc.clock.now()))
            client = app.test_client()
            client.get(f"/signin/{token}")
            out.append(ApiClient(client, client.get("/api/me").json["csrf_token"]))
        return out

    return clients


def seed(settings: Settings, talk_count: int, active: int, colleagues: int) -> dict[str, Any]:
    clock = FixedClock(purge_seed.TEMPLATE_DAY)
    svc, outbox = build_services(settings, base_url="http://bench", clock=clock)
    started = time.perf_counter()
    stoppers: list[Any] = []
    template = purge_seed.make_template(svc, outbox, clock, test_clients(svc, stoppers))
    for stop in stoppers:
        stop()
    per_track = len(template.rows["talks"])
    tracks = talk_count // per_track
    pool = purge_seed.pool(colleagues, False, "colleague")
    supervisors = purge_seed.pool(max(1, colleagues // 10), True, "supervisor")
    purge_seed.insert_rows(svc.db.engine, {"people": pool + supervisors})
    rng = random.Random(17)
    # Expired: moved 0–2 years on from January 2022. Active: moved to after NOW.
    for first in range(0, tracks, 5000):
        rows = purge_seed.copies(
            template, min(5000, tracks - first), pool, supervisors,
            purge_seed.spread(rng, 0, 730), first=first + active,
        )  # fmt: skip
        purge_seed.insert_rows(svc.db.engine, rows)
    rows = purge_seed.copies(
        template, active, pool, supervisors, purge_seed.spread(rng, 1970, 2000), first=0
    )
    purge_seed.insert_rows(svc.db.engine, rows)
    with svc.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql("VACUUM ANALYZE")
        counts = {
            name: c.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar()
            for name in template.rows
            if name not in purge_seed.SKIP
        }
    svc.db.dispose()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "rows": counts,
        "rows_per_track": {k: len(v) for k, v in template.rows.items()},
        "active_person": pool[0]["id"],
    }


class Poller(threading.Thread):
    """One request after another; (monotonic time, seconds, status) for each."""

    def __init__(self, send: Any) -> None:
        super().__init__(daemon=True)
        self.send = send
        self.samples: list[tuple[float, float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                status = self.send()
            except requests.RequestException:
                status = 0
            self.samples.append((began, time.monotonic() - began, status))

    def between(self, start: float, end: float) -> list[tuple[float, float, int]]:
        return [s for s in self.samples if start <= s[0] < end]


def signed_in_session(base: str, svc: Any, person_id: str) -> tuple[requests.Session, str]:
    def issue(s: Any) -> str:
        person = s.get(Person, person_id)
        return issue_signin_token(s, person, datetime.now(UTC))

    token = svc.write(issue)
    session = requests.Session()
    session.get(f"{base}/signin/{token}", allow_redirects=False, timeout=10).raise_for_status()
    csrf = session.get(f"{base}/api/me", timeout=10).json()["csrf_token"]
    return session, csrf


def measure(settings: Settings, seeded: dict[str, Any], port: int, env: dict[str, str]) -> Any:
    clock = FixedClock(NOW)
    svc, _outbox = build_services(settings, base_url="http://bench", clock=clock)
    svc.after_enqueue.clear()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(EXE), "serve", "--port", str(port), "--workers", "2", "--threads", "4"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "runs at" in line:
                break
        threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()  # type: ignore[union-attr]
        reader, _ = signed_in_session(base, svc, seeded["active_person"])
        writer, csrf = signed_in_session(base, svc, seeded["active_person"])
        hints = [["questions"], []]
        flip = {"n": 0}

        def write() -> int:
            flip["n"] += 1
            body = {"folded": hints[flip["n"] % 2]}
            answer = writer.put(
                f"{base}/api/me/hints", json=body, headers={"X-CSRF-Token": csrf}, timeout=60
            )
            return answer.status_code

        def read() -> int:
            return reader.get(f"{base}/api/overview", timeout=60).status_code

        pollers = {"read_overview": Poller(read), "write_hints": Poller(write)}
        for poller in pollers.values():
            poller.start()
        t0 = time.monotonic()
        time.sleep(10)
        t1 = time.monotonic()
        result = privacy.purge(svc, Terms(retention_months=24, audit_retention_months=60))
        t2 = time.monotonic()
        time.sleep(5)
        t3 = time.monotonic()
        for poller in pollers.values():
            poller.stop.set()
            poller.join()
        left = svc.read(lambda s: s.execute(select(func.count()).select_from(talks)).scalar())
        phases = {}
        for name, poller in pollers.items():
            phases[name] = {}
            for phase, (a, b) in {
                "before": (t0, t1),
                "during": (t1, t2),
                "after": (t2, t3),
            }.items():
                samples = poller.between(a, b)
                phases[name][phase] = percentiles([s[1] for s in samples]) | {
                    "errors": sum(1 for s in samples if s[2] != 200)
                }
        return {
            "purge_s": round(t2 - t1, 2),
            "tracks": result.tracks,
            "talks": result.talks,
            "people": result.people,
            "batches": result.batches,
            "batch_ms": percentiles(result.seconds),
            "talks_left": left,
            "requests": phases,
        }
    finally:
        server.terminate()
        server.wait()
        svc.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--talks", type=int, default=100_000, help="expired talks")
    parser.add_argument("--active", type=int, default=1000, help="active tracks (kept)")
    parser.add_argument("--colleagues", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8479)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, PostgresServer() as pg:
        url = create_database(pg.url, "bench_purge")
        settings = Settings(
            data_dir=Path(tmp), database_url=url, secret_key="bench-key", _env_file=None,
        )  # type: ignore[call-arg]  # fmt: skip
        seeded = seed(settings, args.talks, args.active, args.colleagues)
        print(f"seeded in {seeded['seconds']} s: {seeded['rows']}", flush=True)
        env = {
            "PATH": "/usr/bin:/bin",
            "ONTWIKKELGESPREK_DATA_DIR": tmp,
            "ONTWIKKELGESPREK_DATABASE_URL": url,
            "ONTWIKKELGESPREK_SECRET_KEY": "bench-key",
            "ONTWIKKELGESPREK_RETENTION_MONTHS": "1200",
        }
        measured = measure(settings, seeded, args.port, env)
        for name, phases in measured["requests"].items():
            for phase, stats in phases.items():
                print(f"{name:>14} {phase:>6}: {stats}", flush=True)
        print(
            f"purged {measured['talks']} talks ({measured['tracks']} tracks, "
            f"{measured['people']} people) in {measured['purge_s']} s, "
            f"{measured['batches']} batches: {measured['batch_ms']}",
            flush=True,
        )
        print(json.dumps({"seed": seeded | {"active_person": None}, **measured}))


if __name__ == "__main__":
    main()
