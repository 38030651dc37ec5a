"""The Dutch catalogue covers every English source string, and the compiled `.mo` is current.

Source strings are English, marked with `_()` / `gettext` / `lazy_gettext` in `plugin/**.py`
and `{{ _("...") }}` in `templates/**.html` and `templates/**.txt`. English needs no catalogue;
Dutch lives in `plugin/translations/nl/LC_MESSAGES/messages.po` and its compiled `messages.mo`.

After adding or changing a string, run from the repository root:

    # 1. extract: write the template (no header, so it has no date that changes every run)
    .venv/bin/pybabel extract -F plugin/translations/babel.cfg -k lazy_gettext \
        --no-location --sort-output --omit-header -o plugin/translations/messages.pot .

    # 2. update: merge the template into the Dutch catalogue
    .venv/bin/pybabel update -i plugin/translations/messages.pot -d plugin/translations \
        -D messages -l nl --ignore-pot-creation-date --previous

    # 3. translate the empty and `#, fuzzy` entries in
    #    plugin/translations/nl/LC_MESSAGES/messages.po (remove the fuzzy flag once checked;
    #    keep every %(name)s placeholder), then

    # 4. compile: write messages.mo, which is what the app loads
    .venv/bin/pybabel compile -d plugin/translations -D messages

The `_`, `gettext`, `ngettext`, `pgettext` ... keywords are Babel's defaults; `-k lazy_gettext`
adds Flask-Babel's lazy variant. This test extracts with the same mapping and keywords.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from plugin.i18n import translations

ROOT = Path(__file__).parents[1]
TRANSLATIONS = ROOT / "plugin" / "translations"
MAPPING = TRANSLATIONS / "babel.cfg"
PO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}

UPDATE_HINT = (
    "Run the extract and update commands from the docstring of tests/test_translations.py, "
    "translate the entries in plugin/translations/nl/LC_MESSAGES/messages.po, then run "
    "`pybabel compile -d plugin/translations -D messages`."
)
COMPILE_HINT = (
    "messages.mo does not match messages.po. Run "
    "`.venv/bin/pybabel compile -d plugin/translations -D messages` from the repository root."
)

# %(name)s, %(count)d, %(x).2f ...; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

Key = tuple[str, str | None]


def _extracted() -> dict[Key, list[str]]:
    """Every marked string in the sources, with where it was found."""
    with MAPPING.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(MAPPING))
    found: dict[Key, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((msgid, context), []).append(f"{filename}:{lineno}")
    return found


def _catalogue() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="nl", domain="messages")


def _strings(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string or ""]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def _messages(catalogue: Catalog) -> dict[object, object]:
    return {(m.id, m.context): m.string for m in catalogue if m.id}


def test_the_mapping_finds_python_and_templates() -> None:
    places = [where for found in _extracted().values() for where in found]
    assert {where.split("/")[0] for where in places} >= {"plugin", "templates"}


def test_every_source_string_has_a_dutch_translation() -> None:
    catalogue = _catalogue()
    missing = []
    for (msgid, context), where in sorted(_extracted().items()):
        message = catalogue.get(msgid, context)
        if message is None:
            missing.append(f"{msgid!r} (new; {where[0]})")
        elif message.fuzzy:
            missing.append(f"{msgid!r} (fuzzy; {where[0]})")
        elif not all(s.strip() for s in _strings(message)):
            missing.append(f"{msgid!r} (empty; {where[0]})")
    assert not missing, (
        f"{len(missing)} string(s) lack a Dutch translation:\n  "
        + "\n  ".join(missing)
        + f"\n{UPDATE_HINT}"
    )


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    assert MO.is_file(), COMPILE_HINT
    fresh = BytesIO()
    write_mo(fresh, _catalogue())
    if MO.read_bytes() == fresh.getvalue():
        return
    fresh.seek(0)
    with MO.open("rb") as f:
        committed = read_mo(f)
    assert _messages(committed) == _messages(read_mo(fresh)), COMPILE_HINT


def test_translations_keep_the_placeholders() -> None:
    wrong = []
    for message in _catalogue():
        if not message.id:
            continue
        expected = {p for msgid in _ids(message) for p in PLACEHOLDER.findall(msgid)}
        for string in _strings(message):
            if string and set(PLACEHOLDER.findall(string)) != expected:
                wrong.append(f"{message.id!r} -> {string!r}")
    assert not wrong, "Placeholders differ between English and Dutch:\n  " + "\n  ".join(wrong)


def test_the_app_loads_the_dutch_catalogue() -> None:
    assert translations("nl").gettext("Development talk") == "Ontwikkelgesprek"
    assert translations("en").gettext("Development talk") == "Development talk"
