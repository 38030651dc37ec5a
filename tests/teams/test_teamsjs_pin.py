"""The pinned TeamsJS: its integrity hash is that of the very file Microsoft publishes.

The CDN's `teams-js/<version>/js/MicrosoftTeams.min.js` is the npm package's
`dist/umd/MicrosoftTeams.min.js` of the same version; `tests/install.sh` installs that package
into tests/.npm, so the hash in `plugin/web/host.py` is checked here, offline.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from plugin.web.host import TEAMSJS, TEAMSJS_VERSION

PACKAGE = (
    Path(__file__).resolve().parent.parent / ".npm" / "node_modules" / "@microsoft" / "teams-js"
)


def test_the_pinned_version_and_hash_match_the_published_package() -> None:
    manifest = json.loads((PACKAGE / "package.json").read_text())
    assert manifest["version"] == TEAMSJS_VERSION
    digest = hashlib.sha384((PACKAGE / "dist" / "umd" / "MicrosoftTeams.min.js").read_bytes())
    assert TEAMSJS.integrity == "sha384-" + base64.b64encode(digest.digest()).decode()
    assert f"/teams-js/{TEAMSJS_VERSION}/js/MicrosoftTeams.min.js" in TEAMSJS.src
