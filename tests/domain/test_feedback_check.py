"""The feedback check: gentle hints on a feedback draft, step by step, by the guide's rules.

Each row is a draft as a lead (a foreman, a service engineer, a workplace trainer) would prepare
it for an employee or intern, in the guide's four steps, with the exact set of (step, code)
hints expected by the rules in `plugin.domain.feedback_check`'s docstring. The rows were
labelled by what the draft says, before the checker was run on them; rows the rules misread on
purpose sit in `KNOWN_MISSES` with the reason, and count as misses in the printed accuracy.
"""

from __future__ import annotations

import pytest

from plugin.domain.feedback import STEPS
from plugin.domain.feedback_check import HINT_CODES, FeedbackHint, check_feedback

P, B, E, S = STEPS
EMPTY, JUDGE, ALWAYS, SELF = "empty_step", "judgement", "always_never", "not_from_self"
EFFECT, QUESTION, VAGUE = "no_effect", "no_question", "vague_agreement"

Expected = tuple[tuple[str, str], ...]
Draft = tuple[str, str, str, str, Expected]

NL: list[Draft] = [
    (
        "Je werkbonnen zijn altijd netjes ingevuld.",
        "Ik zag gisteren dat je bij Jansen de kast dichtmaakte zonder te meten.",
        "Daardoor weet ik niet of de groep veilig is. Hoe zie jij dat?",
        "Voortaan meet je elke groep en zet je de waarde op de werkbon. Marco kijkt het na.",
        (),
    ),
    (
        "Je bent altijd op tijd.",
        "Jij bent zo slordig.",
        "Dat kost ons tijd bij de klant. Wat vind jij?",
        "Twee keer per week lopen we samen je werkbonnen na.",
        ((B, JUDGE), (B, SELF)),
    ),
    (
        "Je pakt nieuwe klussen snel op.",
        "Ik merk dat je nooit je helm draagt op de bouw.",
        "Dat is gevaarlijk, voor jou en voor je collega's.",
        "Draag je helm.",
        ((B, ALWAYS), (E, QUESTION), (S, VAGUE)),
    ),
    (
        "",
        "Ik zag dat je de werkbon niet invulde.",
        "Daardoor kon de planning de factuur niet maken. Hoe kijk jij daartegenaan?",
        "",
        ((P, EMPTY), (S, EMPTY)),
    ),
    (
        "Fijn dat je zo meedenkt.",
        "Je bent lui.",
        "Dat is niet oké.",
        "Beter je best doen.",
        ((B, JUDGE), (B, SELF), (E, EFFECT), (E, QUESTION), (S, VAGUE)),
    ),
    (
        "Je bent goed met klanten.",
        "Ik zag vanochtend dat je de klant niet groette.",
        "De klant belde me daarna om te klagen. Wat denk jij?",
        "Bij de volgende klus stel je jezelf voor aan de klant; ik loop de eerste twee keer mee.",
        (),
    ),
    (
        "Je bent altijd behulpzaam.",
        "Ik zie dat je steeds te laat bent.",
        "Daardoor moet het team op je wachten.",
        "Wat kun jij doen om om 7:00 op de bouw te zijn?",
        ((B, ALWAYS),),
    ),
    ("", "", "", "", ((P, EMPTY), (B, EMPTY), (E, EMPTY), (S, EMPTY))),
    (
        "Goed dat je de storing bij Bakker zelf vond.",
        "Ik zag dat je de meetwaarden niet opschreef.",
        "Ik kan daardoor niet laten zien dat de installatie veilig is. Herken je dat?",
        "Zou je voortaan elke meting op de werkbon willen noteren?",
        (),
    ),
    (
        "Je hebt veel geleerd deze maand.",
        "Ik hoorde van de klant dat je heel stil was.",
        "Ik denk dat de klant daardoor niet wist wat er gebeurde.",
        "Meer communiceren met klanten.",
        ((E, QUESTION), (S, VAGUE)),
    ),
    (
        "Mooi werk bij de oplevering.",
        "Je bent niet gemotiveerd.",
        "Ik word daar moe van. Wat vind jij?",
        "Laten we samen drie leerdoelen opschrijven en die in het volgende gesprek bespreken.",
        ((B, JUDGE), (B, SELF)),
    ),
    (
        "Je werkt netjes.",
        "Ik zag dat je elke keer weer je gereedschap laat liggen.",
        "Daardoor zoeken collega's hun spullen.",
        "Ruim je gereedschap op.",
        ((B, ALWAYS), (E, QUESTION), (S, VAGUE)),
    ),
    (
        "Knap hoe je die storing oploste.",
        "Gisteren heb je de klant niet teruggebeld.",
        "De klant heeft een klacht ingediend. Hoe zie jij dat?",
        "Voortaan bel je klanten binnen een dag terug.",
        ((B, SELF),),
    ),
    (
        "Je bent een harde werker.",
        "Ik zag dat je op de steiger stond zonder vastgeklikt te zijn.",
        "Dat is levensgevaarlijk.",
        "Wat heb jij nodig om je altijd vast te klikken?",
        (),
    ),
    (
        "Je komt altijd op tijd.",
        "Ik merk dat je in de pauze steeds op je telefoon zit.",
        "Ik vind dat jammer, want dan mis je de uitleg van collega's.",
        "Wat zou jij willen afspreken?",
        ((B, ALWAYS), (S, VAGUE)),
    ),
    (
        "Je helpt nieuwe collega's goed.",
        "Jij bent chaotisch.",
        "Dat is vervelend.",
        "Probeer wat rustiger te werken.",
        ((B, JUDGE), (B, SELF), (E, EFFECT), (E, QUESTION), (S, VAGUE)),
    ),
    (
        "Goed dat je vragen stelt.",
        "Ik zag dat je de groepenkast aansloot zonder de spanning te meten.",
        "Zo loop je het risico op een ongeluk. Wat vind jij daarvan?",
        "Vanaf nu meet je altijd eerst de spanning; Marco controleert dat de komende twee weken.",
        (),
    ),
    (
        "Je rijdt rustig.",
        "Ik zag dat je vorige week twee keer de bus niet had afgesloten.",
        "Dan kan er gereedschap gestolen worden en dat kost geld.",
        "Sluit de bus af.",
        ((E, QUESTION), (S, VAGUE)),
    ),
    (
        "Je bent snel van begrip.",
        "Ik zag dat je bij de klant in je werkkleding op de bank ging zitten.",
        "De klant vond dat niet prettig. Wat denk jij?",
        "",
        ((S, EMPTY),),
    ),
    (
        "Je werkt hard.",
        "Ik zag maandag dat je de trap niet hebt vastgezet.",
        "Wat vind jij daarvan?",
        "Volgende keer de trap vastzetten voor je naar boven gaat.",
        ((E, EFFECT), (S, VAGUE)),
    ),
    (
        "Je hebt goede ideeën.",
        "Ik merk dat je in het overleg weinig zegt.",
        "Het team mist daardoor jouw ideeën. Hoe zie jij dat?",
        "Elke maandag breng je in het overleg één idee in.",
        (),
    ),
    (
        "Je bent altijd vriendelijk tegen klanten.",
        "Ik zag dat je de meterkast open liet staan.",
        "Kinderen kunnen er dan bij; dat is onveilig.",
        "Zou je de meterkast na elke klus op slot willen doen? Wat vind jij?",
        (),
    ),
    (
        "Fijn dat je hulp vraagt.",
        "Je bent te laat.",
        "Daardoor begint de ploeg later.",
        "Kom op tijd.",
        ((B, SELF), (E, QUESTION), (S, VAGUE)),
    ),
    (
        "Je bent leergierig.",
        "Ik zag dat je telkens de storingstabel overslaat.",
        "Daardoor duurt het zoeken langer.",
        "Wat als je de storingstabel eerst pakt, en we bespreken het volgende week?",
        ((B, ALWAYS),),
    ),
    (
        "Je werkt zorgvuldig.",
        "Ik heb gezien dat je de kabels netjes hebt weggewerkt.",
        "De klant was daar erg blij mee. Wat vond jij ervan?",
        "Doe dat bij de volgende klus weer zo; ik kijk het na.",
        (),
    ),
    (
        "Je hebt de BPV-opdracht op tijd ingeleverd.",
        "Ik zie dat je de laatste weken vaak ziek bent op maandag.",
        "Ik moet dan de planning omgooien en dat kost de klant een dag. Wat speelt er?",
        "Laten we samen zoeken wat je nodig hebt.",
        ((S, VAGUE),),
    ),
    (
        "Je bent echt een aanwinst.",
        "Je zegt altijd ja maar doet het niet.",
        "Ik kan daardoor niet op je rekenen.",
        "Schrijf elke afspraak op in je telefoon en stuur me vrijdag een appje.",
        ((B, ALWAYS), (B, SELF), (E, QUESTION)),
    ),
    (
        "Je bent nieuwsgierig.",
        "Ik zag dat je de klant uitleg gaf voordat hij erom vroeg.",
        "De klant voelde zich serieus genomen. Wat merkte jij?",
        "Blijf dat zo doen.",
        ((S, VAGUE),),
    ),
    (
        "Je bent op tijd.",
        "Ik hoorde dat je tegen de klant vloekte.",
        "Dat schaadt onze naam bij klanten.",
        "Wat kun je de volgende keer anders doen?",
        ((S, VAGUE),),
    ),
    (
        "Je pakt alles snel op.",
        "Ik merkte gisteren dat je de werkbon pas 's avonds invulde.",
        "De planning had de uren toen nog niet. Snap je wat ik bedoel?",
        "Werkbon direct na de klus invullen, ik kijk het vrijdag na.",
        (),
    ),
]

