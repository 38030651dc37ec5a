"""The word lists `agreement_check` (and `feedback_check`) read agreements with, per language.

Each list is a regular expression over the lowercased text (apostrophes made straight). The
lists are short on purpose: they name the words leads and learners in technical companies and
placements actually type, not a dictionary. See `agreement_check` for what each list decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _any(*parts: str) -> re.Pattern[str]:
    """One pattern for whole words or phrases: each part is a regex alternative, split on space
    within a line only where the caller wrote a phrase."""
    alts = "|".join(p for part in parts for p in part.split())
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _phrases(*parts: str) -> re.Pattern[str]:
    """Like `_any`, but each part is one phrase (spaces kept), '|' separating alternatives."""
    return re.compile(rf"(?<![\w-])(?:{'|'.join(parts)})(?![\w-])")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """What the rules look for in one language."""

    #: Words and phrases that name no action anyone can see: "beter", "werken aan", "try".
    vague: re.Pattern[str]
    #: "Meer", "vaker", "more often": doing more of something shows no amount by itself.
    comparative: re.Pattern[str]
    #: A judgement of the person instead of behaviour: "lui", "slordig", "lazy".
    judgement: re.Pattern[str]
    #: A time that is no time: "zo snel mogelijk", "binnenkort", "asap", "soon".
    vague_time: re.Pattern[str]
    #: Verbs someone can be seen doing: "bellen", "opruimen", "solder", "fix".
    concrete: re.Pattern[str]
    #: Anything verb-like, when no known word decides: Dutch infinitives, any English word.
    verb_like: re.Pattern[str]
    #: Pronouns that name who does it ("ik", "je", "we", "samen"; "I", "you", "together").
    persons: re.Pattern[str]
    #: Words after which a capitalised word is a customer or place, not the owner.
    before_place: frozenset[str]
    #: Capitalised words that are no one: days, months, holidays.
    not_names: frozenset[str]
    #: After a name at the start: the verb that makes it the subject ("Sem belt", "Sem calls").
    subject_verb: re.Pattern[str]
    #: A moment or period named in the text: "voor vrijdag", "binnen twee weken", "by 1 March".
    due: re.Pattern[str]
    #: A recurring moment: "elke week", "altijd", "every Friday", "always".
    recurring: re.Pattern[str]
    #: An open-ended start: "vanaf nu", "doorlopend", "from now on", "ongoing".
    ongoing: re.Pattern[str]
    #: A count or a precise standard: "twee", "drie keer", "7:30", "once".
    count: re.Pattern[str]
    #: A check by someone, a joint review, working on one's own: "Marco controleert", "inspects".
    check: re.Pattern[str]
    #: "Discussed in the next talk": a measure, and not the action of the agreement.
    next_talk: re.Pattern[str]
    #: A visible result: something handed in, sent, filled in, passed, or an artefact.
    result: re.Pattern[str]


#: Words that are no name even with a capital at the start of an agreement.
FUNCTION_WORDS = _set(
    "het de een dit deze die dat elke iedere altijd nooit bij na om op zelf zich niet the a an "
    "this that these those every each always never at after if from once"
)

_NL_DAYS = "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag"
_NL_MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
)
_EN_DAYS = "monday tuesday wednesday thursday friday saturday sunday"
_EN_MONTHS = "january february march april may june july august september october november december"
_NL_NUMBERS = "twee drie vier vijf zes zeven acht negen tien elf twaalf vijftien twintig dertig"
_EN_NUMBERS = "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty"
_NL_PERIOD = r"dag|dagen|week|weken|maand|maanden|jaar|ochtend|middag|avond|weekend|kwartaal"
_EN_PERIOD = r"day|days|week|weeks|month|months|year|morning|afternoon|evening|weekend|quarter"

DUTCH = Lexicon(
    vague=_any(
        r"beter betere meer minder harder sneller netter vaker \w+(?:iger|lijker|iever)",
        r"best\s+doen werken\s+aan werk\s+aan werkt\s+aan letten\s+op let\s+op opletten",
        r"aandacht proberen probeer probeert verbeteren verbeter verbetert communiceren",
        r"communiceert samenwerken luisteren luistert omgaan tonen toont worden word wordt",
        r"zorgen\s+(?:dat|voor) zorg\s+(?:dat|voor) zorgt\s+(?:dat|voor) werken",
        r"inzet initiatief verantwoordelijkheid motivatie \w*houding zelfvertrouwen interesse",
        r"communicatie betrokkenheid instelling netjes positief gemotiveerd alert flexibel",
        r"geduldig vriendelijk klantvriendelijk betrokken proactief voorzichtig zorgvuldig",
        r"veiligheid",
    ),
    comparative=_any(r"beter meer minder vaker harder sneller"),
    judgement=_any(
        r"lui luie slordig slordige ongemotiveerd ongemotiveerde onverschillig brutaal dom",
        r"onbeleefd onbetrouwbaar eigenwijs arrogant nonchalant lomp traag chaotisch",
        r"ongeïnteresseerd ongeinteresseerd onhandig",
    ),
    vague_time=_phrases(
        r"zo\s+snel\s+mogelijk",
        r"zsm",
        r"z\.s\.m\.?",
        r"binnenkort",
        r"ooit",
        r"later",
        r"op\s+termijn",
        r"als\s+er\s+tijd\s+is",
        r"zodra\s+het\s+kan",
        r"een\s+dezer\s+dagen",
    ),
    concrete=_any(
        r"(?:in|op|aan|af|uit|mee|terug|door|bij|na|vast|schoon|voor)?(?:ge)?"
        r"(?:lever|levert|leveren|leverd|stuur|stuurt|sturen|stuurd|mail|mailt|mailen|maild"
        r"|bel|belt|bellen|belde|beld|meld|meldt|melden|vul|vult|vullen|vuld|noteer|noteert"
        r"|noteren|noteerd|schrijf|schrijft|schrijven|schreven|teken|tekent|tekenen|tekend"
        r"|zoek|zoekt|zoeken|zocht|los|lost|lossen|loste|ruim|ruimt|ruimen|ruimd|meet|meten"
        r"|meten|draag|draagt|dragen|controleer|controleert|controleren|controleerd|keur|keurt"
        r"|keuren|keurd|loop|loopt|lopen|liep|lopen|oefen|oefent|oefenen|oefend|soldeer"
        r"|soldeert|solderen|soldeerd|sluit|sluiten|sloten|regel|regelt|regelen|regeld|stel"
        r"|stelt|stellen|steld|kom|komt|komen|kwam|geef|geeft|geven|gaf|volg|volgt"
        r"|volgen|volgd|lees|leest|lezen|draai|draait|draaien|draaid|test|testen|vervang"
        r"|vervangt|vervangen|monteer|monteert|monteren|installeer|installeert|installeren"
        r"|repareer|repareert|repareren|boor|boort|boren|bestel|bestelt|bestellen|verzamel"
        r"|verzamelt|verzamelen|verzameld|help|helpt|helpen|bespreek|bespreekt|bespreken"
        r"|besproken|evalueer|evalueert|evalueren|ontlucht|ontluchten|haal|haalt|halen|haald"
        r"|inregelen|afstellen|legt|leggen|nodig|nodigt|nodigen|nodigd|vraagt|vroeg|vraagd)",
        r"afronden afgerond rondt afmaken afgemaakt schoonmaken schoongemaakt maakt\s+schoon",
        r"nakijken nagekeken doornemen doorgenomen neemt\s+door staan staat zet zetten gezet",
    ),
    verb_like=re.compile(
        r"(?<![\w-])(?!(?:samen|binnen|buiten|tegen|boven|alleen|open|even|geen|een|heen"
        r"|volgen)\b)\w{2,}en(?![\w-])|\b(?:is|zijn|ben|bent|doe|doet|ga|gaat|kom|komt|breng"
        r"|brengt|neem|neemt|geef|geeft|maak|maakt|pak|pakt|houd|houdt|laat|kijk|kijkt|zeg|zegt"
        r"|vraag|vraagt|loop|loopt|leg|legt|zet|zorg|zorgt|blijf|blijft|stuur|stuurt|bel|belt"
        r"|meld|meldt|ruim|ruimt|sluit|draag|draagt|lees|leest|schrijf|schrijft|vul|vult|check"
        r"|checkt|test|plan|plant|regel|regelt|help|helpt|meet|werk|werkt|oefen|oefent)\b"
    ),
    persons=_any(r"ik mij me mijn je jij jou jouw we wij ons onze hij zij ze jullie u samen"),
    before_place=_set("bij voor naar van aan met in op uit over de het een der den door tot"),
    not_names=_set(f"{_NL_DAYS} {_NL_MONTHS} kerst pasen pinksteren"),
    subject_verb=re.compile(
        r"^(?:\w{2,}t|gaat|moet|kan|zal|wil|mag|en\s+[A-Z]\w*)\b", re.IGNORECASE
    ),
    due=_any(
        rf"{_NL_DAYS.replace(' ', 's? ')}s?",
        rf"\d{{1,2}}\s+(?:{_NL_MONTHS.replace(' ', '|')}|jan|feb|mrt|apr|jun|jul|aug|sep|okt|nov"
        r"|dec)",
        _NL_MONTHS,
        r"\d{1,2}[-/]\d{1,2}(?:[-/]\d{2,4})? morgen overmorgen vandaag vanavond vanmiddag",
        rf"(?:deze|dit|volgende|komende|eerstvolgende|aankomende)\s+(?:{_NL_PERIOD})",
        r"(?:volgende|eerstvolgende|komende)\s+\w+ voordat",
        rf"binnen\s+(?:een|één|\d+|{_NL_NUMBERS.replace(' ', '|')})\s+(?:{_NL_PERIOD})",
        r"(?:na|voor|vóór|tot|rond)\s+(?:de|het)\s+(?:\w*vakantie|zomer|kerst|pasen|winter"
        r"|herfst|bouwvak|jaarwisseling|vervolggesprek)",
        r"eind\s+van\s+de\s+(?:dag|week|maand) vanaf\s+(?:morgen|maandag|volgende\s+\w+)",
    ),
    recurring=_any(
        r"elke\s+\w+ iedere\s+\w+ altijd dagelijks wekelijks maandelijks",
        rf"per\s+(?:{_NL_PERIOD})",
    ),
    ongoing=_any(r"vanaf\s+nu vanaf\s+vandaag voortaan doorlopend"),
    count=_any(
        rf"\d+(?:[:.,]\d+)? {_NL_NUMBERS} (?:een|één)\s+keer eenmaal tweemaal minimaal",
        r"maximaal minstens ten\s+minste kwartier procent",
    ),
    check=_any(
        r"controle\w* gecontroleerd keurt keuren keur gekeurd nakijken nagekeken kijkt?\s.*\sna",
        r"bespreken bespreekt bespreek besproken evalueren evalueert evaluatie geëvalueerd",
        r"doornemen neemt\s+door doorgenomen doorlopen doorloopt aftekenen tekent\s+af",
        r"beoordeelt beoordelen beoordeling feedback zelfstandig zonder\s+hulp",
    ),
    next_talk=_phrases(
        r"(?:en\s+|dat\s+|dit\s+|het\s+)?(?:bespreken|bespreekt|evalueren)(?:\s+\w+){0,2}\s+"
        r"(?:in|bij|tijdens)\s+het\s+(?:volgende|vervolg)\s*gesprek",
        r"(?:in|bij|tijdens)\s+het\s+(?:volgende|vervolg)\s*gesprek\s+(?:bespreken|evalueren)",
    ),
    result=_any(
        r"\w*lever(?:t|en|de|den|d)? \w*stuur(?:t|de|den|d)? \w*sturen \w*mail(?:t|en|de|d)?",
        r"(?:terug|op)?(?:ge)?bel(?:t|len|de|den|d)? (?:aan|af)?(?:ge)?meld(?:t|en|de|d)?",
        r"uitnodig\w* uitgenodigd nodigt (?:in|ge)?vul(?:t|len|de|d)? ingevuld noteer\w* noteren",
        r"\w*schrijf\w* \w*schrijven \w*schreef \w*geschreven (?:onder|af)?teken(?:t|en|de|d)?",
        r"\w*getekend afronden afgerond rondt afmaken afgemaakt",
        r"[\w-]*(?:werkbon|logboek|verslag|rapport|portfolio|certificaat|diploma|examen|offerte"
        r"|planning|afspra(?:ak|ken)|lijst|formulier|foto|tekening)(?:nen|en|s|'s)?",
    ),
)

ENGLISH = Lexicon(
    vague=_any(
        r"better more less fewer harder faster neater neatly",
        r"do\s+your\s+best do\s+his\s+best do\s+my\s+best work\s+on working\s+on",
        r"pay\s+attention pay\s+\w+\s+attention attention try tries trying improve improves",
        r"communicate communication work works listen listens handle deal\s+with become",
        r"be\s+more make\s+sure makes\s+sure commitment initiative responsibility motivation",
        r"attitude self-confidence confidence interest proactive positive independent",
        r"customer-friendly mistakes motivated alert flexible patient friendly involved",
        r"involvement careful carefully safety",
    ),
    comparative=_any(r"better more less fewer harder faster more\s+often"),
    judgement=_any(
        r"lazy sloppy careless unmotivated rude lax messy slow stupid arrogant unreliable",
        r"clumsy indifferent disinterested uninterested chaotic",
    ),
    vague_time=_phrases(
        r"as\s+soon\s+as\s+possible",
        r"asap",
        r"soon",
        r"sometime",
        r"some\s+time",
        r"at\s+some\s+point",
        r"later",
        r"eventually",
        r"when\s+there\s+is\s+time",
    ),
    concrete=_any(
        r"(?:re)?(?:call|calls|called|send|sends|sent|email|emails|emailed|fill|fills|filled"
        r"|record|records|recorded|write|writes|wrote|written|sign|signs|signed|look|looks"
        r"|fix|fixes|fixed|solve|solves|solved|clean|cleans|cleaned|cleaning|measure|measures"
        r"|measured|wear|wears|check|checks|checked|inspect|inspects|inspected|shadow"
        r"|shadows|practise|practice|practises|solder|solders|soldered|connect|connects"
        r"|connected|ask|asks|asked|arrive|arrives|hand|hands|handed|pass|passes|passed"
        r"|finish|finishes|finished|read|reads|register|registers|invite|invites|invited"
        r"|collect|collects|restock|restocks|replace|replaces|install|installs|test|tests"
        r"|repair|repairs|order|orders|explain|explains|explained|discuss|discusses|discussed"
        r"|evaluate|evaluates|demonstrate|demonstrates|commission|commissions|bleed|bleeds"
        r"|stock|stocks|arrange|arranges|go\s+through|goes\s+through|be\s+on\s+time"
        r"|be\s+at|be\s+on\s+site|help|helps|join|joins|take\s+the|get\s+the|catch\s+up)",
    ),
    verb_like=re.compile(r"\w{2,}"),
    persons=_any(
        r"i i'm i'll i've i'd me my you you'll you're your we we'll we're us our he she",
        r"together yourself",
    ),
    before_place=_set("at for to with from on in of by about the a an near into"),
    not_names=_set(f"{_EN_DAYS} {_EN_MONTHS} christmas easter"),
    subject_verb=re.compile(
        r"^(?:\w+[^s\W]s|will|can|should|must|and\s+[A-Z]\w*)\b", re.IGNORECASE
    ),
    due=_any(
        rf"{_EN_DAYS.replace(' ', 's? ')}s?",
        rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_EN_MONTHS.replace(' ', '|')})",
        rf"(?:{_EN_MONTHS.replace(' ', '|')})\s+\d{{1,2}}",
        r"\d{1,2}[-/]\d{1,2}(?:[-/]\d{2,4})? today tomorrow tonight",
        rf"(?:this|next|coming|the\s+coming)\s+(?:{_EN_PERIOD})(?:'s)? next\s+\w+",
        rf"within\s+(?:a|an|one|\d+|{_EN_NUMBERS.replace(' ', '|')})\s+(?:{_EN_PERIOD})",
        r"(?:after|before|by|until|till)\s+the\s+(?:\w+\s+)?(?:holiday|holidays|summer|break"
        r"|christmas|easter|winter|autumn|end\s+of\s+\w+)",
        r"before\s+(?:he|she|you|i|we|they|leaving)",
        r"end\s+of\s+the\s+(?:day|week|month)",
        r"from\s+(?:tomorrow|monday|next\s+\w+)",
    ),
    recurring=_any(
        r"every\s+\w+ each\s+\w+ always daily weekly monthly",
        rf"(?:per|times\s+a|once\s+a|twice\s+a)\s+(?:{_EN_PERIOD})",
    ),
    ongoing=_any(r"from\s+now\s+on from\s+today ongoing going\s+forward continuously"),
    count=_any(
        rf"\d+(?:[:.,]\d+)? {_EN_NUMBERS} once twice at\s+least at\s+most percent",
    ),
    check=_any(
        r"check checks checked inspect inspects inspected review reviews reviewed",
        r"go\s+through goes\s+through went\s+through discuss discusses discussed evaluate",
        r"evaluates evaluation assess assesses sign\s+off signs\s+off feedback independently",
        r"on\s+(?:his|her|their|your|my)\s+own without\s+help unaided",
    ),
    next_talk=_phrases(
        r"(?:and\s+|we'll\s+|we\s+will\s+)?(?:discuss|evaluate|review)(?:\s+\w+){0,2}\s+"
        r"(?:at|in|during)\s+the\s+next\s+(?:talk|review|meeting)",
    ),
    result=_any(
        r"hand\s+in hands\s+in handed\s+in send sends sent e?-?mail e?-?mails e?-?mailed",
        r"call(?:s|ed)?(?!-) sign(?:s|ed)? register(?:s|ed)? invite[sd]? fill(?:s|ed)?\s+in",
        r"record(?:s|ed)? write(?:s)? wrote written finish(?:es|ed)? complete[sd]?",
        r"pass(?:es|ed)?",
        r"[\w-]*(?:job\s+sheet|log|logbook|report|portfolio|certificate|diploma|exam|quote|planning"
        r"|appointment|list|form|photo|drawing)s?",
    ),
)
