"""The Outlook add-in in the app manifest: one button on the organiser's meeting form that opens a
task pane. The built manifest passes Microsoft's schema offline (the helpers of
test_package.py), its icons are served by the app in the sizes Office needs, its texts are
Dutch with an English localisation, and plugin.manifest_checks refuses what the schema lets
through."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from plugin.manifest_checks import (
    OUTLOOK_RIBBON_CONTEXTS,
    TASK_PANE_MAILBOX_REQUIREMENT,
    check_manifest,
    manifest_problems,
)
from plugin.teams_package import MANIFEST_DIR, TEMPLATE_NAME, build_manifest, write_package
from tests.teams.test_package import (
    ARGS,
    HOST,
    PUBLIC_URL,
    png_header,
    png_rgba,
    read_language,
    run_validator,
    validator_report,
)

ROOT = Path(__file__).resolve().parents[2]
STATIC_OUTLOOK = ROOT / "plugin" / "static" / "outlook"
ICON_SIZES = (16, 32, 80)
GROUP = "extensions[0].ribbons[0].tabs[0].groups[0]"
BUTTON = f"{GROUP}.controls[0]"
TEXT_KEYS = {
    "group": f"{GROUP}.label",
    "label": f"{BUTTON}.label",
    "title": f"{BUTTON}.supertip.title",
    "description": f"{BUTTON}.supertip.description",
}


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    return build_manifest(**ARGS)


def extension_of(manifest: dict[str, Any]) -> dict[str, Any]:
    (extension,) = manifest["extensions"]
    return dict(extension)


def group_of(manifest: dict[str, Any]) -> dict[str, Any]:
    (ribbon,) = extension_of(manifest)["ribbons"]
    (tab,) = ribbon["tabs"]
    (group,) = tab["groups"]
    return dict(group)


def button_of(manifest: dict[str, Any]) -> dict[str, Any]:
    (button,) = group_of(manifest)["controls"]
    return dict(button)


# --- what the template declares ------------------------------------------------------------


def test_one_outlook_extension_for_mail_with_the_task_panes_requirement_set(
    built: dict[str, Any],
) -> None:
    extension = extension_of(built)
    assert extension["requirements"] == {
        "scopes": ["mail"],
        "capabilities": [{"name": "Mailbox", "minVersion": TASK_PANE_MAILBOX_REQUIREMENT}],
    }
    assert TASK_PANE_MAILBOX_REQUIREMENT == "1.3"  # item.saveAsync; see plugin/manifest_checks.py


def test_the_button_opens_the_task_pane_on_the_organisers_meeting_form(
    built: dict[str, Any],
) -> None:
    extension = extension_of(built)
    assert extension["runtimes"] == [
        {
            "id": "TaskPaneRuntime",
            "type": "general",
            "code": {"page": f"{PUBLIC_URL}/outlook/taskpane"},
            "lifetime": "short",
            "actions": [{"id": "OpenTalkPane", "type": "openPage", "view": "talk"}],
        }
    ]
    (ribbon,) = extension["ribbons"]
    assert ribbon["contexts"] == ["meetingDetailsOrganizer"]
    (tab,) = ribbon["tabs"]
    assert tab["builtInTabId"] == "TabDefault"
    button = button_of(built)
    assert button["type"] == "button"
    assert button["actionId"] == "OpenTalkPane"


def test_the_task_pane_may_edit_the_appointment(built: dict[str, Any]) -> None:
    assert built["authorization"] == {
        "permissions": {
            "resourceSpecific": [{"name": "MailboxItem.ReadWrite.User", "type": "Delegated"}]
        }
    }


def test_sso_serves_the_task_pane_as_it_serves_the_tabs(built: dict[str, Any]) -> None:
    assert built["webApplicationInfo"] == {
        "id": ARGS["client_id"],
        "resource": f"api://{HOST}/{ARGS['client_id']}",
    }


# --- icons ---------------------------------------------------------------------------------


def icon_urls(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [*group_of(manifest)["icons"], *button_of(manifest)["icons"]]


def test_the_group_and_the_button_name_the_three_icons_the_app_serves(
    built: dict[str, Any],
) -> None:
    for icons in (group_of(built)["icons"], button_of(built)["icons"]):
        assert icons == [
            {"size": size, "url": f"{PUBLIC_URL}/static/outlook/icon-{size}.png"}
            for size in ICON_SIZES
        ]


def test_each_icon_file_has_the_size_the_manifest_gives_it(built: dict[str, Any]) -> None:
    for icon in icon_urls(built):
        name = urlsplit(icon["url"]).path.removeprefix("/static/outlook/")
        data = (STATIC_OUTLOOK / name).read_bytes()
        assert png_header(data)[:2] == (icon["size"], icon["size"]), name
    assert sorted(p.name for p in STATIC_OUTLOOK.iterdir()) == sorted(
        f"icon-{size}.png" for size in ICON_SIZES
    )


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icons_are_the_symbol_in_colour_on_transparent(size: int) -> None:
    pixels = png_rgba((STATIC_OUTLOOK / f"icon-{size}.png").read_bytes())
    assert len(pixels) == size * size
    assert pixels[0][3] == 0, "the corner is not transparent"
    assert sum(p[3] == 255 for p in pixels) > size * size // 4, "hardly any symbol"
    assert (255, 255, 255, 255) in pixels, "no white check mark"


def test_make_icons_reproduces_the_committed_outlook_icons() -> None:
    spec = importlib.util.spec_from_file_location("make_icons", MANIFEST_DIR / "make_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.OUTLOOK_SIZES == ICON_SIZES
    for size in ICON_SIZES:
        drawn = module.encode_png(module.outlook_icon(size))
        assert drawn == (STATIC_OUTLOOK / f"icon-{size}.png").read_bytes(), size


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_app_serves_the_icons_without_sign_in(app: Flask, built: dict[str, Any]) -> None:
    client = app.test_client()
    for icon in icon_urls(built):
        response = client.get(urlsplit(icon["url"]).path)
        assert response.status_code == 200, icon["url"]
        assert response.mimetype == "image/png"
        assert png_header(response.get_data())[:2] == (icon["size"], icon["size"])


def test_the_package_holds_no_outlook_icons(tmp_path: Path) -> None:
    # The schema takes ribbon icons only as absolute URLs, so they are served, not packaged.
    with zipfile.ZipFile(write_package(tmp_path / "app.zip", **ARGS)) as archive:
        assert not [name for name in archive.namelist() if name.startswith("icon-")]


# --- texts ---------------------------------------------------------------------------------


def test_the_button_speaks_dutch_in_the_manifest(built: dict[str, Any]) -> None:
    nl = read_language("nl.json")
    assert group_of(built)["label"] == nl[TEXT_KEYS["group"]] == "Gesprek"
    button = button_of(built)
    assert button["label"] == nl[TEXT_KEYS["label"]] == "Ontwikkelgesprek"
    assert button["supertip"] == {
        "title": nl[TEXT_KEYS["title"]],
        "description": nl[TEXT_KEYS["description"]],
    }
    assert button["supertip"]["title"] == "Maak er een ontwikkelgesprek van"
    assert "uitnodiging" in button["supertip"]["description"]


def test_the_button_speaks_english_from_the_localisation_file() -> None:
    en, nl = read_language("en.json"), read_language("nl.json")
    assert en[TEXT_KEYS["group"]] == "Talk"
    assert en[TEXT_KEYS["label"]] == "Ontwikkelgesprek"  # the app's name, as name.short
    assert en[TEXT_KEYS["title"]] == "Make it a development talk"
    assert "invite" in en[TEXT_KEYS["description"]]
    for key in ("group", "title", "description"):
        assert en[TEXT_KEYS[key]] != nl[TEXT_KEYS[key]], key


@pytest.mark.parametrize("language", ["nl", "en"])
def test_button_texts_fit_office(language: str) -> None:
    texts = read_language(f"{language}.json")
    # Office advises 16 characters for a group label; the schema allows 64 and 250.
    assert len(texts[TEXT_KEYS["group"]]) <= 16
    assert len(texts[TEXT_KEYS["title"]]) <= 64
    assert len(texts[TEXT_KEYS["description"]]) <= 250


# --- Microsoft's schema, offline -----------------------------------------------------------


def extracted(tmp_path: Path, **changes: str) -> list[Path]:
    zipped = write_package(tmp_path / "app.zip", **{**ARGS, **changes})
    folder = tmp_path / "app"
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(folder)
    return [folder / name for name in ("manifest.json", "nl.json", "en.json")]


@pytest.mark.parametrize("public_url", [PUBLIC_URL, "https://x.nl:8443/og"])
def test_the_manifest_with_the_extension_passes_microsofts_schema(
    tmp_path: Path, public_url: str
) -> None:
    files = extracted(tmp_path, public_url=public_url)
    assert "extensions" in json.loads(files[0].read_text(encoding="utf-8"))
    result = run_validator(*files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert validator_report(result.stdout) == {str(path): [] for path in files}


# --- our own checks ------------------------------------------------------------------------

Breakage = Callable[[dict[str, Any]], None]


def _set_action(manifest: dict[str, Any]) -> None:
    manifest["extensions"][0]["ribbons"][0]["tabs"][0]["groups"][0]["controls"][0]["actionId"] = (
        "OpenTalkPain"
    )


def _duplicate_action(manifest: dict[str, Any]) -> None:
    runtime = manifest["extensions"][0]["runtimes"][0]
    runtime["actions"].append(dict(runtime["actions"][0]))


def _http_page(manifest: dict[str, Any]) -> None:
    manifest["extensions"][0]["runtimes"][0]["code"]["page"] = f"http://{HOST}/outlook/taskpane"


def _http_icon(manifest: dict[str, Any]) -> None:
    icon = manifest["extensions"][0]["ribbons"][0]["tabs"][0]["groups"][0]["icons"][0]
    icon["url"] = f"http://{HOST}/static/outlook/icon-16.png"


def _other_host(manifest: dict[str, Any]) -> None:
    manifest["extensions"][0]["runtimes"][0]["code"]["page"] = "https://cdn.example.com/pane"


def _not_in_valid_domains(manifest: dict[str, Any]) -> None:
    manifest["validDomains"] = ["intranet.example.nl"]


def _teams_context(manifest: dict[str, Any]) -> None:
    manifest["extensions"][0]["ribbons"][0]["contexts"] = ["meetingDetailsTab"]


def _word_context(manifest: dict[str, Any]) -> None:
    manifest["extensions"][0]["ribbons"][0]["contexts"] = ["default"]


def _higher_mailbox(manifest: dict[str, Any]) -> None:
    manifest["extensions"][0]["requirements"]["capabilities"][0]["minVersion"] = "1.8"


def _lower_mailbox(manifest: dict[str, Any]) -> None:
    manifest["extensions"][0]["requirements"]["capabilities"][0]["minVersion"] = "1.1"


def _no_mailbox(manifest: dict[str, Any]) -> None:
    del manifest["extensions"][0]["requirements"]["capabilities"]


BROKEN: dict[str, tuple[Breakage, str]] = {
    "actionId naming nothing": (
        _set_action,
        f"{BUTTON}.actionId is 'OpenTalkPain', but no runtime has an action with that id",
    ),
    "action id twice": (
        _duplicate_action,
        "extensions[0].runtimes[0].actions[1]: action id 'OpenTalkPane' is used twice",
    ),
    "http task pane": (
        _http_page,
        "extensions[0].runtimes[0].code.page is not an https URL",
    ),
    "http icon": (
        _http_icon,
        f"{GROUP}.icons[0].url is not an https URL",
    ),
    "URL on another host": (
        _other_host,
        "extensions[0].runtimes[0].code.page points to 'cdn.example.com', not to the public host",
    ),
    "host not in validDomains": (
        _not_in_valid_domains,
        f"developer.websiteUrl: its host '{HOST}' is not in validDomains",
    ),
    "Teams context in a ribbon": (
        _teams_context,
        "extensions[0].ribbons[0].contexts[0] is 'meetingDetailsTab', a Teams tab context, "
        "not an Outlook ribbon context",
    ),
    "Word context in a ribbon": (
        _word_context,
        "extensions[0].ribbons[0].contexts[0] is 'default', not an Outlook ribbon context",
    ),
    "higher minVersion": (
        _higher_mailbox,
        "Mailbox minVersion is '1.8', but the task pane needs exactly '1.3'",
    ),
    "lower minVersion": (
        _lower_mailbox,
        "Mailbox minVersion is '1.1', but the task pane needs exactly '1.3'",
    ),
    "no Mailbox requirement": (
        _no_mailbox,
        "must name the Mailbox requirement set once",
    ),
}


def test_the_built_manifest_has_no_problems(built: dict[str, Any]) -> None:
    assert manifest_problems(built, base_url=PUBLIC_URL) == []
    prefixed = build_manifest(**{**ARGS, "public_url": "https://x.nl:8443/og/"})
    assert manifest_problems(prefixed, base_url="https://x.nl:8443/og") == []


@pytest.mark.parametrize("case", BROKEN)
def test_each_check_refuses_a_broken_manifest_naming_the_problem(
    built: dict[str, Any], case: str
) -> None:
    breakage, message = BROKEN[case]
    broken = copy.deepcopy(built)
    breakage(broken)
    with pytest.raises(RuntimeError, match=re.escape(message)) as raised:
        check_manifest(broken, base_url=PUBLIC_URL, source="the template")
    assert str(raised.value).startswith("the template builds a manifest that would not work:")


def test_a_url_outside_the_public_path_is_refused() -> None:
    base = "https://x.nl/og"
    built = build_manifest(**{**ARGS, "public_url": base})
    built["extensions"][0]["runtimes"][0]["code"]["page"] = "https://x.nl/outlook/taskpane"
    assert manifest_problems(built, base_url=base) == [
        "extensions[0].runtimes[0].code.page is outside the public URL https://x.nl/og: "
        "'https://x.nl/outlook/taskpane'"
    ]


def test_the_schemas_own_address_is_not_checked_as_a_url(built: dict[str, Any]) -> None:
    assert urlsplit(built["$schema"]).netloc == "developer.microsoft.com"
    assert manifest_problems(built, base_url=PUBLIC_URL) == []


def test_outlook_contexts_are_those_the_schema_allows_for_outlook() -> None:
    schema_file = (
        ROOT / "tests" / ".npm" / "node_modules" / "@microsoft" / "app-manifest" / "build"
        / "json-schemas" / "teams" / "v1.30" / "MicrosoftTeams.schema.json"
    )  # fmt: skip
    if not schema_file.is_file():
        pytest.fail(f"{schema_file} is missing; run `bash tests/install.sh`")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    allowed = set(schema["definitions"]["extensionContexts"]["items"]["enum"])
    assert allowed - OUTLOOK_RIBBON_CONTEXTS == {"default"}  # Excel, PowerPoint and Word
    assert allowed >= OUTLOOK_RIBBON_CONTEXTS


def test_the_schema_alone_accepts_an_action_id_naming_nothing(
    tmp_path: Path, built: dict[str, Any]
) -> None:
    # The reason for plugin.manifest_checks: the schema checks shapes, not references.
    broken = copy.deepcopy(built)
    _set_action(broken)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = run_validator(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert validator_report(result.stdout) == {str(path): []}
    with pytest.raises(RuntimeError, match="no runtime has an action with that id"):
        check_manifest(broken, base_url=PUBLIC_URL, source="the template")


def test_the_schema_alone_accepts_an_http_icon(tmp_path: Path, built: dict[str, Any]) -> None:
    broken = copy.deepcopy(built)
    _http_icon(broken)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = run_validator(path)
    assert validator_report(result.stdout) == {str(path): []}
    assert manifest_problems(broken, base_url=PUBLIC_URL) != []


@pytest.fixture
def manifest_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of manifest/ that build_manifest reads instead; yields its template's path."""
    folder = tmp_path / "manifest"
    shutil.copytree(MANIFEST_DIR, folder)
    monkeypatch.setattr("plugin.teams_package.MANIFEST_DIR", folder)
    return folder / TEMPLATE_NAME