EN: list[Draft] = [
    (
        "Your job sheets are always filled in neatly.",
        "I saw yesterday that you closed the board at Jansen's without measuring.",
        "So I don't know whether the circuit is safe. How do you see that?",
        "From now on you measure every circuit and write the value on the job sheet. "
        "Marco checks it.",
        (),
    ),
    (
        "You are always on time.",
        "You are so sloppy.",
        "That costs us time at the customer. What do you think?",
        "We go through your job sheets together twice a week.",
        ((B, JUDGE), (B, SELF)),
    ),
    (
        "You pick up new jobs quickly.",
        "I notice that you never wear your helmet on site.",
        "That is dangerous, for you and for your colleagues.",
        "Wear your helmet.",
        ((B, ALWAYS), (E, QUESTION), (S, VAGUE)),
    ),
    (
        "",
        "I saw that you did not fill in the job sheet.",
        "Because of that the office could not send the invoice. How do you look at that?",
        "",
        ((P, EMPTY), (S, EMPTY)),
    ),
    (
        "Good that you think along.",
        "You are lazy.",
        "That is not okay.",
        "Do your best.",
        ((B, JUDGE), (B, SELF), (E, EFFECT), (E, QUESTION), (S, VAGUE)),
    ),
    (
        "You are good with customers.",
        "I saw this morning that you did not greet the customer.",
        "The customer called me afterwards to complain. What do you think?",
        "At the next job you introduce yourself to the customer; I'll join you the first two "
        "times.",
        (),
    ),
    (
        "You are always helpful.",
        "I see that you are late every time.",
        "The team has to wait for you because of it.",
        "What can you do to be on site at 7:00?",
        ((B, ALWAYS),),
    ),
    ("", "", "", "", ((P, EMPTY), (B, EMPTY), (E, EMPTY), (S, EMPTY))),
    (
        "Good that you found the fault at Baker's yourself.",
        "I saw that you did not write down the readings.",
        "Because of that I can't show that the installation is safe. Do you recognise that?",
        "Would you record every reading on the job sheet from now on?",
        (),
    ),
    (
        "You have learned a lot this month.",
        "The customer told me you were very quiet.",
        "I think the customer didn't know what was going on.",
        "Communicate more with customers.",
        ((E, QUESTION), (S, VAGUE)),
    ),
    (
        "Nice work at the handover.",
        "You are not motivated.",
        "It makes me tired. What do you think?",
        "Let's write down three learning goals together and discuss them at the next talk.",
        ((B, JUDGE), (B, SELF)),
    ),
    (
        "You work neatly.",
        "I saw that you leave your tools lying around every time.",
        "Because of that colleagues have to look for their things.",
        "Tidy away your tools.",
        ((B, ALWAYS), (E, QUESTION), (S, VAGUE)),
    ),
    (
        "Impressive how you solved that fault.",
        "Yesterday you did not call the customer back.",
        "The customer filed a complaint. How do you see that?",
        "From now on you call customers back within a day.",
        ((B, SELF),),
    ),
    (
        "You are a hard worker.",
        "I saw you standing on the scaffold without being clipped on.",
        "That is life-threatening.",
        "What do you need to always clip on?",
        (),
    ),
    (
        "You always arrive on time.",
        "I notice that you're on your phone all the time during breaks.",
        "I find that a pity, because then you miss your colleagues' explanations.",
        "What would you like to agree?",
        ((B, ALWAYS), (S, VAGUE)),
    ),
    (
        "You help new colleagues well.",
        "You are chaotic.",
        "That is annoying.",
        "Try to work more calmly.",
        ((B, JUDGE), (B, SELF), (E, EFFECT), (E, QUESTION), (S, VAGUE)),
    ),
    (
        "Good that you ask questions.",
        "I saw that you connected the distribution board without measuring the voltage.",
        "That way you risk an accident. What do you think about that?",
        "From now on you always measure the voltage first; Marco checks it for the coming two "
        "weeks.",
        (),
    ),
    (
        "You drive calmly.",
        "I saw that last week you twice did not lock the van.",
        "Then tools can get stolen, and that costs money.",
        "Lock the van.",
        ((E, QUESTION), (S, VAGUE)),
    ),
    (
        "You're quick to understand.",
        "I saw that you sat on the customer's sofa in your work clothes.",
        "The customer did not like that. What do you think?",
        "",
        ((S, EMPTY),),
    ),
    (
        "You work hard.",
        "I saw on Monday that you did not secure the ladder.",
        "What do you think about that?",
        "Next time secure the ladder before you go up.",
        ((E, EFFECT), (S, VAGUE)),
    ),
    (
        "You have good ideas.",
        "I notice that you say little in the team meeting.",
        "Because of that the team misses your ideas. How do you see that?",
        "Every Monday you bring one idea to the meeting.",
        (),
    ),
    (
        "You are always friendly to customers.",
        "I saw that you left the meter cupboard open.",
        "Children can reach it then; that is unsafe.",
        "Would you lock the meter cupboard after every job? What do you think?",
        (),
    ),
    (
        "Good that you ask for help.",
        "You are late.",
        "Because of that the crew starts later.",
        "Be on time.",
        ((B, SELF), (E, QUESTION), (S, VAGUE)),
    ),
    (
        "You are eager to learn.",
        "I saw that you skip the fault table every time.",
        "Because of that finding the fault takes longer.",
        "What if you get the fault table out first, and we discuss it next week?",
        ((B, ALWAYS),),
    ),
    (
        "You work carefully.",
        "I have seen that you tucked the cables away neatly.",
        "The customer was very happy with it. What did you think?",
        "Do that again at the next job; I'll check it.",
        (),
    ),
    (
        "You handed in the placement assignment on time.",
        "I see that you have often been ill on Mondays in recent weeks.",
        "Then I have to change the planning, and that costs the customer a day. What is going on?",
        "Let's find out together what you need.",
        ((S, VAGUE),),
    ),
    (
        "You're a real asset.",
        "You always say yes but don't do it.",
        "I can't rely on you because of it.",
        "Write every agreement down in your phone and send me a message on Friday.",
        ((B, ALWAYS), (B, SELF), (E, QUESTION)),
    ),
    (
        "You are curious.",
        "I saw that you explained things to the customer before he asked.",
        "The customer felt taken seriously. What did you notice?",
        "Keep doing that.",
        ((S, VAGUE),),
    ),
    (
        "You are on time.",
        "I heard that you swore at the customer.",
        "That damages our name with customers.",
        "What can you do differently next time?",
        ((S, VAGUE),),
    ),
    (
        "You pick everything up quickly.",
        "I noticed yesterday that you only filled in the job sheet in the evening.",
        "The planning did not have the hours yet then. Do you see what I mean?",
        "Fill in the job sheet straight after the job; I'll check it on Friday.",
        (),
    ),
]

