"""A reminder, written for one person: subject, plain text, HTML and the Teams feed's lines.

The words live in Jinja templates under `templates/mail/`: `_reminder.txt` holds them once per
kind (one macro per part), `reminder.txt` and `reminder.html` lay them out, in the recipient's
language through the app's catalogues. The HTML is autoescaped: an agreement's text, a name or
a title cannot add markup. A reminder carries only what it is about: the recipient's own first
name, the other participant's first name, the talk's title and time, the agreement's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from plugin.domain.people import first_name
from plugin.domain.reminders import ReminderKind
from plugin.i18n import resolve, translations
from plugin.notify.port import FeedItem, Message, Recipient
from plugin.paths import templates_dir

# The kinds are the reminder domain's (`domain/reminders.py`), under the names used here.
PREPARE, SIGN, AGREEMENT_DUE, AGREEMENT_OVERDUE, CHECK_IN = (
    ReminderKind.PREPARE.value,
    ReminderKind.SIGN.value,
    ReminderKind.DUE_SOON.value,
    ReminderKind.OVERDUE.value,
    ReminderKind.CHECK_IN.value,
)
KINDS = (PREPARE, SIGN, AGREEMENT_DUE, AGREEMENT_OVERDUE, CHECK_IN)
#: Reminders about one agreement: they need its text and due date.
AGREEMENT_KINDS = frozenset({AGREEMENT_DUE, AGREEMENT_OVERDUE, CHECK_IN})

#: Each kind's activity type in the Teams manifest (`manifest/manifest.template.json`, whose
#: `templateText` is the reminder's subject with `{name}` and `{date}`).
ACTIVITY_TYPES = {
    PREPARE: "prepareTalk",
    SIGN: "signOffTalk",
    AGREEMENT_DUE: "agreementDueSoon",
    AGREEMENT_OVERDUE: "agreementOverdue",
    CHECK_IN: "checkInProposed",
}

#: The `{placeholders}` of each activity type's `templateText`: Teams wants exactly these.
TEMPLATE_PARAMETERS: dict[str, tuple[str, ...]] = {
    PREPARE: ("name",),
    SIGN: ("name",),
    AGREEMENT_DUE: ("date",),
    AGREEMENT_OVERDUE: ("date",),
    CHECK_IN: ("name",),
}

#: Teams shows the first 150 characters of a preview.
PREVIEW_LIMIT = 150

_WHEN = {"nl": "EEEE d MMMM y 'om' HH:mm", "en": "EEEE d MMMM y 'at' HH:mm"}
_DAY = "d MMMM y"


@dataclass(frozen=True)
class Reminder:
    """What one reminder is about. The scan that decides when to send it fills this in."""

    kind: str
    #: The talk's title, as both participants see it.
    talk_title: str
    #: The talk's start (prepare, sign) or the proposed check-in's (check_in); aware.
    starts_at: datetime
    #: Where the recipient acts: the preparation, the form, the agreement, the proposal.
    url: str
    #: The other participant's first name.
    other_name: str
    #: The agreement's text (agreement reminders and check-ins).
    agreement: str = ""
    #: The agreement's due date (agreement reminders).
    due: date | None = None
    #: Stable per occasion (e.g. "reminder-42"): the e-mail's Message-ID is made from it.
    key: str = ""
    #: A check-in for which no time free for both was found: the lead picks one.
    no_time: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown reminder kind {self.kind!r}")
        if self.starts_at.tzinfo is None:
            raise ValueError("starts_at must be an aware datetime")
        if self.kind in (AGREEMENT_DUE, AGREEMENT_OVERDUE) and self.due is None:
            raise ValueError(f"a {self.kind} reminder needs the agreement's due date")
        if not self.url.startswith(("https://", "http://")):
            raise ValueError("url must be an http(s) URL")  # never a javascript: link in a mail
        if self.kind in AGREEMENT_KINDS and not self.agreement.strip():
            raise ValueError(f"a {self.kind} reminder needs the agreement's text")


@cache
def _environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def compose(recipient: Recipient, reminder: Reminder, *, timezone: str) -> Message:
    """`reminder` as `recipient` reads it, in their language; times in `timezone`."""
    from babel.dates import format_date, format_datetime  # loaded on first use, as invites do

    lang = resolve(recipient.language)
    local = reminder.starts_at.astimezone(ZoneInfo(timezone))
    context: dict[str, Any] = {
        "kind": reminder.kind,
        "lang": lang,
        "first_name": first_name(recipient.name),
        "other": first_name(reminder.other_name),
        "title": reminder.talk_title,
        "when": format_datetime(local, _WHEN[lang], locale=lang),
        "due": format_date(reminder.due, _DAY, locale=lang) if reminder.due else "",
        "agreement": reminder.agreement.strip(),
        "url": reminder.url,
        "no_time": reminder.no_time,
    }
    env = _environment(lang)
    # The words are rendered here, outside any template: a macro called from an autoescaped
    # template would mark its unescaped output safe. As plain strings, the HTML escapes them.
    module: Any = env.get_template("mail/_reminder.txt").module
    words = {
        part: " ".join(str(getattr(module, part)(context)).split())
        for part in ("subject", "greeting", "lead", "ask", "button", "footer")
    }
    preview = f"{words['lead']} {context['agreement']}" if context["agreement"] else words["lead"]
    values = {"name": context["other"], "date": context["due"]}
    parameters = tuple((name, values[name]) for name in TEMPLATE_PARAMETERS[reminder.kind])
    return Message(
        subject=words["subject"],
        text=env.get_template("mail/reminder.txt").render(r=context, w=words),
        html=env.get_template("mail/reminder.html").render(r=context, w=words),
        url=reminder.url,
        feed=FeedItem(
            activity_type=ACTIVITY_TYPES[reminder.kind],
            topic=reminder.talk_title,
            preview=_shorten(preview, PREVIEW_LIMIT),
            parameters=parameters,
        ),
        key=reminder.key,
    )


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
