"""The agreement check: what a written agreement still lacks (action, owner, due, measure).

Each table row is an agreement as a lead or a learner would type it in the agreement form of a
technical company (installers, electricians, service engineers, the workshop) or of an intern's
placement (school, portfolio, BPV), with the owner and due date as the form sends them, and the
exact `missing` tuple expected by the rules in `plugin.domain.agreement_check`'s docstring.

The tables were written before the function. Rows the rules deliberately misread are not
silently dropped or relabelled: they sit in `KNOWN_MISSES` with the reason, and they count
(as misses) in the accuracy figure that `test_accuracy` prints.
"""

from __future__ import annotations

from datetime import date

import pytest

from plugin.domain.agreement_check import (
    FIELDS,
    check_agreement,
)

ACT, OWN, DUE, MEA = "action", "owner", "due", "measure"
ALL = (ACT, OWN, DUE, MEA)
NONE: tuple[str, ...] = ()
LEARNER, LEAD, BOTH = "learner", "lead", "both"
DAY = date(2027, 3, 1)

Row = tuple[str, str | None, date | None, tuple[str, ...]]

NL: list[Row] = [
    # Vague: no action anyone can see being done.
    ("Beter je best doen", None, None, (ACT, DUE, MEA)),
    ("Meer inzet tonen", None, None, ALL),
    ("Werken aan communicatie", LEARNER, None, (ACT, DUE, MEA)),
    ("Letten op veiligheid", LEARNER, DAY, (ACT, MEA)),
    ("Aandacht besteden aan de netheid van de bus", None, None, ALL),
    ("Sem gaat beter communiceren met klanten", None, None, (ACT, DUE, MEA)),
    ("Meer initiatief nemen op de werkplaats", LEARNER, None, (ACT, DUE, MEA)),
    ("Zelfstandiger worden", LEARNER, DAY, (ACT, MEA)),
    ("Motivatie verbeteren", None, None, ALL),
    ("Minder fouten maken", LEARNER, None, (ACT, DUE, MEA)),
    ("Beter plannen", LEARNER, DAY, (ACT, MEA)),
    ("Je moet minder lui zijn", None, None, (ACT, DUE, MEA)),
    ("Niet meer zo slordig zijn met de werkbonnen", LEARNER, None, (ACT, DUE, MEA)),
    ("Beter opletten tijdens de toolbox", None, DAY, (ACT, OWN, MEA)),
    ("Harder werken", LEARNER, None, (ACT, DUE, MEA)),
    ("Meer verantwoordelijkheid nemen", BOTH, DAY, (ACT, MEA)),
    ("Je best doen op school", None, None, (ACT, DUE, MEA)),
    ("Werken aan je houding", None, DAY, (ACT, MEA)),
    ("Sneller werken bij storingen", LEARNER, DAY, (ACT, MEA)),
    ("Positiever zijn naar collega's", LEARNER, None, (ACT, DUE, MEA)),
    ("Klantvriendelijker worden", None, None, ALL),
    ("Meer interesse tonen in het vak", LEARNER, None, (ACT, DUE, MEA)),
    ("Werken aan zelfvertrouwen", None, None, ALL),
    ("Beter leren omgaan met kritiek", LEARNER, DAY, (ACT, MEA)),
    ("Meer aandacht voor de veiligheid op de bouw", None, DAY, (ACT, OWN, MEA)),
    ("Netter werken, vanaf nu", LEARNER, None, (ACT, MEA)),
    ("Communicatie met de planning verbeteren, doorlopend", None, None, (ACT, OWN, MEA)),
    ("Beter samenwerken met de andere stagiairs", LEARNER, None, (ACT, DUE, MEA)),
    ("Meer zelf doen", None, None, ALL),
    ("Beter luisteren naar de uitleg van collega's", LEARNER, None, (ACT, DUE, MEA)),
    ("Zorgen dat de bus netjes is", LEARNER, None, (ACT, DUE, MEA)),
    ("Werken aan communicatie, dat bespreken we in het volgende gesprek", LEARNER, None, (ACT,)),
    ("Proactiever zijn", None, DAY, (ACT, OWN, MEA)),
    ("Betere werkhouding", LEARNER, None, (ACT, DUE, MEA)),
    # A vague word with an action someone can see: the action is there (the hint names the word).
    ("Proberen op tijd te komen", LEARNER, None, (DUE, MEA)),
    ("Meer vragen stellen als iets niet duidelijk is", LEARNER, None, (DUE, MEA)),
    ("Proberen storingen zelf op te lossen", LEARNER, None, (DUE, MEA)),
    ("Leren solderen", LEARNER, DAY, (MEA,)),
    ("Zo snel mogelijk de storing bij Bakker oplossen", LEARNER, None, (DUE, MEA)),
    # Concrete.
    ("Elke ochtend om 7:30 op de bouw zijn", LEARNER, None, NONE),
    ("De werkbon invullen voordat hij de klant verlaat", None, None, NONE),
    ("Twee storingen zelfstandig opzoeken met de storingstabel", LEARNER, DAY, NONE),
    ("Twee storingen zelfstandig opzoeken met de storingstabel", None, None, (OWN, DUE)),
    ("Sem levert uiterlijk 1 maart zijn BPV-verslag in bij school", None, None, NONE),
    ("Het BPV-verslag inleveren", LEARNER, DAY, NONE),
    ("Het BPV-verslag inleveren", LEARNER, None, (DUE,)),
    ("De klant terugbellen over de offerte", LEAD, None, (DUE,)),
    ("Marco meldt Sem aan voor de VCA-cursus", None, None, (DUE,)),
    ("Voor vrijdag de offerte voor de warmtepomp bij Jansen opsturen", None, None, (OWN,)),
    ("Ik kijk elke vrijdag de werkbonnen van Sem na", None, None, NONE),
    ("Binnen twee weken het VCA-examen halen", LEARNER, None, NONE),
    ("Het VCA-examen halen", None, DAY, (OWN,)),
    ("Samen de planning voor de komende maand maken", None, None, NONE),
    ("De PBM dragen op de bouw", LEARNER, None, (DUE, MEA)),
    ("Altijd je helm dragen op de bouw", None, None, NONE),
    ("Vanaf nu de gereedschapskist aan het eind van de dag opruimen", LEARNER, None, (MEA,)),
    (
        "Vanaf nu de gereedschapskist elke dag opruimen, Marco controleert op vrijdag",
        None,
        None,
        NONE,
    ),
    ("Drie keer meelopen met een servicemonteur", LEARNER, DAY, NONE),
    ("Meelopen met een servicemonteur", LEARNER, DAY, (MEA,)),
    ("Het portfolio afronden voor de beoordeling op school", LEARNER, DAY, NONE),
    ("Bij de volgende storing eerst de storingstabel erbij pakken", LEARNER, None, (MEA,)),
    (
        "Een leerdoel voor de BPV opschrijven en bespreken in het volgende gesprek",
        None,
        None,
        (OWN,),
    ),
    (
        "Sem vraagt Marco om hulp als hij na een kwartier niet verder komt",
        None,
        None,
        (DUE,),
    ),
    (
        "Uiterlijk vrijdag de materiaallijst voor de klus in Deventer mailen naar de "
        "werkvoorbereider",
        LEARNER,
        None,
        NONE,
    ),
    ("De nieuwe collega wegwijs maken op de werkplaats", LEAD, None, (DUE, MEA)),
    (
        "Marco doet de eerste twee keer het inregelen voor, daarna doet Sem het zelf",
        None,
        DAY,
        NONE,
    ),
    ("Elke week een stukje schrijven in het BPV-logboek", LEARNER, None, NONE),
    ("Een afspraak maken met de stagebegeleider van school", LEARNER, DAY, NONE),
    ("De werkplaats opruimen", None, None, (OWN, DUE, MEA)),
    ("Na elke klus de bus aanvullen met materiaal", LEARNER, None, NONE),
    ("Bij twijfel over de aansluiting eerst Marco bellen", LEARNER, None, (DUE,)),
    ("De VCA-cursus volgen en het certificaat halen", None, DAY, (OWN,)),
    ("Iedere maandag de planning van de week doornemen met Marco", LEARNER, None, NONE),
    ("Sem zorgt dat de bus elke vrijdag is opgeruimd", None, None, NONE),
    ("De meetwaarden van de groepenkast noteren in het meetrapport", LEARNER, DAY, NONE),
    (
        "Voor het volgende gesprek drie voorbeelden verzamelen van klussen die goed gingen",
        LEARNER,
        None,
        NONE,
    ),
    ("Zelf de klant te woord staan bij de oplevering", LEARNER, DAY, (MEA,)),
    ("De aarding meten en de waarde op de werkbon zetten", None, None, (OWN, DUE)),
    ("Op tijd komen", LEARNER, None, (DUE, MEA)),
    ("Om 7:00 op de zaak zijn", LEARNER, None, (DUE,)),
    ("De les over frequentieregelaars op school inhalen", LEARNER, DAY, (MEA,)),
    (
        "Marco geeft Sem elke vrijdag tien minuten feedback op zijn werkbonnen",
        None,
        None,
        NONE,
    ),
    ("Zich aanmelden voor de herkansing van de toets", LEARNER, None, (DUE,)),
    ("De stagebegeleider van school uitnodigen voor het tussentijdse gesprek", LEAD, None, (DUE,)),
    ("Sem en Marco evalueren de stage na de zomer", None, None, NONE),
    ("We bespreken de voortgang deze maand", None, None, NONE),
    ("Het werkplekreglement lezen", LEARNER, None, (DUE, MEA)),
    ("Het werkplekreglement lezen en ondertekenen voor 1 april", LEARNER, None, NONE),
    ("Binnenkort een keer meedraaien op de servicedienst", LEARNER, None, (DUE,)),
    ("Elke dag het logboek bijhouden", None, None, (OWN,)),
    ("Het logboek bijhouden", None, None, (OWN, DUE)),
    ("De klant uitleg geven over de thermostaat bij elke oplevering", LEARNER, None, NONE),
    ("De oefentoets maken en samen nakijken", LEARNER, None, (DUE,)),
    ("Werkbonnen digitaal invullen in de app, vanaf maandag", None, None, (OWN,)),
    ("Stageopdracht 3 afmaken voor de kerstvakantie", LEARNER, None, NONE),
    ("Ik regel een werkplek in de werkplaats voor Sem", None, DAY, (MEA,)),
    ("Jij legt de klant uit hoe de warmtepomp werkt", None, None, (DUE, MEA)),
    ("De storingsmeldingen van deze week samen doorlopen", None, None, NONE),
    ("Sem sluit zelfstandig een groepenkast aan, Marco keurt hem", None, DAY, NONE),
    ("Minimaal drie keer per week de bus schoonmaken", LEARNER, None, NONE),
    ("Ontluchten van de radiatoren oefenen bij de volgende onderhoudsklus", BOTH, None, (MEA,)),
    ("De offerte voor Van Dam nakijken", LEAD, DAY, NONE),
    # Added after the rules were written, labelled before the function was run on them
    # (first run: 16 of 18 right in each language; see KNOWN_MISSES and the comparative rule).
    ("De cv-ketel bij de klant zelfstandig ontluchten", LEARNER, None, (DUE,)),
    ("Netjes werken", None, None, ALL),
    ("Marco laat Sem volgende week zien hoe je een groepenkast afmonteert", None, None, (MEA,)),
    ("Voor 15 april drie praktijkopdrachten uit het werkboek afronden", LEARNER, None, NONE),
    ("Vaker de werkvoorbereider bellen", LEARNER, None, (DUE, MEA)),
    ("Sem zet na elke storing de oorzaak in de app", None, None, NONE),
    ("Positief blijven", LEARNER, None, (ACT, DUE, MEA)),
    ("De stagebegeleider mailen over de datum van het assessment", LEARNER, None, (DUE,)),
    ("Elke maandag om 8:00 de werkbonnen van vorige week inleveren", LEARNER, None, NONE),
    ("Veiliger werken op hoogte", None, None, ALL),
    ("Een keer per maand een klantgesprek voeren samen met Marco", LEARNER, None, NONE),
    ("Meer betrokkenheid bij het team", None, DAY, (ACT, OWN, MEA)),
    ("Ik bel de school om de BPV-overeenkomst te regelen", None, None, (DUE,)),
    ("Tijdens de volgende oplevering de klant zelf de uitleg geven", LEARNER, None, (MEA,)),
    ("Werken aan de planning", None, None, ALL),
    (
        "Het verslag van de stage laten lezen aan Marco en zijn feedback verwerken",
        LEARNER,
        DAY,
        NONE,
    ),
    ("Zorgen voor een goede sfeer in de ploeg", None, None, ALL),
    ("Sem meldt elke storing die hij niet kan oplossen bij de planning", None, None, NONE),
]

