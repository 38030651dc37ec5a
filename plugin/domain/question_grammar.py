"""The word lists and clause rules `question_check` reads Dutch and English questions with.

Data first (finite verbs, particles, auxiliaries, subjects, the patterns of common closed
questions and their open versions), then one `Grammar` per language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _map(pairs: str) -> dict[str, str]:
    """ "vindt:vind is" -> {"vindt": "vind", "is": "is"}."""
    return {a: b or a for a, _, b in (p.partition(":") for p in pairs.split())}


def _table(rows: str, **parts: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """One "pattern -> open version" a line; {name} in a pattern stands for ``parts[name]``."""
    pairs = (line.split(" -> ") for line in rows.strip().splitlines())
    return tuple((re.compile(p.format(**parts), re.IGNORECASE), t) for p, t in pairs)


# Dutch finite verbs, each with its form right after "je" ("vindt je" is said "vind je").
_NL_FINITE = _map(
    "ben bent:ben is zijn was waren heb hebt:heb heeft hebben had hadden kan kun kunt:kun kunnen "
    "kon zal zult:zul zullen zou zouden wil wilt:wil willen wou wilde moet moeten moest mag mogen "
    "mocht ga gaat:ga gaan ging gingen doe doet:doe doen deed vind vindt:vind vond denk denkt:denk "
    "dacht weet wist zie ziet:zie zag voel voelt:voel voelde loopt:loop liep werk werkt:werk "
    "werkte gebeurt gebeurde lukt lukte kom komt:kom kwam krijg krijgt:krijg kreeg leer leert:leer "
    "leerde sloeg viel valt:val zit zat sta staat:sta stond houd houdt:houd hield neem neemt:neem "
    "nam maak maakt:maak maakte pak pakt:pak pakte los lost:los loste regel regelt:regel regelde "
    "bedoel bedoelt:bedoel bedoelde duurt duurde verloopt verliep merk merkt:merk merkte zeg "
    "zegt:zeg zei blijkt bleek word wordt:word werd geef geeft:geef gaf hoor hoort:hoor hoorde mis "
    "mist:mis miste kies kiest:kies koos begin begint:begin begon snap snapt:snap begrijp "
    "begrijpt:begrijp begreep help helpt:help hielp klopt klopte bevalt beviel hoef hoeft:hoef "
    "durf durft:durf ken kent:ken blijf blijft:blijf bleef belde spreek spreekt:spreek sprak meet "
    "mat zet zette zoekt:zoek zocht vult:vul vulde kijkt:kijk keek stelt:stel stelde sluit sloot"
)
_NL_PARTICLES = _set("tegen terug samen uit aan op in af mee weg toe vast mis bij na neer")
_EN_PAST = _map(
    "went:go did:do felt:feel thought:think found:find saw:see got:get came:come took:take "
    "made:make said:say knew:know broke:break ran:run meant:mean chose:choose learned:learn "
    "learnt:learn happened:happen stopped:stop tripped:trip failed:fail worked:work "
    "started:start changed:change solved:solve fixed:fix handled:handle decided:decide "
    "needed:need wanted:want liked:like noticed:notice tried:try used:use asked:ask called:call "
    "checked:check installed:install tested:test missed:miss helped:help tackled:tackle "
    "spent:spend gave:give told:tell kept:keep heard:hear managed:manage planned:plan dealt:deal "
    "set:set put:put wired:wire connected:connect replaced:replace repaired:repair "
    "adjusted:adjust measured:measure reacted:react responded:respond explained:explain"
)
_EN_PRESENT = _set("think feel need want mean like see know do plan handle expect hope use")
_EN_PRESENT |= _set("measure check set test fix find solve approach start prepare learn")
_EN_AUX = _set("do does did is are was were am can could will would should shall may might must")
_EN_AUX |= _set("have has had")
_EN_CONTRACTIONS = {"'re": "are", "'m": "am", "'ve": "have", "'d": "would", "'ll": "will"}
_EN_S_IS = _set("it's that's there's what's how's who's where's he's she's")
_EN_SUBJECTS = _set(
    "you i we they he she it there that this the a an these those your my his her our their its "
    "everything anything anyone everyone someone something"
)

_NL_PATTERNS = r"""
(?:heb|hebt) (?:je|jij) (?P<nog>nog )?(?P<n>{nouns}){rest} -> Welke \g<n> heb je \g<nog>\g<t>?
(?:zijn|waren) er (?P<nog>nog )?(?P<n>{nouns}){rest} -> Welke \g<n> zijn er \g<nog>\g<t>?
(?P<nog>nog )?(?P<n>{nouns}) -> Welke \g<n> heb je \g<nog>?
(?:is er )?nog iets(?: te bespreken)? -> Wat wil je nog bespreken?
(?:is )?alles (?:goed|oké|ok|in orde)(?P<t> met .+)? -> Hoe gaat het \g<t>?
(?:is|was) het (?:gelukt|goed gegaan)(?P<t> met .+)?|gelukt -> Hoe ging het \g<t>?
(?P<v>{go}) (?P<x>.+?) {well}{tail} -> Hoe \g<v> \g<x> \g<t>?
(?P<v>gaat|ging) het(?: wel| een beetje)?(?P<t> met .+)? -> Hoe \g<v> het \g<t>?
lukt het(?P<t> met .+)? -> Hoe gaat het \g<t>?
lukte het(?P<t> met .+)? -> Hoe ging het \g<t>?
(?P<v>is|was) (?P<x>.+?) {well} (?P<p>gegaan|verlopen){tail} -> Hoe \g<v> \g<x> \g<p>\g<t>?
(?P<v>bevalt|beviel) (?P<x>.+) -> Hoe \g<v> \g<x>?
(?:heb|hebt) (?:je|jij) het (?:wel )?naar (?:je|jouw) zin{rest} -> Hoe vind je het \g<t>?
(?P<v>voel|voelde) (?:je|jij) je (?:wel )?{feel}{rest} -> Hoe \g<v> je je \g<t>?
(?P<v>ben|was) (?:je|jij) (?P<a>tevreden|blij)(?P<t> (?:met|over) .+)? -> Hoe \g<a> \g<v> je \g<t>?
zie (?:je|jij) (?:het|dat) (?:wel )?zitten -> Hoe kijk je ertegenaan?
zit (?:je|jij) (?:wel )?(?:goed|lekker) in je vel -> Hoe zit je in je vel?
zie (?:je|jij) (?P<x>.+?) (?:wel )?zitten -> Hoe kijk je tegen \g<x> aan?
(?:heb|hebt) (?:je|jij) (?:veel|wat|genoeg) geleerd{rest} -> Wat heb je geleerd \g<t>?
(?P<v>vond|vind) (?:je|jij) (?:het|dat|dit) {very}(?:goed|oké|prima) -> Hoe \g<v> je het?
(?P<v>vond|vind) {je} (?:het|dat|dit) {very}(?P<a>{adj}){tail} -> Wat \g<v> je \g<a>\g<t>?
(?P<v>vond|vind) (?:je|jij) (?P<x>{det} .+?) {very}(?P<a>{adj}) -> Wat \g<v> je \g<a> aan \g<x>?
was (?:het|dat|dit) {very}(?P<a>{adj}){tail} -> Wat vond je \g<a>\g<t>?
is (?:het|dat|dit) {very}(?P<a>{adj}){tail} -> Wat vind je \g<a>\g<t>?
was (?P<x>{det} .+?) {very}(?P<a>{adj}) -> Wat vond je \g<a> aan \g<x>?
is (?P<x>{det} .+?) {very}(?P<a>{adj}) -> Wat vind je \g<a> aan \g<x>?
(?:kun|kunt|kan) (?:je|jij) (?P<x>.+ )?(?P<v>{how}) -> Hoe zou je \g<x>\g<v>?
zou (?:je|jij) (?P<x>.+ )?kunnen (?P<v>{how}) -> Hoe zou je \g<x>\g<v>?
"""
_EN_PATTERNS = r"""
(?:(?:do|did) you have|have you got) {more}(?P<n>{nouns}){rest} -> What \g<m>\g<n> do you have\g<t>?
(?:are there|(?:got )?any) {more}(?P<n>{nouns}){rest} -> What \g<m>\g<n> do you have\g<t>?
questions -> What questions do you have?
(?:is there )?(?:any|anything) else(?: to discuss)? -> What else would you like to discuss?
(?P<a>did|is|was|has) (?P<x>.+?) (?P<g>go(?:ing|ne)?) {well}{tail} -> How \g<a> \g<x> \g<g>\g<t>?
went {well} -> How did it go?
are you {ok} -> How are you doing?
(?:is )?everything {ok}{rest}|all good -> How are things \g<t>?
(?P<a>did|do) you (?P<v>like|enjoy) (?P<x>.+) -> What \g<a> you \g<v> about \g<x>?
are you enjoying (?P<x>.+) -> What are you enjoying about \g<x>?
(?P<a>did|do) you find (?:it|that|this) {very}(?P<j>{adj}){tail} -> What \g<a> you find \g<j> \g<t>?
(?P<a>did|do) you find (?P<x>{det} .+?) {very}(?P<j>{adj}) -> What \g<a> you find \g<j> about \g<x>?
was (?:it|that|this) {very}(?P<j>{adj}){tail} -> What did you find \g<j>\g<t>?
is (?:it|that|this) {very}(?P<j>{adj}){tail} -> What do you find \g<j>\g<t>?
was (?P<x>{det} .+?) {very}(?P<j>{adj}) -> What did you find \g<j> about \g<x>?
is (?P<x>{det} .+?) {very}(?P<j>{adj}) -> What do you find \g<j> about \g<x>?
(?P<a>are|were) you (?P<h>happy|satisfied|pleased){rest} -> How \g<h> \g<a> you\g<t>?
(?P<a>do|did) you feel {feel}{rest} -> How \g<a> you feel \g<t>?
are you getting on {well}{rest} -> How are you getting on \g<t>?
(?:did|have) you learn(?:ed|t)? (?:a lot|much){rest} -> What did you learn \g<t>?
(?:can|could) you (?:also |still |maybe )?(?P<v>{how}){rest} -> How would you \g<v> \g<t>?
"""


@dataclass(frozen=True)
class Grammar:
    """The words and patterns of one language."""

    question_words: frozenset[str]
    verbs: frozenset[str]  # finite verbs that open a yes/no question
    subjects: frozenset[str]  # words that follow that verb ("Heb je", "Is it")
    not_verbs: frozenset[str]  # first words that are surely no verb, even before a subject
    short: frozenset[str]  # first words of short yes/no questions ("Nog vragen?", "Any luck?")
    invitations: frozenset[str]  # "Vertel eens...", "Tell me..."
    any_verb_inverts: bool  # Dutch "Regel jij...?"; English inverts only "do", "is", "can"...
    tell: frozenset[str]  # verbs before a question inside a question ("Weet je wat...")
    conditional: frozenset[str]  # "Wanneer je klaar bent, ..." asks nothing about when
    opener: re.Pattern[str]  # "Wat denk je, lukt het?" asks the yes/no after the comma
    subordinators: frozenset[str]  # "dat", "if": an indefinite after one is not asked about
    phrase_nouns: frozenset[str]  # question words that take the next word along ("welke klant")
    phrase_adverbs: frozenset[str]  # "hoe lang", "how often"
    negations: frozenset[str]
    indefinites: dict[str, str]  # "iets" -> "wat"
    fillers: re.Pattern[str]
    tag: re.Pattern[str]
    bare_tag: re.Pattern[str]  # a tag without comma, not after a question word ("Waarom toch?")
    leading: re.Pattern[str]
    understood: re.Pattern[str]  # "Is het duidelijk?", "Does that make sense?"
    unclear: str  # ... and their open version
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    clause: Callable[[list[str], list[str]], list[str] | None]


def nl_clause(phrase: list[str], clause: list[str]) -> list[str] | None:
    """'wat je lastig vond' -> 'wat vond je lastig': the finite verb moves to the front."""
    low = [w.lower() for w in clause]
    if not clause or low[0] in ("ik", "we", "wij"):
        return None  # "Snap je wat ik bedoel?" does not ask "Wat bedoel ik?"
    last = len(low) - 1
    particle = next((p for p in _NL_PARTICLES if low[last].startswith(p)), "")
    finite = [i for i, w in enumerate(low) if w in _NL_FINITE]
    if particle and low[last] not in _NL_FINITE and low[last][len(particle) :] in _NL_FINITE:
        k, rest, low[last] = last, [*clause[:last], particle], low[last][len(particle) :]
    elif finite:  # the verb group closes the clause, maybe before a phrase ("... bij de klant")
        k = finite[-1]
        if k - 1 in finite and not (low[k - 1].endswith("en") and not low[k].endswith("en")):
            k -= 1  # "moet doen": the first is finite; in "doen moet" the "-en" is not
        rest = clause[:k] + clause[k + 1 :]
    else:
        return None
    verb = _NL_FINITE[low[k]] if rest and rest[0].lower() in ("je", "jij") else low[k]
    return [*phrase, verb, *rest]


def en_clause(phrase: list[str], clause: list[str]) -> list[str] | None:
    """'what the problem was' -> 'what was the problem', 'how it went' -> 'how did it go'."""
    words: list[str] = []
    for w in clause:
        ending = next((e for e in _EN_CONTRACTIONS if w.lower().endswith(e)), "")
        if ending:
            words += [w[: -len(ending)], _EN_CONTRACTIONS[ending]]
        else:
            words += [w[:-2], "is"] if w.lower() in _EN_S_IS else [w]
    low = [w.lower() for w in words]
    if not words or low[0] in ("to", "i", "we"):
        return None
    if phrase[-1].lower() in ("what", "who") and low[0] not in _EN_SUBJECTS:
        return [*phrase, *words]  # "what happened": the question word is the subject
    for k in range(1, len(low)):
        if low[k] in _EN_AUX and not (k == len(low) - 1 and low[k] in ("do", "does", "did")):
            return [*phrase, low[k], *words[:k], *words[k + 1 :]]
    for k in range(1, len(low)):
        if low[k] in _EN_PAST:
            return [*phrase, "did", *words[:k], _EN_PAST[low[k]], *words[k + 1 :]]
    if len(low) > 1 and low[0] in ("you", "they") and low[1] in _EN_PRESENT:
        return [*phrase, "do", *words]
    return None


DUTCH = Grammar(
    question_words=_set("wie wat waar wanneer waarom welke welk hoe hoezo hoeveel hoelang wiens")
    | {"waar" + p for p in _NL_PARTICLES | _set("om over van door heen voor")},
    verbs=frozenset(_NL_FINITE) | frozenset(_NL_FINITE.values()),
    subjects=_set("je jij u jullie we wij ze zij hij het er ik men die dat dit alles iemand"),
    not_verbs=_set(
        "met op in bij voor over van aan naar uit tijdens na door om tegen zonder onder sinds "
        "vanaf tot nu als toen omdat zodra terwijl hoewel zodat voordat nadat dat of en maar dus"
    ),
    short=_set(
        "nog alles gelukt duidelijk klaar oké ok oke goed echt zin vragen helder begrepen lastig "
        "moeilijk leuk akkoord afgesproken genoeg iemand iets ergens tevreden fijn prima"
    ),
    invitations=_set("vertel beschrijf omschrijf leg geef licht noem schets laat"),
    any_verb_inverts=True,
    tell=_set(
        "vertellen vertel uitleggen zeggen beschrijven aangeven toelichten zien laten weet weten "
        "snap snapt begrijp begrijpt gezien herinneren nagaan benoemen bedenken aanwijzen"
    ),
    conditional=_set("wanneer"),
    opener=re.compile(r"wat (?:denk|vind|zeg) (?:je|jij|u)(?: ervan)?|zeg eens|eerlijk"),
    subordinators=_set("dat of als omdat"),
    phrase_nouns=_set("welke welk hoeveel"),
    phrase_adverbs=_set("lang vaak laat ver snel goed veel groot zwaar druk"),
    negations=_set("niet geen nooit"),
    indefinites={"iets": "wat", "iemand": "wie", "ergens": "waar"},
    fillers=re.compile(
        r"^\W*(?:(?:en verder|tot slot|als laatste|en|dus|maar|oké|oke|ok|okay|nou|eh|ehm|uhm"
        r"|hm|oh|ah|trouwens|verder)\b\s*,?|(?:goed|ja|nee|prima|mooi|top|klopt|precies|zo|dan)"
        r"\s*,)\s*",
        re.IGNORECASE,
    ),
    tag=re.compile(
        r",\s*(?:toch|hè|he|hé|hoor|niet|of niet|ja|nee|oké|ok|oke|klopt dat|klopt het|zeker"
        r"|of wel|toch niet|waar|weet je|snap je|zie je)\s*\?\W*$",
        re.IGNORECASE,
    ),
    bare_tag=re.compile(r"\b(?:toch|of niet)\s*\?\W*$", re.IGNORECASE),
    leading=re.compile(
        r"^(?:(?:vind|vindt|vond|denk|denkt|dacht) (?:je|jij|u) (?:\w+ )?niet (?:\w+ )?dat"
        r"|(?:is|was|zou|wordt|lijkt) (?:het|dat) (?:\w+ )?niet (?:beter|slimmer|handiger"
        r"|verstandiger|makkelijker|sneller|logischer)|(?:ben|bent) (?:je|jij) het (?:\w+ )?"
        r"(?:niet )?met (?:me|mij) eens|(?:zou|moet|kun|kunt|kan) (?:je|jij) (?:\w+ )?niet"
        r"|\w+ (?:je|jij|u|het|dat|er) toch)\b"
    ),
    understood=re.compile(
        r"(?:is|was) (?:het|alles|dat|dit|de uitleg)(?: nu)?(?: nog)?(?: wel)? (?:duidelijk"
        r"|helder)|(?:alles |nog )?(?:duidelijk|helder|begrepen)|(?:snap|snapt|begrijp|begrijpt"
        r"|volg|volgt) (?:je|jij|u)(?: het| dat| me| mij| wat ik bedoel| wat ik zeg| de uitleg)?"
    ),
    unclear="Wat is nog niet duidelijk?",
    patterns=_table(
        _NL_PATTERNS,
        go="gaat|ging|liep|loopt|verliep|verloopt",
        je="(?:je|jij)",
        nouns="vragen|opmerkingen|ideeën|tips|wensen|punten|suggesties|problemen|zorgen|twijfels",
        well="(?:(?:wel |echt |allemaal )?(?:goed|lekker|prima|soepel|naar wens)|een beetje)",
        tail=r"(?P<t> (?:met|op|bij|in|tijdens|sinds|na|voor|vandaag|deze|dit|afgelopen)\b.*)?",
        rest="(?P<t> .+)?",
        feel="(?:thuis|goed|prettig|op je gemak|veilig|welkom)",
        very="(?:wel |echt |zelf |best |erg |heel |een beetje )?",
        det="(?:de|het|je|jouw|die|deze)",
        adj="lastig|moeilijk|leuk|fijn|zwaar|spannend|makkelijk|interessant|saai|vervelend"
        "|prettig|eng|nuttig|leerzaam|uitdagend|frustrerend|ingewikkeld|pittig|zinvol|gaaf|tof",
        how="oplossen|aanpakken|inregelen|afstellen|aansluiten|monteren|installeren|repareren"
        "|vervangen|verhelpen|voorkomen|verbeteren|vinden|testen|controleren|meten|plannen"
        "|regelen|doen|uitvoeren|oppakken|ontluchten|uitzoeken|voorbereiden|uitleggen",
    ),
    clause=nl_clause,
)
ENGLISH = Grammar(
    question_words=_set("who whom whose what where when why which how what's how's where's")
    | _set("who's why's when's whats hows"),
    verbs=_EN_AUX,
    subjects=_EN_SUBJECTS,
    not_verbs=_set("with for about at in on to from of by after before if when now and or but"),
    short=_set(
        "any anything everything all ok okay alright good clear ready done finished happy "
        "questions got need want sure really right makes understood enjoying feeling fine "
        "everyone anyone nothing no went cool agreed correct true like"
    ),
    invitations=_set("tell describe explain walk talk give share show name take"),
    any_verb_inverts=False,
    tell=_set("tell explain describe show say know remember see recall imagine figure walk"),
    conditional=_set("when"),
    opener=re.compile(r"what do you (?:think|reckon|say)|be honest|honestly"),
    subordinators=_set("if that whether because"),
    phrase_nouns=_set("which whose"),
    phrase_adverbs=_set("long much many often far well soon quickly"),
    negations=_set("not never no"),
    indefinites={"anything": "what", "something": "what", "anyone": "who", "anybody": "who"}
    | {"someone": "who", "somebody": "who", "anywhere": "where", "somewhere": "where"},
    fillers=re.compile(
        r"^\W*(?:(?:by the way|and then|and|so|but|ok|okay|um|uh|erm|er|oh|ah|also|anyway)\b"
        r"\s*,?|(?:well|right|good|great|yes|yeah|no|fine|sure|now|alright|cool)\s*,)\s*",
        re.IGNORECASE,
    ),
    tag=re.compile(
        r",\s*(?:right|ok|okay|yeah|yes|no|correct|eh|huh|agreed|true|you know|or not"
        r"|is that right|am i right|(?:is|are|was|were|do|does|did|have|has|had|can|could|will"
        r"|would|should|wo|ca)(?:n't)?\s+(?:it|you|he|she|they|we|i|there|that|this))\s*\?\W*$",
        re.IGNORECASE,
    ),
    bare_tag=re.compile(r"\bor not\s*\?\W*$", re.IGNORECASE),
    leading=re.compile(
        r"^(?:(?:do|does|did|is|are|was|were|would|should|could|can|wo|have|has|had|must)n't"
        r"|surely|(?:is|was|do|does|did|would|should|could) (?:it|that|you|this) not"
        r"|you (?:do )?agree)\b"
    ),
    understood=re.compile(
        r"(?:is|was) (?:it|that|this|everything|all|the explanation) (?:all )?clear"
        r"(?: so far| now)?|(?:all |everything )?clear(?: so far| now)?|(?:does|did) (?:that"
        r"|it|this) make sense|makes sense|(?:do|did) you (?:understand|follow|get it|get that"
        r"|see what i mean|know what i mean|understand what i mean)(?: me)?|got it|understood"
    ),
    unclear="What is still unclear?",
    patterns=_table(
        _EN_PATTERNS,
        nouns="questions|ideas|concerns|suggestions|tips|wishes|comments|problems|plans|goals"
        "|doubts|worries|issues|points",
        more="(?:any )?(?:more )?(?P<m>other |further )?",
        well="(?:well|ok|okay|alright|fine|smoothly|all right|as planned)",
        ok="(?:ok|okay|alright|all right|fine|good)",
        tail=r"(?P<t> (?:with|at|on|in|during|since|after|for|today|this|last)\b.*)?",
        rest="(?P<t> .+)?",
        feel="(?:at home|comfortable|welcome|ok|okay|good|at ease|safe)",
        very="(?:really |quite |a bit |very )?",
        det="(?:the|your|this|that)",
        adj="hard|difficult|tough|easy|fun|nice|boring|interesting|useful|stressful|exciting"
        "|scary|confusing|tricky|challenging|enjoyable|frustrating|annoying|complicated",
        how="fix|solve|handle|approach|tackle|install|test|check|find|improve|prevent|plan"
        "|measure|wire|connect|replace|repair|adjust|commission|explain|set up|do|bleed",
    ),
    clause=en_clause,
)
