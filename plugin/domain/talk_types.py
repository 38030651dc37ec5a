"""Talk types: the kinds of talk an organisation holds, each with its own checklist.

A type is a checklist template (`plugin.domain.checklist`) with a name and, optionally, a
description and the offer to share the form with a school supervisor. The app ships four
(``plugin/checklists/*.json``); an organisation adds or replaces types with JSON files in a
folder of its own. Every file is checked against the published JSON Schema first (the file
``plugin/static/schemas/talk-type.json``, served at ``/static/schemas/talk-type.json``), then
by the template's own rules (unique ids, one section of each kind); a fault names the file
and the field.

Each type is known by the SHA-256 of its content as well (`checklist.content_hash`): a talk
keeps the hash of the version it was planned with, so a type that changes or goes away later
never changes an existing talk.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from plugin.domain.checklist import ChecklistTemplate, content_hash, parse_template, read_json

DEFAULT_TYPE = "ontwikkelgesprek"
"""The guide's development talk: what a talk is when planning names no type."""

#: The built-in types, in the order the plan page offers them.
BUILT_IN_FILES: tuple[str, ...] = (
    "default.json",
    "voortgangsgesprek-bpv.json",
    "pop-gesprek.json",
    "inwerkgesprek.json",
)

#: The schema is published where the web server serves it; the app reads the same file.
SCHEMA_PATH = ("static", "schemas", "talk-type.json")


class TypeFault(ValueError):
    """A type file that is not right: where it came from, the field (a JSON path such as
    ``sections[1].items[2].text.en``; None when the file is no JSON at all) and the problem."""

    def __init__(self, origin: str, field: str | None, problem: str) -> None:
        self.origin = origin
        self.field = field
        self.problem = problem
        super().__init__(f"{origin}: {field}: {problem}" if field else f"{origin}: {problem}")


@dataclass(frozen=True, slots=True)
class TalkType:
    """One version of a type: its checklist, its decoded JSON and that JSON's hash."""

    template: ChecklistTemplate
    content: dict[str, Any]
    content_hash: str

    @property
    def id(self) -> str:
        return self.template.id


def schema_text() -> str:
    """The published JSON Schema of a type file, as shipped."""
    return files("plugin").joinpath(*SCHEMA_PATH).read_text(encoding="utf-8")


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(schema_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _where(error: ValidationError) -> str:
    """The field as ``sections[1].items[2].text.en`` (the template's own way of naming it)."""
    path = ""
    for part in error.absolute_path:
        path = f"{path}[{part}]" if isinstance(part, int) else f"{path}.{part}" if path else part
    return path or "<root>"


def _first_error(data: object) -> tuple[str, str] | None:
    """The schema's complaint about ``data`` (the deepest, most telling one) as (field,
    problem), or None."""
    errors = list(_validator().iter_errors(data))
    if not errors:
        return None
    # A missing or unknown key is reported on its object: name the key itself.
    error = max(errors, key=lambda e: len(e.absolute_path))
    where = _where(error)
    if error.validator == "required":
        missing = [key for key in error.validator_value if key not in error.instance]
        key = missing[0] if missing else ""
        return f"{where + '.' if where != '<root>' else ''}{key}", "missing"
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(str(k) for k in error.instance if k not in allowed)
        key = unknown[0] if unknown else ""
        return f"{where + '.' if where != '<root>' else ''}{key}", "unknown key"
    # The message quotes the wrong value: keep a long one from filling the screen.
    text = error.message if len(error.message) <= 200 else f"{error.message[:197]}..."
    return where, text


def parse_type(data: object, origin: str) -> TalkType:
    """Check decoded JSON against the schema and the template's rules; `TypeFault` (a
    ``ValueError``) says ``origin: field: problem``."""
    problem = _first_error(data)
    if problem is not None:
        raise TypeFault(origin, *problem)
    try:
        template = parse_template(data)
    except ValueError as error:
        # The template names the field the same way: "sections[1].kind: duplicate ...".
        field, _, text = str(error).partition(": ")
        raise TypeFault(origin, field, text) from None
    assert isinstance(data, dict)  # the schema asked for an object
    return TalkType(template=template, content=data, content_hash=content_hash(data))


def stored_type(content: dict[str, Any]) -> ChecklistTemplate:
    """A stored copy, read back. Only the template's rules apply: the copy was valid when it
    was stored, and a later, stricter schema must not break the talks that use it."""
    return parse_template(content)


def read_type(text: str, origin: str) -> TalkType:
    """A type file's text, checked as a whole (JSON, schema, the template's rules)."""
    try:
        data = read_json(text, origin)
    except ValueError as error:
        raise TypeFault(origin, None, str(error).removeprefix(f"{origin}: ")) from None
    return parse_type(data, origin)


@cache
def built_in_types() -> tuple[TalkType, ...]:
    """The types the app ships, loaded once."""
    folder = files("plugin") / "checklists"
    return tuple(
        read_type((folder / name).read_text(encoding="utf-8"), f"plugin/checklists/{name}")
        for name in BUILT_IN_FILES
    )


def folder_types(folder: Path) -> list[TalkType]:
    """An organisation's types: every ``*.json`` in ``folder``, in name order."""
    found = []
    ids: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        talk_type = read_type(path.read_text(encoding="utf-8"), str(path))
        if talk_type.id in ids:
            raise ValueError(f"{path}: id: {talk_type.id!r} is also the id in {ids[talk_type.id]}")
        ids[talk_type.id] = str(path)
        found.append(talk_type)
    return found


@dataclass(frozen=True)
class TalkTypes:
    """The types a talk can be planned as now, the default first."""

    types: tuple[TalkType, ...]
    default_id: str = DEFAULT_TYPE
    _by_id: dict[str, TalkType] = field(init=False, repr=False, compare=False)
    _by_hash: dict[str, TalkType] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {t.id: t for t in self.types})
        object.__setattr__(self, "_by_hash", {t.content_hash: t for t in self.types})
        if self.default_id not in self._by_id:
            raise ValueError(f"no talk type {self.default_id!r}")

    @classmethod
    def combine(
        cls, base: Iterable[TalkType], own: Iterable[TalkType], default_id: str = DEFAULT_TYPE
    ) -> TalkTypes:
        """``base`` with ``own`` added; an own type with a base type's id takes its place."""
        merged = {t.id: t for t in base}
        for talk_type in own:
            merged[talk_type.id] = talk_type
        return cls(tuple(merged.values()), default_id)

    @property
    def default(self) -> TalkType:
        return self._by_id[self.default_id]

    def get(self, type_id: str) -> TalkType | None:
        return self._by_id.get(type_id)

    def by_hash(self, version: str) -> TalkType | None:
        return self._by_hash.get(version)

    def summaries(self, lang: str) -> list[dict[str, Any]]:
        """What the plan page offers: each type's id, name, description and checklist."""
        return [
            {
                "id": t.id,
                "name": t.template.name.in_(lang),
                "description": t.template.description.in_(lang) if t.template.description else "",
                "default": t.id == self.default_id,
                "checklist": t.template.to_dict(lang),
            }
            for t in self.types
        ]


def tenant_types(base: TalkTypes, own: Iterable[TalkType], hidden: Iterable[str]) -> TalkTypes:
    """One organisation's types: the installation's (``base``), the organisation's own added
    or in their place, minus the ones it hid. The default type is never hidden: a talk that
    names no type must have one."""
    merged = TalkTypes.combine(base.types, own, base.default_id)
    gone = set(hidden) - {base.default_id}
    return TalkTypes(tuple(t for t in merged.types if t.id not in gone), base.default_id)
