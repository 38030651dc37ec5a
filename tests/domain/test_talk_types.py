"""Talk type files: the built-in four, an organisation's own folder, and the start-up check
that names the file and the field of each fault."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from plugin.bootstrap import ConfigurationError, talk_types
from plugin.domain.checklist import content_hash
from plugin.domain.talk_types import DEFAULT_TYPE, built_in_types, parse_type
from plugin.settings import Settings

BUILT_IN = json.loads((files("plugin") / "checklists" / "default.json").read_text("utf-8"))


def own(**changes: Any) -> dict[str, Any]:
    content: dict[str, Any] = json.loads(json.dumps(BUILT_IN))
    content.update(changes)
    return content


def settings_with(folder: Path | None = None, checklist: Path | None = None) -> Settings:
    return Settings(
        talk_types_dir=folder,
        checklist_path=checklist,
        _env_file=None,  # type: ignore[call-arg]
    )


def folder_of(tmp_path: Path, **files_: Any) -> Path:
    folder = tmp_path / "types"
    folder.mkdir()
    for name, content in files_.items():
        text = content if isinstance(content, str) else json.dumps(content)
        (folder / f"{name}.json").write_text(text, encoding="utf-8")
    return folder


def test_four_types_ship_the_development_talk_first() -> None:
    ids = [t.id for t in built_in_types()]
    assert ids == [DEFAULT_TYPE, "voortgangsgesprek-bpv", "pop-gesprek", "inwerkgesprek"]
    types = talk_types(settings_with())
    assert types.default.id == DEFAULT_TYPE
    assert types.default.template.ordered_item_ids()[0] == "goals.learn"
    bpv = types.get("voortgangsgesprek-bpv")
    assert bpv is not None and bpv.template.offer_share


def test_every_built_in_type_speaks_dutch_and_english_in_every_part() -> None:
    for talk_type in built_in_types():
        template = talk_type.template
        assert template.description is not None or talk_type.id == DEFAULT_TYPE
        for section in template.sections:
            assert section.title.nl != section.title.en
            for item in section.items:
                assert item.text.nl and item.text.en and item.help.nl and item.help.en
            assert any(item.questions for item in section.items) or section.kind != "goals"
        # The app's free-text goal and discussion points are there in every type.
        assert {"goals.own", "expectations.points"} <= template.item_ids()


def test_the_hash_is_the_content_not_the_layout() -> None:
    assert content_hash(BUILT_IN) == content_hash(json.loads(json.dumps(BUILT_IN, indent=4)))
    assert content_hash(BUILT_IN) != content_hash(own(version=2))


def test_an_organisation_adds_a_type_and_replaces_one(tmp_path: Path) -> None:
    folder = folder_of(
        tmp_path,
        exit=own(id="exitgesprek"),
        pop=own(id="pop-gesprek", name={"nl": "Ons POP", "en": "Our POP"}),
    )
    types = talk_types(settings_with(folder))
    ids = [t.id for t in types.types]
    assert ids == [
        DEFAULT_TYPE,
        "voortgangsgesprek-bpv",
        "pop-gesprek",
        "inwerkgesprek",
        "exitgesprek",
    ]
    replaced = types.get("pop-gesprek")
    assert replaced is not None and replaced.template.name.nl == "Ons POP"


def test_the_older_checklist_setting_becomes_the_default_type(tmp_path: Path) -> None:
    path = tmp_path / "checklist.json"
    path.write_text(json.dumps(own(id="acme", version=3)), encoding="utf-8")
    types = talk_types(settings_with(checklist=path))
    assert types.default.id == "acme"
    assert types.default.template.version == 3
    assert types.get(DEFAULT_TYPE) is not None  # the guide's talk can still be chosen


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ({k: v for k, v in BUILT_IN.items() if k != "name"}, "name: missing"),
        (own(version="2"), "version: '2' is not of type 'integer'"),
        (own(colour="blue"), "colour: unknown key"),
        (own(id="Mijn Type"), "id: 'Mijn Type' does not match"),
        (own(name={"nl": "Alleen Nederlands"}), "name.en: missing"),
        (own(offer_share="ja"), "offer_share: 'ja' is not of type 'boolean'"),
    ],
)
def test_a_wrong_file_is_refused_at_start_naming_file_and_field(
    tmp_path: Path, content: dict[str, Any], where: str
) -> None:
    folder = folder_of(tmp_path, mine=content)
    with pytest.raises(ConfigurationError) as raised:
        talk_types(settings_with(folder))
    message = str(raised.value)
    assert message.startswith(f"ONTWIKKELGESPREK_TALK_TYPES_DIR: {folder / 'mine.json'}: ")
    assert where in message


def test_a_deep_field_is_named_by_its_path(tmp_path: Path) -> None:
    content = own()
    del content["sections"][0]["items"][1]["text"]["en"]
    folder = folder_of(tmp_path, mine=content)
    where = r"mine\.json: sections\[0\]\.items\[1\]\.text\.en: missing"
    with pytest.raises(ConfigurationError, match=where):
        talk_types(settings_with(folder))


def test_the_template_rules_apply_after_the_schema(tmp_path: Path) -> None:
    content = own()
    items = content["sections"][0]["items"]
    items[1]["id"] = items[0]["id"]
    folder = folder_of(tmp_path, mine=content)
    where = r"sections\[0\]\.items\[1\]\.id: duplicate item id"
    with pytest.raises(ConfigurationError, match=where):
        talk_types(settings_with(folder))


def test_not_json_and_two_files_with_one_id_are_refused(tmp_path: Path) -> None:
    folder = folder_of(tmp_path, broken="{ not json")
    with pytest.raises(ConfigurationError, match=r"broken\.json: not valid JSON"):
        talk_types(settings_with(folder))
    twice = tmp_path / "twice"
    twice.mkdir()
    for name in ("a", "b"):
        (twice / f"{name}.json").write_text(json.dumps(own(id="exitgesprek")), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"b\.json: id: 'exitgesprek' is also the id in"):
        talk_types(settings_with(twice))


def test_the_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such folder"):
        settings_with(tmp_path / "nowhere")


def test_a_stored_copy_of_an_older_shape_still_reads() -> None:
    # A copy kept before `description` and `offer_share` existed has neither.
    old = {k: v for k, v in BUILT_IN.items() if k not in ("description", "offer_share")}
    talk_type = parse_type(old, "stored")
    assert talk_type.template.description is None and not talk_type.template.offer_share
