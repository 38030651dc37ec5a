"""Benchmark: how long `ontwikkelgesprek serve` takes to its first answer, against a bare Flask
app started on gunicorn with the same sizing, in one run.

Not part of the test suite (tests/test_cli.py only checks a generous bound). Run:

    .venv/bin/python tests/bench/startup.py [--rounds 7]

Each round starts three servers one after the other and times each from launch until its first
HTTP answer (polling the port every 10 ms): the baseline (tests/bench/bare_app.py on gunicorn,
gthread, 1 worker × 8 threads, preloaded, as `serve` runs), `serve` on an existing, migrated
database (warm: the usual restart), and `serve` on a fresh data folder (cold: it creates the
database and runs every migration). Alternating within a round lets the machine's drift hit
all three alike; the ratio of medians says what our own start-up (imports, settings, database,
migrations, app) costs over Flask's and gunicorn's floor. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: The baseline runs on gunicorn as `serve` does (plugin/web/server.py and the cli defaults).
BARE = ["-k", "gthread", "-w", "1", "--threads", "8", "--preload", "--keep-alive", "75"]
BARE_APP = "tests.bench.bare_app:app"
#: A start that takes longer than this is broken, not slow.
GIVE_UP = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONTWIKKELGESPREK_")}
    return env | {"ONTWIKKELGESPREK_DATA_DIR": str(data_dir)}


def time_to_first_answer(command: list[str], url: str, env: dict[str, str]) -> float:
    """Seconds from launching `command` until `url` answers 200; the server is stopped after."""
    started = time.perf_counter()
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        while time.perf_counter() - started < GIVE_UP:
            if server.poll() is not None:
                raise RuntimeError(f"{command[0]} ended early: {server.communicate()[1]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError):
                pass  # not listening yet
            time.sleep(0.01)
        raise RuntimeError(f"{command[0]} did not answer within {GIVE_UP} s")
    finally:
        server.terminate()
        server.wait(timeout=15)


def bare() -> float:
    port = free_port()
    command = [str(BIN / "gunicorn"), *BARE, "-b", f"127.0.0.1:{port}", BARE_APP]
    return time_to_first_answer(command, f"http://127.0.0.1:{port}/live", dict(os.environ))


def serve(data_dir: Path) -> float:
    port = free_port()
    command = [str(BIN / "ontwikkelgesprek"), "serve", "--port", str(port)]
    return time_to_first_answer(command, f"http://127.0.0.1:{port}/healthz", clean_env(data_dir))


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="og-startup-") as tmp_name:
        tmp = Path(tmp_name)
        warm_dir = tmp / "warm"
        serve(warm_dir)  # creates and migrates the database the warm starts find
        kinds: dict[str, Callable[[int], float]] = {
            "bare": lambda n: bare(),
            "serve_warm": lambda n: serve(warm_dir),
            "serve_cold": lambda n: serve(tmp / f"cold-{n}"),
        }
        samples: dict[str, list[float]] = {kind: [] for kind in kinds}
        for n in range(args.rounds):
            for kind, start in kinds.items():
                samples[kind].append(start(n))

    result: dict[str, object] = {kind: summary(values) for kind, values in samples.items()}
    floor = statistics.median(samples["bare"])
    for kind in ("serve_warm", "serve_cold"):
        ratio = statistics.median(samples[kind]) / floor
        result[f"{kind}_over_bare"] = round(ratio, 2)
    result["rounds"] = args.rounds
    result["cpus"] = os.cpu_count()
    for kind, values in samples.items():
        figures = summary(values)
        print(
            f"{kind:<11} median {figures['median_s']:.3f} s  "
            f"min {figures['min_s']:.3f} s  max {figures['max_s']:.3f} s"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
