"""The signed form's PDF: for the two in the talk, and through a school supervisor's link.

Access as on the form page it belongs to: sign-in first (401, or the host's shell in Microsoft
mode), then a talk the viewer may read (404 otherwise); a talk not signed yet answers 409.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from plugin.domain.errors import Conflict, NotFound
from plugin.domain.people import Person
from plugin.forms_pdf.document import FormDocument
from plugin.services import audit, form_pdf
from plugin.web.context import services
from plugin.web.pages import _chrome, _signed_out, _viewer

blueprint = Blueprint("form_pdf", __name__)

#: The PDF holds a personnel record: no shared cache keeps it, no search engine lists a link.
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


def _pdf_response(document: FormDocument) -> Response:
    pdf = form_pdf.pdf_of(document)
    response = Response(pdf.content, mimetype="application/pdf", headers=PRIVATE)
    response.headers.set("Content-Disposition", "attachment", filename=pdf.filename)
    return response


def _unavailable(reason: str, form_url: str, me: Person | None) -> tuple[str, int, dict[str, str]]:
    page = render_template("pdf/unavailable.html", reason=reason, form_url=form_url, **_chrome(me))
    return page, 409, PRIVATE


@blueprint.get("/talks/<talk_id>/form.pdf")
def talk_form_pdf(talk_id: str) -> BaseResponse | tuple[str, int] | tuple[str, int, dict[str, str]]:
    svc = services()

    def work(session: Any) -> tuple[Person | None, FormDocument | str]:
        """(who asks, the form's document or why there is none)."""
        me = _viewer(session)
        if me is None:
            return None, "unauthenticated"
        try:
            return me, form_pdf.participant_document(svc, session, me, talk_id)
        except NotFound:
            return me, "not_found"
        except Conflict as problem:
            return me, problem.code

    me, found = svc.read(work)
    if me is None:
        return _signed_out()
    if found == "not_found":
        return render_template("pages/not_found.html", **_chrome(me)), 404, PRIVATE
    if isinstance(found, str):
        return _unavailable(found, url_for("pages.form_page", talk_id=talk_id), me)
    audit.record(svc, "form_pdf", tenant_id=me.tenant_id, actor_id=me.id, talk_id=talk_id)
    return _pdf_response(found)


@blueprint.get("/shared/<token>/form.pdf")
def shared_form_pdf(token: str) -> BaseResponse | tuple[str, int, dict[str, str]]:
    svc = services()

    def work(session: Any) -> FormDocument | str | None:
        try:
            return form_pdf.shared_document(svc, session, token)
        except Conflict as problem:
            return problem.code

    found = svc.read(work)
    if found is None:
        return render_template("pages/share_link_invalid.html", **_chrome(None)), 404, PRIVATE
    if isinstance(found, str):
        return _unavailable(found, url_for("pages.shared_talk", token=token), None)
    audit.record_share_link(svc, "share_link_pdf", token)
    return _pdf_response(found)
