"""Message catalogues: Dutch first, English second. Source strings in code are English.

The web uses these through Flask-Babel; code outside a request (invites, the CLI) asks for a
`Translations` object in the language it needs.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
TRANSLATIONS_DIR = Path(str(files("plugin"))) / "translations"


def resolve(language: str | None) -> str:
    code = (language or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    language = resolve(language)
    if language == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [language])