def test_a_broken_template_fails_the_build_naming_the_fault(manifest_copy: Path) -> None:
    template = json.loads(manifest_copy.read_text(encoding="utf-8"))
    _set_action(template)
    manifest_copy.write_text(json.dumps(template), encoding="utf-8")
    with pytest.raises(RuntimeError) as raised:
        build_manifest(**ARGS)
    message = str(raised.value)
    assert message.startswith(f"{manifest_copy} builds a manifest that would not work:")
    assert f"{BUTTON}.actionId is 'OpenTalkPain'" in message
    assert "actions: ['OpenTalkPane']" in message


# -- the requirement set is the task pane's own ------------------------------------------------

#: The Mailbox requirement set that introduced each Office.js member the task pane may call
#: (Microsoft's "Outlook JavaScript API requirement sets" reference).
MAILBOX_SINCE = {
    "subject.getAsync": "1.1",
    "start.getAsync": "1.1",
    "end.getAsync": "1.1",
    "requiredAttendees.getAsync": "1.1",
    "optionalAttendees.getAsync": "1.1",
    "body.prependAsync": "1.1",
    "saveAsync": "1.3",
    "openBrowserWindow": "1.5",
    "organizer.getAsync": "1.7",
    "getItemIdAsync": "1.8",
}
#: The task pane's scripts that call Office.js: the pane and its Office.js glue.
TASKPANE_JS = [
    Path(__file__).resolve().parents[2] / "plugin" / "static" / "js" / name
    for name in ("taskpane.js", "office.js")
]


