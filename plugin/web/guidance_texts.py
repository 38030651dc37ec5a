"""What the guidance checks say to people, in the language the caller asked for.

The domain answers in codes (`question_check`, `agreement_check`, `feedback_check`); these are
the sentences for them, so a page, the API and any other client say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from plugin.domain.checklist import resolve_language

_QUESTION: dict[str, Callable[[], str]] = {
    "empty": lambda: _("Type a question to check it."),
    "not_a_question": lambda: _("This reads as a statement, not a question."),
    "several_questions": lambda: _("These are several questions at once. Ask one at a time."),
    "unknown_start": lambda: _(
        "This does not start with a question word. Start with what, how or why to invite a story."
    ),
    "question_word": lambda: _("Open: it starts with a question word and invites a story."),
    "invitation": lambda: _("Open: you invite the other to tell."),
    "starts_with_verb": lambda: _("Closed: it starts with a verb, so the answer is yes or no."),
    "leading_question": lambda: _(
        "Closed and leading: it gives the answer you hope for. Ask it openly."
    ),
    "tag_question": lambda: _("Closed: the tag at the end asks for a yes."),
    "embedded_question": lambda: _(
        "Friendly, but it starts with a verb. Ask the question directly."
    ),
    "statement_question": lambda: _(
        "Closed: a statement with a question mark asks for a yes or a no."
    ),
    "short_yes_no": lambda: _("Closed: a short question that gets a yes or a no."),
}


def question_reason(reason: str, lang: str) -> str:
    with force_locale(resolve_language(lang)):
        text = _QUESTION.get(reason)
        return str(text()) if text else ""


_MISSING: dict[str, Callable[[], str]] = {
    "action": lambda: _(
        "What will someone do that you can see? “Better” or “more” alone is hard to check."
    ),
    "owner": lambda: _("Who does it? Choose a person, or both of you."),
    "due": lambda: _("By when? Choose a date, or say it is ongoing."),
    "measure": lambda: _(
        "How will you both know it worked? Name a number, a result, or who checks it."
    ),
}


def agreement_texts(
    missing: Sequence[str], hints: Sequence[Any], lang: str
) -> list[dict[str, Any]]:
    """One line per missing part, worded with the words that made it vague when there are,
    then a line on words that judge the person."""
    with force_locale(resolve_language(lang)):
        out: list[dict[str, Any]] = []
        words = {h.code: list(h.words) for h in hints}
        for part in missing:
            code, message = part, str(_MISSING[part]())
            if part == "action" and words.get("vague_verb"):
                code = "vague_verb"
                message = _(
                    "“%(words)s” alone is hard to check. What will someone do that you can see?",
                    words=", ".join(words[code]),
                )
            elif part == "due" and words.get("vague_time"):
                code = "vague_time"
                message = _(
                    "“%(words)s” is no date. Choose one, or say it is ongoing.",
                    words=", ".join(words[code]),
                )
            out.append(_line(code, part, words.get(code, []), message))
        if words.get("judgement"):
            message = _(
                "“%(words)s” judges the person. Write what they will do instead.",
                words=", ".join(words["judgement"]),
            )
            out.append(_line("judgement", None, words["judgement"], message))
        return out


def _line(code: str, missing: str | None, words: list[str], message: object) -> dict[str, Any]:
    return {"code": code, "missing": missing, "words": words, "message": str(message)}


_FEEDBACK: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "empty_step": lambda p: _("This step is still empty."),
    "judgement": lambda p: _(
        "“%(words)s” judges the person. Name what you saw them do instead.", words=p["words"]
    ),
    "always_never": lambda p: _(
        "“%(words)s” is rarely true and invites a debate. Name one moment you saw.",
        words=p["words"],
    ),
    "not_from_self": lambda p: _("Say it from yourself: “I saw…”, “I noticed…”."),
    "no_effect": lambda p: _(
        "What does it lead to: for the work, the customer, the team, safety, or you?"
    ),
    "no_question": lambda p: _("Ask for a reaction, for example: “How do you see that?”"),
    "vague_agreement": lambda p: _(
        "Make the suggestion concrete: what will be done, by whom, by when, and how you will know."
    ),
}


def feedback_texts(hints: Sequence[Any], lang: str) -> list[dict[str, Any]]:
    with force_locale(resolve_language(lang)):
        out = []
        for hint in hints:
            text = _FEEDBACK.get(hint.code)
            words = ", ".join(hint.words)
            message = str(text({"words": words})) if text else ""
            out.append(
                {
                    "step": hint.step,
                    "code": hint.code,
                    "words": list(hint.words),
                    "message": message,
                }
            )
        return out
