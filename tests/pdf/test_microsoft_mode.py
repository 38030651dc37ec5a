"""The form's PDF in Microsoft mode, where only a validated Teams token says who asks: the two
in the talk get it; without a token the answer is the host's shell (as for every page there),
with a stranger's token 404, and 409 before both have signed."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Flask

from plugin.domain.clock import FixedClock
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client, plan_over_api, sign_over_api
from tests.microsoft.graph_fake import GraphFake
from tests.pdf.reading import read_pdf

MARCO, SEM, STRANGER = (str(uuid.uuid4()) for _ in range(3))


def test_the_pdf_by_teams_token(
    ms_app: Flask, entra: EntraFake, graph: GraphFake, clock: FixedClock
) -> None:
    client = https_client(ms_app)
    people = {"marco": MARCO, "sem": SEM, "kim": STRANGER}
    for name in people:
        graph.add_mailbox(f"{name}@contoso.test")

    def token(name: str) -> dict[str, str]:
        """A fresh token (issued on the tests' clock, which moves)."""
        username = {"preferred_username": f"{name}@contoso.test"}
        return bearer(entra, clock, people[name], extra=username)

    starts = clock.now() + timedelta(days=1)
    talk = plan_over_api(client, token("marco"), token("sem"), starts)
    path = f"/talks/{talk['id']}/form.pdf"
    clock.set(starts + timedelta(minutes=30))
    who = {name: token(name) for name in people}

    early = client.get(path, headers=who["sem"])
    assert early.status_code == 409
    assert "allebei hebben afgetekend" in early.get_data(as_text=True)
    for name in ("marco", "sem"):
        assert sign_over_api(client, who[name], talk["id"]).status_code == 200

    marco = client.get(path, headers=who["marco"])
    assert marco.status_code == 200
    assert marco.mimetype == "application/pdf"
    assert read_pdf(marco.data).has("Handtekeningen")
    assert client.get(path, headers=who["sem"]).data == marco.data

    shell = client.get(path)  # no token: the shell that signs in with the host's token
    assert shell.status_code == 200
    assert shell.mimetype == "text/html"
    assert '"host_shell": true' in shell.get_data(as_text=True)
    assert client.get(path, headers=who["kim"]).status_code == 404