EN: list[Row] = [
    # Vague: no action anyone can see being done.
    ("Do your best", None, None, (ACT, DUE, MEA)),
    ("Show more commitment", None, None, ALL),
    ("Work on communication", LEARNER, None, (ACT, DUE, MEA)),
    ("Pay attention to safety", LEARNER, DAY, (ACT, MEA)),
    ("Pay more attention to keeping the van tidy", None, None, ALL),
    ("Sem will communicate better with customers", None, None, (ACT, DUE, MEA)),
    ("Take more initiative in the workshop", LEARNER, None, (ACT, DUE, MEA)),
    ("Become more independent", LEARNER, DAY, (ACT, MEA)),
    ("Improve motivation", None, None, ALL),
    ("Make fewer mistakes", LEARNER, None, (ACT, DUE, MEA)),
    ("Plan better", LEARNER, DAY, (ACT, MEA)),
    ("You need to be less lazy", None, None, (ACT, DUE, MEA)),
    ("Stop being so sloppy with the job sheets", LEARNER, None, (ACT, DUE, MEA)),
    ("Pay better attention during the toolbox talk", None, DAY, (ACT, OWN, MEA)),
    ("Work harder", LEARNER, None, (ACT, DUE, MEA)),
    ("Take more responsibility", BOTH, DAY, (ACT, MEA)),
    ("Do your best at college", None, None, (ACT, DUE, MEA)),
    ("Work on your attitude", None, DAY, (ACT, MEA)),
    ("Work faster on call-outs", LEARNER, DAY, (ACT, MEA)),
    ("Be more positive towards colleagues", LEARNER, None, (ACT, DUE, MEA)),
    ("Become more customer-friendly", None, None, ALL),
    ("Show more interest in the trade", LEARNER, None, (ACT, DUE, MEA)),
    ("Work on self-confidence", None, None, ALL),
    ("Learn to handle criticism better", LEARNER, DAY, (ACT, MEA)),
    ("More attention to safety on site", None, DAY, (ACT, OWN, MEA)),
    ("Work more neatly from now on", LEARNER, None, (ACT, MEA)),
    ("Improve communication with the planning team, ongoing", None, None, (ACT, OWN, MEA)),
    ("Work better with the other interns", LEARNER, None, (ACT, DUE, MEA)),
    ("Listen better to colleagues' explanations", LEARNER, None, (ACT, DUE, MEA)),
    ("Make sure the van is tidy", LEARNER, None, (ACT, DUE, MEA)),
    ("Work on communication; we'll discuss it at the next talk", LEARNER, None, (ACT,)),
    ("Be more proactive", None, DAY, (ACT, OWN, MEA)),
    ("Better work attitude", LEARNER, None, (ACT, DUE, MEA)),
    ("Improve your time management", None, None, (ACT, DUE, MEA)),
    # A vague word with an action someone can see: the action is there (the hint names the word).
    ("Try to be on time", LEARNER, None, (DUE, MEA)),
    ("Ask more questions when something is unclear", LEARNER, None, (DUE, MEA)),
    ("Try to fix more faults", LEARNER, None, (DUE, MEA)),
    ("Learn to solder", LEARNER, DAY, (MEA,)),
    ("Fix the fault at Baker's as soon as possible", LEARNER, None, (DUE, MEA)),
    # Concrete.
    ("Be on site at 7:30 every morning", LEARNER, None, NONE),
    ("Fill in the job sheet before he leaves the customer", None, None, NONE),
    ("Look up two faults independently using the fault table", LEARNER, DAY, NONE),
    ("Look up two faults independently using the fault table", None, None, (OWN, DUE)),
    ("Sem hands in his work placement report at college by 1 March", None, None, NONE),
    ("Hand in the work placement report", LEARNER, DAY, NONE),
    ("Hand in the work placement report", LEARNER, None, (DUE,)),
    ("Call the customer back about the quote", LEAD, None, (DUE,)),
    ("Marco signs Sem up for the safety course", None, None, (DUE,)),
    ("Send the quote for the heat pump to Jansen before Friday", None, None, (OWN,)),
    ("I check Sem's job sheets every Friday", None, None, NONE),
    ("Pass the VCA exam within two weeks", LEARNER, None, NONE),
    ("Pass the VCA exam", None, DAY, (OWN,)),
    ("Make the planning for next month together", None, None, NONE),
    ("Wear PPE on site", LEARNER, None, (DUE, MEA)),
    ("Always wear your helmet on site", None, None, NONE),
    ("From now on, tidy the toolbox at the end of the day", LEARNER, None, (MEA,)),
    ("Tidy the toolbox every day from now on; Marco checks on Fridays", None, None, NONE),
    ("Shadow a service engineer three times", LEARNER, DAY, NONE),
    ("Shadow a service engineer", LEARNER, DAY, (MEA,)),
    ("Finish the portfolio before the assessment at college", LEARNER, DAY, NONE),
    ("At the next fault, get the fault table out first", LEARNER, None, (MEA,)),
    (
        "Write down a learning goal for the placement and discuss it at the next talk",
        None,
        None,
        (OWN,),
    ),
    ("Sem asks Marco for help if he is stuck for more than fifteen minutes", None, None, (DUE,)),
    (
        "Email the materials list for the Deventer job to the planner by Friday at the latest",
        LEARNER,
        None,
        NONE,
    ),
    ("Show the new colleague around the workshop", LEAD, None, (DUE, MEA)),
    (
        "Marco demonstrates commissioning the first two times, then Sem does it on his own",
        None,
        DAY,
        NONE,
    ),
    ("Write a short entry in the placement log every week", LEARNER, None, NONE),
    ("Make an appointment with the school supervisor", LEARNER, DAY, NONE),
    ("Tidy up the workshop", None, None, (OWN, DUE, MEA)),
    ("Restock the van after every job", LEARNER, None, NONE),
    ("If in doubt about a connection, call Marco first", LEARNER, None, (DUE,)),
    ("Take the VCA course and get the certificate", None, DAY, (OWN,)),
    ("Go through the week's planning with Marco every Monday", LEARNER, None, NONE),
    ("Sem makes sure the van is cleaned out every Friday", None, None, NONE),
    ("Record the readings from the distribution board in the test report", LEARNER, DAY, NONE),
    ("Collect three examples of jobs that went well before the next talk", LEARNER, None, NONE),
    ("Talk to the customer yourself at the handover", LEARNER, DAY, (MEA,)),
    ("Measure the earthing and write the value on the job sheet", None, None, (OWN, DUE)),
    ("Arrive on time", LEARNER, None, (DUE, MEA)),
    ("Be at the yard at 7:00", LEARNER, None, (DUE,)),
    ("Catch up on the missed lesson about frequency drives at college", LEARNER, DAY, (MEA,)),
    (
        "Marco gives Sem ten minutes of feedback on his job sheets every Friday",
        None,
        None,
        NONE,
    ),
    ("Register for the resit of the test", LEARNER, None, (DUE,)),
    ("Invite the school supervisor to the interim review", LEAD, None, (DUE,)),
    ("Sem and Marco evaluate the placement after the summer", None, None, NONE),
    ("We discuss progress this month", None, None, NONE),
    ("Read the workshop rules", LEARNER, None, (DUE, MEA)),
    ("Read and sign the workshop rules by 1 April", LEARNER, None, NONE),
    ("Join the on-call service once sometime soon", LEARNER, None, (DUE,)),
    ("Keep the log every day", None, None, (OWN,)),
    ("Keep the log up to date", None, None, (OWN, DUE)),
    ("Explain the thermostat to the customer at every handover", LEARNER, None, NONE),
    ("Do the practice test and go through it together", LEARNER, None, (DUE,)),
    ("Fill in job sheets digitally in the app from Monday", None, None, (OWN,)),
    ("Finish placement assignment 3 before the Christmas holiday", LEARNER, None, NONE),
    ("I'll arrange a workbench in the workshop for Sem", None, DAY, (MEA,)),
    ("You explain to the customer how the heat pump works", None, None, (DUE, MEA)),
    ("Go through this week's fault reports together", None, None, NONE),
    ("Sem connects a distribution board on his own, Marco inspects it", None, DAY, NONE),
    ("Clean the van at least three times a week", LEARNER, None, NONE),
    ("Practise bleeding radiators at the next maintenance job", BOTH, None, (MEA,)),
    ("Check the quote for Van Dam", LEAD, DAY, NONE),
    # Added after the rules were written, labelled before the function was run on them
    # (first run: 16 of 18 right in each language; see KNOWN_MISSES and the comparative rule).
    ("Bleed the boiler at the customer's independently", LEARNER, None, (DUE,)),
    ("Work tidily", None, None, ALL),
    ("Finish three practical assignments from the workbook by 15 April", LEARNER, None, NONE),
    ("Call the job planner more often", LEARNER, None, (DUE, MEA)),
    ("Sem logs the cause in the app after every fault", None, None, NONE),
    ("Stay positive", LEARNER, None, (ACT, DUE, MEA)),
    ("Email the school supervisor about the date of the assessment", LEARNER, None, (DUE,)),
    ("Hand in last week's job sheets every Monday at 8:00", LEARNER, None, NONE),
    ("Work more safely at height", None, None, ALL),
    ("Have a customer conversation together with Marco once a month", LEARNER, None, NONE),
    ("More involvement with the team", None, DAY, (ACT, OWN, MEA)),
    ("I'll call the school to arrange the placement agreement", None, None, (DUE,)),
    ("At the next handover, give the customer the explanation yourself", LEARNER, None, (MEA,)),
    ("Work on the planning", None, None, ALL),
    ("Have Marco read the placement report and process his feedback", LEARNER, DAY, NONE),
    ("Make sure there is a good atmosphere in the crew", None, None, ALL),
    ("Sem reports every fault he cannot fix to the planning team", None, None, NONE),
]

