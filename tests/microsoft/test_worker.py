"""The `worker` and `check-graph` commands in Microsoft mode, against the fakes.

The worker runs as a real process: killed between sending a create and recording its result,
the next worker makes sure the event exists exactly once. And the web process never loads
msgraph-sdk.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from plugin.bootstrap import build_services
from plugin.cli import main
from plugin.domain.clock import FixedClock, SystemClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import CalendarState
from plugin.services import talks
from plugin.services.context import Services
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import BASE_URL, mailbox_person
from tests.microsoft.graph_fake import GraphFake, Recorded

EXE = Path(sys.executable).with_name("ontwikkelgesprek")
SECRET_KEY = "test-secret-key-that-is-long-enough"


def environment(tmp_path: Path, db_url: str, entra: EntraFake, graph: GraphFake) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONTWIKKELGESPREK_")}
    env.update(
        {
            "ONTWIKKELGESPREK_DATA_DIR": str(tmp_path / "data"),
            "ONTWIKKELGESPREK_DATABASE_URL": db_url,
            "ONTWIKKELGESPREK_SECRET_KEY": SECRET_KEY,
            "ONTWIKKELGESPREK_TENANT_ID": entra.tenant_id,
            "ONTWIKKELGESPREK_CLIENT_ID": entra.client_id,
            "ONTWIKKELGESPREK_CLIENT_SECRET": entra.client_secret,
            "ONTWIKKELGESPREK_AUTHORITY_HOST": entra.authority_host,
            "ONTWIKKELGESPREK_GRAPH_URL": graph.base_url,
            "ONTWIKKELGESPREK_CA_BUNDLE": str(entra.ca_path),
            "ONTWIKKELGESPREK_PUBLIC_URL": BASE_URL,
            "ONTWIKKELGESPREK_JOB_LEASE_SECONDS": "1",
        }
    )
    return env


@pytest.fixture
def env(tmp_path: Path, db_url: str, entra: EntraFake, graph: GraphFake) -> dict[str, str]:
    return environment(tmp_path, db_url, entra, graph)


@pytest.fixture
def here(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Services]:
    """This process's services, configured like the worker's, on a clock at today's time
    (the worker runs on the real clock, so its jobs must be due now)."""
    for key in list(os.environ):
        if key.startswith("ONTWIKKELGESPREK_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        if key.startswith("ONTWIKKELGESPREK_"):
            monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    from plugin.settings import Settings

    svc, _ = build_services(Settings(), base_url=BASE_URL, clock=FixedClock(SystemClock().now()))
    yield svc
    svc.db.dispose()


def people(svc: Services, graph: GraphFake, entra: EntraFake) -> tuple[Person, Person]:
    return tuple(  # type: ignore[return-value]
        mailbox_person(svc, graph, entra, name, f"{name.lower()}@contoso.example")
        for name in ("Marco", "Sem")
    )


def is_create(r: Recorded) -> bool:
    return r.method == "POST" and r.path.endswith("/events")


def until(condition: object, seconds: float = 60.0) -> bool:
    """Waits for a state change made by another process (looks every 50 ms)."""
    done = threading.Event()
    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return True
        done.wait(0.05)
    return False


def test_a_worker_killed_after_sending_a_create_leaves_one_event(
    here: Services, env: dict[str, str], graph: GraphFake, entra: EntraFake
) -> None:
    lead, learner = people(here, graph, entra)
    talk = here.write(
        lambda s: talks.plan_talk(
            here,
            s,
            lead,
            learner_id=learner.id,
            starts_at=here.clock.now() + timedelta(days=2),
            duration_minutes=45,
            title=None,
            goals=["goals.learn"],
            own_goal="",
        )
    )
    hold = graph.hold_next(is_create)
    first = subprocess.Popen(
        [str(EXE), "worker", "--poll", "0.05"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert hold.reached.wait(60), "the worker never sent its create"
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    finally:
        hold.release()
        if first.poll() is None:
            first.kill()
    assert len(graph.events(lead.email)) == 1  # Graph made it; nobody recorded it

    second = subprocess.Popen(
        [str(EXE), "worker", "--poll", "0.05"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        synced = until(
            lambda: (
                here.read(lambda s: s.get(Talk, talk.id)).calendar_state  # type: ignore[union-attr]
                is CalendarState.SYNCED
            )
        )
        second.send_signal(signal.SIGTERM)
        out, _ = second.communicate(timeout=30)
    finally:
        if second.poll() is None:
            second.kill()
    assert synced
    # The create job, and perhaps already the job that pins our tab in the booked meeting.
    assert second.returncode == 0 and re.search(r"Worker stopped after [12] job\(s\)\.", out)
    (event,) = graph.events(lead.email)
    creates = [r for r in graph.requests if is_create(r)]
    assert len(creates) == 2
    assert {r.body["transactionId"] for r in creates} == {f"talk-{talk.id}"}
    stored = here.read(lambda s: s.get(Talk, talk.id))
    assert stored is not None
    assert stored.event_id == graph.immutable_id(lead.email, event["id"])


def test_the_web_process_never_loads_msgraph(
    here: Services, env: dict[str, str], graph: GraphFake, entra: EntraFake
) -> None:
    lead, learner = people(here, graph, entra)
    script = f"""
