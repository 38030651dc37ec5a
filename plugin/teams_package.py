"""The app package: `manifest.json`, the two icons and the localisation files in one zip.

One manifest (schema v1.30) for Teams and Outlook: the Teams tabs, and in `extensions` the
Outlook add-in, a button on the organiser's meeting form that opens a task pane. Admins upload
the zip in the Microsoft 365 admin center ("Integrated apps"), which deploys both. It is built
from the files in `manifest/` at the top of a source checkout, which the wheel carries as
`plugin/manifest/` (see `manifest_dir`):

- `manifest.template.json`: the manifest (schema v1.30) with `{{placeholders}}`. Deployment
  values fill `{{app_id}}`, `{{client_id}}`, `{{version}}`, `{{base_url}}` (the public URL
  without a trailing slash) and `{{domain}}` (its host, with the port when it is not 443);
  every other placeholder is a key of the default language file (`nl.json`), such as
  `{{name.short}}`, so the Dutch texts are written once.
- `nl.json` (default language) and `en.json`: Teams localisation files, copied as they are.
- `color.png` (192×192) and `outline.png` (32×32, white on transparent), drawn by
  `manifest/make_icons.py`. The Outlook ribbon icons (16, 32 and 80 px, drawn by the same
  script) are not in the zip: the schema takes ribbon icons only as absolute URLs, so the app
  serves them from `plugin/static/outlook/` and the manifest names them by `{{base_url}}`.

Placeholders are replaced inside the parsed JSON's strings, never in its text, and only after
every value has been checked, so no setting can change the manifest's structure. The result then
goes through `plugin.manifest_checks`, which catches what the schema lets through (a button
whose action does not exist, a URL off the public host, ...).

The Teams app id (`id`) must stay the same for a deployment, or Teams sees a different app:
`app_id_for` takes `ONTWIKKELGESPREK_TEAMS_APP_ID` or generates a GUID once into the data
folder. The one resource-specific permission, `MailboxItem.ReadWrite.User` (delegated), lets
the Outlook task pane edit the appointment it is opened on. `webApplicationInfo` serves the SSO
of the Teams tabs and of the Outlook task pane alike (the same `api://host/client id`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import uuid
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from plugin.manifest_checks import check_manifest

TEMPLATE_NAME = "manifest.template.json"
#: The file in the data folder that keeps the generated Teams app id.
APP_ID_FILE = "teams_app_id"

APP_ID_SETTING = "ONTWIKKELGESPREK_TEAMS_APP_ID"
CLIENT_ID_SETTING = "ONTWIKKELGESPREK_CLIENT_ID"
PUBLIC_URL_SETTING = "ONTWIKKELGESPREK_PUBLIC_URL"


def manifest_dir() -> Path:
    """The folder with the template, the icons and the localisation files.

    Found as `plugin.paths.templates_dir` finds the templates: an installed wheel carries the
    files inside the package (pyproject's force-include), while a checkout or an editable
    install keeps them in `manifest/` at the top level, beside the package.
    """
    package = Path(str(resources.files("plugin")))
    packaged = package / "manifest"
    return packaged if (packaged / TEMPLATE_NAME).is_file() else package.parent / "manifest"


#: Where the template, the icons and the localisation files live.
MANIFEST_DIR = manifest_dir()

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_PATH = re.compile(r"^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]*)*$")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_PLACEHOLDER = re.compile(r"\{\{([^{}]+)\}\}")
#: Fixed zip entry time, so the same inputs give the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _guid(value: str, setting: str) -> str:
    value = value.strip()
    if not _GUID.match(value):
        raise ValueError(f"{setting} must be a GUID like 00000000-0000-0000-0000-000000000000")
    return value.lower()


def _base_url(public_url: str) -> tuple[str, str]:
    """The public URL as (base URL without trailing slash, domain for validDomains)."""
    message = (
        f"{PUBLIC_URL_SETTING} must be an https:// URL with a host name, "
        "e.g. https://ontwikkelgesprek.example.nl"
    )
    try:
        parts = urlsplit(public_url.strip())
        port = parts.port
    except ValueError:
        raise ValueError(message) from None
    host = parts.hostname or ""
    if parts.scheme.lower() != "https" or not host:
        raise ValueError(message)
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise ValueError(f"{PUBLIC_URL_SETTING} must have no user name, query or fragment")
    if not all(_HOST_LABEL.match(label) for label in host.split(".")):
        raise ValueError(
            f"{PUBLIC_URL_SETTING} must name its host as an ASCII domain name "
            "(punycode for international names)"
        )
    path = parts.path.rstrip("/")
    if not _PATH.match(path):
        raise ValueError(f"{PUBLIC_URL_SETTING} has characters in its path that need escaping")
    domain = host if port in (None, 443) else f"{host}:{port}"
    return f"https://{domain}{path}", domain


def _version(version: str) -> str:
    if not _SEMVER.match(version):
        raise ValueError(
            f"the Teams app version must be MAJOR.MINOR.PATCH, e.g. 1.0.0 (got {version!r})"
        )
    return version


def _read_json(name: str) -> dict[str, Any]:
    data = json.loads((MANIFEST_DIR / name).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise RuntimeError(f"{MANIFEST_DIR / name} does not hold a JSON object")
    return data


def _fill(node: Any, values: dict[str, str]) -> Any:
    """`node` with every `{{key}}` in its strings replaced by `values[key]`."""
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, values) for value in node]
    if isinstance(node, str):

        def replace(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in values:
                raise RuntimeError(f"{TEMPLATE_NAME} has an unknown placeholder {{{{{key}}}}}")
            return values[key]

        return _PLACEHOLDER.sub(replace, node)
    return node


def build_manifest(*, app_id: str, public_url: str, client_id: str, version: str) -> dict[str, Any]:
    """The manifest for one deployment, as a dict ready for `json.dumps`.

    `app_id` is the Teams app id (`app_id_for`), `public_url` the https URL Teams loads the
    tabs from (`ONTWIKKELGESPREK_PUBLIC_URL`, a path prefix is kept), `client_id` the Entra
    application id used for SSO (`ONTWIKKELGESPREK_CLIENT_ID`), `version` the app version
    (MAJOR.MINOR.PATCH; raise it for every package you upload again). Raises ValueError,
    naming the setting, for a malformed value, and RuntimeError, naming the fault, when the
    template builds a manifest that `plugin.manifest_checks` refuses.
    """
    base_url, domain = _base_url(public_url)
    values: dict[str, str] = {
        "app_id": _guid(app_id, APP_ID_SETTING),
        "client_id": _guid(client_id, CLIENT_ID_SETTING),
        "version": _version(version),
        "base_url": base_url,
        "domain": domain,
    }
    template = _read_json(TEMPLATE_NAME)
    default_file = template["localizationInfo"]["defaultLanguageFile"]
    texts = {key: value for key, value in _read_json(default_file).items() if key != "$schema"}
    manifest: dict[str, Any] = _fill(template, {**texts, **values})
    check_manifest(manifest, base_url=base_url, source=str(MANIFEST_DIR / TEMPLATE_NAME))
    return manifest


def package_files(manifest: dict[str, Any]) -> dict[str, bytes]:
    """The zip's entries, by name: `manifest.json`, its icons and its language files."""
    names = [manifest["icons"]["color"], manifest["icons"]["outline"]]
    localization = manifest.get("localizationInfo", {})
    if "defaultLanguageFile" in localization:
        names.append(localization["defaultLanguageFile"])
    names += [language["file"] for language in localization.get("additionalLanguages", [])]
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    files = {"manifest.json": text.encode("utf-8")}
    for name in names:
        if "/" in name or "\\" in name:
            raise RuntimeError(f"{TEMPLATE_NAME} names {name!r}: package files sit at the root")
        files[name] = (MANIFEST_DIR / name).read_bytes()
    return files


def write_package(out: Path, *, app_id: str, public_url: str, client_id: str, version: str) -> Path:
    """Write the app package zip to `out` (replacing it atomically) and return its path.

    The same arguments give the same bytes. Raises ValueError as `build_manifest` does.
    """
    manifest = build_manifest(
        app_id=app_id, public_url=public_url, client_id=client_id, version=version
    )
    files = package_files(manifest)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            for name, data in files.items():
                entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                archive.writestr(entry, data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return out


def app_id_for(data_dir: Path, configured: str | None) -> str:
    """The Teams app id: `ONTWIKKELGESPREK_TEAMS_APP_ID` when set, else one kept in the data folder.

    The generated GUID is written once to `<data_dir>/teams_app_id`: a complete temporary file
    is hard-linked into place, which fails when the file exists (like O_EXCL) and never shows a
    half-written id, so concurrent first calls agree on one id. Raises ValueError for a
    malformed setting or file.
    """
    if configured is not None and configured.strip():
        return _guid(configured, APP_ID_SETTING)
    path = data_dir / APP_ID_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{APP_ID_FILE}.", dir=data_dir)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(f"{uuid.uuid4()}\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp_name, 0o644)
            with contextlib.suppress(FileExistsError):  # another process was first: use its id
                os.link(tmp_name, path)
        finally:
            os.unlink(tmp_name)
    value = path.read_text(encoding="ascii", errors="replace").strip()
    if not _GUID.match(value):
        raise ValueError(f"{path} does not hold a GUID: fix or delete it, or set {APP_ID_SETTING}")
    return value.lower()