#: Rows the rules read wrongly on purpose, with the reason. They count in the accuracy as
#: misses; `test_known_misses_are_still_missed` keeps the list honest when the rules improve.
KNOWN_MISSES: list[tuple[str, Row, str]] = [
    (
        "en",
        ("Marco shows Sem next week how to finish off a distribution board", None, None, (MEA,)),
        "'finish' reads as a visible result (something finished), but here it is what Marco "
        "shows, not what Sem delivers: the rules read words, not who does what to what.",
    ),
]


def _ids(table: list[Row]) -> list[str]:
    return [f"{what[:45]}|{owner}|{due}" for what, owner, due, _ in table]


@pytest.mark.parametrize(("what", "owner", "due", "missing"), NL, ids=_ids(NL))
def test_dutch_table(what: str, owner: str | None, due: date | None, missing: tuple[str]) -> None:
    assert check_agreement(what, owner, due, "nl").missing == missing


@pytest.mark.parametrize(("what", "owner", "due", "missing"), EN, ids=_ids(EN))
def test_english_table(what: str, owner: str | None, due: date | None, missing: tuple[str]) -> None:
    assert check_agreement(what, owner, due, "en").missing == missing


def test_known_misses_are_still_missed() -> None:
    """A known miss that the rules now read right belongs back in its table."""
    for lang, (what, owner, due, missing), reason in KNOWN_MISSES:
        assert reason
        assert check_agreement(what, owner, due, lang).missing != missing, what


