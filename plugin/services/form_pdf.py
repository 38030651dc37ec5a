"""Use cases of the signed form's PDF: for a participant, and through a supervisor's link.

Two steps, so that the database transaction stays short: `*_document` reads the stored form
(inside `svc.read`), `pdf_of` renders it afterwards (a few hundred milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from plugin.domain.errors import Conflict
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.forms_pdf.document import FormDocument, FormNotIntact, form_document
from plugin.i18n import translations
from plugin.services import sharing
from plugin.services.context import Services
from plugin.services.talk_types import talk_template
from plugin.services.talks import load_readable_talk


@dataclass(frozen=True)
class FormPdf:
    filename: str
    content: bytes


def participant_document(
    svc: Services, session: Session, viewer: Person, talk_id: str
) -> FormDocument:
    """The signed form of a talk the viewer may read (as on the form page); 404 for others,
    409 ("not_signed") while it is not signed."""
    talk, _read_only = load_readable_talk(session, viewer, talk_id)
    return _document(svc, session, talk)


def shared_document(svc: Services, session: Session, token: str) -> FormDocument | None:
    """The signed form behind a school supervisor's share link; None for a dead link."""
    found = sharing.talk_by_share_link(svc, session, token)
    return _document(svc, session, found[0]) if found is not None else None


def _document(svc: Services, session: Session, talk: Talk) -> FormDocument:
    if talk.status is not TalkStatus.SIGNED or not talk.signed_form or not talk.content_hash:
        raise Conflict("not_signed", "talk")
    follow_up = session.get(Talk, talk.follow_up_talk_id) if talk.follow_up_talk_id else None
    if follow_up is not None and follow_up.status is TalkStatus.CANCELLED:
        follow_up = None
    try:
        return form_document(
            talk.signed_form,
            talk.content_hash,
            # The talk's language is the organisation's: its invites and title are in it too.
            language=svc.language,
            timezone=svc.policy.hours.timezone,
            # The goals' texts of the type version the talk was planned with, not today's.
            checklist=talk_template(svc, session, talk),
            follow_up=follow_up.starts_at if follow_up is not None else None,
        )
    except FormNotIntact:
        raise Conflict("not_intact", "talk") from None


def pdf_of(document: FormDocument) -> FormPdf:
    """The PDF of a signed form, with a file name in its language."""
    from plugin.forms_pdf.render import render_pdf  # WeasyPrint loads on the first PDF

    slug = translations(document.lang).gettext("talk-form")
    day = document.signed_at.date().isoformat()
    return FormPdf(filename=f"{slug}-{day}.pdf", content=render_pdf(document))
