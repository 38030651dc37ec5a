"""Write a `FormDocument` as a tagged PDF/A-3u on A4, with WeasyPrint.

Why these choices:
- PDF/A-3u: archival (fonts embedded, an sRGB output intent, XMP metadata), every glyph mapped
  to Unicode, and (unlike PDF/A-2) it may carry any file: the signed form's JSON goes along,
  so the controlecode can be checked from the PDF alone (`sha256sum form.json`).
- Tagged (`pdf_tags`): a structure tree that screen readers and the archive can follow. The
  "a" level is not claimed: WeasyPrint's tagging has known gaps (its issues #2726, #2482).
- Deterministic: the dates in the metadata and the attachment are the signing time, and
  WeasyPrint derives the file identifier and font subset names from the content, so the same
  form gives the same bytes (on the same fonts and library versions).
- Nothing is fetched: the stylesheet is inline and the fetcher refuses every URL, so text in a
  form can never make the server load anything.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import cache
from typing import Any, NoReturn

from jinja2 import Environment, FileSystemLoader, select_autoescape

from plugin.forms_pdf.document import FormDocument
from plugin.i18n import translations
from plugin.paths import templates_dir

#: The PDF/A level written, as WeasyPrint names it.
PDF_VARIANT = "pdf/a-3u"
#: The name of the attached signed form.
FORM_JSON_NAME = "form.json"


@cache
def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def _no_fetching(url: str) -> NoReturn:
    from weasyprint.urls import URLFetchingError

    raise URLFetchingError(f"the form's PDF loads nothing ({url[:40]})")


def _w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def form_html(document: FormDocument) -> str:
    """The form as the HTML the PDF is made of (also handy to look at in a test)."""
    context: dict[str, Any] = {"doc": document, "created": _w3c(document.signed_at)}
    return _environment(document.lang).get_template("pdf/form.html").render(context)


def render_pdf(document: FormDocument) -> bytes:
    """The PDF/A bytes of `document`."""
    # WeasyPrint loads Pango and its fonts on import: the first PDF pays for it, not start-up.
    from weasyprint import HTML, Attachment

    signed_at = document.signed_at.astimezone(UTC)
    attachment = Attachment(
        file_obj=io.BytesIO(document.form_json),
        name=FORM_JSON_NAME,
        description=translations(document.lang).gettext(
            "The signed form; its SHA-256 is the check code"
        ),
        created=signed_at,
        modified=signed_at,
        relationship="Source",
        url_fetcher=_no_fetching,
    )
    html = HTML(string=form_html(document), url_fetcher=_no_fetching)
    pdf: bytes = html.write_pdf(
        pdf_variant=PDF_VARIANT,
        pdf_tags=True,
        attachments=[attachment],
    )
    return pdf
