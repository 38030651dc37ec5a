"""Agreement check: what a written agreement still lacks to be concrete.

The guide asks for concrete agreements. An agreement is concrete when it says four things, and
`check_agreement` names the ones it cannot find (`missing`, in this order):

- "action": something someone can be seen doing. Vague words ("beter", "meer", "proberen", "je
  best doen", "werken aan", "letten op", "zorgen dat"; "better", "more", "try", "do your best",
  "work on", "pay attention"), judgements ("lui", "slordig"; "lazy", "sloppy") and abstract nouns
  ("inzet", "motivatie"; "commitment", "attitude") name no action by themselves. When one of
  them is there, the action counts only if a known concrete verb is there too ("Proberen
  storingen zelf op te lossen", "Meer vragen stellen", "Try to fix more faults"). Without a
  vague word, any verb-like word counts ("De werkplaats opruimen", "Tidy up the workshop").
- "owner": only when the form gives no owner *and* the text names nobody: no "ik", "je",
  "we", "hij", "samen" ("I", "you", "we", "he", "together") and no name. A capitalised word is
  a name unless it follows a preposition or article ("bij Jansen", "for Van Dam", "the Deventer
  job"), is a day, month or holiday, or is in capitals (VCA, BPV); the first word is a name
  only when a verb follows ("Sem belt", "Sem calls", "Sem en Marco").
- "due": no due date on the form, no moment named in the text ("voor vrijdag", "uiterlijk 1
  maart", "binnen twee weken", "deze maand", "na de zomer", "bij de volgende storing",
  "voordat hij de klant verlaat"; "by Friday", "within two weeks", "at the next talk"), nothing
  recurring ("elke week", "altijd", "per week"; "every Monday", "always") and nothing ongoing
  ("vanaf nu", "voortaan", "doorlopend"; "from now on", "ongoing"). `ongoing=True` (the form's
  switch) counts as a due; `ongoing=False` means the text's ongoing words do not count.
  "Zo snel mogelijk", "binnenkort", "op tijd", "om 7:00", "na een kwartier" ("asap", "soon",
  "on time", "at 7:00") name no due.
- "measure": how both will know it worked. Always: a count or precise standard ("twee",
  "drie keer", "een keer", "om 7:00"; "three times", "once"), a check or joint review
  ("Marco controleert", "samen nakijken", "bespreken", "evalueren"; "inspects", "go through",
  "discuss"), working on one's own ("zelfstandig", "zonder hulp"; "independently", "on his own",
  "without help"), or discussing it in the next talk. Only when there is an action as well: a
  visible result (handed in, sent, called, signed, filled in, written down, finished; a werkbon,
  verslag, logboek, certificaat, offerte, planning; a job sheet, report, log, exam) or a
  recurring moment ("elke vrijdag", "altijd"; "every Friday", "always": each time shows it).
  Numbers inside a named moment ("uiterlijk 1 maart", "binnen twee weken") are no count. With a
  comparative ("meer", "vaker"; "more", "more often") a result or a recurring moment is no
  measure: "Vaker de werkvoorbereider bellen" shows a call, not that it is called more often.

`hints` name the words behind a verdict, so the page can point at them (codes are stable):

- "vague_verb": the vague words found, also when a concrete action is there as well.
- "judgement": words that judge the person ("lui", "slordig"; "lazy", "sloppy").
- "vague_time": a time that is no time ("zo snel mogelijk", "binnenkort"; "asap", "soon"), only
  while "due" is missing.

Limits, honestly: this reads words, not meaning. It does not parse sentences, so it cannot tell
a verb from a noun of the same spelling outside its lists (Dutch plurals in "-en" read as verbs
when no vague word is there: "Storingen" alone passes as an action; in English any text without
a vague word passes, as agreements there start with a verb), nor whom a pronoun means ("je" in
"je helm" names the reader as owner). A concrete verb that is not in the lists, next to a vague
word, makes the action read as missing. Names are recognised by capitals only, so a lowercase
name is missed and a customer at the start with a verb after it ("Jansen belt terug") reads as
the owner. Whether the measure really shows the agreement worked is judged by word type, not by
sense. The result is a hint to make the agreement concrete, never a reason to block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from plugin.domain.agreement_words import DUTCH, ENGLISH, FUNCTION_WORDS, Lexicon
from plugin.domain.checklist import resolve_language

#: The parts of a concrete agreement, in the order `missing` lists them.
FIELDS: tuple[str, ...] = ("action", "owner", "due", "measure")
#: Hint codes, in the order `hints` lists them.
HINT_CODES: tuple[str, ...] = ("vague_verb", "judgement", "vague_time")


@dataclass(frozen=True, slots=True)
class Hint:
    """One thing to point at: a code from `HINT_CODES` and the words (lowercase) it is about."""

    code: str
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgreementCheck:
    """What an agreement lacks (a subset of `FIELDS`, in order) and the words behind it."""

    missing: tuple[str, ...]
    hints: tuple[Hint, ...]

    @property
    def concrete(self) -> bool:
        return not self.missing


_TOKEN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_NAME = re.compile(r"[A-ZÀ-Þ][a-zß-ÿ]+")
_SENTENCE_END = re.compile(r"[.;:!?]\s*$")


def check_agreement(
    what: str,
    owner: str | None,
    due: date | None,
    language: str,
    *,
    ongoing: bool | None = None,
) -> AgreementCheck:
    """Check one agreement as the form sends it; ``language`` "nl" or "en" (else Dutch)."""
    lex = ENGLISH if resolve_language(language) == "en" else DUTCH
    text = " ".join(what.replace("’", "'").replace("‘", "'").split())
    low = text.lower()

    vague = _found(lex.vague, low)
    judged = _found(lex.judgement, low)
    has_action = _has_action(low, lex, bool(vague or judged))

    named_time = _strip(low, lex.due)
    recurring = lex.recurring.search(low) is not None
    has_due = (
        due is not None
        or ongoing is True
        or named_time != low
        or recurring
        or (ongoing is None and lex.ongoing.search(low) is not None)
    )

    missing: list[str] = []
    if not has_action:
        missing.append("action")
    if not (owner or "").strip() and not _names_someone(text, low, lex):
        missing.append("owner")
    if not has_due:
        missing.append("due")
    # "Vaker de werkvoorbereider bellen": a call shows no more than one call.
    shows_result = has_action and not lex.comparative.search(low)
    if not _has_measure(named_time, lex, shows_result, recurring):
        missing.append("measure")

    hints: list[Hint] = []
    if vague:
        hints.append(Hint("vague_verb", vague))
    if judged:
        hints.append(Hint("judgement", judged))
    vague_time = _found(lex.vague_time, low)
    if vague_time and "due" in missing:
        hints.append(Hint("vague_time", vague_time))
    return AgreementCheck(tuple(missing), tuple(hints))


def _found(pattern: re.Pattern[str], low: str) -> tuple[str, ...]:
    """The distinct matches in order, spaces normalised."""
    seen: dict[str, None] = {}
    for m in pattern.finditer(low):
        seen[" ".join(m.group(0).split())] = None
    return tuple(seen)


def _strip(low: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(" ", low)


def _has_action(low: str, lex: Lexicon, vague: bool) -> bool:
    # "..., dat bespreken we in het volgende gesprek" is the measure, not the action.
    body = _strip(low, lex.next_talk)
    if lex.concrete.search(body):
        return True
    return not vague and lex.verb_like.search(body) is not None


def _has_measure(low: str, lex: Lexicon, shows_result: bool, recurring: bool) -> bool:
    """``low`` has its named moments taken out: "binnen twee weken" is no count."""
    if lex.count.search(low) or lex.check.search(low) or lex.next_talk.search(low):
        return True
    return shows_result and (recurring or lex.result.search(low) is not None)


def _names_someone(text: str, low: str, lex: Lexicon) -> bool:
    if lex.persons.search(low):
        return True
    tokens = list(_TOKEN.finditer(text))
    skip_next = False
    for i, m in enumerate(tokens):
        word = m.group(0)
        before = text[: m.start()]
        start = i == 0 or bool(_SENTENCE_END.search(before))
        prev = tokens[i - 1].group(0).lower() if i else ""
        is_name = bool(_NAME.fullmatch(word)) and word.lower() not in lex.not_names
        if not is_name or (not start and (prev in lex.before_place or skip_next)):
            skip_next = is_name  # "voor Van Dam": "Dam" follows a skipped capital
            continue
        skip_next = False
        if not start:
            return True
        after = text[m.end() :].lstrip()
        if _is_known(word.lower(), lex) or not lex.subject_verb.match(after):
            continue
        return True
    return False


def _is_known(word: str, lex: Lexicon) -> bool:
    """A word of the lists (or a function word) is no name, even with a capital."""
    return (
        any(
            p.fullmatch(word)
            for p in (lex.vague, lex.concrete, lex.judgement, lex.count, lex.recurring, lex.due)
        )
        or word in lex.before_place
        or word in FUNCTION_WORDS
    )