def _version(value: str) -> tuple[int, ...]:
    return tuple(int(part) for part in value.split("."))


def test_the_manifest_asks_for_exactly_the_mailbox_set_the_task_pane_needs() -> None:
    """Every Office.js call of taskpane.js is either within the manifest's Mailbox version, or
    made only where Outlook reports the newer set; and the manifest asks no higher than the
    newest call made without such a check (a higher one hides the add-in from Outlooks that
    could run it)."""
    source = "\n".join(path.read_text(encoding="utf-8") for path in TASKPANE_JS)
    calls = {
        member: since
        for member, since in MAILBOX_SINCE.items()
        if re.search(rf"\.{re.escape(member.split('.')[-1])}\b", source)
        and (("." not in member) or re.search(rf"\b{member.split('.')[0]}\b", source))
    }
    assert {"saveAsync", "body.prependAsync", "subject.getAsync"} <= calls.keys()
    checked = set(re.findall(r'supports\("Mailbox", "([\d.]+)"\)', source))
    required = _version(TASK_PANE_MAILBOX_REQUIREMENT)
    unchecked = []
    for member, since in calls.items():
        if _version(since) > required:
            assert since in checked, f"{member} needs Mailbox {since}: check it at run time"
        else:
            unchecked.append(_version(since))
    assert max(unchecked) == required, "the manifest asks for more than the task pane needs"
