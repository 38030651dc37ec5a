"""What the PDF of a signed form says: the form stored at sign-off, as text in one language.

Built from the stored form only (`Talk.signed_form`, with its hash): names as they were signed,
agreements as confirmed. Two things come from outside it, and both are fixed once the talk is
signed: the checklist's texts for the chosen goals (the form keeps their ids), and the booked
follow-up, which the PDF shows apart from what was signed (it is booked after sign-off).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from plugin.domain.checklist import ChecklistTemplate
from plugin.i18n import resolve, translations


@dataclass(frozen=True)
class AgreementRow:
    what: str
    #: Who keeps it: a name, or "both".
    owner: str
    #: The due date as words, or "" when there is none.
    due: str
    reaction: str
    #: Who confirmed the wording and when, as words, or "" when nobody did.
    confirmed: str


@dataclass(frozen=True)
class SignatureRow:
    role: str
    name: str
    signed_at: str


@dataclass(frozen=True)
class FormDocument:
    """The signed form as the PDF shows it (texts in `lang`), and what it is made from."""

    lang: str
    title: str
    #: The kind of talk, as its type version names it ("POP-gesprek").
    kind: str
    #: When the talk was: the day, and the day with its time.
    starts_on: str
    starts_at: str
    lead_name: str
    learner_name: str
    goals: tuple[str, ...]
    #: (whose, text) of each participant's own goal that says something.
    own_goals: tuple[tuple[str, str], ...]
    #: (item, note) of what was heard about the agenda's items.
    summary: tuple[tuple[str, str], ...]
    agreements: tuple[AgreementRow, ...]
    signatures: tuple[SignatureRow, ...]
    follow_up: str
    content_hash: str
    credit: str
    #: The last signature: the moment the form was complete, and so the PDF's own date.
    signed_at: datetime
    #: The signed form as the canonical JSON its hash is taken of (attached to the PDF).
    form_json: bytes


class FormNotIntact(Exception):
    """The stored form does not match its hash: no PDF may vouch for it."""


def canonical_json(form: Mapping[str, Any]) -> bytes:
    """The form's bytes as `plugin.domain.form.form_hash` hashes them."""
    text = json.dumps(form, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


class _Words:
    """Dates and times as the form writes them, in one language and time zone."""

    def __init__(self, lang: str, timezone: str) -> None:
        self.lang = lang
        self.zone = ZoneInfo(timezone)
        self.gettext = translations(lang).gettext

    def day(self, value: date) -> str:
        return format_date(value, "long", locale=self.lang)

    def local_day(self, iso: str) -> str:
        return self.day(datetime.fromisoformat(iso).astimezone(self.zone).date())

    def moment(self, iso: str) -> str:
        local = datetime.fromisoformat(iso).astimezone(self.zone)
        return self.gettext("%(date)s at %(time)s") % {
            "date": self.day(local.date()),
            "time": format_time(local, "HH:mm", locale=self.lang),
        }


def form_document(
    form: Mapping[str, Any],
    content_hash: str,
    *,
    language: str,
    timezone: str,
    checklist: ChecklistTemplate,
    follow_up: datetime | None,
) -> FormDocument:
    """The PDF's content for a stored signed `form`; `FormNotIntact` if it fails its hash."""
    form_json = canonical_json(form)
    if hashlib.sha256(form_json).hexdigest() != content_hash:
        raise FormNotIntact(form.get("talk_id", ""))
    words = _Words(resolve(language), timezone)
    lang, _ = words.lang, words.gettext
    lead, learner = form["lead"], form["learner"]
    names = {lead["id"]: lead["name"], learner["id"]: learner["name"]}
    owners = {"lead": lead["name"], "learner": learner["name"], "both": _("Both")}

    def goal_text(item_id: str) -> str:
        try:
            return checklist.item(item_id).text.in_(lang)
        except KeyError:  # a goal of another checklist: its id still says what it was
            return item_id

    own_goals = ((lead["name"], form["own_goal"]), (learner["name"], form.get("learner_goal")))
    summary = tuple(
        (
            goal_text(item["label"]) if item["key"].startswith("goal:") else item["label"],
            item["note"],
        )
        for item in form.get("summary", [])
    )
    if follow_up is not None:
        follow_up_text = _("Follow-up talk: %(when)s") % {
            "when": words.moment(follow_up.isoformat())
        }
    else:
        follow_up_text = _("No follow-up yet.")
    return FormDocument(
        lang=lang,
        title=form["title"].strip() or _("Development talk"),
        kind=checklist.name.in_(lang),
        starts_on=words.local_day(form["starts_at"]),
        starts_at=words.moment(form["starts_at"]),
        lead_name=lead["name"],
        learner_name=learner["name"],
        goals=tuple(goal_text(g) for g in form["goals"]),
        own_goals=tuple((who, text) for who, text in own_goals if text),
        summary=summary,
        agreements=tuple(_agreement(item, names, owners, words) for item in form["agreements"]),
        signatures=tuple(
            _signature(item, names, words)
            for item in sorted(form["signatures"], key=lambda s: s["role"] != "lead")
        ),
        follow_up=follow_up_text,
        content_hash=content_hash,
        credit=checklist.credit.in_(lang),
        signed_at=max(datetime.fromisoformat(s["signed_at"]) for s in form["signatures"]),
        form_json=form_json,
    )


def _agreement(
    item: Mapping[str, Any],
    names: Mapping[str, str],
    owners: Mapping[str, str],
    words: _Words,
) -> AgreementRow:
    _ = words.gettext
    confirmed = ""
    if item["confirmed_by"] and item["confirmed_at"]:
        who = names.get(item["confirmed_by"], "")
        confirmed = _("%(name)s, %(when)s") % {
            "name": who,
            "when": words.moment(item["confirmed_at"]),
        }
    return AgreementRow(
        what=item["what"],
        owner=owners[item["owner"]],
        due=words.day(date.fromisoformat(item["due"])) if item["due"] else "",
        reaction=item["reaction"] or "",
        confirmed=confirmed,
    )


def _signature(item: Mapping[str, Any], names: Mapping[str, str], words: _Words) -> SignatureRow:
    roles = {"lead": words.gettext("Lead"), "learner": words.gettext("Learner")}
    return SignatureRow(
        role=roles[item["role"]],
        name=names.get(item["person_id"], ""),
        signed_at=words.moment(item["signed_at"]),
    )
