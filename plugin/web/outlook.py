"""The Outlook add-in's task pane: it turns the organiser's appointment into a talk (a
development talk, or the kind of talk the organiser chooses).

Outlook opens `/outlook/taskpane` from a button on the appointment form the organiser edits
(the ribbon context `meetingDetailsOrganizer` in the app's manifest). The page itself carries no
personal data and needs no sign-in: it brings the strings, the checklist's goals and where
Office.js comes from. `static/js/taskpane.js` then reads the appointment through Office.js,
asks Office for an SSO token and does the rest through `/api/outlook/*` with that token.

Office.js comes from Microsoft's CDN without an integrity hash: Microsoft updates that file in
place and it loads further files from the same host. So the pane's Content-Security-Policy
(`web/app.py`) allows scripts from exactly that host, and only on this page.

Local mode has no Outlook to talk to: the page explains where to plan instead and loads no
Office.js.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from plugin.domain.checklist import ChecklistTemplate
from plugin.i18n import DEFAULT_LANGUAGE
from plugin.web.context import services
from plugin.web.host import in_microsoft_mode

blueprint = Blueprint("outlook", __name__)

THEMES = ("auto", "light", "dark", "contrast")


@dataclass(frozen=True)
class OfficeScript:
    """Where Office.js is loaded from (no integrity hash: Microsoft changes the file in place)."""

    src: str

    @property
    def origin(self) -> str:
        """The host scripts may come from: Office.js loads its other files from there too."""
        parts = urlsplit(self.src)
        return f"{parts.scheme}://{parts.netloc}"


OFFICEJS = OfficeScript("https://appsforoffice.microsoft.com/lib/1/hosted/office.js")


def officejs() -> OfficeScript:
    source: OfficeScript = current_app.config.get("OG_OFFICEJS", OFFICEJS)
    return source


def _goals(template: ChecklistTemplate, lang: str) -> dict[str, Any] | None:
    """The checklist's goals section, as the plan page offers them (None if it has none)."""
    view = template.to_dict(lang)
    return next((s for s in view["sections"] if s["kind"] == "goals"), None)


def _strings() -> dict[str, str]:
    """What taskpane.js says, in the request's language; `{name}` placeholders filled there."""
    return {
        "series_note": _(
            "This is a recurring meeting: every time is a talk of its own. This is the next one."
        ),
        "reading": _("Reading the appointment…"),
        "outside_outlook": _("Open this pane from an appointment in Outlook."),
        "no_sso": _(
            "This version of Outlook cannot sign you in to Ontwikkelgesprek. "
            "Plan the talk in Ontwikkelgesprek in Teams instead."
        ),
        "open_in_teams": _("Open in Teams"),
        "sign_in_failed": _(
            "Outlook could not sign you in to Ontwikkelgesprek. Close this pane and open it "
            "again. Does it keep happening? Ask your IT administrator whether the app is "
            "allowed for you."
        ),
        "sign_in_cancelled": _("You did not finish signing in. Try again to go on."),
        "try_again": _("Try again"),
        "read_failed": _(
            "Outlook did not give the details of the appointment. Close this pane and open it "
            "again."
        ),
        "offline": _("No connection to the server. Try again later."),
        "no_subject": _("(no subject)"),
        "unknown_reason": _(
            "You cannot choose these people. They are outside your organisation, or not in "
            "Ontwikkelgesprek yet. A colleague can be chosen once they have opened "
            "Ontwikkelgesprek in Teams."
        ),
        "external": _("{name}: school supervisor"),
        "no_candidate": _(
            "None of the invited people can be the employee or intern yet. Invite them to this "
            "appointment. Already invited? Then ask them to open Ontwikkelgesprek in Teams once."
        ),
        "check_again": _("Check the invited people again"),
        "learner_required": _("Choose a learner."),
        "saving": _("Saving the appointment…"),
        "save_failed": _("Outlook could not save the appointment. Try again."),
        "working": _("Making the talk…"),
        # The button, when another kind than the development talk is chosen.
        "make_other_kind": _("Make it a talk"),
        "created": _(
            "The development talk is ready. The preparation is now at the top of the invite. "
            "Send the appointment, so {name} gets it too."
        ),
        # The same, for another kind of talk than the development talk.
        "created_other": _(
            "The talk is ready. The preparation is now at the top of the invite. "
            "Send the appointment, so {name} gets it too."
        ),
        "already": _("This appointment already was a development talk."),
        "prepend_failed": _("The preparation could not be put at the top of the invite."),
        "prepend_retry": _("Add the preparation to the invite"),
        "prepended": _("The preparation is at the top of the invite."),
        "untitled": _("Talk"),
        "status_planned": _("Planned"),
        "status_held": _("Held"),
        "status_signed": _("Signed"),
        "status_cancelled": _("Cancelled"),
        "prepared_you": _("You have prepared."),
        "not_prepared_you": _("You have not prepared yet."),
        "prepared_other": _("{name} has prepared."),
        "not_prepared_other": _("{name} has not prepared yet."),
        "unlinking": _("Removing the link…"),
        "unlinked": _("The link is removed and the talk is cancelled."),
    }


@blueprint.get("/outlook/taskpane")
def taskpane() -> str:
    svc = services()
    lang = str(get_locale() or DEFAULT_LANGUAGE)
    microsoft = in_microsoft_mode()
    theme = request.cookies.get("og_theme", "auto")
    boot: dict[str, Any] = {
        "lang": lang,
        "mode": current_app.config["OG_MODE"],
        "public_url": svc.links.base_url.rstrip("/"),
        "officejs": officejs().src if microsoft else None,
        "teams_url": svc.links.personal_app(),
        "goals": _goals(svc.template, lang),
    }
    return render_template(
        "pages/outlook_taskpane.html",
        boot=boot,
        strings=_strings(),
        microsoft=microsoft,
        theme=theme if theme in THEMES else "auto",
        plan_url=url_for("pages.plan_page"),
    )
