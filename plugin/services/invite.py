"""The text of calendar invites: the preparation checklist, open agreements and the talk link;
for a check-in, its one agreement and what happened to it since it was signed.

Rendered from Jinja templates in `templates/invite/`, in the organisation's language. User text
is escaped in the HTML body by autoescaping. `event_of` makes the calendar event that carries one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from plugin.calendar.port import EventDraft, attendee_of
from plugin.domain.agreement import Agreement
from plugin.domain.agreement_progress import AgreementProgress
from plugin.domain.checklist import ChecklistTemplate
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.i18n import resolve, translations
from plugin.paths import templates_dir


@dataclass(frozen=True)
class InviteContent:
    subject: str
    text: str
    html: str


def event_of(
    talk: Talk, lead: Person, learner: Person, content: InviteContent, url: str
) -> EventDraft:
    """The talk's calendar event, sent by its lead to its learner, carrying `content`."""
    return EventDraft(
        transaction_id=f"talk-{talk.id}",
        organizer=attendee_of(lead),
        attendees=(attendee_of(learner),),
        subject=content.subject,
        start=talk.starts_at,
        end=talk.ends_at,
        body_text=content.text,
        body_html=content.html,
        url=url,
    )


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


def render_invite(
    *,
    language: str,
    subject: str,
    lead_name: str,
    learner_name: str,
    starts_at: datetime,
    timezone: str,
    talk_url: str,
    template: ChecklistTemplate,
    goals: Sequence[str],
    own_goal: str,
    open_agreements: Sequence[Agreement],
) -> InviteContent:
    from babel.dates import format_datetime  # loaded by the first invite, not at start-up

    lang = resolve(language)
    local = starts_at.astimezone(ZoneInfo(timezone))
    context = {
        "lang": lang,
        "subject": subject,
        "lead_name": lead_name,
        "learner_name": learner_name,
        "when": format_datetime(local, "EEEE d MMMM y, HH:mm", locale=lang),
        "talk_url": talk_url,
        "checklist": template.to_dict(lang),
        "goals": [template.item(g).text.in_(lang) for g in goals],
        "own_goal": own_goal,
        "agreements": open_agreements,
    }
    env = _environment(lang)
    return InviteContent(
        subject=subject,
        text=env.get_template("invite/body.txt").render(context),
        html=env.get_template("invite/body.html").render(context),
    )


def render_check_in_invite(
    *,
    language: str,
    subject: str,
    lead_name: str,
    learner_name: str,
    starts_at: datetime,
    timezone: str,
    talk_url: str,
    agreement: Agreement,
    owner_name: str,
    agreed_on: datetime,
    history: Sequence[AgreementProgress],
    names: dict[str, str],
) -> InviteContent:
    """A check-in's invite: why it is held (its agreement, who keeps it, by when, agreed in
    which talk) and the agreement's progress since, oldest first, with who wrote each step.
    No checklist: there is nothing to prepare."""
    from babel.dates import format_date, format_datetime

    lang = resolve(language)
    zone = ZoneInfo(timezone)

    def day(value: date | datetime) -> str:
        local = value.astimezone(zone).date() if isinstance(value, datetime) else value
        return format_date(local, "d MMMM y", locale=lang)

    context = {
        "lang": lang,
        "subject": subject,
        "lead_name": lead_name,
        "learner_name": learner_name,
        "when": format_datetime(starts_at.astimezone(zone), "EEEE d MMMM y, HH:mm", locale=lang),
        "talk_url": talk_url,
        "what": agreement.what,
        "owner_name": owner_name,
        "due": day(agreement.due) if agreement.due is not None else "",
        "agreed_on": day(agreed_on),
        "steps": [
            {
                "kind": entry.kind.value,
                "day": day(entry.created_at),
                "by": names.get(entry.author_id, ""),
                "note": entry.note,
            }
            for entry in history
        ],
    }
    env = _environment(lang)
    return InviteContent(
        subject=subject,
        text=env.get_template("invite/check_in.txt").render(context),
        html=env.get_template("invite/check_in.html").render(context),
    )