#: Drafts the rules read wrongly on purpose, with the reason; they count as misses.
KNOWN_MISSES: list[tuple[str, Draft, str]] = [
    (
        "nl",
        (
            "",
            "Je doet nooit wat ik vraag.",
            "Ik word daar moe van.",
            "Beter luisteren.",
            ((P, EMPTY), (B, ALWAYS), (B, SELF), (E, QUESTION), (S, VAGUE)),
        ),
        "'ik' anywhere in the step counts as speaking from yourself, also in 'wat ik vraag': "
        "the rules do not parse who the subject of the sentence is",
    ),
    (
        "nl",
        (
            "Je bent goed in solderen.",
            "Ik zag dat je vanochtend zonder bril aan het slijpen was.",
            "Er kan een splinter in je oog komen. Wat vind jij?",
            "Voortaan altijd je bril op bij het slijpen.",
            (),
        ),
        "a harm to the body ('een splinter in je oog') is a safety effect, but no listed word "
        "names it: the effect words are a list, not an understanding of consequences",
    ),
    (
        "en",
        (
            "",
            "You never do what I ask.",
            "It makes me tired.",
            "Listen better.",
            ((P, EMPTY), (B, ALWAYS), (B, SELF), (E, QUESTION), (S, VAGUE)),
        ),
        "'I' anywhere in the step counts as speaking from yourself, also in 'what I ask': "
        "the rules do not parse who the subject of the sentence is",
    ),
    (
        "en",
        (
            "You're good at soldering.",
            "I saw that you were grinding without goggles this morning.",
            "A splinter can get into your eye. What do you think?",
            "From now on always wear your goggles when grinding.",
            (),
        ),
        "a harm to the body ('a splinter in your eye') is a safety effect, but no listed word "
        "names it: the effect words are a list, not an understanding of consequences",
    ),
]


