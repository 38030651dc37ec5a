"""One person's data as a zip (AVG art. 15 and 20): `export.json` and each signed form's PDF.

`export.json`'s shape is published as a JSON Schema (`static/schemas/privacy-export.json`,
also in the zip). Each talk is as the person sees it in the app (`/api/talks/<id>`), with
their own preparation and feedback drafts, which only they see; the other participant's
private points are not theirs and are not in it. The database is read in one transaction;
the PDFs are made after it (WeasyPrint takes a while), by `make_pdf`.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from plugin.domain.errors import Conflict
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.forms_pdf.document import FormDocument
from plugin.services import form_pdf, views
from plugin.services.context import Services
from plugin.store.drafts import drafts_of
from plugin.store.schema import talk_shares, talks
from plugin.store.working_tables import reminder_opt_outs

FORMAT = "ontwikkelgesprek.export"
VERSION = 1
SCHEMA = Path(__file__).resolve().parent.parent / "static" / "schemas" / "privacy-export.json"
MakePdf = Callable[[FormDocument], form_pdf.FormPdf]


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes
    talks: int
    pdfs: int


def export(svc: Services, person_id: str, *, make_pdf: MakePdf | None = None) -> Export:
    """The person's zip (LookupError for no such person)."""
    data, documents = svc.read(lambda s: _collect(svc, s, person_id))
    render = make_pdf or form_pdf.pdf_of
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in data["talks"]:
            document = documents.get(item["talk"]["id"])
            if document is None:
                continue
            name = f"forms/{item['talk']['starts_at'][:10]}-{item['talk']['id']}.pdf"
            archive.writestr(name, render(document).content)
            item["form_pdf"] = name
        archive.writestr("export.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("privacy-export.schema.json", SCHEMA.read_bytes())
    day = svc.clock.now().date().isoformat()
    return Export(
        filename=f"ontwikkelgesprek-export-{day}.zip",
        content=buffer.getvalue(),
        talks=len(data["talks"]),
        pdfs=len(documents),
    )


def _collect(
    svc: Services, session: Session, person_id: str
) -> tuple[dict[str, Any], dict[str, FormDocument]]:
    person = session.get(Person, person_id)
    if person is None:
        raise LookupError(person_id)
    shared = select(talk_shares.c.talk_id).where(talk_shares.c.person_id == person_id)
    found = session.execute(
        select(Talk)
        .where(
            or_(
                talks.c.lead_id == person_id,
                talks.c.learner_id == person_id,
                talks.c.id.in_(shared),
            )
        )
        .order_by(talks.c.starts_at, talks.c.id)
    ).scalars()
    items, documents = [], {}
    for talk in found:
        role = talk.role_of(person_id)
        read_only = role is None
        mine = talk.preparation_of(person_id)
        items.append(
            {
                "role": role.value if role is not None else "supervisor",
                "talk": views.talk_detail(svc, session, talk, person_id, read_only=read_only),
                "preparation": (
                    {"ticked": list(mine.ticked), "points": list(mine.points)} if mine else None
                ),
                "feedback_drafts": [d.to_dict() for d in drafts_of(session, talk.id, person_id)],
                "form_pdf": None,
            }
        )
        if talk.status is TalkStatus.SIGNED:
            # A form that is not intact has no PDF; its JSON shows it (content_hash).
            with suppress(Conflict):
                documents[talk.id] = form_pdf.participant_document(svc, session, person, talk.id)
    off = sorted(
        session.execute(
            select(reminder_opt_outs.c.kind).where(reminder_opt_outs.c.person_id == person_id)
        ).scalars()
    )
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": svc.clock.now().isoformat(),
        "person": {
            **views.person_view(person),
            "tenant_id": person.tenant_id,
            "object_id": person.object_id,
            "locale": person.locale,
            "folded_hints": list(person.folded_hints),
        },
        "reminders_off": off,
        "talks": items,
    }
    return data, documents
