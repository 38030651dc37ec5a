"""The signed form's PDF from inside a Teams tab: the page's link is fetched with the Teams token
(the tab has no cookie session) and saved under the server's file name."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.test_teams_tabs import (  # noqa: F401  (fixtures)
    MARCO,
    SEM,
    TeamsWorld,
    teams,
    teams_browser,
)
from tests.microsoft.fixtures import entra, graph  # noqa: F401  (fixtures)
from tests.pdf.reading import read_pdf


def test_the_form_tab_downloads_the_pdf_with_the_teams_token(teams: TeamsWorld) -> None:  # noqa: F811
    talk_id = teams.plan()
    teams.clock.set(teams.clock.now() + timedelta(days=1, minutes=1))
    for oid, name in ((MARCO, "Marco"), (SEM, "Sem")):
        shown = teams.api(oid, name, "GET", f"/api/talks/{talk_id}")["form_hash"]
        teams.api(oid, name, "POST", f"/api/talks/{talk_id}/sign", json={"form_hash": shown})
    page, frame = teams.open_tab(f"/talks/{talk_id}/form", width=1000)
    link = frame.get_by_role("link", name="Formulier downloaden (pdf)")
    expect(link).to_be_visible()
    with page.expect_download() as waiting:
        link.click()
    download = waiting.value
    assert download.suggested_filename.startswith("gespreksformulier-")
    assert download.suggested_filename.endswith(".pdf")
    assert read_pdf(Path(download.path()).read_bytes()).has("Handtekeningen")
    assert teams.outside_requests() == []
