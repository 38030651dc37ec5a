"""Feedback check: gentle hints on a feedback draft, step by step, by the guide's four rules.

The guide: 1) start with something that goes well; 2) speak from yourself ("ik") and name the
concrete behaviour you saw; 3) say what effect it has on you or others, and ask for a reaction;
4) make a suggestion, ask again, and make a concrete agreement. `check_feedback` reads the four
steps (`feedback.STEPS`) and returns hints, in step order and, within a step, in the order of
`HINT_CODES`:

- "empty_step" (any step): the step is empty. A missing key counts as empty.
- "judgement" (behaviour, effect, suggestion): a judgement of the person instead of behaviour:
  "je bent lui", "jij bent zo slordig", "je bent niet gemotiveerd", "you are careless". Read as
  "je bent / you are" (or "dat je ... bent") plus an adjective of character (a list, or a
  typical ending such as -ig, -loos; -less, -ful) or "een/a" plus a noun. "Je bent te laat"
  or "you were late" is behaviour, not a judgement; "you are working" neither. Words: the
  phrases found. Praise in the first step is left alone: a positive judgement there is no hint.
- "always_never" (behaviour, effect): "altijd", "nooit", "steeds", "telkens", "elke keer weer";
  "always", "never", "every time", "all the time" generalise instead of naming one moment.
  Words: those found. (In the suggestion, "altijd" is part of an agreement and fine.)
- "not_from_self" (behaviour): no "ik", "me", "mij", "mijn" ("I", "me", "my") in the step.
- "no_effect" (effect): the step names no effect on the work, the customer, colleagues or the
  team, safety, time or money, nor on the speaker ("ik", "me"; "I", "me").
- "no_question" (effect, or suggestion when effect is empty): neither the effect nor the
  suggestion asks for a reaction: no "?" and no "wat vind jij", "hoe zie jij dat", "herken je
  dat"; "what do you think", "how do you see that". Not given when both steps are empty.
- "vague_agreement" (suggestion): `check_agreement` on the suggestion (lead-ins such as "Ik stel
  voor dat", "Zou je ... willen", "I suggest", "Could you" taken off) misses "action" or
  "measure". Words: those of the two that are missing, in that order. Owner and due date are
  left out on purpose: they get their own fields when the suggestion becomes an agreement, and a
  suggestion said to "je" always has an owner.

Limits, honestly: this reads words, not meaning. "Ik" anywhere in the behaviour step counts as
speaking from yourself, even in "Je doet nooit wat ik vraag"; an effect said without a listed
word ("daar wordt niemand blij van") reads as none; irony, quotes and negation are not
understood ("je bent niet lui" is a judgement too). The agreement hint inherits the limits of
`agreement_check`. The hints help the writer prepare; they never block saving or saying it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from plugin.domain.agreement_check import check_agreement
from plugin.domain.agreement_words import DUTCH, ENGLISH
from plugin.domain.checklist import resolve_language
from plugin.domain.feedback import STEPS

#: Hint codes, in the order hints of one step are listed.
HINT_CODES: tuple[str, ...] = (
    "empty_step",
    "judgement",
    "always_never",
    "not_from_self",
    "no_effect",
    "no_question",
    "vague_agreement",
)
#: The parts of `check_agreement`'s `missing` that make a suggestion a vague agreement.
AGREEMENT_PARTS: tuple[str, ...] = ("action", "measure")


@dataclass(frozen=True, slots=True)
class FeedbackHint:
    """One hint: the step (from `STEPS`), a code from `HINT_CODES`, the words it is about."""

    step: str
    code: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedbackCheck:
    hints: tuple[FeedbackHint, ...]


@dataclass(frozen=True, slots=True)
class _Words:
    judge_lead: re.Pattern[str]  # "je bent (zo, niet, ...) X": the last group is X
    judge_words: re.Pattern[str]  # adjectives and nouns of character
    not_judgement: frozenset[str]  # "te laat", "late", "on time": behaviour or a state
    always_never: re.Pattern[str]
    self_words: re.Pattern[str]
    effect: re.Pattern[str]
    question: re.Pattern[str]
    lead_in: re.Pattern[str]  # "Ik stel voor dat", "Could you": not part of the agreement


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _words(*parts: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![\w-])(?:{'|'.join(p for part in parts for p in part.split())})"
        r"(?![\w-])"
    )


_NL_ADVERBS = (
    r"(?:(?:zo|echt|erg|heel|nogal|best|wel|gewoon|vaak|soms|te|niet|toch|ook|altijd|nooit"
    r"|steeds|een\s+beetje|eigenlijk|behoorlijk|ontzettend|veel)\s+)*"
)
_DUTCH = _Words(
    judge_lead=re.compile(
        r"\b(?:je|jij|u)\s+(?:bent|ben|lijkt|leek|bleek|was|komt\s+\w+\s+over\s+als)\s+"
        rf"{_NL_ADVERBS}((?:een\s+)?[\w-]+)"
        # "... dat je nogal slordig bent": the verb closes the clause.
        rf"|\bdat\s+(?:je|jij|u)\s+{_NL_ADVERBS}((?:een\s+)?[\w-]+)\s+(?:bent|was|lijkt)\b"
    ),
    judge_words=re.compile(
        rf"{DUTCH.judgement.pattern}|(?:een\s+\w+)|\w*(?:ig|lijk|loos|baar|zaam|isch|ief|eus)e?"
        r"|on\w{4,}|gemotiveerd|gedemotiveerd|gemakzuchtig|dom|stom|lastig|moeilijk|vervelend"
        r"|negatief|passief"
    ),
    not_judgement=_set(
        "laat vroeg klaar op weg er hier daar thuis bezig welkom aan ziek vrij onderweg vergeten "
        "vertrokken begonnen gebleven geweest"
    ),
    always_never=re.compile(
        r"\b(?:altijd|nooit|steeds|telkens|constant|voortdurend|continu|(?:elke|iedere)\s+keer"
        r"(?:\s+weer)?)\b"
    ),
    self_words=_words("ik ikzelf me mij mijn"),
    effect=_words(
        r"ik me mij mijn klant\w* collega\w* team\w* ploeg \w*veilig\w* \w*gevaar\w* risico\w*",
        r"ongeluk\w* letsel gewond\w* brand kortsluiting tijd kost kosten kostte geld vertraging",
        r"uur uren minuten wacht\w* extra opnieuw fout\w* schade kapot klacht\w* \w*planning",
        r"werk omzet factuur gevolg\w* daardoor waardoor zodat betekent betekende duurt duurde",
        r"langer later vertrouwen naam",
    ),
    question=re.compile(
        r"\?|\b(?:wat\s+(?:vind|denk)\s+(?:jij|je|u)|hoe\s+(?:zie|kijk|denk|ervaar)\s+(?:jij|je|u)"
        r"|herken\s+(?:jij|je|u)|wat\s+is\s+jouw\s+(?:reactie|mening|kijk)|ik\s+ben\s+benieuwd"
        r"|jouw\s+reactie)\b"
    ),
    lead_in=re.compile(
        r"^\W*(?:(?:mijn\s+)?(?:suggestie|voorstel|tip)(?:\s+is)?\s*:?\s*(?:om\s+)?"
        r"|ik\s+stel\s+voor\s+(?:dat|om)\s+|(?:zou|kun|kunt|wil)\s+(?:je|jij|u)\s+"
        r"|wat\s+als\s+(?:je|jij)\s+|misschien\s+)",
        re.IGNORECASE,
    ),
)
_ENGLISH = _Words(
    judge_lead=re.compile(
        r"\byou(?:'re|\s+are|\s+were|\s+seem|\s+seemed|\s+come\s+across\s+as|\s+act)\s+"
        r"(?:(?:so|really|very|quite|pretty|too|not|always|never|a\s+bit|just|rather|such"
        r"|often|sometimes|actually|a\s+little|being)\s+)*((?:an?\s+)?[\w-]+)"
    ),
    judge_words=re.compile(
        rf"{ENGLISH.judgement.pattern}|(?:an?\s+\w+)|\w*(?:less|ful|ous|ive|ible|able|ish|y)"
        r"|un\w+ed|motivated|demotivated|stubborn|difficult|negative|passive|disorgani[sz]ed"
    ),
    not_judgement=_set(
        "late early ready done finished right here there away on off in out back busy ill "
        "sick free welcome sorry at with"
    ),
    always_never=re.compile(
        r"\b(?:always|never|constantly|continually|all\s+the\s+time|(?:every|each)\s+(?:single\s+)?"
        r"time)\b"
    ),
    self_words=_words("i i'm i've i'd i'll me my myself"),
    effect=_words(
        r"i i'm i've i'd i'll me my customer\w* client\w* colleague\w* team\w* crew \w*safe\w*",
        r"[\w-]*danger\w* [\w-]*hazard\w* [\w-]*threat\w* risk\w* accident\w* injur\w* fire",
        r"time cost\w* money delay\w* hour\w* minutes wait\w* extra again mistake\w* error\w*",
        r"damage\w* complain\w* complaint\w* planning schedule work invoice\w* means meant",
        r"result\w* lead\w* led cause\w* because so\s+that longer later trust",
    ),
    question=re.compile(
        r"\?|\b(?:what\s+do\s+you\s+think|how\s+do\s+you\s+(?:see|look\s+at|feel\s+about)"
        r"|what(?:'s|\s+is)\s+your\s+(?:view|reaction|take)|how\s+does\s+that\s+sound"
        r"|i(?:'d|\s+would)\s+like\s+to\s+hear|i'm\s+curious|do\s+you\s+recogni[sz]e)\b"
    ),
    lead_in=re.compile(
        r"^\W*(?:(?:my\s+)?(?:suggestion|proposal|tip)(?:\s+is)?\s*:?\s*(?:to\s+)?"
        r"|i\s+suggest\s+(?:that\s+)?|i\s+propose\s+(?:that\s+)?|(?:could|would|can)\s+you\s+"
        r"|how\s+about\s+|what\s+if\s+you\s+|maybe\s+|perhaps\s+)",
        re.IGNORECASE,
    ),
)


def check_feedback(steps: Mapping[str, str], language: str) -> FeedbackCheck:
    """Hints on one draft; ``language`` "nl" or "en" (anything else reads as Dutch)."""
    lang = resolve_language(language)
    w = _ENGLISH if lang == "en" else _DUTCH
    text = {s: " ".join((steps.get(s) or "").replace("’", "'").split()) for s in STEPS}
    low = {s: t.lower() for s, t in text.items()}
    hints: list[FeedbackHint] = []

    def add(step: str, code: str, words: tuple[str, ...] = ()) -> None:
        hints.append(FeedbackHint(step, code, words))

    for step in STEPS:
        if not low[step]:
            add(step, "empty_step")
            continue
        if step != "positive" and (judged := _judgements(low[step], w)):
            add(step, "judgement", judged)
        if step in ("behaviour", "effect") and (general := _found(w.always_never, low[step])):
            add(step, "always_never", general)
        if step == "behaviour" and not w.self_words.search(low[step]):
            add(step, "not_from_self")
        if step == "effect" and not w.effect.search(low[step]):
            add(step, "no_effect")
    asks = [s for s in ("effect", "suggestion") if low[s]]
    if asks and not any(w.question.search(low[s]) for s in asks):
        add(asks[0], "no_question")
    if low["suggestion"]:
        agreement = w.lead_in.sub("", text["suggestion"], count=1)
        missing = check_agreement(agreement, None, None, lang).missing
        if vague := tuple(p for p in AGREEMENT_PARTS if p in missing):
            add("suggestion", "vague_agreement", vague)

    order = {code: i for i, code in enumerate(HINT_CODES)}
    hints.sort(key=lambda h: (STEPS.index(h.step), order[h.code]))
    return FeedbackCheck(tuple(hints))


def _found(pattern: re.Pattern[str], low: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(" ".join(m.group(0).split()) for m in pattern.finditer(low)))


def _judgements(low: str, w: _Words) -> tuple[str, ...]:
    """The "je bent lui" phrases: a character word after "je bent", not a state or an act."""
    found: dict[str, None] = {}
    for m in w.judge_lead.finditer(low):
        word = m.group(m.lastindex or 0)
        if word in w.not_judgement or (word.endswith("ing") and " " not in word):
            continue
        if w.judge_words.fullmatch(word):
            found[" ".join(m.group(0).split())] = None
    return tuple(found)