def _codes(lang: str, draft: Draft) -> set[tuple[str, str]]:
    steps = dict(zip(STEPS, draft[:4], strict=True))
    return {(h.step, h.code) for h in check_feedback(steps, lang).hints}


def _ids(table: list[Draft]) -> list[str]:
    return [(d[1] or d[2] or "empty")[:50] for d in table]


@pytest.mark.parametrize("draft", NL, ids=_ids(NL))
def test_dutch_table(draft: Draft) -> None:
    assert _codes("nl", draft) == set(draft[4])


@pytest.mark.parametrize("draft", EN, ids=_ids(EN))
def test_english_table(draft: Draft) -> None:
    assert _codes("en", draft) == set(draft[4])


def test_known_misses_are_still_missed() -> None:
    for lang, draft, reason in KNOWN_MISSES:
        assert reason
        assert _codes(lang, draft) != set(draft[4]), draft[1]


@pytest.mark.parametrize(("lang", "table"), [("nl", NL), ("en", EN)])
def test_accuracy(lang: str, table: list[Draft]) -> None:
    rows = table + [draft for miss_lang, draft, _ in KNOWN_MISSES if miss_lang == lang]
    right = sum(_codes(lang, d) == set(d[4]) for d in rows)
    print(f"\nfeedback check accuracy {lang}: {right / len(rows):.1%} ({right}/{len(rows)})")
    assert len(rows) >= 30
    assert right / len(rows) >= 0.9


