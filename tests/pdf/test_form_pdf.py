"""The signed form as a PDF/A for the personnel file, at `/talks/<id>/form.pdf` and through a
school supervisor's link: what it says, what kind of PDF it is, that it is the same document
every time, and who may have it. On SQLite and PostgreSQL, read back with pypdf."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from flask import Flask

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.services.context import Services
from tests.conftest import BASE_URL, ApiClient
from tests.pdf.conftest import (
    AGREED,
    AGREED_BOTH,
    LEAD_GOAL,
    LEARNER_GOAL,
    REACTION,
    ok,
)
from tests.pdf.reading import read_pdf

A4 = (595.28, 841.89)


def pdf_of(client: ApiClient | object, talk_id: str) -> bytes:
    answer = client.get(f"/talks/{talk_id}/form.pdf")  # type: ignore[attr-defined]
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/pdf"
    return answer.data  # type: ignore[no-any-return]


def check_code(client: ApiClient, talk_id: str) -> str:
    code: str = ok(client.get(f"/api/talks/{talk_id}/form"))["content_hash"]
    assert len(code) == 64
    return code


def test_both_participants_download_the_same_file(marco, sem, signed_talk):
    answer = marco.get(f"/talks/{signed_talk.id}/form.pdf")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=")
    assert answer.headers["Content-Disposition"].endswith(".pdf")
    assert "gespreksformulier-" in answer.headers["Content-Disposition"]
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert pdf_of(sem, signed_talk.id) == answer.data


def test_it_says_what_was_signed(marco, signed_talk, lead, learner, services):
    pdf = read_pdf(pdf_of(marco, signed_talk.id))
    text = pdf.text()
    goal = services.template.item("goals.learn").text.in_("nl")
    for words in (
        signed_talk.title,
        f"Ontwikkelgesprek tussen {lead.display_name} en {learner.display_name}",
        goal,
        f"Eigen doel van {lead.display_name} {LEAD_GOAL}",
        f"Eigen doel van {learner.display_name} {LEARNER_GOAL}",
        AGREED,
        AGREED_BOTH,
        REACTION,
        "1 april 2027",  # the due date, the Dutch way
        "Geen uiterste datum",
        "Beiden",  # the second agreement's owner
        "Handtekeningen",
        "Afgetekend op",
        "Vervolggesprek:",  # booked right after sign-off (local mode drains the outbox)
        "Controlecode",
        check_code(marco, signed_talk.id),
        "sha256sum form.json",
        "Handvatten ontwikkelingsgesprek",  # the guide's credit
    ):
        assert pdf.has(words), words
    # Who confirmed each agreement, and when: 2 March 2027, Amsterdam time.
    assert pdf.has(f"{learner.display_name}, 2 maart 2027 om")
    assert pdf.has(f"{lead.display_name}, 2 maart 2027 om")
    assert text.count("Afgetekend op 2 maart 2027 om") == 2


def test_it_is_a_tagged_pdf_a_on_a4_with_its_fonts_title_and_language(marco, signed_talk):
    pdf = read_pdf(pdf_of(marco, signed_talk.id))
    for width, height in pdf.page_sizes():
        assert (round(width, 2), round(height, 2)) == A4
    fonts = pdf.fonts()
    assert fonts, "no fonts found"
    for name, font in fonts.items():
        assert font == {"embedded": True, "unicode": True}, name
    assert pdf.pdfa_id() == ("3", "U")
    assert pdf.root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert bool(pdf.root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in pdf.root
    assert pdf.root["/Lang"] == "nl"
    assert pdf.reader.metadata.title.startswith(signed_talk.title)
    assert pdf.xmp_title() == pdf.reader.metadata.title
    assert pdf.reader.pdf_header == "%PDF-1.7"


def test_the_attached_form_is_what_the_check_code_is_the_sha256_of(marco, signed_talk):
    pdf = read_pdf(pdf_of(marco, signed_talk.id))
    attached = pdf.attachments()["form.json"]
    code = check_code(marco, signed_talk.id)
    assert hashlib.sha256(attached).hexdigest() == code
    stored = ok(marco.get(f"/api/talks/{signed_talk.id}/form"))["form"]
    assert json.loads(attached) == stored


def test_the_same_bytes_every_time_from_the_form_as_signed(
    marco, sem, signed_talk, services: Services, lead: Person, clock: FixedClock
):
    first = pdf_of(marco, signed_talk.id)

    def rename(s):
        s.get(Person, lead.id).display_name = "Marco Hernoemd"

    services.write(rename)
    clock.advance(timedelta(days=9))
    again = pdf_of(sem, signed_talk.id)
    assert again == first
    text = read_pdf(again).text()
    assert lead.display_name in text and "Hernoemd" not in text
    info = read_pdf(again).reader.metadata
    assert info.creation_date == info.modification_date  # the moment of the last signature


def test_in_the_talks_language_not_the_readers(marco, signed_talk, services: Services):
    dutch = read_pdf(marco.get(f"/talks/{signed_talk.id}/form.pdf?lang=en").data)
    assert "Handtekeningen" in dutch.text() and dutch.root["/Lang"] == "nl"
    services.language = "en"  # an organisation that works in English
    english = read_pdf(pdf_of(marco, signed_talk.id))
    text = english.text()
    for words in ("Signatures", "Check code", "Agreements", "April 1, 2027", "Signed on"):
        assert english.has(words), words
    assert "Handtekeningen" not in text
    assert english.root["/Lang"] == "en"


def test_an_unsigned_talk_answers_409_with_a_message(marco, unsigned_talk):
    answer = marco.get(f"/talks/{unsigned_talk.id}/form.pdf")
    assert answer.status_code == 409
    assert answer.mimetype == "text/html"
    assert "zodra jullie het formulier allebei hebben afgetekend" in answer.get_data(as_text=True)
    english = marco.get(f"/talks/{unsigned_talk.id}/form.pdf?lang=en")
    assert english.status_code == 409
    assert "once you have both signed the form" in english.get_data(as_text=True)


def test_nobody_else_gets_it(app: Flask, signed_talk, client_for, make_person):
    anonymous = app.test_client().get(f"/talks/{signed_talk.id}/form.pdf")
    assert anonymous.status_code == 401
    assert anonymous.mimetype == "text/html"
    stranger = client_for(make_person())
    assert stranger.get(f"/talks/{signed_talk.id}/form.pdf").status_code == 404
    assert stranger.get("/talks/no-such-talk/form.pdf").status_code == 404


def share_link(marco: ApiClient, talk_id: str) -> str:
    body = {
        "name": "Petra Jansen",
        "email": "p.jansen@roc.example",
        "version": marco.talk(talk_id)["version"],
    }
    url: str = ok(marco.post(f"/api/talks/{talk_id}/share-links", json=body), 201)["url"]
    return url.removeprefix(BASE_URL)


def test_the_school_supervisor_gets_it_through_the_link(app: Flask, marco, signed_talk):
    link = share_link(marco, signed_talk.id)
    supervisor = app.test_client()  # no session: the link is the key
    page = supervisor.get(link).get_data(as_text=True)
    assert f'href="{link}/form.pdf"' in page
    answer = supervisor.get(f"{link}/form.pdf")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.headers["X-Robots-Tag"] == "noindex"
    assert answer.data == pdf_of(marco, signed_talk.id)


def test_a_dead_link_or_an_unsigned_talk_gives_no_pdf(app: Flask, marco, unsigned_talk):
    link = share_link(marco, unsigned_talk.id)
    supervisor = app.test_client()
    answer = supervisor.get(f"{link}/form.pdf")
    assert answer.status_code == 409
    assert "allebei hebben afgetekend" in answer.get_data(as_text=True)
    assert supervisor.get(f"{link[:-3]}xyz/form.pdf").status_code == 404
    share_link(marco, unsigned_talk.id)  # a newer link retires this one
    assert supervisor.get(f"{link}/form.pdf").status_code == 404


@pytest.mark.parametrize("signed", [True, False])
def test_the_form_page_links_to_it_once_signed(marco, unsigned_talk, sem, signed):
    if signed:
        ok(marco.sign(unsigned_talk.id))
        ok(sem.sign(unsigned_talk.id))
    page = marco.get(f"/talks/{unsigned_talk.id}/form").get_data(as_text=True)
    assert (f'href="/talks/{unsigned_talk.id}/form.pdf"' in page) is signed


def test_a_form_that_fails_its_check_code_gets_no_pdf(marco, signed_talk, services: Services):
    from plugin.domain.talk import Talk

    def tamper(s):
        talk = s.get(Talk, signed_talk.id)
        talk.signed_form = {**talk.signed_form, "title": "Iets anders"}

    services.write(tamper)
    answer = marco.get(f"/talks/{signed_talk.id}/form.pdf")
    assert answer.status_code == 409
    assert "controlecode" in answer.get_data(as_text=True)


def test_a_supervisor_the_talk_is_shared_with_gets_it_too(
    marco, signed_talk, client_for, make_person
):
    supervisor = make_person(display_name="Bea School", email="bea@school.example", external=True)
    bea = client_for(supervisor)
    assert bea.get(f"/talks/{signed_talk.id}/form.pdf").status_code == 404  # not yet shared
    body = {"person_id": supervisor.id, "version": marco.talk(signed_talk.id)["version"]}
    ok(marco.post(f"/api/talks/{signed_talk.id}/shares", json=body))
    assert pdf_of(bea, signed_talk.id) == pdf_of(marco, signed_talk.id)
