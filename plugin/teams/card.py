"""The Adaptive Card that sums up a signed talk's agreements, and the chat message carrying it.

Pure functions over plain values: no Flask, no database, no Graph. `talk_card` builds the card
(Adaptive Cards 1.5) in the talk's language;
`card_message` wraps it as a Graph chatMessage: an html body holding only the
``<attachment id="…">`` placeholder, and one attachment whose content is the card as a JSON
*string* (Graph wants a string there, not an object).

**User text is data, not markup.** TextBlocks interpret a markdown subset (bold, italic, lists,
links) and ``{{DATE(…)}}``/``{{TIME(…)}}`` functions, so every text a person wrote (the title,
names, agreements) goes through `escape_markdown` first: a learner's "**x** [link](http://evil)"
shows exactly as typed. The html body is escaped with `html.escape`. Labels come from the Babel
catalogue with English source strings, dates from Babel in the same language.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from plugin.domain.agreement import AgreementStatus, Owner
from plugin.i18n import resolve, translations

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.5"
#: The attachment content type Graph and Teams use for Adaptive Cards.
ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
#: Names the card's attachment ids: the same talk always gets the same id (see `attachment_id`).
_ATTACHMENT_NAMESPACE = uuid.UUID("0b6f3c1e-6d2a-5b8e-9a57-3f0c2d4e8a11")

# Escaped anywhere: emphasis (* _ ~), links and images ([ ]), code (`), raw html and autolinks
# (< >), entities (&: "&lt;" would show as "<"), the card's {{DATE()}} functions ({), and the
# backslash itself, so that a user's backslash cannot undo one of ours.
_INLINE = frozenset("\\`*_~[]<>&{")
# Escaped at the start of a line only: headings, list items, setext underlines, quotes.
_LINE_MARK = re.compile(r"^([ \t]*)([#+\-=]|\d+(?=[.)]))", re.MULTILINE)


@dataclass(frozen=True)
class AgreementLine:
    """One agreement as the card shows it."""

    text: str
    owner: Owner
    status: AgreementStatus
    due: date | None = None


@dataclass(frozen=True)
class TalkSummary:
    """What the card says about a signed talk: plain values, read from the talk by the caller."""

    talk_id: str
    title: str
    lead_name: str
    learner_name: str
    #: The kind of talk in the card's language, as its type version names it ("POP-gesprek").
    kind: str
    #: The day the second signature was set (in the organisation's time zone).
    signed_on: date
    agreements: tuple[AgreementLine, ...]
    #: Where "Open the form" goes: the signed form, e.g. a Teams deep link to the tab.
    form_url: str
    #: The booked follow-up's start (timezone-aware), or None when none is booked yet.
    follow_up: datetime | None = None
    #: Where "Download the form (PDF)" goes: the signed form's PDF/A for the personnel file.
    pdf_url: str | None = None


@dataclass(frozen=True)
class CardMessage:
    """A chatMessage carrying one card, in the parts Graph's chatMessage is made of."""

    attachment_id: str
    #: The html body: the attachment placeholder (and an escaped intro, if any).
    body_html: str
    #: The card as a JSON string: a chatMessage attachment's ``content``.
    card_json: str

    def graph_json(self) -> dict[str, Any]:
        """The chatMessage as Graph's JSON (``POST /chats/{id}/messages``)."""
        return {
            "body": {"contentType": "html", "content": self.body_html},
            "attachments": [
                {
                    "id": self.attachment_id,
                    "contentType": ADAPTIVE_CARD_CONTENT_TYPE,
                    "content": self.card_json,
                }
            ],
        }


def escape_markdown(text: str) -> str:
    """``text`` as a TextBlock shows it literally: markdown and card functions escaped.

    The escapes are CommonMark's backslash escapes. Teams on Windows and macOS honours them;
    Android and iOS were reported to show the backslash instead (MicrosoftDocs/msteams-docs#5793,
    microsoft/AdaptiveCards#7474), which still shows the text rather than obeying it. Line
    breaks are kept, as ``\\n`` (Adaptive Cards also break lines at ``\\r``).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    escaped = "".join("\\" + ch if ch in _INLINE else ch for ch in text)
    # A line-start mark becomes plain text once escaped; for "1." the dot is what counts.
    return _LINE_MARK.sub(_escape_line_mark, escaped)


def _escape_line_mark(match: re.Match[str]) -> str:
    indent, mark = match.group(1), match.group(2)
    if mark[0].isdigit():
        return indent + mark + "\\"  # the "." or ")" that follows is the list marker
    return indent + "\\" + mark


def attachment_id(talk_id: str) -> str:
    """The card's attachment id for a talk: stable, so a repeated post can be recognised."""
    return uuid.uuid5(_ATTACHMENT_NAMESPACE, f"signed-talk:{talk_id}").hex


