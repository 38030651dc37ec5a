"""A signed form changed behind the app's back is reported as not intact: through the API and
on the school supervisor's share page, on SQLite and PostgreSQL.

Each case changes one stored row directly in the database, as someone with access to it could.
Nothing in the app notices such a change (no version moves), so only the integrity check can
tell. (tests/browser/test_form_integrity.py shows what the form page and the share page say.)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Connection

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services.context import Services
from plugin.store.schema import agreements as agreements_table
from plugin.store.schema import signatures as signatures_table
from plugin.store.schema import talks as talks_table
from tests.conftest import BASE_URL, ApiClient

AGREED = "Sem regelt zelfstandig een cv-installatie in"
FORGED = "Sem hoeft geen cv-installatie meer in te regelen"


def sign_a_talk(
    marco: ApiClient,
    sem: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> str:
    """A talk with one confirmed agreement, signed by both over the API: its id."""
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=5))
    added = marco.post(
        f"/api/talks/{talk.id}/agreements", json={"what": AGREED, "owner": "learner"}
    )
    assert added.status_code == 201, added.json
    confirmed = sem.post(
        f"/api/talks/{talk.id}/agreements/{added.json['id']}/confirm",
        json={"version": added.json["version"]},
    )
    assert confirmed.status_code == 200, confirmed.json
    for who in (marco, sem):
        signed = who.sign(talk.id)
        assert signed.status_code == 200, signed.json
    assert marco.talk(talk.id)["status"] == "signed"
    return talk.id


def share_link_path(marco: ApiClient, talk_id: str) -> str:
    """The path of a new share link for the school supervisor."""
    made = marco.post(
        f"/api/talks/{talk_id}/share-links",
        json={
            "name": "Petra Jansen",
            "email": "p.jansen@roc.example",
            "version": marco.talk(talk_id)["version"],
        },
    )
    assert made.status_code == 201, made.json
    url: str = made.json["url"]
    assert url.startswith(f"{BASE_URL}/shared/")
    return url[len(BASE_URL) :]


# -- the tampering: one stored row each --------------------------------------------------------


def _stored_form(connection: Connection, talk_id: str) -> dict[str, Any]:
    form = connection.execute(
        sa.select(talks_table.c.signed_form).where(talks_table.c.id == talk_id)
    ).scalar_one()
    assert isinstance(form, dict) and form["agreements"][0]["what"] == AGREED
    return form


def _forged_form(connection: Connection, talk_id: str) -> dict[str, Any]:
    form = _stored_form(connection, talk_id)
    form["agreements"][0]["what"] = FORGED
    return form


def agreement_reworded(connection: Connection, talk_id: str) -> None:
    """The agreement itself says something else than what both signed."""
    changed = connection.execute(
        sa.update(agreements_table).where(agreements_table.c.talk_id == talk_id).values(what=FORGED)
    )
    assert changed.rowcount == 1


def signed_form_edited(connection: Connection, talk_id: str) -> None:
    """The stored form says something else; its hash still is the signed one's."""
    forged = _forged_form(connection, talk_id)
    connection.execute(
        sa.update(talks_table).where(talks_table.c.id == talk_id).values(signed_form=forged)
    )


def signed_form_edited_and_rehashed(connection: Connection, talk_id: str) -> None:
    """The stored form and its hash agree with each other, but no longer with the talk."""
    forged = _forged_form(connection, talk_id)
    canonical = json.dumps(forged, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    connection.execute(
        sa.update(talks_table)
        .where(talks_table.c.id == talk_id)
        .values(signed_form=forged, content_hash=hashlib.sha256(canonical.encode()).hexdigest())
    )


def hash_replaced(connection: Connection, talk_id: str) -> None:
    """The content hash is another one (the form itself untouched)."""
    connection.execute(
        sa.update(talks_table)
        .where(talks_table.c.id == talk_id)
        .values(content_hash=hashlib.sha256(b"another form").hexdigest())
    )


def signature_backdated(connection: Connection, talk_id: str) -> None:
    """A signature moved to another moment than the one signed."""
    for signed_at, signature_id in connection.execute(
        sa.select(signatures_table.c.signed_at, signatures_table.c.id).where(
            signatures_table.c.talk_id == talk_id
        )
    ).all():
        connection.execute(
            sa.update(signatures_table)
            .where(signatures_table.c.id == signature_id)
            .values(signed_at=signed_at - timedelta(days=1))
        )


TAMPERING: dict[str, Callable[[Connection, str], None]] = {
    "agreement_reworded": agreement_reworded,
    "signed_form_edited": signed_form_edited,
    "signed_form_edited_and_rehashed": signed_form_edited_and_rehashed,
    "hash_replaced": hash_replaced,
    "signature_backdated": signature_backdated,
}


def tamper(services: Services, how: str, talk_id: str) -> None:
    with services.db.engine.begin() as connection:
        TAMPERING[how](connection, talk_id)


# -- what each place says ----------------------------------------------------------------------


def boot_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="og-boot">(.*?)</script>', html, re.S)
    assert found, html
    loaded: dict[str, Any] = json.loads(found.group(1))
    return loaded


def form_of(client: ApiClient, talk_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/talks/{talk_id}/form")
    assert answer.status_code == 200, answer.json
    found: dict[str, Any] = answer.json
    return found


def shared_page_intact(app: Flask, path: str) -> object:
    """What the share page (no sign-in) gives its script to show: `boot.intact`."""
    page = app.test_client().get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="intact"' in html  # the slot the script fills from `boot.intact`
    return boot_of(html)["intact"]


@pytest.mark.parametrize("how", list(TAMPERING))
def test_a_tampered_form_is_reported_not_intact(
    app: Flask,
    services: Services,
    marco: ApiClient,
    sem: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
    how: str,
) -> None:
    talk_id = sign_a_talk(marco, sem, make_talk, lead, learner, clock)
    shared = share_link_path(marco, talk_id)
    signed = form_of(marco, talk_id)
    # Untouched, every place says intact: what follows is the check's doing.
    assert (signed["signed"], signed["intact"]) == (True, True)
    assert form_of(sem, talk_id)["intact"] is True
    assert shared_page_intact(app, shared) is True

    tamper(services, how, talk_id)

    for who in (marco, sem):
        form = form_of(who, talk_id)
        assert form["signed"] is True
        assert form["intact"] is False, how
    assert shared_page_intact(app, shared) is False
    # The signed content is still what the API hands out, never silently "repaired".
    after = form_of(marco, talk_id)
    if how in ("agreement_reworded", "hash_replaced", "signature_backdated"):
        assert after["form"] == signed["form"]
    if how in ("agreement_reworded", "signed_form_edited", "signature_backdated"):
        assert after["content_hash"] == signed["content_hash"]
