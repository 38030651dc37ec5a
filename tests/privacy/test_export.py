"""A person's export: JSON in its published shape, the PDF of each signed form; downloadable
from the overview (signed in only, audited)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.jobs.outbox import Outbox
from plugin.services import privacy_export
from plugin.services.context import Services
from plugin.store.audit_tables import audit_log
from tests.conftest import ApiClient
from tests.privacy.loop import TEXTS, Loop, whole_loop

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "plugin/static/schemas/privacy-export.json").read_text()
)


@pytest.fixture
def loop(
    services: Services,
    outbox: Outbox,
    clock: FixedClock,
    client_for: Callable[[Person], ApiClient],
    lead: Person,
    learner: Person,
) -> Loop:
    return whole_loop(services, outbox, clock, client_for(lead), client_for(learner), learner.id)


def _open(content: bytes) -> tuple[dict[str, Any], zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return json.loads(archive.read("export.json")), archive


def test_my_export_from_the_overview(
    services: Services,
    client_for: Callable[[Person], ApiClient],
    loop: Loop,
    learner: Person,
    lead: Person,
) -> None:
    sem = client_for(learner)
    overview = sem.get("/")
    assert b'href="/api/me/export"' in overview.data
    answer = sem.get("/api/me/export")
    assert answer.status_code == 200
    assert answer.mimetype == "application/zip"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.headers["Cache-Control"] == "private, no-store"
    data, archive = _open(answer.data)
    jsonschema.validate(data, SCHEMA)
    assert data["person"]["email"] == learner.email
    first, follow_up = data["talks"]
    assert (first["role"], first["talk"]["id"]) == ("learner", loop.talk_id)
    # Their own private point and goal are theirs; the lead's feedback draft is not.
    points = [p["text"] for p in first["preparation"]["points"]]
    assert points == [TEXTS["shared_point"], TEXTS["private_point"]]
    assert first["feedback_drafts"] == []
    assert first["talk"]["learner_goal"] == TEXTS["learner_goal"]
    assert follow_up["form_pdf"] is None  # planned, not signed
    pdf = PdfReader(io.BytesIO(archive.read(first["form_pdf"])))
    words = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert TEXTS["agreed"] in words
    entries = services.read(
        lambda s: s.execute(select(audit_log.c.action, audit_log.c.actor_id, audit_log.c.via)).all()
    )
    assert ("export", learner.id, "web") in [tuple(e) for e in entries]
    # The lead's export carries the lead's feedback draft.
    lead_data, _ = _open(client_for(lead).get("/api/me/export").data)
    assert lead_data["talks"][0]["feedback_drafts"][0]["steps"]["positive"] == TEXTS["feedback"]


def test_the_export_needs_a_sign_in(app: Flask) -> None:
    assert app.test_client().get("/api/me/export").status_code == 401


def test_a_supervisor_exports_what_is_shared_with_them(
    services: Services, loop: Loop, learner: Person
) -> None:
    def supervisor(s: Any) -> Person:
        return s.execute(select(Person).where(Person.external.is_(True))).scalar_one()  # type: ignore[attr-defined]

    karin = services.read(supervisor)
    made = privacy_export.export(services, karin.id, make_pdf=_fake_pdf)
    data, archive = _open(made.content)
    jsonschema.validate(data, SCHEMA)
    [shared] = data["talks"]
    assert shared["role"] == "supervisor"
    assert "calendar" not in shared["talk"]
    assert archive.read(shared["form_pdf"]) == b"%PDF-fake"


def test_no_such_person(services: Services) -> None:
    with pytest.raises(LookupError):
        privacy_export.export(services, "nobody")


def _fake_pdf(document: Any) -> Any:
    from plugin.services.form_pdf import FormPdf

    return FormPdf(filename="x.pdf", content=b"%PDF-fake")