def talk_card(
    summary: TalkSummary, language: str = "nl", *, timezone: str = "Europe/Amsterdam"
) -> dict[str, Any]:
    """The Adaptive Card for a signed talk, in ``language`` ("nl" or "en")."""
    from babel.dates import format_date, format_datetime  # loaded on first use, as invites do

    lang = resolve(language)
    t = translations(lang)
    _ = t.gettext

    def day(value: date) -> str:
        return format_date(value, "long", locale=lang)

    lead = escape_markdown(summary.lead_name)
    learner = escape_markdown(summary.learner_name)
    owners = {Owner.LEAD: lead, Owner.LEARNER: learner, Owner.BOTH: _("Both")}
    statuses = {
        AgreementStatus.OPEN: _("Open"),
        AgreementStatus.DONE: _("Done"),
        AgreementStatus.DROPPED: _("Dropped"),
    }

    body: list[dict[str, Any]] = [
        _text(
            escape_markdown(summary.title.strip()) or _("Development talk"),
            size="Large",
            weight="Bolder",
            style="heading",
        ),
        _text(
            _("%(kind)s between %(lead)s and %(learner)s")
            % {"kind": escape_markdown(summary.kind), "lead": lead, "learner": learner},
            isSubtle=True,
            spacing="None",
        ),
        _text(_("Signed on %(date)s") % {"date": day(summary.signed_on)}),
        _text(_("Agreements"), size="Medium", weight="Bolder", style="heading", separator=True),
    ]
    for agreement in summary.agreements:
        facts = [owners[agreement.owner]]
        if agreement.due is not None:
            facts.append(_("due %(date)s") % {"date": day(agreement.due)})
        facts.append(statuses[agreement.status])
        body.append(
            {
                "type": "Container",
                "spacing": "Medium",
                "items": [
                    _text(escape_markdown(agreement.text)),
                    _text(" · ".join(facts), isSubtle=True, size="Small", spacing="None"),
                ],
            }
        )
    if not summary.agreements:
        body.append(_text(_("No agreements were made."), isSubtle=True))
    if summary.follow_up is not None:
        local = summary.follow_up.astimezone(ZoneInfo(timezone))
        when = format_datetime(local, "EEEE d MMMM y, HH:mm", locale=lang)
        body.append(_text(_("Follow-up talk: %(when)s") % {"when": when}, separator=True))
    else:
        body.append(_text(_("No follow-up yet."), separator=True))

    actions = [{"type": "Action.OpenUrl", "title": _("Open the form"), "url": summary.form_url}]
    if summary.pdf_url is not None:
        title = _("Download the form (PDF)")
        actions.append({"type": "Action.OpenUrl", "title": title, "url": summary.pdf_url})
    return {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "lang": lang,
        "body": body,
        "actions": actions,
    }


def card_message(card: Mapping[str, Any], *, attachment: str, intro: str = "") -> CardMessage:
    """``card`` as a chatMessage: an html body with its placeholder (after ``intro``, escaped)."""
    placeholder = f'<attachment id="{html.escape(attachment, quote=True)}"></attachment>'
    body = (f"<p>{html.escape(intro)}</p>" if intro else "") + placeholder
    return CardMessage(
        attachment_id=attachment,
        body_html=body,
        card_json=json.dumps(card, ensure_ascii=False, separators=(",", ":")),
    )


def talk_card_message(
    summary: TalkSummary, language: str = "nl", *, timezone: str = "Europe/Amsterdam"
) -> CardMessage:
    """The chat message for a signed talk: its card, under the talk's stable attachment id."""
    return card_message(
        talk_card(summary, language, timezone=timezone), attachment=attachment_id(summary.talk_id)
    )


def _text(text: str, **options: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **options}
