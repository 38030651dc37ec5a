"""Benchmark: 200 live agreement panels against the real server, beside a bare Flask baseline.

Not part of the test suite; it starts what it needs (a PostgreSQL server, `ontwikkelgesprek
serve` on gunicorn, and the baseline on gunicorn with the same workers and threads):

    .venv/bin/python tests/bench/panel.py [--panels 200] [--seconds 10] [--rounds 5]

100 talks, each with its lead's and its learner's panel open, as full as a real talk: three
goals with both own goals, both people's shared points, three open agreements of an earlier
signed talk in the track and two agreements so far. Every panel polls the talk with
If-None-Match every 500 ms (as panel.js does) and now and then saves, in turn, a new agreement
or its note on an agenda item; the partner's panel must receive it (see SAVE_EVERY for how
often). The baseline gets the same
number of clients polling a bare JSON endpoint. The two sides alternate for a few rounds, so
that the machine's drift hits both alike. Measured: server latency p50/p99 (client-side, on
loopback, by kind of request too), throughput, and sync delay (from the start of a save until
the partner's panel has it). The last line is JSON.
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

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from plugin.bootstrap import build_services  # noqa: E402
from plugin.domain.agreement import Owner  # noqa: E402
from plugin.domain.form import form_hash, talk_form  # noqa: E402
from plugin.domain.people import LOCAL_TENANT, Person  # noqa: E402
from plugin.domain.talk_state import TalkStatus  # noqa: E402
from plugin.identity.local import issue_signin_token  # noqa: E402
from plugin.services import talks  # noqa: E402
from plugin.settings import Settings  # noqa: E402
from tests.support.postgres import PostgresServer, create_database  # noqa: E402

POLL = 0.5
GOALS = ["goals.learn", "goals.feedback", "goals.wishes", "goals.own"]
#: The agenda item each side writes its notes on (one each: they never cross).
NOTE_KEY = {"L:": "goal:goals.learn", "S:": "goal:goals.feedback"}
#: Seconds between one panel's saves. In a real talk an agreement is written or changed every
#: minute or two; every 15–45 s per panel (about 7 saves a second over 200 panels) is busier.
SAVE_EVERY = (15.0, 45.0)
#: The baseline runs on gunicorn as `serve` does: threaded workers, long keep-alive.
BARE_OPTIONS = ["-k", "gthread", "--keep-alive", "75", "--log-level", "info"]
BARE_APP = "tests.bench.bare_app:app"


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    #: The same latencies by kind of request: unchanged poll (304), changed poll (200), save.
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)
    sync: list[float] = field(default_factory=list)
    errors: int = 0
    saves: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    def record(self, kind: str, began: float) -> None:
        took = (time.perf_counter() - began) * 1000
        self.latencies.append(took)
        self.by_kind.setdefault(kind, []).append(took)
        self.kinds.append(kind)

    def slowest_share(self, share: float) -> dict[str, int]:
        """How many requests of each kind are among the slowest `share` of all: what the p99
        is made of."""
        count = max(1, int(len(self.latencies) * share))
        slowest = sorted(range(len(self.latencies)), key=self.latencies.__getitem__)[-count:]
        found: dict[str, int] = {}
        for index in slowest:
            found[self.kinds[index]] = found.get(self.kinds[index], 0) + 1
        return dict(sorted(found.items()))

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
    """Talks that started a minute ago (so agreements can be recorded), as full as a real talk,
    with sign-in tokens."""
    svc, outbox = build_services(settings, base_url="http://bench")
    now = datetime.now(UTC)

    def plan(session, lead, learner, **extra):  # type: ignore[no-untyped-def]
        return talks.plan_talk(
            svc,
            session,
            lead,
            learner_id=learner.id,
            starts_at=now + timedelta(minutes=1),
            duration_minutes=60,
            title=None,
            **{"goals": GOALS, "own_goal": "Sem zelfstandiger maken", **extra},
        )

    def agree(talk, lead, learner, what):  # type: ignore[no-untyped-def]
        item = talk.add_agreement(
            lead.id, what=what, owner=Owner.LEARNER, due=None, today=now.date(),
            new_id=svc.new_id(), now=now,
        )  # fmt: skip
        talk.confirm_agreement(learner.id, item.id, expected_version=item.version, now=now)

    def work(session):  # type: ignore[no-untyped-def]
        result = []
        for n in range(pairs):
            lead = Person(svc.new_id(), LOCAL_TENANT, f"lead-{n}", f"Lead {n}", f"l{n}@x.test")
            learner = Person(svc.new_id(), LOCAL_TENANT, f"lrn-{n}", f"Learner {n}", f"s{n}@x.test")
            session.add_all([lead, learner])
            session.flush()
            # An earlier talk in the track, signed six weeks ago, with three open agreements.
            earlier = plan(session, lead, learner)
            for k in range(3):
                agree(earlier, lead, learner, f"Eerdere afspraak {k}: storingen zelf opzoeken")
            earlier.starts_at = now - timedelta(days=42)
            earlier.ends_at = earlier.starts_at + timedelta(hours=1)
            earlier.status = TalkStatus.SIGNED
            earlier.signed_form = talk_form(earlier, {})
            earlier.content_hash = form_hash(earlier.signed_form)
            session.flush()
            talk = plan(session, lead, learner)
            for person, points in ((lead, 2), (learner, 3)):
                talk.prepare(
                    person.id,
                    ticked=[],
                    points=[{"text": f"Punt {k} van {person.display_name}"} for k in range(points)],
                    expected_version=0,
                    known_items=svc.template.ordered_item_ids(),
                    new_id=svc.new_id,
                    now=now,
                )
            talk.set_own_goal(learner.id, "Zelf een groep aansluiten", now)
            for k in range(2):
                agree(talk, lead, learner, f"Afspraak {k}: elke vrijdag de bus opruimen")
            result.append(
                (
                    talk.id,
                    issue_signin_token(session, lead, now),
                    issue_signin_token(session, learner, now),
                )
            )
        return result

    out = svc.write(work)
    # Planning enqueued calendar work; run all of it now, as a real server would have long
    # done, so that no job changes a talk during the measurement.
    while outbox.drain(limit=1000):
        pass
    svc.db.dispose()
    return out


def new_client(base: str) -> aiohttp.ClientSession:
    # One keep-alive connection per panel, as a browser tab would have.
    return aiohttp.ClientSession(
        base_url=base,
        connector=aiohttp.TCPConnector(limit=1),
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def signed_in(base: str, token: str) -> tuple[aiohttp.ClientSession, str]:
    client = new_client(base)
    async with client.get(f"/signin/{token}", allow_redirects=False):
        pass
    async with client.get("/api/me") as response:
        csrf = (await response.json())["csrf_token"]
    return client, csrf


async def panel(
    client: aiohttp.ClientSession,
    url: str,
    stats: Stats,
    seconds: float,
    save: tuple[str, str] | None,
    saved: dict[str, float],
    seen_by: set[str],
    marker_prefix: str,
    opened: asyncio.Barrier,
) -> None:
    # Opening the panel loads the whole talk once; that is set-up, not the steady state measured.
    etag = None
    note_version = 0
    try:
        async with client.get(url) as response:
            etag = response.headers.get("ETag")
            await response.read()
    except aiohttp.ClientError as error:
        stats.error(f"open {type(error).__name__}")
    await opened.wait()
    stop = time.perf_counter() + seconds
    next_save = time.perf_counter() + random.uniform(2, SAVE_EVERY[1])
    await asyncio.sleep(random.uniform(0, POLL))
    while time.perf_counter() < stop:
        began = time.perf_counter()
        try:
            headers = {"If-None-Match": etag} if etag else {}
            async with client.get(url, headers=headers) as response:
                body = await response.json() if response.status == 200 else None
                stats.record(f"poll_{response.status}", began)
                if response.status == 200:
                    etag = response.headers.get("ETag")
                elif response.status != 304:
                    stats.error(f"poll {response.status}")
            if isinstance(body, dict) and "agenda" in body:
                note_version = next(
                    (
                        i["version"]
                        for i in body["agenda"]["items"]
                        if i["key"] == NOTE_KEY[marker_prefix]
                    ),
                    note_version,
                )
                texts = [a["what"] for a in body["agreements"]]
                texts += [i["note"] for i in body["agenda"]["items"]]
                for marker in texts:
                    if (
                        marker in saved
                        and not marker.startswith(marker_prefix)
                        and marker not in seen_by
                    ):
                        seen_by.add(marker)
                        stats.sync.append((time.perf_counter() - saved[marker]) * 1000)
            # No save in a round's last seconds: every save is delivered within its round.
            if save and next_save <= time.perf_counter() < stop - 2 * POLL - 1:
                csrf, talk_url = save
                marker = f"{marker_prefix}{stats.saves}-{random.random():.12f}"
                saved[marker] = time.perf_counter()
                began_save = time.perf_counter()
                headers = {"X-CSRF-Token": csrf}
                if stats.saves % 2:
                    note = {"version": note_version, "discussed": True, "note": marker}
                    note_url = f"{talk_url}/agenda/{NOTE_KEY[marker_prefix]}"
                    async with client.put(note_url, json=note, headers=headers) as result:
                        answer = await result.json()
                        stats.record("save_note", began_save)
                        # A 409 (this panel's last poll lagged its own previous note) carries
                        # the talk as it is: the next note is based on that.
                        now = answer if result.status == 200 else answer["error"].get("current")
                        if result.status not in (200, 409) or not now:
                            stats.error(f"note {result.status}")
                        else:
                            note_version = next(
                                i["version"]
                                for i in now["agenda"]["items"]
                                if i["key"] == NOTE_KEY[marker_prefix]
                            )
                        if result.status == 409:
                            del saved[marker]
                else:
                    async with client.post(
                        f"{talk_url}/agreements", json={"what": marker}, headers=headers
                    ) as result:
                        await result.read()
                        stats.record("save", began_save)
                        if result.status != 201:
                            stats.error(f"save {result.status}")
                stats.saves += 1
                next_save = time.perf_counter() + random.uniform(*SAVE_EVERY)
        except aiohttp.ClientError as error:
            stats.error(type(error).__name__)
        await asyncio.sleep(max(0.0, POLL - (time.perf_counter() - began)))


async def measure(
    ours_base: str,
    bare_base: str,
    seeded: list[tuple[str, str, str]],
    panels: int,
    seconds: float,
    rounds: int,
) -> tuple[Stats, Stats]:
    """Alternate ours and the baseline for `rounds` rounds, so drift hits both alike."""
    ours, baseline = Stats(), Stats()
    our_panels = []
    for talk_id, lead_token, learner_token in seeded:
        saved: dict[str, float] = {}
        url = f"/api/talks/{talk_id}"
        for prefix, token in (("L:", lead_token), ("S:", learner_token)):
            client, csrf = await signed_in(ours_base, token)
            our_panels.append((client, f"{url}/live", (csrf, url), saved, prefix, set()))
    bare_clients = [new_client(bare_base) for _ in range(panels)]
    for _ in range(rounds):
        opened = asyncio.Barrier(len(our_panels))
        await asyncio.gather(
            *(
                panel(client, live, ours, seconds, save, saved, seen, prefix, opened)
                for client, live, save, saved, prefix, seen in our_panels
            )
        )
        opened = asyncio.Barrier(panels)
        await asyncio.gather(
            *(
                panel(c, "/live", baseline, seconds, None, {}, set(), "", opened)
                for c in bare_clients
            )
        )
    for client in [p[0] for p in our_panels] + bare_clients:
        await client.close()
    return ours, baseline


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return (
        round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2) if ordered else float("nan")
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10, help="per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    # Three processes of four threads: the usual gunicorn sizing for two cores (2 × cores + 1
    # would be five sync workers); both sides run with the same settings.
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-saves", action="store_true", help="only polling (for diagnosis)")
    parser.add_argument(
        "--one-core",
        action="store_true",
        help="pin both servers to one CPU core (taskset -c 0): how many panels a core holds",
    )
    args = parser.parse_args()
    if args.no_saves:
        global SAVE_EVERY
        SAVE_EVERY = (1e9, 1e9)
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
        sizing = ["--workers", str(args.workers), "--threads", str(args.threads)]
        pin = ["taskset", "-c", "0"] if args.one_core else []
        ours_server = start(
            [*pin, exe, "serve", "--port", str(port), *sizing],
            server_env,
            "runs at",
        )
        bare_server = start(
            [*pin, gunicorn, *sizing, *BARE_OPTIONS, "-b", f"127.0.0.1:{base_port}", BARE_APP],
            env,
            "Booting worker",
        )
        try:
            stats, baseline = asyncio.run(
                measure(
                    f"http://127.0.0.1:{port}",
                    f"http://127.0.0.1:{base_port}",
                    seeded,
                    args.panels,
                    args.seconds,
                    args.rounds,
                )
            )
        finally:
            for server in (ours_server, bare_server):
                server.terminate()
                server.wait()
    result = {
        "panels": args.panels,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "database": "postgresql",
        "workers": args.workers,
        "one_core": args.one_core,
        "threads": args.threads,
        "requests": len(stats.latencies),
        "p50_ms": percentile(stats.latencies, 0.50),
        "p99_ms": percentile(stats.latencies, 0.99),
        "throughput_rps": round(len(stats.latencies) / (args.seconds * args.rounds), 1),
        "by_kind": {
            kind: {"n": len(v), "p50_ms": percentile(v, 0.5), "p99_ms": percentile(v, 0.99)}
            for kind, v in sorted(stats.by_kind.items())
        },
        "slowest_1pct": stats.slowest_share(0.01),
        "errors": stats.errors,
        "error_kinds": stats.error_kinds,
        "saves": stats.saves,
        "sync_samples": len(stats.sync),
        "sync_p50_ms": percentile(stats.sync, 0.50),
        "sync_p99_ms": percentile(stats.sync, 0.99),
        "baseline_p50_ms": percentile(baseline.latencies, 0.50),
        "baseline_p99_ms": percentile(baseline.latencies, 0.99),
        "baseline_throughput_rps": round(len(baseline.latencies) / (args.seconds * args.rounds), 1),
        "baseline_errors": baseline.errors,
    }
    result["ratio_p99"] = round(result["p99_ms"] / result["baseline_p99_ms"], 2)
    # The baseline only answers polls: the same comparison without the saves (0.8 % of the
    # requests here, each a write transaction that no bare GET can be compared with).
    polls = [v for kind, values in stats.by_kind.items() if kind.startswith("poll") for v in values]
    result["polls_p99_ms"] = percentile(polls, 0.99)
    result["ratio_p99_polls"] = round(result["polls_p99_ms"] / result["baseline_p99_ms"], 2)
    # Every save is slower than any poll, so the saves fill that share of the slowest 1 % and
    # the p99 of all requests is a poll at a higher percentile: the baseline at that same
    # percentile is what a server with saves as fast as possible could reach.
    rank = min(0.9999, 0.99 + stats.saves / max(1, len(stats.latencies)))
    result["baseline_same_rank"] = {
        "percentile": round(rank * 100, 2),
        "ms": percentile(baseline.latencies, rank),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
