"""Benchmark: the Outlook task pane's first paint, against the plan page's, in one run.

Not part of the test suite. Run: `.venv/bin/python tests/bench/taskpane.py [--rounds 15]`.
Headless Chromium (/usr/bin/chromium), a fresh browser context per round (cold cache), two
warm-up rounds first; the two sides alternate within each round, so drift hits both alike.

- Task pane: the app in Microsoft mode over https on loopback, framed at 320 px by the Outlook
  stand-in (`tests/browser/outlook_harness.html`) with the Office.js stand-in served at Office's
  host, exactly as `tests/browser/test_outlook_taskpane.py` opens it (its `OutlookWorld`). The
  real API against the Entra and Graph fakes: Marco's saved appointment (an EWS item id) with
  Sem, a colleague who opened the app once, invited. Ready: Sem's radio button is in the form
  (the pane is usable).
- Plan page (`/talks/new`): the app in local mode, also over https on loopback (so transport is
  alike), signed in by a one-time link fetched outside the page (so the page's assets stay
  uncached), at the same 320 px. Ready: plan.js is done (its learner select and goals filled).

Both are timed in their own document, from its navigation start: first contentful paint (the
`paint` entries) and ready (a MutationObserver sees the condition). Both contexts have the same
Playwright routes on (the pane needs them for Outlook's and Office's hosts), so both pay the
request interception alike. Also printed: the pane's API calls, Office.js stand-in calls,
Graph and Entra requests per open; where each side's time goes (Resource Timing, the stand-in's
answers as they reach the pane, the handlers' time on the server, and the API's appointment read:
the cached OBO token and two Graph requests); and the very first open of the run (warm-up 1,
with the OBO exchange and a cold Graph client), which the figures leave out. The last line is
JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, BrowserContext, sync_playwright  # noqa: E402

from plugin.bootstrap import build_services, sso_validator  # noqa: E402
from plugin.domain.clock import FixedClock  # noqa: E402
from plugin.domain.people import LOCAL_TENANT, Person  # noqa: E402
from plugin.identity.local import issue_signin_token  # noqa: E402
from plugin.settings import Settings  # noqa: E402
from plugin.web.app import create_app  # noqa: E402
from plugin.web.context import STAMPS  # noqa: E402
from plugin.web.outlook import OfficeScript  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PageErrors  # noqa: E402
from tests.browser.test_outlook_taskpane import (  # noqa: E402
    MARCO,
    MARCO_MAIL,
    STANDIN_URL,
    OutlookWorld,
    marcos_appointment,
)
from tests.conftest import START  # noqa: E402
from tests.microsoft.entra_fake import EntraFake  # noqa: E402
from tests.microsoft.fixtures import TEST_GRAPH_OPTIONS, microsoft_settings  # noqa: E402
from tests.microsoft.graph_fake import GraphFake  # noqa: E402
from tests.microsoft.https_server import LoopbackHttps  # noqa: E402

logging.getLogger("werkzeug").setLevel(logging.WARNING)
WIDTH = 320
WARMUP = 2
PANE_PATH = "/outlook/taskpane"
PLAN_PATH = "/talks/new"
#: The same catch-all the pane's context has (Outlook's and Office's other hosts).
MICROSOFT_HOSTS = re.compile(r"^https://([a-z0-9-]+\.)*(microsoft|office)\.(com|net)/")

#: In every document of both contexts, before its own scripts: FCP, and when it is ready
#: (for the documents at PANE_PATH and PLAN_PATH).
MARKS = """
(() => {
  const ready = {
    "/outlook/taskpane": () => document.querySelector(
      '#talk-form:not([hidden]) #learner-options input[name="learner_id"]'),
    "/talks/new": () => document.querySelectorAll('#learner option').length > 1
      && document.querySelector('#goal-items')?.childElementCount > 0,
  }[location.pathname];
  if (!ready) return;
  const marks = (window.__bench = { fcp: null, ready: null, office: [] });
  // When each answer of the Outlook stand-in reaches the pane (Office.js stand-in calls).
  window.addEventListener("message", (event) => {
    if (event.data && event.data.officeStandin) marks.office.push(performance.now());
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name === "first-contentful-paint") marks.fcp = entry.startTime;
    }
  }).observe({ type: "paint", buffered: true });
  const observer = new MutationObserver(() => {
    if (marks.ready === null && ready()) {
      marks.ready = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})();
"""

DONE = "() => window.__bench && __bench.fcp !== null && __bench.ready !== null"

#: After ready: the marks, and Resource Timing of the document (ms from navigation start).
COLLECT = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource").map((r) => ({
    name: r.name, type: r.initiatorType, start: r.startTime, end: r.responseEnd,
  }));
  return {
    ...window.__bench, connected: nav.connectEnd, html: nav.responseEnd, resources,
  };
}
"""


class ScriptedBrowser:
    """The browser, with MARKS in every new context (OutlookWorld makes the pane's context)."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser

    def new_context(self, **options: Any) -> BrowserContext:
        context = self.browser.new_context(**options)
        context.add_init_script(MARKS)
        return context


class Timed:
    """A WSGI app timed per path (the handler's own time, in ms), as the server runs it."""

    def __init__(self) -> None:
        self.app: Any = None
        self.times: dict[str, list[float]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        began = time.perf_counter()
        answer = self.app(environ, start_response)
        try:
            body = list(answer)  # (Flask's answers are buffered: this is the handler's time)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        took = (time.perf_counter() - began) * 1000
        self.times.setdefault(environ["PATH_INFO"], []).append(took)
        return body

    def last(self, path: str) -> float:
        return self.times[path][-1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * q) - 1)]


class TimedAppointments:
    """The app's Outlook appointments port, timed: the OBO token (cached after the first open)
    and the two Graph requests of each read."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.times: list[float] = []

    def read(self, *args: Any) -> Any:
        began = time.perf_counter()
        try:
            return self.inner.read(*args)
        finally:
            self.times.append((time.perf_counter() - began) * 1000)

    def mark(self, *args: Any) -> Any:
        return self.inner.mark(*args)


def one(resources: list[dict[str, Any]], part: str) -> dict[str, Any]:
    found = [r for r in resources if part in r["name"]]
    assert len(found) == 1, (part, [r["name"] for r in resources])
    return found[0]


def timeline(marks: dict[str, Any], script: str) -> dict[str, float]:
    """Times from the document's navigation start (ms) that both sides have."""
    resources = marks["resources"]
    api = [r for r in resources if "/api/" in r["name"]]
    ours = [r for r in resources if "/static/" in r["name"]]
    return {
        "connected": marks["connected"],
        "html_end": marks["html"],
        "css_end": max(r["end"] for r in ours if r["name"].endswith(".css")),
        "fcp": marks["fcp"],
        "page_js_end": one(resources, script)["end"],
        "modules_end": max(r["end"] for r in ours if r["name"].endswith(".js")),
        "api_start": min(r["start"] for r in api),
        "api_end": max(r["end"] for r in api),
        "ready": marks["ready"],
        "api_calls": len(api),
    }


def open_pane(
    world: OutlookWorld,
    graph: GraphFake,
    server: Timed,
    reads: TimedAppointments,
    item: dict[str, Any],
    token: str,
) -> dict[str, Any]:
    graph_before, entra_before = len(graph.requests), len(world.entra.requests)
    world.requested.clear()
    _page, frame = world.open_pane(item=item, token=token, width=WIDTH)
    frame.wait_for_function(DONE, timeout=15_000)
    marks = frame.evaluate(COLLECT)
    assert frame.url.split("?")[0].endswith(PANE_PATH), frame.url  # no reload for the language
    for context in world.contexts:
        context.close()
    world.contexts.clear()
    office = one(marks["resources"], STANDIN_URL)
    line = timeline(marks, "/js/taskpane.js")
    # The host's answers before the API call: onReady first, the token last (after the item id).
    answers = [t for t in marks["office"] if t < line["api_start"]]
    assert len(answers) >= 3, answers
    return {
        **line,
        "office_start": office["start"],
        "office_end": office["end"],
        "office_ready": answers[0],
        "item_id": answers[-2],
        "token": answers[-1],
        "office_answers": len(answers),
        "server_html": server.last(PANE_PATH),
        "server_api": server.last("/api/outlook/appointment"),
        "appointment_read": reads.times[-1],
        "requests": sum(url.startswith(world.base) for url in world.requested),
        "graph": [(r.method, r.path) for r in graph.requests[graph_before:]],
        "entra": [(r.method, r.path) for r in world.entra.requests[entra_before:]],
    }


def open_plan(
    browser: Browser, base: str, server: Timed, signin: str, errors: PageErrors
) -> dict[str, Any]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 900}, locale="en-GB", ignore_https_errors=True
    )
    requested: list[str] = []
    try:
        context.add_init_script(MARKS)
        context.route(MICROSOFT_HOSTS, lambda route: route.abort())
        # Signed in without loading a page: the session cookie only, the cache stays cold.
        answer = context.request.get(f"{base}/signin/{signin}", max_redirects=0)
        assert answer.status in (302, 303), answer.status
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()
        errors.watch(page)
        page.goto(f"{base}{PLAN_PATH}")
        page.wait_for_function(DONE, timeout=15_000)
        assert page.url == f"{base}{PLAN_PATH}", page.url
        marks = page.evaluate(COLLECT)
    finally:
        context.close()
    return {
        **timeline(marks, "/js/plan.js"),
        "server_html": server.last(PLAN_PATH),
        "server_api": max(server.last("/api/people"), server.last("/api/checklist")),
        "requests": sum(url.startswith(base) for url in requested),
    }


