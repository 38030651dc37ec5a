"""The PDF's content from a stored form alone (no app, no database): its hash check, user text
kept as text, and the same bytes in another process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from plugin.domain.checklist import default_template
from plugin.domain.form import form_hash
from plugin.forms_pdf.document import FormNotIntact, canonical_json, form_document
from plugin.forms_pdf.render import render_pdf
from tests.pdf.reading import read_pdf

MARKUP = '<img src="http://127.0.0.1:9/x.png"> **vet** {{ 7*7 }}'


def stored_form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "talk_id": "talk-1",
        "tenant_id": "tenant-1",
        "title": "Ontwikkelgesprek: Sem Bakker",
        "starts_at": "2027-01-04T08:00:00+00:00",
        "lead": {"id": "p-1", "name": "Marco de Vries"},
        "learner": {"id": "p-2", "name": "Sem Bakker"},
        "template_id": "ontwikkelgesprek",
        "goals": ["goals.learn"],
        "own_goal": "",
        "agreements": [
            {
                "id": "a-1",
                "what": MARKUP,
                "owner": "both",
                "due": None,
                "reaction": "",
                "author_id": "p-1",
                "confirmed_by": "p-2",
                "confirmed_at": "2027-01-04T08:30:00+00:00",
            }
        ],
        "signatures": [
            {"person_id": "p-1", "role": "lead", "signed_at": "2027-01-04T08:40:00+00:00"},
            {"person_id": "p-2", "role": "learner", "signed_at": "2027-01-04T08:41:00+00:00"},
        ],
    }
    form.update(changes)
    return form


def document(form: dict[str, Any], code: str | None = None, language: str = "nl") -> Any:
    return form_document(
        form,
        code if code is not None else form_hash(form),
        language=language,
        timezone="Europe/Amsterdam",
        checklist=default_template(),
        follow_up=datetime(2027, 2, 15, 8, 30, tzinfo=UTC),
    )


def test_the_attached_bytes_are_what_the_domain_hashes() -> None:
    form = stored_form()
    assert hashlib.sha256(canonical_json(form)).hexdigest() == form_hash(form)
    assert document(form).form_json == canonical_json(form)


def test_a_form_that_does_not_match_its_hash_is_refused() -> None:
    form = stored_form()
    with pytest.raises(FormNotIntact):
        document({**form, "title": "Iets anders"}, form_hash(form))


def test_dates_and_times_in_the_talks_language_and_time_zone() -> None:
    dutch = document(stored_form())
    assert dutch.starts_at == "4 januari 2027 om 09:00"  # Amsterdam, in winter UTC+1
    assert [s.signed_at for s in dutch.signatures] == [
        "4 januari 2027 om 09:40",
        "4 januari 2027 om 09:41",
    ]
    assert dutch.follow_up == "Vervolggesprek: 15 februari 2027 om 09:30"
    assert dutch.agreements[0].confirmed == "Sem Bakker, 4 januari 2027 om 09:30"
    english = document(stored_form(), language="en")
    assert english.starts_at == "January 4, 2027 at 09:00"
    assert english.agreements[0].owner == "Both"


def test_text_a_person_wrote_stays_text() -> None:
    pdf = read_pdf(render_pdf(document(stored_form())))
    assert pdf.has(MARKUP)  # shown as typed: no image fetched, no markup, no template


RENDER = """
import sys
from tests.pdf.test_document import document, stored_form
from plugin.forms_pdf.render import render_pdf
sys.stdout.buffer.write(render_pdf(document(stored_form())))
"""


def test_another_process_writes_the_same_bytes() -> None:
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", RENDER],
            capture_output=True,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            check=True,
            timeout=120,
        )
        outputs.append(done.stdout)
    assert outputs[0].startswith(b"%PDF-1.7")
    assert outputs[0] == outputs[1] == render_pdf(document(stored_form()))
