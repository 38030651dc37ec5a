"""The preparation checklist: the default template and the loader's validation."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from plugin.domain.checklist import (
    MAX_QUESTION_LENGTH,
    MAX_QUESTIONS,
    ChecklistTemplate,
    Text,
    default_template,
    load_template,
    parse_template,
    resolve_language,
)
from plugin.domain.question_check import check_question

REPO = Path(__file__).resolve().parents[2]
SKIP_DIRS = {"node_modules", "__pycache__", "build", "dist"}

EXPECTED_IDS = {
    "goals": [
        "goals.learn",
        "goals.appreciation",
        "goals.feedback",
        "goals.wishes",
        "goals.own",
    ],
    "expectations": ["expectations.plan", "expectations.rules", "expectations.points"],
    "tips": ["tips.conditions", "tips.open_questions", "tips.feedback", "tips.listen"],
}

# Distinctive sentences of the guide "Handvatten ontwikkelingsgesprek". The template must say
# these things in its own words, so none of them (nor a long run of their words) may appear.
GUIDE_PHRASES = [
    "Bedenk waarom je een ontwikkelingsgesprek wilt voeren",
    "Denk bijvoorbeeld aan de volgende punten en maak ze voorafgaand aan het gesprek kenbaar",
    "Wanneer het duidelijk is wat je van iemand verwacht, wordt het ook makkelijker om met "
    "elkaar in gesprek te gaan",
    "Een goed gesprek voeren betekent dat beiden de ruimte geven en krijgen voor inbreng en "
    "reactie",
    "Gesloten vragen beginnen met een werkwoord",
    "Spreek vanuit jezelf: begin dus met 'ik' en beschrijf welk concreet gedrag je hebt "
    "waargenomen",
    "Goed luisteren betekent dat je zelf even niets zegt en oprecht interesse in de ander toont",
    "Zorg voor een handzaam gespreksformulier en vat vooral de afspraken samen",
    "Check regelmatig of er nog afspraken open staan en ga desnoods tussentijds nog een keer "
    "met elkaar in gesprek",
]
WINDOW = 6  # words: a shared run this long counts as copying


def all_texts(template: ChecklistTemplate) -> Iterator[Text]:
    yield template.name
    yield template.credit
    for section in template.sections:
        yield section.title
        yield section.intro
        for item in section.items:
            yield item.text
            yield item.help
            yield from item.questions
    yield from template.after_talk


def shipped_templates() -> list[Path]:
    """Every checklist template in the repository: JSON with "sections" and "after_talk"."""
    found: list[Path] = []
    for root, dirs, names in os.walk(REPO):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(names):
            if name.endswith(".json"):
                path = Path(root) / name
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    continue
                if isinstance(data, dict) and {"sections", "after_talk"} <= data.keys():
                    found.append(path)
    return found


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def default_data() -> dict[str, Any]:
    resource = files("plugin").joinpath("checklists/default.json")
    data: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return data


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_default_template_loads_and_is_cached() -> None:
    template = default_template()
    assert template.id == "ontwikkelgesprek"
    assert template.version >= 1
    assert default_template() is template


def test_default_json_is_reachable_as_package_data() -> None:
    assert files("plugin").joinpath("checklists/default.json").is_file()


def test_default_has_three_parts_with_the_named_items() -> None:
    template = default_template()
    assert [s.id for s in template.sections] == ["goals", "expectations", "tips"]
    assert [s.kind for s in template.sections] == ["goals", "expectations", "tips"]
    for section_id, ids in EXPECTED_IDS.items():
        assert [item.id for item in template.section(section_id).items] == ids
    in_order = tuple(i for ids in EXPECTED_IDS.values() for i in ids)
    assert template.ordered_item_ids() == in_order
    assert template.item_ids() == frozenset(in_order)


def test_only_own_goal_and_discussion_points_are_free_text() -> None:
    template = default_template()
    free = {item.id for section in template.sections for item in section.items if item.free_text}
    assert free == {"goals.own", "expectations.points"}


def test_every_goal_has_a_handful_of_questions_in_both_languages() -> None:
    template = default_template()
    for item in template.section("goals").items:
        assert 4 <= len(item.questions) <= 6, item.id
        for question in item.questions:
            assert question.nl.endswith("?")
            assert question.en.endswith("?")
            assert question.nl != question.en
    for section_id in ["expectations", "tips"]:
        assert all(not item.questions for item in template.section(section_id).items)


def test_the_shipped_templates_are_found() -> None:
    assert REPO / "plugin" / "checklists" / "default.json" in shipped_templates()


@pytest.mark.parametrize("path", shipped_templates(), ids=lambda path: str(path.relative_to(REPO)))
def test_every_question_in_a_shipped_template_is_open(path: Path) -> None:
    template = load_template(path)
    closed = [
        (item.id, lang, question.in_(lang), check.reason)
        for section in template.sections
        for item in section.items
        for question in item.questions
        for lang in ["nl", "en"]
        if (check := check_question(question.in_(lang), lang)).kind != "open"
    ]
    assert not closed


def test_unknown_section_or_item_is_a_key_error() -> None:
    template = default_template()
    assert template.item("tips.listen").id == "tips.listen"
    with pytest.raises(KeyError):
        template.section("nope")
    with pytest.raises(KeyError):
        template.item("goals.nope")


def test_every_text_has_dutch_and_english() -> None:
    template = default_template()
    texts = list(all_texts(template))
    assert len(template.after_talk) >= 4
    for text in texts:
        assert text.nl.strip()
        assert text.en.strip()
        assert text.nl != text.en


def test_tips_cover_questions_feedback_listening_and_conditions() -> None:
    template = default_template()
    questions = template.item("tips.open_questions")
    for word in ["Wie", "Wat", "Waarom", "Welke", "Waar", "Wanneer", "Hoe"]:
        assert word in questions.text.nl
    feedback_help = template.item("tips.feedback").help
    assert [line[:2] for line in feedback_help.nl.splitlines()] == ["1.", "2.", "3.", "4."]
    assert [line[:2] for line in feedback_help.en.splitlines()] == ["1.", "2.", "3.", "4."]
    assert "agenda" in template.item("tips.conditions").text.nl


def test_credit_names_the_guide_and_its_site() -> None:
    template = default_template()
    assert template.source_title == "Handvatten ontwikkelingsgesprek"
    assert template.source_publisher == "Werkplekleren in de techniek"
    assert template.source_url == "https://werkpleklerenindetechniek.nl"
    for lang in ["nl", "en"]:
        credit = template.credit.in_(lang)
        assert "Handvatten ontwikkelingsgesprek" in credit
        assert "werkpleklerenindetechniek.nl" in credit


def test_no_text_copies_the_guide() -> None:
    template = default_template()
    ours = [" ".join(words(text.nl)) for text in all_texts(template)]
    for phrase in GUIDE_PHRASES:
        phrase_words = words(phrase)
        assert " ".join(phrase_words) not in " ".join(ours)
        for start in range(len(phrase_words) - WINDOW + 1):
            run = " ".join(phrase_words[start : start + WINDOW])
            copied = [text for text in ours if run in text]
            assert not copied, f"copies the guide ({run!r}): {copied}"


def test_to_dict_localises_and_falls_back_to_dutch() -> None:
    template = default_template()
    en = template.to_dict("en")
    assert en["lang"] == "en"
    assert en["name"] == template.name.en
    assert en["sections"][0]["title"] == "Goals of the talk"
    assert en["sections"][0]["items"][0]["text"] == template.item("goals.learn").text.en
    assert en["source"]["credit"] == template.credit.en
    assert en["source"]["url"] == "https://werkpleklerenindetechniek.nl"
    assert en["after_talk"] == [text.en for text in template.after_talk]
    learn = template.item("goals.learn")
    assert en["sections"][0]["items"][0]["questions"] == [q.en for q in learn.questions]
    nl = template.to_dict("nl")
    assert nl["sections"][0]["items"][0]["questions"] == [q.nl for q in learn.questions]
    assert nl["sections"][0]["items"][0]["questions"][0].startswith("Welk")
    assert en["sections"][1]["items"][0]["questions"] == []

    fallback = template.to_dict("xx")
    assert fallback["lang"] == "nl"
    assert fallback == template.to_dict("nl")
    assert fallback["sections"][0]["title"] == "Doelen van het gesprek"
    assert json.loads(json.dumps(fallback)) == fallback


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "en"), ("en-GB", "en"), ("EN_us", "en"), ("nl-BE", "nl"), ("xx", "nl"), ("", "nl")],
)
def test_language_resolution(lang: str, expected: str) -> None:
    assert resolve_language(lang) == expected
    assert Text(nl="hallo", en="hello").in_(lang) == {"nl": "hallo", "en": "hello"}[expected]


def test_a_valid_copy_loads_from_a_file(tmp_path: Path) -> None:
    assert load_template(write(tmp_path, default_data())) == default_template()


def test_questions_are_optional_and_allowed_on_any_item() -> None:
    data = default_data()
    del data["sections"][0]["items"][0]["questions"]
    data["sections"][0]["items"][1]["questions"] = {"nl": [], "en": []}
    longest = "Wat " + "x" * (MAX_QUESTION_LENGTH - 5) + "?"
    data["sections"][2]["items"][0]["questions"] = {
        "nl": ["Hoe ging het?", longest, *["Wat nog meer?"] * (MAX_QUESTIONS - 2)],
        "en": ["How did it go?", "What else?", *["What else?"] * (MAX_QUESTIONS - 2)],
    }
    template = parse_template(data)
    assert template.item("goals.learn").questions == ()
    assert template.item("goals.appreciation").questions == ()
    tip = template.item("tips.conditions")
    assert len(tip.questions) == MAX_QUESTIONS
    assert tip.questions[0] == Text(nl="Hoe ging het?", en="How did it go?")
    assert tip.questions[1].nl == longest
    assert template.to_dict("en")["sections"][2]["items"][0]["questions"][0] == "How did it go?"
    assert template.to_dict("nl")["sections"][0]["items"][0]["questions"] == []


def _drop_english(data: dict[str, Any]) -> None:
    del data["sections"][1]["items"][2]["text"]["en"]


def _empty_english(data: dict[str, Any]) -> None:
    data["sections"][1]["items"][2]["text"]["en"] = "  "


def _duplicate_id(data: dict[str, Any]) -> None:
    data["sections"][0]["items"][1]["id"] = data["sections"][0]["items"][0]["id"]


def _duplicate_across_sections(data: dict[str, Any]) -> None:
    data["sections"][2]["items"].append(dict(data["sections"][2]["items"][0]))


def _missing_section(data: dict[str, Any]) -> None:
    del data["sections"][2]


def _wrong_prefix(data: dict[str, Any]) -> None:
    data["sections"][0]["items"][0]["id"] = "tips.learn"


def _unknown_kind(data: dict[str, Any]) -> None:
    data["sections"][1]["kind"] = "other"


def _missing_help(data: dict[str, Any]) -> None:
    del data["sections"][2]["items"][3]["help"]


def _bad_free_text(data: dict[str, Any]) -> None:
    data["sections"][0]["items"][4]["free_text"] = "yes"


def _typo_key(data: dict[str, Any]) -> None:
    data["sections"][0]["items"][4]["freetext"] = True


def _missing_credit_en(data: dict[str, Any]) -> None:
    del data["source"]["credit"]["en"]


def _after_talk_nl(data: dict[str, Any]) -> None:
    data["after_talk"][1]["nl"] = ""


def _no_version(data: dict[str, Any]) -> None:
    del data["version"]


def _questions(data: dict[str, Any], item: int = 0) -> dict[str, Any]:
    questions: dict[str, Any] = data["sections"][0]["items"][item]["questions"]
    return questions


def _questions_as_list(data: dict[str, Any]) -> None:
    data["sections"][0]["items"][0]["questions"] = ["Wat ging goed?"]


def _questions_as_text(data: dict[str, Any]) -> None:
    _questions(data)["nl"] = "Wat ging goed?"


def _question_not_a_string(data: dict[str, Any]) -> None:
    _questions(data, 1)["en"][1] = 42


def _empty_question(data: dict[str, Any]) -> None:
    _questions(data, 2)["en"][2] = " "


def _too_many_questions(data: dict[str, Any]) -> None:
    _questions(data)["nl"] = ["Wat ging goed?"] * (MAX_QUESTIONS + 1)


def _too_long_question(data: dict[str, Any]) -> None:
    _questions(data, 4)["nl"][1] = "Wat " + "x" * MAX_QUESTION_LENGTH + "?"


def _question_without_english(data: dict[str, Any]) -> None:
    del _questions(data, 3)["en"]


def _question_in_german(data: dict[str, Any]) -> None:
    _questions(data)["de"] = ["Was lief gut?"]


def _fewer_english_questions(data: dict[str, Any]) -> None:
    _questions(data)["en"].pop()


@pytest.mark.parametrize(
    ("damage", "path"),
    [
        (_drop_english, "sections[1].items[2].text.en: missing"),
        (_empty_english, "sections[1].items[2].text.en: expected a non-empty string"),
        (_duplicate_id, "sections[0].items[1].id: duplicate item id 'goals.learn'"),
        (_duplicate_across_sections, "sections[2].items[4].id: duplicate item id"),
        (_missing_section, "sections: missing section kind(s): tips"),
        (_wrong_prefix, "sections[0].items[0].id: 'tips.learn' must start with 'goals.'"),
        (_unknown_kind, "sections[1].kind: 'other' is not one of"),
        (_missing_help, "sections[2].items[3].help: missing"),
        (_bad_free_text, "sections[0].items[4].free_text: expected true or false"),
        (_typo_key, "sections[0].items[4].freetext: unknown key"),
        (_missing_credit_en, "source.credit.en: missing"),
        (_after_talk_nl, "after_talk[1].nl: expected a non-empty string"),
        (_no_version, "version: missing"),
        (_questions_as_list, "sections[0].items[0].questions: expected an object"),
        (_questions_as_text, "sections[0].items[0].questions.nl: expected a list"),
        (_question_not_a_string, "sections[0].items[1].questions.en[1]: expected a non-empty"),
        (_empty_question, "sections[0].items[2].questions.en[2]: expected a non-empty string"),
        (_too_many_questions, "sections[0].items[0].questions.nl: at most 8 questions, found 9"),
        (_too_long_question, "sections[0].items[4].questions.nl[1]: longer than 200 characters"),
        (_question_without_english, "sections[0].items[3].questions.en: missing"),
        (_question_in_german, "sections[0].items[0].questions.de: unknown key"),
        (_fewer_english_questions, "sections[0].items[0].questions.en: expected 6 questions, as"),
    ],
)
def test_a_broken_template_is_rejected_naming_the_path(
    tmp_path: Path, damage: Callable[[dict[str, Any]], None], path: str
) -> None:
    data = default_data()
    damage(data)
    file = write(tmp_path, data)
    with pytest.raises(ValueError, match=re.escape(path)) as caught:
        load_template(file)
    assert str(file) in str(caught.value)


def test_invalid_json_is_rejected(tmp_path: Path) -> None:
    file = tmp_path / "broken.json"
    file.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_template(file)