@pytest.mark.parametrize(("lang", "table"), [("nl", NL), ("en", EN)])
def test_accuracy(lang: str, table: list[Row]) -> None:
    """Exact matches of `missing` over the whole table, known misses included."""
    rows = table + [row for miss_lang, row, _ in KNOWN_MISSES if miss_lang == lang]
    right = sum(check_agreement(w, o, d, lang).missing == m for w, o, d, m in rows)
    print(f"\nagreement check accuracy {lang}: {right / len(rows):.1%} ({right}/{len(rows)})")
    assert len(rows) >= 80
    assert right / len(rows) >= 0.9
    assert sum(1 for miss_lang, _, _ in KNOWN_MISSES if miss_lang == lang) <= 5


@pytest.mark.parametrize("table", [NL, EN], ids=["nl", "en"])
def test_tables_are_varied(table: list[Row]) -> None:
    assert len({(w, o, d) for w, o, d, _ in table}) == len(table), "a row is listed twice"
    assert sum(1 for _, _, _, m in table if m == NONE) >= 25  # concrete ones
    assert sum(1 for _, _, _, m in table if ACT in m) >= 25  # vague ones
    assert sum(1 for _, o, _, _ in table if o is None) >= 25
    assert sum(1 for _, o, _, _ in table if o is not None) >= 25
    assert sum(1 for _, _, d, _ in table if d is not None) >= 15
    for _, _, _, missing in table:
        assert list(missing) == [f for f in FIELDS if f in missing]  # in the documented order
