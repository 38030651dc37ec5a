"""Question check: is a question open or closed, and what would an open version be?

The guide's rule: open questions start with a question word (wie, wat, waar, wanneer, waarom,
welke, hoe; who, what, where, when, why, which, how) and invite a story; closed questions start
with a verb ("Ben je...?", "Ga je...?") and get a yes or a no. On top of that rule the check
knows a little of how people talk:

- leading words are skipped ("En", "Dus", "Oké,", "So", "Well,", "Sem,", "Dan de planning:"),
  and so is a statement before the question ("Goed gedaan. Hoe ging het?");
- a tag makes a question closed ("..., toch?", "..., right?", "..., isn't it?", "of niet?"),
  and so does a yes/no question after an opener ("Wat denk je, lukt het voor vrijdag?");
- a leading question is closed ("Vind je niet dat...?", "Don't you think...?");
- Dutch inversion counts as a verb first, also for verbs not listed ("Regel jij...?");
- a polite request with a question word inside ("Kun je vertellen wat er gebeurde?") starts
  with a verb, so by the guide it is closed; it does invite a story, so it has its own reason
  and the direct question ("Wat gebeurde er?") as its suggestion;
- "Vertel eens..." or "Tell me about..." is no question but an open invitation;
- without "?" a sentence counts only in question order ("Hoe ging het", "Heb je vragen");
- a statement with "?" ("Je hebt de klant gebeld?") asks for a yes or a no: closed;
- more than one question at once is "unclear": ask one at a time.

Limits, honestly: this reads words, not meaning, and does not parse sentences. An unknown verb
first, "wat" meaning "iets" ("Heb je wat gegeten?"), irony, or two questions in one sentence
can be misread. Suggestions exist only for common patterns, are built from the words typed and
are left out where a rewrite would not read naturally (status checks such as "Heb je de klant
gebeld?" get none). The result is a hint for the lead, never a reason to block or to judge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from plugin.domain.checklist import resolve_language
from plugin.domain.question_grammar import DUTCH, ENGLISH, Grammar, nl_clause

Kind = Literal["open", "closed", "unclear"]
Reason = Literal[
    "empty", "not_a_question", "several_questions", "unknown_start", "question_word",
    "invitation", "starts_with_verb", "leading_question", "tag_question", "embedded_question",
    "statement_question", "short_yes_no",
]  # fmt: skip

#: Longer questions get no suggestion: a rewrite of a speech does not read naturally.
MAX_SUGGEST_WORDS = 25


@dataclass(frozen=True, slots=True)
class QuestionCheck:
    """The verdict on one question: its kind, why, and an open version when one reads well."""

    kind: Kind
    reason: Reason
    suggestion: str | None = None


_WORD = re.compile(r"\w+(?:[-'’:.,/]\w+)*")
_ABBREVIATION = re.compile(r"(?:\b\w\.|\b(?:bijv|bv|evt|ca|nr|etc|vs|mr|mrs|dr|mevr|dhr)\.)$")


def check_question(text: str, language: str) -> QuestionCheck:
    """Check one question in ``language`` ("nl" or "en"; anything else reads as Dutch)."""
    grammar = ENGLISH if resolve_language(language) == "en" else DUTCH
    sentences = _sentences(text.replace("’", "'"))
    if not sentences:
        return QuestionCheck("unclear", "empty")
    questions = [s for s in sentences if re.search(r"\?\W*$", s)]
    if len(questions) > 1:
        return QuestionCheck("unclear", "several_questions")
    sentence = questions[0] if questions else sentences[-1]
    kind, reason, words = _classify(_strip_lead(sentence, grammar), bool(questions), grammar)
    suggestion = None
    if kind == "closed" and len(words) <= MAX_SUGGEST_WORDS:
        if not any(ch.islower() for ch in sentence):
            words = [w.lower() for w in words]  # ALL CAPS: do not shout the suggestion back
        suggestion = _suggest(words, reason, grammar)
    return QuestionCheck(kind, reason, suggestion)


def _sentences(text: str) -> list[str]:
    """Split after ".", "!" or "?" and a space, but not after an abbreviation like "bijv."."""
    parts: list[str] = []
    for piece in re.split(r"(?<=[.!?])\s+", text.strip()):
        if parts and _ABBREVIATION.search(parts[-1][-12:]):  # the tail: long texts stay fast
            parts[-1] += " " + piece
        else:
            parts.append(piece)
    return [p for p in parts if _WORD.search(p)]


def _strip_lead(sentence: str, g: Grammar) -> str:
    """Drop a lead-in ("Dan de planning: ...") and leading words ("En", "Dus", "Well,")."""
    after_colon = re.split(r":\s", sentence)[-1]
    core = after_colon if _WORD.search(after_colon) else sentence
    while (stripped := g.fillers.sub("", core, count=1)) != core and _WORD.search(stripped):
        core = stripped
    return core


def _classify(core: str, asked: bool, g: Grammar, depth: int = 0) -> tuple[Kind, Reason, list[str]]:
    words = _WORD.findall(core)
    low = [w.lower() for w in words]
    first, second = low[0], low[1] if len(low) > 1 else ""
    if asked and (
        g.tag.search(core) or (g.bare_tag.search(core) and first not in g.question_words)
    ):
        return "closed", "tag_question", words
    if g.leading.search(" ".join(low)):
        return "closed", "leading_question", words
    if first in g.invitations and second not in g.subjects:
        return "open", "invitation", words
    inverted = second in g.subjects and (g.any_verb_inverts or first in g.verbs)
    if first in g.question_words:
        # "Wanneer je klaar bent, ..." sets a condition; "Wat een klus." exclaims.
        conditional = first in g.conditional and second not in g.verbs
        head, _, rest = core.partition(",")
        if rest and g.opener.fullmatch(" ".join(_WORD.findall(head.lower()))):
            verdict = _classify(rest, asked, g, depth + 1)
            if verdict[0] == "closed":
                return verdict
        if not conditional and (asked or second not in ("een", "a", "an")):
            return "open", "question_word", words
    elif first in g.verbs or (inverted and first not in g.not_verbs):
        if asked or inverted:
            embedded = _embedded_at(low, g) is not None
            return "closed", "embedded_question" if embedded else "starts_with_verb", words
    elif asked and first in g.short and len(low) <= 5 and "," not in core:
        return "closed", "short_yes_no", words
    if "," in core and depth < 3:  # "Sem, hoe ging het?", "Als je terugkijkt, wat ging goed?"
        rest = core.split(",", 1)[1]
        if _WORD.search(rest):
            kind, reason, rest_words = _classify(rest, asked, g, depth + 1)
            # After "Wanneer je klaar bent," Dutch puts the verb first in a statement too.
            if kind == "open" or (asked and kind == "closed"):
                return kind, reason, rest_words
    if not asked:
        return "unclear", "not_a_question", words
    if len(low) >= 3:
        return "closed", "statement_question", words
    return "unclear", "unknown_start", words


def _embedded_at(low: list[str], g: Grammar) -> int | None:
    """Where a question word follows a verb of telling or knowing, as in 'Weet je wat...'."""
    for j in range(2, len(low)):
        if low[j] in g.question_words and any(w in g.tell for w in low[:j]):
            return j
    return None


def _suggest(words: list[str], reason: Reason, g: Grammar) -> str | None:
    if reason in ("tag_question", "leading_question", "statement_question"):
        return None
    low = [w.lower() for w in words]
    # Keep names' capitals ("Van Dam", "BBL"), not those of the first word or of "hEb vRaGeN".
    words = [w.lower() if re.search(r"[^\W\d_A-Z][A-Z]", w) else w for w in words]
    words = [low[0] if words[0] != "I" else "I", *words[1:]]
    if g.understood.fullmatch(" ".join(low)):
        return g.unclear
    if reason == "embedded_question":
        j = _embedded_at(low, g)
        return _rewrite_clause(words, j, g) if j is not None else None
    if not g.negations & set(low):
        line = " ".join(words)
        for pattern, template in g.patterns:
            if m := pattern.fullmatch(line):
                return _tidy(m.expand(template))
    return _indefinite(words, low, g) if reason == "starts_with_verb" else None


def _rewrite_clause(words: list[str], j: int, g: Grammar) -> str | None:
    """Ask the inner question directly: '... wat er gebeurde' -> 'Wat gebeurde er?'."""
    low = [w.lower() for w in words]
    end = j + 1
    if end < len(low) and (
        (low[j] in g.phrase_nouns and low[end] not in g.subjects)
        or (low[j] in ("how", "hoe") and low[end] in g.phrase_adverbs)
        or (low[j] == "what" and end + 1 < len(low) and low[end + 1] in g.subjects)
    ):
        end += 1
        if low[end - 1] in ("many", "much", "veel") and end < len(low):
            end += 1  # "how many hours", "hoeveel tijd"
    rewritten = g.clause(words[j:end], words[end:])
    return _tidy(" ".join(rewritten)) if rewritten else None


def _indefinite(words: list[str], low: list[str], g: Grammar) -> str | None:
    """'Loop je ergens tegenaan?' -> 'Waar loop je tegenaan?', 'Did you learn anything?'."""
    i = next((i for i, w in enumerate(low) if w in g.indefinites), None)
    if i is None or i == 0 or set(low[:i]) & g.subordinators:
        return None
    question = g.indefinites[low[i]]
    rest = [w for w in words[i + 1 :] if w.lower() not in ("nieuws", "new")]  # "iets nieuws"
    if rest and rest[0].lower() in ("wat", "dat", "die", "waar"):  # "iets wat je lastig vond"
        rewritten = nl_clause([question], rest[1:])
        return _tidy(" ".join(rewritten)) if rewritten else None
    if "there" in low[:i] and rest and rest[0].lower() in ("who", "that", "which"):
        return _tidy(" ".join([question, *rest[1:]]))  # "Is there anyone who can help you?"
    if rest and rest[0].lower() == "else":
        question, rest = question + " else", rest[1:]
    if g is DUTCH and not rest:
        return None  # "Heb je iets?": nothing left to ask about
    if g is ENGLISH and ((i == 1 and low[0] in ("do", "does", "did")) or "there" in low[:i]):
        return None  # "Did anything go wrong?" would need "went"
    return _tidy(" ".join([question, *words[:i], *rest]))


def _tidy(text: str) -> str:
    text = " ".join(text.split()).replace(" ?", "?").rstrip("?") + "?"
    return text[0].upper() + text[1:]
