"""Benchmark: the API's cost per request against a bare Flask JSON endpoint, in one run.

Not part of the test suite. Run: `.venv/bin/python tests/bench/api.py [--requests N]`.
Both sides are called in-process through the WSGI test client, so the ratio is the cost of
our own stack (session, database, domain, views) over Flask's floor. Measured: reading a talk,
a live panel's unchanged poll (304), and a versioned write (saving a preparation: sign-in and
CSRF check, strict body, control-character check, optimistic lock, the answer read back).
The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask

from plugin.bootstrap import build_services
from plugin.domain.agreement import Owner
from plugin.domain.clock import FixedClock
from plugin.domain.people import LOCAL_TENANT, Person
from plugin.domain.talk import Talk
from plugin.identity.local import issue_signin_token
from plugin.services import agreements, talks
from plugin.services.context import Services
from plugin.settings import Settings
from plugin.web.app import create_app


def timings(call: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 3),
    }


def plan(svc: Services, lead: Person, learner: Person, clock: FixedClock) -> Talk:
    """A talk tomorrow between the two, planned through the use case (as the benches need)."""
    return svc.write(
        lambda s: talks.plan_talk(
            svc,
            s,
            lead,
            learner_id=learner.id,
            starts_at=clock.now() + timedelta(days=1),
            duration_minutes=45,
            title=None,
            goals=["goals.learn"],
            own_goal="",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    clock = FixedClock(datetime(2027, 3, 1, 8, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="bench", _env_file=None)  # type: ignore[arg-type,call-arg]
        svc, _ = build_services(settings, base_url="http://bench", clock=clock)
        lead = Person(svc.new_id(), LOCAL_TENANT, "lead", "Lead", "lead@x.test")
        learner = Person(svc.new_id(), LOCAL_TENANT, "learner", "Learner", "l@x.test")
        svc.write(lambda s: s.add_all([lead, learner]))
        talk = plan(svc, lead, learner, clock)
        for n in range(8):
            svc.write(
                lambda s, n=n: agreements.add_agreement(
                    svc, s, lead, talk.id, what=f"Afspraak {n}", owner=Owner.BOTH, due=None
                )
            )
        token = svc.write(lambda s: issue_signin_token(s, lead, clock.now()))
        app = create_app(svc)
        ours = app.test_client()
        ours.get(f"/signin/{token}")

        bare = Flask("bare")

        @bare.get("/talk")
        def bare_talk() -> dict[str, object]:
            return {"id": talk.id, "agreements": [{"what": f"Afspraak {n}"} for n in range(8)]}

        baseline = bare.test_client()
        for client, url in ((ours, f"/api/talks/{talk.id}"), (baseline, "/talk")):
            for _ in range(100):  # warm up
                assert client.get(url).status_code == 200
        ours_ms = timings(lambda: ours.get(f"/api/talks/{talk.id}"), args.requests)
        base_ms = timings(lambda: baseline.get("/talk"), args.requests)
        etag = ours.get(f"/api/talks/{talk.id}/live").headers["ETag"]
        live_ms = timings(
            lambda: ours.get(f"/api/talks/{talk.id}/live", headers={"If-None-Match": etag}),
            args.requests,
        )
        csrf = ours.get("/api/me").json["csrf_token"]
        version = iter(range(args.requests + 1))

        def save() -> None:
            answer = ours.put(
                f"/api/talks/{talk.id}/preparation",
                json={"version": next(version), "ticked": [], "points": [{"text": "Punt"}]},
                headers={"X-CSRF-Token": csrf},
            )
            assert answer.status_code == 200, answer.json

        write_ms = timings(save, args.requests)
        svc.db.dispose()
    result = {
        "endpoint": "GET /api/talks/<id> (8 agreements, SQLite)",
        "requests": args.requests,
        **summary(ours_ms),
        "throughput_rps": round(1000 / statistics.mean(ours_ms), 1),
        "baseline_p50_ms": summary(base_ms)["p50_ms"],
        "baseline_p99_ms": summary(base_ms)["p99_ms"],
        "ratio_p50": round(statistics.median(ours_ms) / statistics.median(base_ms), 2),
        "live_304": {
            **summary(live_ms),
            "ratio_p50": round(statistics.median(live_ms) / statistics.median(base_ms), 2),
        },
        "put_preparation": {
            **summary(write_ms),
            "ratio_p50": round(statistics.median(write_ms) / statistics.median(base_ms), 2),
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
