"""Composing a reminder: each kind in Dutch and English, the link, escaping, nothing extra."""

from __future__ import annotations

import pytest

from plugin.notify.message import (
    ACTIVITY_TYPES,
    KINDS,
    PREVIEW_LIMIT,
    TEMPLATE_PARAMETERS,
    compose,
)
from tests.notify.factories import ANNE, SEM, reminder

ZONE = "Europe/Amsterdam"

#: Each kind's subject for Sem (nl) and Anne (en).
SUBJECTS = {
    "prepare": ("Bereid je gesprek met Marco voor", "Prepare for your talk with Marco"),
    "sign": ("Teken je gesprek met Marco af", "Sign off your talk with Marco"),
    "due_soon": (
        "Je afspraak moet af zijn op 4 januari 2027",
        "Your agreement is due on 4 January 2027",
    ),
    "overdue": (
        "Je afspraak had af moeten zijn op 4 januari 2027",
        "Your agreement was due on 4 January 2027",
    ),
    "check_in": (
        "Een kort tussentijds gesprek met Marco?",
        "A short check-in with Marco?",
    ),
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_reads_in_the_recipients_language_with_the_link(kind: str) -> None:
    dutch = compose(SEM, reminder(kind), timezone=ZONE)
    english = compose(ANNE, reminder(kind), timezone=ZONE)

    assert (dutch.subject, english.subject) == SUBJECTS[kind]
    assert dutch.text.startswith("Hoi Sem,\n")
    assert english.text.startswith("Hi Anne,\n")
    for message in (dutch, english):
        assert message.url == "https://talks.example.nl/talks/t-1/prepare"
        assert f": {message.url}\n" in message.text
        assert f'href="{message.url}"' in message.html
        assert message.feed.activity_type == ACTIVITY_TYPES[kind]
        assert message.feed.topic == "Ontwikkelgesprek januari"
        names = [name for name, _ in message.feed.parameters]
        assert names == list(TEMPLATE_PARAMETERS[kind])
        assert ("date", "4 januari 2027") in dutch.feed.parameters or "date" not in names
        assert ("name", "Marco") in message.feed.parameters or "name" not in names
    assert 'lang="nl"' in dutch.html
    assert 'lang="en"' in english.html


def test_times_are_local_and_written_the_dutch_way() -> None:
    # 08:30 UTC in January is 09:30 in Amsterdam.
    dutch = compose(SEM, reminder("prepare"), timezone=ZONE)
    english = compose(ANNE, reminder("prepare"), timezone=ZONE)

    assert "Je gesprek met Marco is op dinsdag 12 januari 2027 om 09:30." in dutch.text
    assert "Your talk with Marco is on Tuesday 12 January 2027 at 09:30." in english.text


def test_the_agreement_is_quoted_and_its_date_is_a_feed_parameter() -> None:
    message = compose(SEM, reminder("due_soon"), timezone=ZONE)

    assert "    VCA-diploma halen\n" in message.text
    assert "VCA-diploma halen</blockquote>" in message.html
    assert ("date", "4 januari 2027") in message.feed.parameters
    assert message.feed.preview == (
        "Deze afspraak uit je gesprek met Marco moet af zijn op 4 januari 2027: VCA-diploma halen"
    )


def test_the_html_escapes_every_text_it_is_given() -> None:
    nasty = reminder(
        "check_in",
        agreement='<script>alert("x")</script> & <b>meer</b>',
        other_name="<i>Marco</i>",
        url="https://talks.example.nl/t?a=1&b=<2>",
    )
    message = compose(SEM, nasty, timezone=ZONE)

    assert "<script>" not in message.html
    assert "<b>" not in message.html
    assert "<i>" not in message.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;meer&lt;/b&gt;" in (
        message.html
    )
    assert 'href="https://talks.example.nl/t?a=1&amp;b=&lt;2&gt;"' in message.html
    # The plain text is text: nothing escaped there.
    assert '<script>alert("x")</script> & <b>meer</b>' in message.text


def test_only_the_other_participants_first_name_appears() -> None:
    for kind in KINDS:
        message = compose(SEM, reminder(kind), timezone=ZONE)
        for part in (message.subject, message.text, message.html, message.feed.preview):
            assert "de Vries" not in part
            assert "Bakker" not in part  # not even the reader's own surname


def test_the_preview_is_cut_to_what_teams_shows() -> None:
    long_text = "Elke week een uur oefenen met de lasapparatuur. " * 10
    message = compose(SEM, reminder("overdue", agreement=long_text), timezone=ZONE)

    assert len(message.feed.preview) == PREVIEW_LIMIT
    assert message.feed.preview.endswith("…")


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"kind": "nudge"}, "unknown reminder kind"),
        ({"url": "javascript:alert(1)"}, "http(s) URL"),
        ({"agreement": "  "}, "agreement's text"),
        ({"due": None}, "due date"),
    ],
)
def test_a_reminder_that_cannot_be_written_is_refused(
    overrides: dict[str, object], problem: str
) -> None:
    kind = str(overrides.pop("kind", "due_soon"))
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        reminder(kind, **overrides)