import sys
from datetime import timedelta
from plugin.bootstrap import build_services
from plugin.services import talks
from plugin.settings import Settings
from plugin.store.repo import person
from plugin.web.app import create_app

settings = Settings()
services, outbox = build_services(settings, base_url="{BASE_URL}")
app = create_app(services, mode=settings.mode)
client = app.test_client()
assert client.get("/healthz").status_code == 200
lead = services.read(lambda s: person(s, "{entra.tenant_id}", "{lead.id}"))
services.write(lambda s: talks.plan_talk(services, s, lead, learner_id="{learner.id}",
    starts_at=services.clock.now() + timedelta(days=2), duration_minutes=30, title=None,
    goals=[], own_goal=""))
print(outbox.pending(), sorted(m for m in sys.modules if m.startswith(("msgraph", "kiota"))))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 []"
    assert graph.requests == []


# -- check-graph ---------------------------------------------------------------------------


def check(env: dict[str, str], mailbox: str = "marco@contoso.example") -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["check-graph", "--mailbox", mailbox, "--from", "2027-03-01"], env=env
    )
    return result.exit_code, result.output


@pytest.fixture
def admin_env(
    env: dict[str, str], graph: GraphFake, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[str, str]:
    for key in list(os.environ):
        if key.startswith("ONTWIKKELGESPREK_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    graph.add_mailbox("marco@contoso.example")
    return env


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_check_graph_passes_when_everything_is_set_up(
    admin_env: dict[str, str], graph: GraphFake, entra: EntraFake
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    ams = ZoneInfo("Europe/Amsterdam")
    graph.add_event(
        "marco@contoso.example",
        "Overleg",
        datetime(2027, 3, 1, 8, 30, tzinfo=ams),
        datetime(2027, 3, 1, 10, tzinfo=ams),
    )
    code, out = check(admin_env)
    assert code == 0, out
    assert "✓ App token from Entra ID (application permissions: Calendars.ReadWrite)" in out
    assert "✓ Calendar of marco@contoso.example: 1 event(s)" in out
    assert "first free half hour Mon 01 Mar 10:00" in out
    assert "All checks passed." in out
    assert admin_env["ONTWIKKELGESPREK_CLIENT_SECRET"] not in out
    assert [r.method for r in graph.requests] == ["GET", "POST"]  # nothing written
    assert len(entra.token_requests()) == 1  # the check and the calendar share one token


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        ("no_permission", "grant the application permission Calendars.ReadWrite"),
        ("policy", "add this mailbox to its group"),
        ("unknown_mailbox", "there is no mailbox with this address"),
        ("wrong_secret", "✗ App token from Entra ID"),
    ],
)
def test_check_graph_says_what_is_missing(
    admin_env: dict[str, str], graph: GraphFake, entra: EntraFake, breakage: str, expected: str
) -> None:
    mailbox = "marco@contoso.example"
    if breakage == "no_permission":
        entra.app_roles = []
    elif breakage == "policy":
        graph.restrict_app_access({"other@contoso.example"})
    elif breakage == "unknown_mailbox":
        mailbox = "nobody@contoso.example"
    else:
        admin_env = admin_env | {"ONTWIKKELGESPREK_CLIENT_SECRET": "not-the-secret"}
    code, out = check(admin_env, mailbox)
    assert code == 1, out
    assert expected in out
    assert "not-the-secret" not in out and entra.client_secret not in out
    assert "All checks passed." not in out


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_check_graph_in_local_mode_names_the_settings(
    admin_env: dict[str, str],
) -> None:
    local = {k: v for k, v in admin_env.items() if "TENANT" not in k and "CLIENT" not in k}
    code, out = check(local)
    assert code == 1
    assert "ONTWIKKELGESPREK_TENANT_ID" in out
