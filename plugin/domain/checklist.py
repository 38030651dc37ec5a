"""The preparation checklist: a template kept as data, in Dutch and English.

A template has exactly three sections (goals, expectations, talk tips), each with items a person
can tick, plus short texts shown after the talk when agreements are recorded. The default
template lives in ``plugin/checklists/default.json``; its content follows the guide
"Handvatten ontwikkelingsgesprek" (Werkplekleren in de techniek), in our own words.

An item may carry ``questions``: a few open questions to ask about it in the talk (meant for
goals), as ``{"nl": [...], "en": [...]}`` with the questions in the same order in both languages.

A template is also a talk type (``plugin.domain.talk_types``): it may carry a one-line
``description`` for the plan page, and ``offer_share`` when the talk's form is meant for a school
supervisor (a BPV progress talk), so sign-off offers the share link.

Loading validates the whole file and raises ``ValueError`` naming the offending path, for
example ``sections[1].items[2].text.en``. Stdlib only: no framework imports.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

LANGUAGES: tuple[str, ...] = ("nl", "en")
"""Languages every text must have; the first is the fallback."""

DEFAULT_LANGUAGE = "nl"

MAX_QUESTIONS = 8
"""At most this many questions on one item."""

MAX_QUESTION_LENGTH = 200
"""At most this many characters in one question."""

SectionKind = Literal["goals", "expectations", "tips"]
_KINDS: dict[str, SectionKind] = {"goals": "goals", "expectations": "expectations", "tips": "tips"}


def resolve_language(lang: str) -> str:
    """Map a requested language ("en", "en-GB", "EN_us", "xx") to a supported one, else nl."""
    base = lang.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Text:
    """A short text in Dutch and English."""

    nl: str
    en: str

    def in_(self, lang: str) -> str:
        """The text in ``lang``, falling back to Dutch for unknown languages."""
        return self.en if resolve_language(lang) == "en" else self.nl


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One thing to prepare; ``free_text`` items are filled in by the user.

    ``questions`` are open questions to ask about this item in the talk, each in both languages.
    """

    id: str
    text: Text
    help: Text
    free_text: bool = False
    questions: tuple[Text, ...] = ()

    def to_dict(self, lang: str) -> dict[str, Any]:
        """A JSON-ready view in one language."""
        return {
            "id": self.id,
            "text": self.text.in_(lang),
            "help": self.help.in_(lang),
            "free_text": self.free_text,
            "questions": [question.in_(lang) for question in self.questions],
        }


@dataclass(frozen=True, slots=True)
class ChecklistSection:
    """A part of the checklist: goals, expectations or talk tips."""

    id: str
    kind: SectionKind
    title: Text
    intro: Text
    items: tuple[ChecklistItem, ...]

    def to_dict(self, lang: str) -> dict[str, Any]:
        """A JSON-ready view in one language."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title.in_(lang),
            "intro": self.intro.in_(lang),
            "items": [item.to_dict(lang) for item in self.items],
        }


@dataclass(frozen=True, slots=True)
class ChecklistTemplate:
    """A validated preparation checklist."""

    id: str
    version: int
    name: Text
    source_title: str
    source_publisher: str
    source_url: str
    credit: Text
    sections: tuple[ChecklistSection, ...]
    after_talk: tuple[Text, ...]
    #: One line on what this kind of talk is for (shown when planning); optional in the file.
    description: Text | None = None
    #: Sign-off offers sharing the form with the school supervisor (a BPV talk).
    offer_share: bool = False

    def item_ids(self) -> frozenset[str]:
        """The ids of all items, across sections."""
        return frozenset(self.ordered_item_ids())

    def ordered_item_ids(self) -> tuple[str, ...]:
        """The ids of all items in template order (for keeping ticked items in order)."""
        return tuple(item.id for section in self.sections for item in section.items)

    def section(self, section_id: str) -> ChecklistSection:
        """The section with this id; ``KeyError`` if there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def item(self, item_id: str) -> ChecklistItem:
        """The item with this id; ``KeyError`` if there is none."""
        for section in self.sections:
            for item in section.items:
                if item.id == item_id:
                    return item
        raise KeyError(item_id)

    def to_dict(self, lang: str) -> dict[str, Any]:
        """A JSON-ready view in one language (unknown languages fall back to Dutch)."""
        return {
            "id": self.id,
            "version": self.version,
            "lang": resolve_language(lang),
            "name": self.name.in_(lang),
            "description": self.description.in_(lang) if self.description else "",
            "offer_share": self.offer_share,
            "source": {
                "title": self.source_title,
                "publisher": self.source_publisher,
                "url": self.source_url,
                "credit": self.credit.in_(lang),
            },
            "sections": [section.to_dict(lang) for section in self.sections],
            "after_talk": [text.in_(lang) for text in self.after_talk],
        }


