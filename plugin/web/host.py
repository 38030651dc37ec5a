"""Pages inside a Microsoft host (Teams, Outlook, the Microsoft 365 app) in Microsoft mode.

A host loads a tab's page in its frame without saying who is asking. For such a request the
server answers with a shell that carries no data: `static/js/teams.js` loads TeamsJS, asks the
host for a Teams SSO token and fetches the same page again with that token as a bearer. So
every page of the local loop works inside Teams unchanged, and identity still comes only from
validated tokens.

TeamsJS is pinned: one version, from Microsoft's CDN, with its subresource-integrity hash, so
a changed file on the CDN is refused by the browser instead of run. Local mode never loads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, render_template
from flask_babel import gettext as _

from plugin.settings import LOCAL
from plugin.web.context import services
from plugin.web.session import BEARER


@dataclass(frozen=True)
class ScriptSource:
    src: str
    integrity: str


#: @microsoft/teams-js 2.58.0. The hash is the SHA-384 of `dist/umd/MicrosoftTeams.min.js` in
#: the npm package, which is the file the CDN serves; `tests/teams/test_teamsjs_pin.py` checks it.
TEAMSJS_VERSION = "2.58.0"
TEAMSJS = ScriptSource(
    src=f"https://res.cdn.office.net/teams-js/{TEAMSJS_VERSION}/js/MicrosoftTeams.min.js",
    integrity="sha384-sMo/EOqQPa1OCup2/VBRum7oFeOS22kvs8WGDc45xK53tUVZzFR5WwFYDUYN1LO4",
)


def teamsjs() -> ScriptSource:
    source: ScriptSource = current_app.config.get("OG_TEAMSJS", TEAMSJS)
    return source


def in_microsoft_mode() -> bool:
    return bool(current_app.config.get("OG_MODE") != LOCAL)


def signed_in_by_host() -> bool:
    """This request carries a validated Teams SSO token (the page is shown inside a host)."""
    return isinstance(g.get(BEARER), tuple)


def shell() -> str:
    source = teamsjs()
    boot = {
        "host_shell": True,
        # For a browser outside Teams (the talk's link in an Outlook invite, say).
        "open_in_teams": services().links.personal_app(),
        "open_in_teams_label": _("Open in Teams"),
        "teamsjs": {"src": source.src, "integrity": source.integrity},
        "strings": {
            "outside_host": _(
                "Open Ontwikkelgesprek in Microsoft Teams or Outlook: people sign in there, "
                "with their work account."
            ),
            "no_host": _("Microsoft Teams did not answer. Close this tab and open it again."),
            "no_token": _(
                "Teams could not sign you in to Ontwikkelgesprek. Ask your IT administrator "
                "whether the app is allowed for you."
            ),
        },
    }
    return render_template("pages/host_shell.html", boot=boot)