def shorten(path: str) -> str:
    """A Graph or Entra path without its ids, to name the kind of request."""
    path = re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27}", "/{tenant}", path)
    return re.sub(r"/events/[^/]+", "/events/{id}", path)


def median(rows: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(float(row[key]) for row in rows), 1)


def gap(rows: list[dict[str, Any]], start: str, end: str) -> float:
    return round(statistics.median(float(row[end]) - float(row[start]) for row in rows), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    clock = FixedClock(START)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        root = Path(tmp)
        (root / "entra").mkdir()
        entra = EntraFake(root / "entra").start()
        entra.clock = lambda: clock.now().timestamp()  # its tokens on the same clock
        graph = GraphFake(entra).start()

        # Microsoft mode on https, as the browser tests' `outlook` fixture wires it.
        ms_timed = Timed()
        ms_server = LoopbackHttps(ms_timed, entra.ca)
        ms_base = f"https://127.0.0.1:{ms_server.port}"
        ms_settings = microsoft_settings(
            root / "ms", f"sqlite:///{root / 'ms.db'}", entra, graph
        ).model_copy(update={"public_url": ms_base})
        ms, outbox = build_services(
            ms_settings, base_url=ms_base, clock=clock, graph_options=TEST_GRAPH_OPTIONS
        )
        reads = TimedAppointments(ms.appointments)
        ms.appointments = reads
        ms_app = create_app(
            ms,
            mode="microsoft",
            secure_cookies=True,
            sso=sso_validator(ms_settings, clock),
            officejs=OfficeScript(STANDIN_URL),
        )
        ms_timed.app = ms_app

        # Local mode, also on https: the lead and a few colleagues to choose from.
        local_timed = Timed()
        local_server = LoopbackHttps(local_timed, entra.ca)
        local_base = f"https://127.0.0.1:{local_server.port}"
        local_settings = Settings(data_dir=root / "local", secret_key="bench", _env_file=None)
        local, _ = build_services(local_settings, base_url=local_base, clock=clock)
        lead = Person(local.new_id(), LOCAL_TENANT, "lead", "Marco de Vries", "marco@x.test")
        others = [
            Person(local.new_id(), LOCAL_TENANT, f"p{n}", name, f"p{n}@x.test")
            for n, name in enumerate(("Sem Bakker", "Fatima Yilmaz", "Anja Smit"))
        ]
        local.write(lambda s: s.add_all([lead, *others]))
        local_app = create_app(local)
        local_timed.app = local_app

        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
            headless=True,
        )
        world = OutlookWorld(
            ms_base, ms_app, ms, outbox, entra, clock, cast(Browser, ScriptedBrowser(chromium))
        )
        item, ews_id = marcos_appointment(world, graph)
        item = {**item, "itemId": ews_id}  # saved: the API reads it from Marco's mailbox
        marco = world.token(MARCO, "Marco de Vries", MARCO_MAIL)

        pane: list[dict[str, Any]] = []
        plan: list[dict[str, Any]] = []
        first: dict[str, Any] = {}
        began = time.perf_counter()
        try:
            for n in range(WARMUP + args.rounds):
                opened = open_pane(world, graph, ms_timed, reads, item, marco)
                signin = local.write(lambda s: issue_signin_token(s, lead, clock.now()))
                planned = open_plan(chromium, local_base, local_timed, signin, world.errors)
                if n == 0:
                    first = opened
                if n >= WARMUP:
                    pane.append(opened)
                    plan.append(planned)
        finally:
            chromium.close()
            for server in (ms_server, local_server):
                server.stop()
            for app in (ms_app, local_app):
                app.extensions[STAMPS].stop()
            if ms.graph is not None:
                ms.graph.close()
            for svc in (ms, local):
                svc.db.dispose()
            graph.stop()
            entra.stop()
        took = time.perf_counter() - began
    assert not world.errors.errors, world.errors.errors

    ratio_fcp = median(pane, "fcp") / median(plan, "fcp")
    ratio_ready = median(pane, "ready") / median(plan, "ready")
    # Where the pane's time goes, from its frame's navigation start to ready (medians, ms).
    pane_phases = {
        "connect_tls": median(pane, "connected"),
        "html_request": gap(pane, "connected", "html_end"),
        "  server (html)": median(pane, "server_html"),
        "css_load": gap(pane, "html_end", "css_end"),
        "css_to_fcp": gap(pane, "css_end", "fcp"),
        "taskpane_js_and_imports": gap(pane, "html_end", "modules_end"),
        "modules_to_office_js": gap(pane, "modules_end", "office_start"),
        "office_js_load": gap(pane, "office_start", "office_end"),
        "office_on_ready": gap(pane, "office_end", "office_ready"),
        "read_appointment_and_id": gap(pane, "office_ready", "item_id"),
        "get_access_token": gap(pane, "item_id", "token"),
        "token_to_fetch": gap(pane, "token", "api_start"),
        "api_appointment": gap(pane, "api_start", "api_end"),
        "  server (api)": median(pane, "server_api"),
        "  token and Graph (api)": median(pane, "appointment_read"),
        "render_form": gap(pane, "api_end", "ready"),
    }
    plan_phases = {
        "connect_tls": median(plan, "connected"),
        "html_request": gap(plan, "connected", "html_end"),
        "  server (html)": median(plan, "server_html"),
        "css_load": gap(plan, "html_end", "css_end"),
        "css_to_fcp": gap(plan, "css_end", "fcp"),
        "plan_js_and_imports": gap(plan, "html_end", "modules_end"),
        "modules_to_api": gap(plan, "modules_end", "api_start"),
        "api_people_checklist": gap(plan, "api_start", "api_end"),
        "  server (api)": median(plan, "server_api"),
        "render_form": gap(plan, "api_end", "ready"),
    }
    graph_kinds = Counter(f"{m} {shorten(p)}" for row in pane for m, p in row["graph"])
    entra_kinds = Counter(f"{m} {shorten(p)}" for row in pane for m, p in row["entra"])
    first_entra = Counter(f"{m} {shorten(p)}" for m, p in first["entra"])
    per_open = {kind: count / len(pane) for kind, count in graph_kinds.items()}

    print(
        f"{args.rounds} rounds after {WARMUP} warm-up ({took:.0f} s), a fresh context each, "
        f"{WIDTH} px; ms from the document's navigation start"
    )
    print(f"  {'':<12}{'median':>9}{'p90':>9}")
    for name, rows, key in (
        ("pane FCP", pane, "fcp"),
        ("plan FCP", plan, "fcp"),
        ("pane ready", pane, "ready"),
        ("plan ready", plan, "ready"),
    ):
        values = [float(row[key]) for row in rows]
        print(f"  {name:<12}{statistics.median(values):9.1f}{percentile(values, 0.9):9.1f}")
    print(f"  ratio pane / plan: FCP {ratio_fcp:.2f}, ready {ratio_ready:.2f}")
    for title, phases in (("pane", pane_phases), ("plan", plan_phases)):
        print(f"  {title} phases (medians):")
        for name, value in phases.items():
            print(f"    {name:<28}{value:8.1f}")
    print(
        f"  pane per open: {pane[0]['api_calls']} API call, {pane[0]['requests']} requests to "
        f"the app, {pane[0]['office_answers']} Office.js stand-in calls before it; "
        f"Graph {per_open}; Entra {dict(entra_kinds) or 'none'} (OBO token cached)"
    )
    print(
        f"  plan per open: {plan[0]['api_calls']} API calls, {plan[0]['requests']} requests "
        "to the app"
    )
    print(
        f"  first open of the run (cold OBO, cold Graph client): ready {first['ready']:.0f}, "
        f"API {first['api_end'] - first['api_start']:.0f} (token+Graph "
        f"{first['appointment_read']:.0f}); Entra {dict(first_entra)}"
    )

    def figures(rows: list[dict[str, Any]], key: str) -> dict[str, float]:
        values = [float(row[key]) for row in rows]
        return {
            "p50_ms": round(statistics.median(values), 1),
            "p90_ms": round(percentile(values, 0.9), 1),
        }

    result = {
        "rounds": args.rounds,
        "warmup": WARMUP,
        "width": WIDTH,
        "pane_fcp": figures(pane, "fcp"),
        "pane_ready": figures(pane, "ready"),
        "plan_fcp": figures(plan, "fcp"),
        "plan_ready": figures(plan, "ready"),
        "pane_phases_p50_ms": {k.strip(): v for k, v in pane_phases.items()},
        "plan_phases_p50_ms": {k.strip(): v for k, v in plan_phases.items()},
        "pane_api_calls_per_open": pane[0]["api_calls"],
        "pane_office_calls_per_open": pane[0]["office_answers"],
        "plan_api_calls_per_open": plan[0]["api_calls"],
        "pane_graph_requests_per_open": round(sum(graph_kinds.values()) / len(pane), 2),
        "pane_entra_requests_per_open": round(sum(entra_kinds.values()) / len(pane), 2),
        "first_open_ready_ms": round(first["ready"], 1),
        "first_open_token_and_graph_ms": round(first["appointment_read"], 1),
        "first_open_entra_requests": sum(first_entra.values()),
        "ratio_fcp_pane_over_plan": round(ratio_fcp, 2),
        "ratio_ready_pane_over_plan": round(ratio_ready, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
