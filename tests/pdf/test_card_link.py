"""The summary card posted after sign-off links to the signed form's PDF, next to the form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from plugin.domain.talk import Talk
from plugin.services.context import Services
from plugin.teams.card import TalkSummary, talk_card
from tests.conftest import BASE_URL
from tests.pdf.conftest import SignedTalk, ok


@dataclass
class RecordingChat:
    """A meeting chat that keeps what it is asked to post (the card itself: tests/microsoft)."""

    posted: list[TalkSummary] = field(default_factory=list)

    def post(self, user_key: str, chat_id: str, summary: TalkSummary, *args: object) -> str:
        self.posted.append(summary)
        return f"message-{len(self.posted)}"


def test_the_card_offers_the_pdf_beside_the_form() -> None:
    summary = TalkSummary(
        talk_id="talk-1",
        title="Ontwikkelgesprek Sem",
        lead_name="Marco de Vries",
        learner_name="Sem Jansen",
        kind="Ontwikkelgesprek",
        signed_on=date(2027, 3, 1),
        agreements=(),
        form_url="https://example.test/talks/talk-1/form",
        pdf_url="https://example.test/talks/talk-1/form.pdf",
    )
    actions = talk_card(summary, "nl")["actions"]
    assert [(a["type"], a["url"]) for a in actions] == [
        ("Action.OpenUrl", "https://example.test/talks/talk-1/form"),
        ("Action.OpenUrl", "https://example.test/talks/talk-1/form.pdf"),
    ]
    assert actions[1]["title"] == "Formulier downloaden (pdf)"


def test_the_posted_summary_links_to_the_pdf(
    services: Services, unsigned_talk: SignedTalk, marco, sem
) -> None:
    chat = RecordingChat()
    services.chat = chat  # type: ignore[assignment]

    def in_a_meeting(s):
        talk = s.get(Talk, unsigned_talk.id)
        talk.meeting_chat_id = "19:meeting_abc@thread.v2"
        talk.chat_summary = True

    services.write(in_a_meeting)
    ok(marco.sign(unsigned_talk.id))
    ok(sem.sign(unsigned_talk.id))
    [summary] = chat.posted
    assert summary.pdf_url == f"{BASE_URL}/talks/{unsigned_talk.id}/form.pdf"
    assert marco.get(summary.pdf_url.removeprefix(BASE_URL)).status_code == 200
