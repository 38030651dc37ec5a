"""The command line: `serve` (gunicorn, loopback only in local mode, answers once started) and
`demo` (seeds once, prints working sign-in links and feed URLs)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from icalendar import Calendar

from plugin.bootstrap import build_services
from plugin.cli import main
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.settings import Settings
from plugin.web.app import create_app

EXE = Path(sys.executable).with_name("ontwikkelgesprek")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONTWIKKELGESPREK_")}
    env["ONTWIKKELGESPREK_DATA_DIR"] = str(tmp_path / "data")
    return env


def start_and_time_first_answer(tmp_path: Path) -> float:
    """Seconds from launching `serve` to its first answer; checks the answer on the way."""
    port = free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [str(EXE), "serve", "--port", str(port)],
        env=clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert server.stdout is not None
        # The server prints its URL once it listens: that line is our synchronisation.
        for line in server.stdout:
            if "runs at" in line:
                break
        else:
            pytest.fail("serve ended without printing its URL")
        url = re.search(r"http://\S+/", line)
        assert url is not None and url.group(0) == f"http://127.0.0.1:{port}/"
        response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert response.headers["Server"].startswith("gunicorn")
        assert response.json() == {"status": "ok", "mode": "local", "database": "sqlite"}
        return elapsed
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_answers_its_first_request_on_a_production_server(tmp_path):
    # The first start creates the database; later starts find it migrated. How fast it starts
    # is the benchmark's question (tests/bench/startup.py: about 1 s idle, 5-6x a bare Flask
    # app on the same gunicorn sizing): a tight bound here failed on a loaded CI machine. This
    # bound only catches a start gone badly wrong (a hang, a timeout on the network); 15 s is
    # several times the slowest start measured beside a busy neighbour (4 s).
    timings = [start_and_time_first_answer(tmp_path) for _ in range(3)]
    assert min(timings) < 15, f"first answers after {[round(t, 2) for t in timings]} s"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
def test_local_mode_refuses_to_listen_beyond_loopback(tmp_path, host):
    result = subprocess.run(
        [str(EXE), "serve", "--host", host],
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "local mode" in result.stderr and "127.0.0.1" in result.stderr
    assert not (tmp_path / "data" / "ontwikkelgesprek.db").exists()


def test_microsoft_settings_are_checked_before_serving(tmp_path):
    env = clean_env(tmp_path) | {
        "ONTWIKKELGESPREK_TENANT_ID": "contoso",
        "ONTWIKKELGESPREK_CLIENT_ID": "app",
        "ONTWIKKELGESPREK_CLIENT_SECRET": "very-secret-value",
    }
    result = subprocess.run(
        [str(EXE), "serve"], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 1
    assert "ONTWIKKELGESPREK_TENANT_ID" in result.stderr
    assert "ONTWIKKELGESPREK_CLIENT_ID" in result.stderr
    assert "very-secret-value" not in result.stderr + result.stdout
    assert not (tmp_path / "data" / "ontwikkelgesprek.db").exists()


def run_demo(tmp_path: Path) -> str:
    result = CliRunner().invoke(
        main, ["demo", "--data-dir", str(tmp_path / "data")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_seeds_once_and_prints_working_links(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("ONTWIKKELGESPREK_"):
            monkeypatch.delenv(key)
    first = run_demo(tmp_path)
    second = run_demo(tmp_path)

    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    services, _ = build_services(settings, base_url="http://127.0.0.1:8470")
    people = services.read(lambda s: s.query(Person).all())
    talks = services.read(lambda s: s.query(Talk).all())
    assert sorted(p.job_title for p in people) == sorted(
        [
            "Praktijkopleider",
            "Leidinggevende service",
            "Stagiair (BBL, eerste jaar)",
            "Monteur (nieuw)",
            "Stagebegeleider ROC",
        ]
    )
    # One past signed talk (with its booked follow-up) and one upcoming talk, not twice.
    statuses = sorted(t.status.value for t in talks)
    assert statuses == ["planned", "planned", "signed"]
    signed = next(t for t in talks if t.status is TalkStatus.SIGNED)
    assert signed.starts_at < services.clock.now()
    assert any(a.due for a in signed.agreements)
    assert all(a.status.value == "open" for a in signed.agreements)
    assert signed.follow_up_status.value == "booked"

    links = re.findall(r"http://127\.0\.0\.1:8470/signin/(\S+)", second)
    feeds = re.findall(r"http://127\.0\.0\.1:8470(/feeds/\S+\.ics)", second)
    assert len(links) == 5 and len(feeds) == 5
    assert set(links).isdisjoint(re.findall(r"/signin/(\S+)", first))

    client = create_app(services).test_client()
    signin = client.get(f"/signin/{links[0]}")
    assert signin.status_code == 302
    assert client.get("/api/me").json["name"] == "Marco de Vries"
    # One-time: the same link does not work twice.
    assert create_app(services).test_client().get(f"/signin/{links[0]}").status_code == 410

    feed = Calendar.from_ical(client.get(feeds[0]).data)
    assert len(feed.walk("VEVENT")) == 2  # the signed talk and its follow-up
    assert len(feed.walk("VTODO")) >= 1


def test_a_broken_checklist_template_stops_start_up_naming_the_setting(tmp_path):
    bad = tmp_path / "form.json"
    bad.write_text('{"id": "pop"}', encoding="utf-8")
    env = clean_env(tmp_path) | {"ONTWIKKELGESPREK_CHECKLIST_PATH": str(bad)}
    result = subprocess.run(
        [str(EXE), "demo"], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 1
    assert "ONTWIKKELGESPREK_CHECKLIST_PATH" in result.stderr
