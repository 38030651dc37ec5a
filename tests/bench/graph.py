"""Benchmark: the Graph calendar adapter's latency per operation against the Graph fake.

Not part of the test suite. Run: `.venv/bin/python tests/bench/graph.py [--rounds N]`.
The baseline is a bare authenticated `httpx` GET of one event from the same fake in the same
run, so the ratio is the adapter's own cost (msgraph-sdk, its loop thread, (de)serialisation,
our mapping) over the fake's floor. Also counts the Graph requests each operation sends. The
last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import ssl
import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from plugin.bootstrap import GraphWiring
from plugin.calendar.port import Attendee, EventDraft, SlotRequest
from plugin.domain.schedule import Interval, WorkingHours
from tests.bench.api import summary, timings
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import TEST_GRAPH_OPTIONS, microsoft_settings
from tests.microsoft.graph_fake import GraphFake

AMS = ZoneInfo("Europe/Amsterdam")
logging.getLogger("werkzeug").setLevel(logging.WARNING)
LEAD = Attendee("lead", "Lead", "lead@contoso.example")
LEARNER = Attendee("learner", "Learner", "learner@contoso.example")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        entra = EntraFake(Path(tmp)).start()
        graph = GraphFake(entra).start()
        for who in (LEAD, LEARNER):
            graph.add_mailbox(who.email)
        for day in range(1, 29):  # a month of ordinary meetings for free/busy to read
            start = datetime(2027, 3, day, 10, tzinfo=AMS)
            graph.add_event(LEAD.email, "Overleg", start, start + timedelta(hours=1))
        wiring = GraphWiring(
            microsoft_settings(Path(tmp), "sqlite://", entra, graph), TEST_GRAPH_OPTIONS
        )
        calendar = wiring.calendar()
        wiring.warm()
        start = datetime(2027, 4, 6, 9, tzinfo=AMS)  # outside the week that is listed

        def draft(i: int) -> EventDraft:
            return EventDraft(
                transaction_id=f"bench-{uuid.uuid4()}",
                organizer=LEAD,
                attendees=(LEARNER,),
                subject=f"Ontwikkelgesprek {i}",
                start=start,
                end=start + timedelta(minutes=45),
                body_text="x",
                body_html="<p>" + "Bereid je voor. " * 50 + "</p>",
                url="https://og.example.test/talks/1",
            )

        refs = []
        counter = iter(range(10**9))
        slot = SlotRequest(
            attendees=(LEAD, LEARNER),
            window=Interval(
                datetime(2027, 4, 12, 8, tzinfo=AMS), datetime(2027, 4, 17, tzinfo=AMS)
            ),
            earliest=datetime(2027, 3, 2, tzinfo=AMS),
            horizon=datetime(2027, 5, 1, tzinfo=AMS),
            duration=timedelta(minutes=30),
            hours=WorkingHours(),
        )
        operations: dict[str, Callable[[], object]] = {
            "create": lambda: refs.append(calendar.create_event(draft(next(counter)))),
            "update": lambda: calendar.update_event(refs[next(counter) % len(refs)], draft(0)),
            # Cancel them all again, so free/busy below reads an ordinary calendar.
            "cancel": lambda: calendar.cancel_event(refs.pop(), LEAD),
            "find_slot": lambda: calendar.find_slot(slot),
            "list_week": lambda: calendar.list_events(
                LEAD, Interval(datetime(2027, 3, 1, tzinfo=AMS), datetime(2027, 3, 8, tzinfo=AMS))
            ),
        }
        token = wiring.tokens().app_token()
        raw = httpx.Client(
            verify=ssl.create_default_context(cafile=str(entra.ca_path)),
            headers={"Authorization": f"Bearer {token}"},
        )
        calendar.create_event(draft(0))
        first = graph.events(LEAD.email)[-1]["id"]
        baseline_url = f"{graph.base_url}/users/{LEAD.email}/events/{first}"
        results: dict[str, object] = {
            "baseline_raw_httpx_get": summary(
                timings(lambda: raw.get(baseline_url).raise_for_status(), args.rounds)
            )
        }
        base_p50 = results["baseline_raw_httpx_get"]["p50_ms"]  # type: ignore[index]
        for name, call in operations.items():
            graph.clear_requests()
            samples = timings(call, args.rounds)
            stats = summary(samples)
            stats["requests_per_call"] = len(graph.requests) / args.rounds
            stats["ratio_p50"] = round(stats["p50_ms"] / base_p50, 1)
            results[name] = stats
        raw.close()
        wiring.close()
        graph.stop()
        entra.stop()
    for name, stats in results.items():
        print(f"{name:>24}: {stats}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