@pytest.mark.parametrize("table", [NL, EN], ids=["nl", "en"])
def test_tables_are_varied(table: list[Draft]) -> None:
    codes = {code for d in table for _, code in d[4]}
    assert codes == set(HINT_CODES), "every code is in the table"
    assert sum(1 for d in table if not d[4]) >= 8, "clean drafts too"


def test_words_name_what_was_found() -> None:
    steps = {
        "positive": "Je bent altijd op tijd.",
        "behaviour": "Jij bent zo slordig, je vergeet altijd de werkbon.",
        "effect": "Dat kost tijd. Wat vind jij?",
        "suggestion": "Beter je best doen.",
    }
    hints = check_feedback(steps, "nl").hints
    assert hints == (
        FeedbackHint("behaviour", "judgement", ("jij bent zo slordig",)),
        FeedbackHint("behaviour", "always_never", ("altijd",)),
        FeedbackHint("behaviour", "not_from_self", ()),
        FeedbackHint("suggestion", "vague_agreement", ("action", "measure")),
    )


def test_suggestion_reports_action_and_measure_only() -> None:
    """Owner and due are the agreement form's fields: a suggestion is not faulted for them."""
    steps = {"suggestion": "Twee storingen zelfstandig opzoeken met de storingstabel."}
    hints = check_feedback(steps, "nl").hints
    assert [h for h in hints if h.code == "vague_agreement"] == []
    steps = {"suggestion": "Leren solderen."}
    hints = check_feedback(steps, "nl").hints
    assert FeedbackHint("suggestion", "vague_agreement", ("measure",)) in hints


def test_missing_keys_are_empty_and_unknown_language_reads_dutch() -> None:
    hints = check_feedback({"behaviour": "Ik zag dat je de klant niet terugbelde."}, "xx").hints
    assert [(h.step, h.code) for h in hints] == [
        ("positive", "empty_step"),
        ("effect", "empty_step"),
        ("suggestion", "empty_step"),
    ]


def test_no_question_moves_to_the_suggestion_when_the_effect_is_empty() -> None:
    hints = check_feedback({"suggestion": "I check your job sheets every Friday."}, "en").hints
    assert FeedbackHint("suggestion", "no_question", ()) in hints
