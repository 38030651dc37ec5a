"""The privacy page's facts: the retention terms in force for the viewer's tenant (the
settings' values as `serve` installed them, or the tenant's admin's stored ones)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from plugin.services.privacy_terms import Terms, effective
from plugin.web.context import services
from plugin.web.session import signed_in_identity

TERMS = "ontwikkelgesprek.privacy_terms"


def install(app: Flask, terms: Terms) -> None:
    """The configured terms (an app made without them shows the settings' defaults)."""
    app.extensions[TERMS] = terms


def page_terms() -> dict[str, Any]:
    base: Terms = current_app.extensions.get(TERMS, Terms())
    identity = signed_in_identity()
    if identity is None:
        return _shown(base)  # the page is public: without a sign-in, the settings' terms
    terms = services().read(lambda session: effective(session, base, identity[0]))
    return _shown(terms)


def _shown(terms: Terms) -> dict[str, Any]:
    return {
        "retention_months": terms.retention_months,
        "audit_retention_months": terms.audit_retention_months,
    }