# --- loading and validation -------------------------------------------------------------------


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _fail(path: str, problem: str) -> ValueError:
    return ValueError(f"{path or '<root>'}: {problem}")


def _object(value: object, path: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    """Check that ``value`` is a JSON object with the required keys and no unknown ones."""
    if not isinstance(value, Mapping):
        raise _fail(path, "expected an object")
    for key in sorted(required):
        if key not in value:
            raise _fail(_join(path, key), "missing")
    unknown = sorted(str(key) for key in value if key not in required | optional)
    if unknown:
        raise _fail(_join(path, unknown[0]), "unknown key")
    return dict(value)


def _string(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, "expected a non-empty string")
    return value


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(path, "expected a list")
    return value


def _text(value: object, path: str) -> Text:
    data = _object(value, path, set(LANGUAGES), set())
    return Text(
        nl=_string(data["nl"], _join(path, "nl")), en=_string(data["en"], _join(path, "en"))
    )


def _question_list(value: object, path: str) -> list[str]:
    questions = _list(value, path)
    if len(questions) > MAX_QUESTIONS:
        raise _fail(path, f"at most {MAX_QUESTIONS} questions, found {len(questions)}")
    texts = [_string(question, _join(path, index)) for index, question in enumerate(questions)]
    for index, text in enumerate(texts):
        if len(text) > MAX_QUESTION_LENGTH:
            raise _fail(_join(path, index), f"longer than {MAX_QUESTION_LENGTH} characters")
    return texts


def _questions(value: object, path: str) -> tuple[Text, ...]:
    """``{"nl": [...], "en": [...]}``: the same questions, in the same order, in each language."""
    data = _object(value, path, set(LANGUAGES), set())
    nl = _question_list(data["nl"], _join(path, "nl"))
    en = _question_list(data["en"], _join(path, "en"))
    if len(en) != len(nl):
        raise _fail(_join(path, "en"), f"expected {len(nl)} questions, as many as in nl")
    return tuple(Text(nl=dutch, en=english) for dutch, english in zip(nl, en, strict=True))


def _item(value: object, path: str, section_id: str) -> ChecklistItem:
    data = _object(value, path, {"id", "text", "help"}, {"free_text", "questions"})
    item_id = _string(data["id"], _join(path, "id"))
    prefix = f"{section_id}."
    if not item_id.startswith(prefix) or item_id == prefix:
        raise _fail(_join(path, "id"), f"{item_id!r} must start with {prefix!r}")
    free_text = data.get("free_text", False)
    if not isinstance(free_text, bool):
        raise _fail(_join(path, "free_text"), "expected true or false")
    return ChecklistItem(
        id=item_id,
        text=_text(data["text"], _join(path, "text")),
        help=_text(data["help"], _join(path, "help")),
        free_text=free_text,
        questions=_questions(data.get("questions", {"nl": [], "en": []}), _join(path, "questions")),
    )


def _section(value: object, path: str) -> ChecklistSection:
    data = _object(value, path, {"id", "kind", "title", "intro", "items"}, set())
    section_id = _string(data["id"], _join(path, "id"))
    kind_name = _string(data["kind"], _join(path, "kind"))
    if kind_name not in _KINDS:
        raise _fail(_join(path, "kind"), f"{kind_name!r} is not one of {', '.join(_KINDS)}")
    raw_items = _list(data["items"], _join(path, "items"))
    if not raw_items:
        raise _fail(_join(path, "items"), "a section needs at least one item")
    items_path = _join(path, "items")
    return ChecklistSection(
        id=section_id,
        kind=_KINDS[kind_name],
        title=_text(data["title"], _join(path, "title")),
        intro=_text(data["intro"], _join(path, "intro")),
        items=tuple(
            _item(raw, _join(items_path, index), section_id) for index, raw in enumerate(raw_items)
        ),
    )


def parse_template(data: object) -> ChecklistTemplate:
    """Validate decoded JSON and build a template; ``ValueError`` names the offending path."""
    root = _object(
        data,
        "",
        {"id", "version", "name", "source", "sections", "after_talk"},
        {"description", "offer_share", "$schema"},
    )
    version = root["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _fail("version", "expected a positive whole number")
    source = _object(root["source"], "source", {"title", "publisher", "url", "credit"}, set())

    sections: list[ChecklistSection] = []
    section_ids: set[str] = set()
    kinds: set[str] = set()
    item_ids: set[str] = set()
    for index, raw in enumerate(_list(root["sections"], "sections")):
        path = _join("sections", index)
        section = _section(raw, path)
        if section.id in section_ids:
            raise _fail(_join(path, "id"), f"duplicate section id {section.id!r}")
        if section.kind in kinds:
            raise _fail(_join(path, "kind"), f"duplicate section kind {section.kind!r}")
        for item_index, item in enumerate(section.items):
            if item.id in item_ids:
                item_path = _join(_join(_join(path, "items"), item_index), "id")
                raise _fail(item_path, f"duplicate item id {item.id!r}")
            item_ids.add(item.id)
        section_ids.add(section.id)
        kinds.add(section.kind)
        sections.append(section)
    missing = [kind for kind in _KINDS if kind not in kinds]
    if missing:
        raise _fail("sections", f"missing section kind(s): {', '.join(missing)}")
    offer_share = root.get("offer_share", False)
    if not isinstance(offer_share, bool):
        raise _fail("offer_share", "expected true or false")

    return ChecklistTemplate(
        id=_string(root["id"], "id"),
        version=version,
        name=_text(root["name"], "name"),
        source_title=_string(source["title"], "source.title"),
        source_publisher=_string(source["publisher"], "source.publisher"),
        source_url=_string(source["url"], "source.url"),
        credit=_text(source["credit"], "source.credit"),
        sections=tuple(sections),
        after_talk=tuple(
            _text(raw, _join("after_talk", index))
            for index, raw in enumerate(_list(root["after_talk"], "after_talk"))
        ),
        description=_text(root["description"], "description") if "description" in root else None,
        offer_share=offer_share,
    )


def content_hash(data: object) -> str:
    """The SHA-256 of a template's decoded JSON, written canonically (sorted keys, no spaces):
    the same content gives the same hash whatever the file's layout."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_json(text: str, origin: str) -> object:
    """Decoded JSON; ``ValueError`` naming ``origin`` when it is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{origin}: not valid JSON: {exc}") from exc


def _parse_json(text: str, origin: str) -> ChecklistTemplate:
    data = read_json(text, origin)
    try:
        return parse_template(data)
    except ValueError as exc:
        raise ValueError(f"{origin}: {exc}") from exc


def load_template(path: Path) -> ChecklistTemplate:
    """Load and validate a checklist template from a JSON file."""
    return _parse_json(path.read_text(encoding="utf-8"), str(path))


@cache
def default_template() -> ChecklistTemplate:
    """The built-in template (``plugin/checklists/default.json``), loaded once."""
    resource = files("plugin") / "checklists" / "default.json"
    return _parse_json(resource.read_text(encoding="utf-8"), "plugin/checklists/default.json")
