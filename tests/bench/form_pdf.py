"""Benchmark: the signed form as a PDF against the form page, for a talk with 30 agreements.

Not part of the test suite. One process, SQLite in a temporary folder, the app's own routes
through Flask's test client (no network), both measured in the same run, taking turns:

    .venv/bin/python tests/bench/form_pdf.py [--agreements 30] [--rounds 15]

Measured: wall time per answer (median and max over the rounds; the first PDF apart, since it
loads WeasyPrint and its fonts), the PDF's size, the Python heap's peak while one PDF is made
(tracemalloc) and the process's resident memory before the first PDF and after the last.
The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from plugin.bootstrap import build_services  # noqa: E402
from plugin.domain.agreement import Owner  # noqa: E402
from plugin.domain.form import signing_hash  # noqa: E402
from plugin.domain.people import LOCAL_TENANT, Person  # noqa: E402
from plugin.identity.local import issue_signin_token  # noqa: E402
from plugin.services import talks  # noqa: E402
from plugin.settings import Settings  # noqa: E402
from plugin.web.app import create_app  # noqa: E402


def rss_mb() -> float:
    """The process's peak resident memory so far (Linux: kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(settings: Settings, agreements: int) -> tuple[str, str]:
    """A signed talk with `agreements` confirmed agreements; its id and the lead's sign-in."""
    svc, outbox = build_services(settings, base_url="http://bench")
    now = datetime.now(UTC)

    def work(session):  # type: ignore[no-untyped-def]
        lead = Person(svc.new_id(), LOCAL_TENANT, "lead", "Marco de Vries", "marco@x.test")
        learner = Person(svc.new_id(), LOCAL_TENANT, "lrn", "Sem Bakker", "sem@x.test")
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
            goals=["goals.learn", "goals.feedback", "goals.own"],
            own_goal="Sem zelfstandiger laten werken op de bouwplaats",
        )
        held = talk.starts_at + timedelta(minutes=5)
        for n in range(agreements):
            item = talk.add_agreement(
                lead.id,
                what=f"Afspraak {n + 1}: elke vrijdag de bus opruimen en de voorraad tellen",
                owner=Owner.LEARNER,
                due=(now + timedelta(days=30 + n)).date(),
                today=now.date(),
                new_id=svc.new_id(),
                now=held,
            )
            talk.confirm_agreement(learner.id, item.id, expected_version=item.version, now=held)
        names = {lead.id: lead.display_name, learner.id: learner.display_name}
        for person in (lead, learner):
            talk.sign(
                person.id, shown_hash=signing_hash(talk), new_id=svc.new_id(), now=held, names=names
            )
        return talk.id, issue_signin_token(session, lead, now)

    found = svc.write(work)
    while outbox.drain(limit=1000):
        pass
    svc.db.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="bench-key", _env_file=None)  # type: ignore[call-arg]
        talk_id, token = seed(settings, args.agreements)
        svc, _outbox = build_services(settings, base_url="http://bench")
        client = create_app(svc).test_client()
        client.get(f"/signin/{token}")
        page_url, pdf_url = f"/talks/{talk_id}/form", f"/talks/{talk_id}/form.pdf"
        assert client.get(page_url).status_code == 200
        rss_before = rss_mb()
        began = time.perf_counter()
        first = client.get(pdf_url)
        first_ms = (time.perf_counter() - began) * 1000
        assert first.status_code == 200, first.get_data(as_text=True)[:300]
        page_ms, pdf_ms = [], []
        for _ in range(args.rounds):
            for url, into in ((page_url, page_ms), (pdf_url, pdf_ms)):
                began = time.perf_counter()
                answer = client.get(url)
                into.append((time.perf_counter() - began) * 1000)
                assert answer.status_code == 200
        tracemalloc.start()
        client.get(pdf_url)
        _, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result = {
            "agreements": args.agreements,
            "rounds": args.rounds,
            "pdf_bytes": len(first.get_data()),
            "first_pdf_ms": round(first_ms, 1),
            "pdf_median_ms": round(statistics.median(pdf_ms), 1),
            "pdf_max_ms": round(max(pdf_ms), 1),
            "page_median_ms": round(statistics.median(page_ms), 2),
            "page_max_ms": round(max(page_ms), 2),
            "ratio_median": round(statistics.median(pdf_ms) / statistics.median(page_ms), 1),
            "pdf_python_heap_peak_mb": round(heap_peak / 2**20, 1),
            "rss_before_first_pdf_mb": round(rss_before, 1),
            "rss_after_mb": round(rss_mb(), 1),
        }
        svc.db.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
