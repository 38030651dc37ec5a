"""The privacy page's facts: the retention terms in force (the settings' values as `serve`
installed them, or an admin's stored ones)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from plugin.services.privacy_terms import Terms, effective
from plugin.web.context import services

TERMS = "ontwikkelgesprek.privacy_terms"


def install(app: Flask, terms: Terms) -> None:
    """The configured terms (an app made without them shows the settings' defaults)."""
    app.extensions[TERMS] = terms


def page_terms() -> dict[str, Any]:
    base: Terms = current_app.extensions.get(TERMS, Terms())
    terms = services().read(lambda session: effective(session, base))
    return {
        "retention_months": terms.retention_months,
        "audit_retention_months": terms.audit_retention_months,
    }
