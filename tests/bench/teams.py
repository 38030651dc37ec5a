"""Benchmark: what Teams costs per request, against the same request in local mode.

Not part of the test suite. Run: `.venv/bin/python tests/bench/teams.py [--requests N]`.
In-process through the WSGI test client, on SQLite, in one run:
- a live panel's unchanged poll with a Teams SSO bearer against one with a session cookie;
- `GET /api/talks/<id>` with a Teams SSO bearer (Microsoft mode: RS256 check with the tenant's
  cached keys, issuer, audience, times, scope, then the person's lookup) against the same call
  with a local session cookie: the ratio is the price of token sign-in;
- a tab's first request (the data-free shell) and the page fetched again with the token,
  against the local page;
- a supervisor's share link against the lead's own form page.
The Entra fake serves the keys over HTTPS once; every timed request validates the token anew.
The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from plugin.bootstrap import build_services, sso_validator
from plugin.domain.clock import FixedClock
from plugin.domain.people import LOCAL_TENANT, Person
from plugin.identity.local import issue_signin_token
from plugin.settings import Settings
from plugin.web.app import create_app
from tests.bench.api import plan, summary, timings
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import TEST_GRAPH_OPTIONS, microsoft_settings
from tests.microsoft.graph_fake import GraphFake

logging.getLogger("werkzeug").setLevel(logging.WARNING)
START = datetime(2027, 3, 1, 8, tzinfo=UTC)
HTTPS = "https://og.example.test"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    n = args.requests
    clock = FixedClock(START)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        # Local mode: the lead signed in with a session cookie.
        local_settings = Settings(data_dir=root / "local", secret_key="bench", _env_file=None)  # type: ignore[arg-type,call-arg]
        local, _ = build_services(local_settings, base_url="http://bench", clock=clock)
        lead = Person(local.new_id(), LOCAL_TENANT, "lead", "Lead", "lead@x.test")
        learner = Person(local.new_id(), LOCAL_TENANT, "learner", "Learner", "l@x.test")
        local.write(lambda s: s.add_all([lead, learner]))
        local_talk = plan(local, lead, learner, clock).id
        local_app = create_app(local)
        session = local_app.test_client()
        session.get(f"/signin/{local.write(lambda s: issue_signin_token(s, lead, clock.now()))}")

        # Microsoft mode: the same lead and learner, signing in with Teams tokens.
        (root / "entra").mkdir()
        entra = EntraFake(root / "entra").start()
        graph = GraphFake(entra).start()
        ms_settings = microsoft_settings(root / "ms", f"sqlite:///{root / 'ms.db'}", entra, graph)
        ms, _ = build_services(
            ms_settings, base_url=HTTPS, clock=clock, graph_options=TEST_GRAPH_OPTIONS
        )
        ms_app = create_app(ms, mode="microsoft", sso=sso_validator(ms_settings, clock))
        teams = ms_app.test_client()
        marco, sem = str(uuid.uuid4()), str(uuid.uuid4())
        issued = int(clock.now().timestamp())
        lead_token = {"Authorization": f"Bearer {entra.user_assertion(marco, issued_at=issued)}"}
        sem_token = {"Authorization": f"Bearer {entra.user_assertion(sem, issued_at=issued)}"}
        sem_id = teams.get("/api/me", headers=sem_token, base_url=HTTPS).json["id"]
        planned = teams.post(
            "/api/talks",
            headers=lead_token,
            base_url=HTTPS,
            json={"learner_id": sem_id, "starts_at": (clock.now() + timedelta(days=1)).isoformat()},
        ).json
        ms_talk = planned["id"]
        made = teams.post(
            f"/api/talks/{ms_talk}/share-links",
            headers=lead_token,
            base_url=HTTPS,
            json={"name": "Petra", "email": "petra@roc.example", "version": planned["version"]},
        )
        assert made.status_code == 201, made.json
        link = made.json["url"].removeprefix(HTTPS)

        # A live panel's unchanged poll (304), the request made most by far.
        local_tag = session.get(f"/api/talks/{local_talk}/live").headers["ETag"]
        ms_tag = teams.get(f"/api/talks/{ms_talk}/live", headers=lead_token, base_url=HTTPS)
        ms_poll = {**lead_token, "If-None-Match": ms_tag.headers["ETag"]}
        calls = {
            "live_poll_session": lambda: session.get(
                f"/api/talks/{local_talk}/live", headers={"If-None-Match": local_tag}
            ),
            "live_poll_teams_token": lambda: teams.get(
                f"/api/talks/{ms_talk}/live", headers=ms_poll, base_url=HTTPS
            ),
            "api_session": lambda: session.get(f"/api/talks/{local_talk}"),
            "api_teams_token": lambda: teams.get(
                f"/api/talks/{ms_talk}", headers=lead_token, base_url=HTTPS
            ),
            "page_session": lambda: session.get(f"/talks/{local_talk}/prepare"),
            "page_shell": lambda: teams.get(f"/talks/{ms_talk}/prepare", base_url=HTTPS),
            "page_teams_token": lambda: teams.get(
                f"/talks/{ms_talk}/prepare", headers=lead_token, base_url=HTTPS
            ),
            "form_session": lambda: session.get(f"/talks/{local_talk}/form"),
            "form_share_link": lambda: teams.get(link, base_url=HTTPS),
        }
        for name, call in calls.items():  # warm up, and check each answers as meant
            for _ in range(50):
                status = call().status_code  # type: ignore[attr-defined]
                assert status == (304 if name.startswith("live_poll") else 200), (name, status)
        measured = {name: timings(call, n) for name, call in calls.items()}
        for svc in (local, ms):
            if svc.graph is not None:
                svc.graph.close()
            svc.db.dispose()
        graph.stop()
        entra.stop()

    def p50(name: str) -> float:
        return statistics.median(measured[name])

    result = {
        "requests": n,
        **{name: summary(samples) for name, samples in measured.items()},
        "ratio_api_token_over_session": round(p50("api_teams_token") / p50("api_session"), 2),
        "ratio_live_poll_token_over_session": round(
            p50("live_poll_teams_token") / p50("live_poll_session"), 2
        ),
        "ratio_page_shell_plus_token_over_session": round(
            (p50("page_shell") + p50("page_teams_token")) / p50("page_session"), 2
        ),
        "ratio_share_link_over_session_form": round(
            p50("form_share_link") / p50("form_session"), 2
        ),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
