"""The Teams app package: zip layout, icons, the manifest's URLs, ids and texts, and every
generated manifest and localisation file validated offline against Microsoft's schemas with
the validator of the npm package @microsoft/app-manifest (`validate_manifest.mjs`)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import struct
import subprocess
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from plugin.teams_package import (
    APP_ID_FILE,
    MANIFEST_DIR,
    app_id_for,
    build_manifest,
    package_files,
    write_package,
)

APP_ID = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
CLIENT_ID = "6c1a7e52-3d4f-4b8a-9c0d-1e2f3a4b5c6d"
PUBLIC_URL = "https://ontwikkelgesprek.example.nl"
HOST = "ontwikkelgesprek.example.nl"
VERSION = "1.2.3"
ARGS = {"app_id": APP_ID, "public_url": PUBLIC_URL, "client_id": CLIENT_ID, "version": VERSION}

HERE = Path(__file__).resolve().parent
VALIDATOR = HERE / "validate_manifest.mjs"
NPM_PACKAGE = HERE.parent / ".npm" / "node_modules" / "@microsoft" / "app-manifest"
LANGUAGE_FILES = {"nl": "nl.json", "en": "en.json"}
TEXT_KEYS = {"name.short", "name.full", "description.short", "description.full"}
#: The reminders' activity types in the Teams feed: what each is and its one line.
ACTIVITY_KEYS = {
    f"activities.activityTypes[{n}].{field}"
    for n in range(5)
    for field in ("description", "templateText")
}
#: The Outlook button's texts (tests/teams/test_outlook_extension.py checks them).
OUTLOOK_KEYS = {
    f"extensions[0].ribbons[0].tabs[0].groups[0].{key}"
    for key in (
        "label",
        "controls[0].label",
        "controls[0].supertip.title",
        "controls[0].supertip.description",
    )
}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return build_manifest(**ARGS)


@pytest.fixture
def package(tmp_path: Path) -> Iterator[zipfile.ZipFile]:
    path = write_package(tmp_path / "out" / "ontwikkelgesprek.zip", **ARGS)
    with zipfile.ZipFile(path) as archive:
        yield archive


def read_language(name: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((MANIFEST_DIR / name).read_text(encoding="utf-8"))
    return data


# --- PNG reading (enough of the format to check the icons) ---------------------------------


def png_header(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from the IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height, depth, color_type = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, color_type


def png_rgba(data: bytes) -> list[tuple[int, int, int, int]]:
    """Every pixel of an 8-bit RGBA, non-interlaced PNG (all five row filters)."""
    width, height, depth, color_type = png_header(data)
    assert (depth, color_type, data[28]) == (8, 6, 0), "expected 8-bit RGBA, not interlaced"
    idat, offset = b"", 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"IDAT":
            idat += data[offset + 8 : offset + 8 + length]
        offset += 12 + length
    raw, stride, bpp = zlib.decompress(idat), width * 4, 4
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up, corner = previous[x], previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + pred) & 0xFF
            else:
                assert kind == 0, f"unknown PNG filter {kind}"
        rows.append(line)
        previous = line
    return [(r[i], r[i + 1], r[i + 2], r[i + 3]) for r in rows for i in range(0, stride, 4)]


# --- the zip -------------------------------------------------------------------------------


def test_zip_holds_exactly_the_manifest_icons_and_language_files_at_its_root(
    package: zipfile.ZipFile, manifest: dict[str, Any]
) -> None:
    names = package.namelist()
    assert sorted(names) == sorted(
        ["manifest.json", "color.png", "outline.png", "nl.json", "en.json"]
    )
    assert all("/" not in name and "\\" not in name for name in names)
    assert json.loads(package.read("manifest.json").decode("utf-8")) == manifest
    for name in ("color.png", "outline.png", "nl.json", "en.json"):
        assert package.read(name) == (MANIFEST_DIR / name).read_bytes(), name
    assert package.testzip() is None


def test_the_same_settings_give_the_same_zip_bytes(tmp_path: Path) -> None:
    first = write_package(tmp_path / "a.zip", **ARGS).read_bytes()
    second = write_package(tmp_path / "b.zip", **ARGS).read_bytes()
    assert first == second
    again = write_package(tmp_path / "a.zip", **{**ARGS, "version": "1.2.4"})
    assert again == (tmp_path / "a.zip").resolve()
    assert again.read_bytes() != first
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# --- icons ---------------------------------------------------------------------------------


def test_icons_have_the_sizes_teams_requires() -> None:
    assert png_header((MANIFEST_DIR / "color.png").read_bytes())[:2] == (192, 192)
    assert png_header((MANIFEST_DIR / "outline.png").read_bytes())[:2] == (32, 32)


def test_outline_icon_is_white_on_transparent() -> None:
    pixels = png_rgba((MANIFEST_DIR / "outline.png").read_bytes())
    assert len(pixels) == 32 * 32
    not_white = [p for p in pixels if p[3] > 0 and p[:3] != (255, 255, 255)]
    assert not_white == [], f"{len(not_white)} visible pixels are not white"
    assert any(p[3] == 0 for p in pixels), "no transparent background"
    assert sum(p[3] == 255 for p in pixels) > 100, "hardly any solid white"


def test_color_icon_is_opaque_on_the_accent_colour(manifest: dict[str, Any]) -> None:
    pixels = png_rgba((MANIFEST_DIR / "color.png").read_bytes())
    assert all(p[3] == 255 for p in pixels)
    accent = bytes.fromhex(manifest["accentColor"].removeprefix("#"))
    assert pixels[0][:3] == tuple(accent)
    assert len({p[:3] for p in pixels}) > 3, "no symbol on the background"


def test_make_icons_reproduces_the_committed_icons() -> None:
    spec = importlib.util.spec_from_file_location("make_icons", MANIFEST_DIR / "make_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.encode_png(module.color_icon()) == (MANIFEST_DIR / "color.png").read_bytes()
    assert module.encode_png(module.outline_icon()) == (MANIFEST_DIR / "outline.png").read_bytes()


# --- the manifest --------------------------------------------------------------------------


def urls_in(node: Any, path: str = "") -> list[tuple[str, str]]:
    """(JSON path, value) of every property whose name ends in Url."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("Url") and isinstance(value, str):
                found.append((f"{path}.{key}", value))
            found += urls_in(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += urls_in(value, f"{path}[{index}]")
    return found


def strings_in(node: Any, path: str = "") -> list[tuple[str, str]]:
    """(JSON path, value) of every string value in the manifest."""
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [
            found for key, value in node.items() for found in strings_in(value, f"{path}.{key}")
        ]
    if isinstance(node, list):
        return [
            found for i, value in enumerate(node) for found in strings_in(value, f"{path}[{i}]")
        ]
    return []


def test_every_url_is_https_on_a_valid_domain(manifest: dict[str, Any]) -> None:
    urls = urls_in(manifest)
    assert len(urls) >= 5  # configurationUrl, contentUrl, developer's three
    for where, url in urls:
        parts = urlsplit(url)
        assert parts.scheme == "https", where
        assert parts.netloc in manifest["validDomains"], where
    assert manifest["validDomains"] == [HOST]


def test_meeting_tab_and_personal_tab(manifest: dict[str, Any]) -> None:
    (meeting,) = manifest["configurableTabs"]
    assert meeting["configurationUrl"] == f"{PUBLIC_URL}/teams/configure"
    assert meeting["canUpdateConfiguration"] is True
    assert meeting["scopes"] == ["groupChat"]
    assert meeting["context"] == ["meetingDetailsTab", "meetingChatTab", "meetingSidePanel"]
    (personal,) = manifest["staticTabs"]
    assert personal["contentUrl"] == f"{PUBLIC_URL}/teams/personal"
    assert personal["scopes"] == ["personal"]
    assert personal["context"] == ["personalTab"]
    assert manifest["developer"] == {
        "name": "Ontwikkelgesprek",
        "websiteUrl": f"{PUBLIC_URL}/about",
        "privacyUrl": f"{PUBLIC_URL}/privacy",
        "termsOfUseUrl": f"{PUBLIC_URL}/terms",
    }
    assert manifest["showLoadingIndicator"] is False


def test_ids_and_sso_are_filled_in(manifest: dict[str, Any]) -> None:
    assert manifest["id"] == APP_ID
    assert manifest["version"] == VERSION
    assert manifest["webApplicationInfo"] == {
        "id": CLIENT_ID,
        "resource": f"api://{HOST}/{CLIENT_ID}",
    }
    strings = [value for _, value in strings_in(manifest)]
    assert not [text for text in strings if "{{" in text or "}}" in text]


def test_the_only_resource_specific_permission_is_the_outlook_task_panes(
    manifest: dict[str, Any],
) -> None:
    # The tabs post to the meeting chat as the signed-in user (delegated Graph permission
    # ChatMessage.Send via on-behalf-of) and link a meeting by its chat id: no Teams RSC needed.
    # The Outlook task pane edits the appointment it is opened on (tests/teams/
    # test_outlook_extension.py).
    assert manifest["authorization"]["permissions"]["resourceSpecific"] == [
        {"name": "MailboxItem.ReadWrite.User", "type": "Delegated"}
    ]
    assert "permissions" not in manifest


def test_schema_and_manifest_version_agree(manifest: dict[str, Any]) -> None:
    version = manifest["manifestVersion"]
    assert manifest["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{version}/MicrosoftTeams.schema.json"
    )
    for name in LANGUAGE_FILES.values():
        assert read_language(name)["$schema"] == (
            f"https://developer.microsoft.com/json-schemas/teams/v{version}/"
            "MicrosoftTeams.Localization.schema.json"
        )


def test_public_url_with_a_path_and_a_port() -> None:
    built = build_manifest(**{**ARGS, "public_url": "https://Intranet.Example.nl:8443/og/"})
    assert built["configurableTabs"][0]["configurationUrl"] == (
        "https://intranet.example.nl:8443/og/teams/configure"
    )
    assert built["validDomains"] == ["intranet.example.nl:8443"]
    assert built["webApplicationInfo"]["resource"] == f"api://intranet.example.nl:8443/{CLIENT_ID}"
    default_port = build_manifest(**{**ARGS, "public_url": "https://og.example.nl:443"})
    assert default_port["validDomains"] == ["og.example.nl"]


def test_ids_are_normalised_to_lower_case() -> None:
    built = build_manifest(**{**ARGS, "app_id": APP_ID.upper(), "client_id": CLIENT_ID.upper()})
    assert built["id"] == APP_ID
    assert built["webApplicationInfo"]["id"] == CLIENT_ID


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"public_url": "http://og.example.nl"}, "ONTWIKKELGESPREK_PUBLIC_URL"),
        ({"public_url": "https://"}, "ONTWIKKELGESPREK_PUBLIC_URL"),
        ({"public_url": "og.example.nl"}, "ONTWIKKELGESPREK_PUBLIC_URL"),
        ({"public_url": "ftp://og.example.nl"}, "ONTWIKKELGESPREK_PUBLIC_URL"),
        ({"public_url": "https://og.example.nl/?x=1"}, "ONTWIKKELGESPREK_PUBLIC_URL"),
        ({"public_url": "https://user@og.example.nl"}, "ONTWIKKELGESPREK_PUBLIC_URL"),
        ({"public_url": "https://og.example.nl:99999"}, "ONTWIKKELGESPREK_PUBLIC_URL"),
        ({"public_url": "https://ontwikkel_gesprek.nl"}, "ONTWIKKELGESPREK_PUBLIC_URL"),
        ({"public_url": "https://og.example.nl/a b"}, "ONTWIKKELGESPREK_PUBLIC_URL"),
        ({"client_id": "not-a-guid"}, "ONTWIKKELGESPREK_CLIENT_ID"),
        ({"client_id": ""}, "ONTWIKKELGESPREK_CLIENT_ID"),
        ({"app_id": "{" + APP_ID + "}"}, "ONTWIKKELGESPREK_TEAMS_APP_ID"),
        ({"version": "1.0"}, "MAJOR.MINOR.PATCH"),
        ({"version": "0.1.0.dev1"}, "MAJOR.MINOR.PATCH"),
    ],
)
def test_malformed_input_is_refused_naming_the_setting(
    changes: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        build_manifest(**{**ARGS, **changes})


# --- languages -----------------------------------------------------------------------------


def test_dutch_is_the_default_language_and_english_the_second(manifest: dict[str, Any]) -> None:
    assert manifest["localizationInfo"] == {
        "defaultLanguageTag": "nl",
        "defaultLanguageFile": "nl.json",
        "additionalLanguages": [{"languageTag": "en", "file": "en.json"}],
    }


def test_manifest_texts_are_the_dutch_ones(manifest: dict[str, Any]) -> None:
    nl = read_language("nl.json")
    assert manifest["name"] == {"short": nl["name.short"], "full": nl["name.full"]}
    assert manifest["description"] == {
        "short": nl["description.short"],
        "full": nl["description.full"],
    }
    assert manifest["staticTabs"][0]["name"] == nl["staticTabs[0].name"]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_language_files_name_describe_and_credit(language: str) -> None:
    texts = read_language(LANGUAGE_FILES[language])
    assert set(texts) == {
        "$schema",
        "staticTabs[0].name",
        *TEXT_KEYS,
        *OUTLOOK_KEYS,
        *ACTIVITY_KEYS,
    }
    assert all(value.strip() for value in texts.values())
    assert texts["name.short"] == "Ontwikkelgesprek"
    full = texts["description.full"]
    assert "Handvatten ontwikkelingsgesprek" in full
    assert "Werkplekleren in de techniek" in full
    words = {
        "nl": ["voorbereiden", "afspraken", "tijdens het gesprek", "aftekenen", "vervolggesprek"],
        "en": ["prepare", "agreements", "during the talk", "sign off", "follow-up"],
    }[language]
    assert all(word in full.lower() for word in words), words


def test_english_is_a_translation_not_a_copy() -> None:
    nl, en = read_language("nl.json"), read_language("en.json")
    for key in ("name.full", "description.short", "description.full", "staticTabs[0].name"):
        assert nl[key] != en[key], key


# --- Microsoft's schema, offline -----------------------------------------------------------


def run_validator(*files: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; run `bash tests/install.sh`")
    if not (NPM_PACKAGE / "package.json").is_file():
        pytest.fail(
            f"@microsoft/app-manifest is missing ({NPM_PACKAGE}); run `bash tests/install.sh`"
        )
    result = subprocess.run(
        [node, str(VALIDATOR), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode == 2:
        pytest.fail(f"the validator could not run:\n{result.stderr}")
    return result


def validator_report(stdout: str) -> dict[str, list[str]]:
    """{file: errors} from the validator's "OK file" / "FAIL file" + indented error lines."""
    report: dict[str, list[str]] = {}
    current = ""
    for line in stdout.splitlines():
        if line.startswith(("OK ", "FAIL ")):
            current = line.split(" ", 1)[1]
            report[current] = []
        elif line.startswith("  "):
            report[current].append(line.strip())
    return report


def test_package_validates_against_microsofts_schema(tmp_path: Path) -> None:
    built = [
        write_package(tmp_path / "plain.zip", **ARGS),
        write_package(tmp_path / "prefixed.zip", **{**ARGS, "public_url": "https://x.nl:8443/og"}),
    ]
    files = []
    for zipped in built:
        folder = tmp_path / zipped.stem
        with zipfile.ZipFile(zipped) as archive:
            archive.extractall(folder)
        files += [folder / name for name in ("manifest.json", "nl.json", "en.json")]
    result = run_validator(*files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert validator_report(result.stdout) == {str(path): [] for path in files}


def test_validator_rejects_broken_manifests_and_language_files(tmp_path: Path) -> None:
    good = build_manifest(**ARGS)
    broken: dict[str, tuple[dict[str, Any], str]] = {
        # `const` in the schema: only ajv's draft-04 support with const catches this.
        "wrong_version": ({**good, "manifestVersion": "1.29"}, "/manifestVersion must be equal"),
        "no_developer": (
            {k: v for k, v in good.items() if k != "developer"},
            "must have required property 'developer'",
        ),
        "bad_client_id": (
            {**good, "webApplicationInfo": {**good["webApplicationInfo"], "id": "nope"}},
            "/webApplicationInfo/id must match pattern",
        ),
        "two_meeting_tabs": (
            {**good, "configurableTabs": good["configurableTabs"] * 2},
            "/configurableTabs must NOT have more than 1 items",
        ),
        "long_name": (
            {**read_language("nl.json"), "name.short": "Ontwikkelgesprek" * 2},
            "/name.short must NOT have more than 30 characters",
        ),
    }
    paths = {}
    for name, (document, _) in broken.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(document), encoding="utf-8")
    good_path = tmp_path / "good.json"
    good_path.write_text(json.dumps(good), encoding="utf-8")

    result = run_validator(good_path, *paths.values())
    assert result.returncode == 1, result.stdout + result.stderr
    report = validator_report(result.stdout)
    assert report[str(good_path)] == []
    for name, (_, expected) in broken.items():
        errors = report[str(paths[name])]
        assert any(error.startswith(expected) for error in errors), (name, errors)


def test_package_files_come_from_the_manifest(manifest: dict[str, Any]) -> None:
    files = package_files(manifest)
    assert set(files) == {"manifest.json", "color.png", "outline.png", "nl.json", "en.json"}


# --- the Teams app id ----------------------------------------------------------------------


def test_configured_app_id_wins_and_is_checked(tmp_path: Path) -> None:
    assert app_id_for(tmp_path, APP_ID.upper()) == APP_ID
    assert not (tmp_path / APP_ID_FILE).exists()
    with pytest.raises(ValueError, match="ONTWIKKELGESPREK_TEAMS_APP_ID"):
        app_id_for(tmp_path, "my-app")


def test_generated_app_id_is_kept_in_the_data_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"
    first = app_id_for(data_dir, None)
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first
    )
    assert app_id_for(data_dir, "") == first
    assert app_id_for(data_dir, "  ") == first
    assert (data_dir / APP_ID_FILE).read_text() == first + "\n"
    assert sorted(p.name for p in data_dir.iterdir()) == [APP_ID_FILE]


def test_concurrent_first_calls_agree_on_one_app_id(tmp_path: Path) -> None:
    results: list[str] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(app_id_for(tmp_path, None))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and len(set(results)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [APP_ID_FILE]


def test_a_damaged_app_id_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / APP_ID_FILE).write_text("garbage\n")
    with pytest.raises(ValueError, match="ONTWIKKELGESPREK_TEAMS_APP_ID"):
        app_id_for(tmp_path, None)


def test_the_package_command_writes_the_zip_from_the_settings(tmp_path, monkeypatch):
    import os
    import zipfile

    from click.testing import CliRunner

    from plugin.cli import main

    for key in list(os.environ):
        if key.startswith("ONTWIKKELGESPREK_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    client_id = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
    env = {
        "ONTWIKKELGESPREK_DATA_DIR": str(tmp_path / "data"),
        "ONTWIKKELGESPREK_PUBLIC_URL": "https://gesprek.contoso.nl",
        "ONTWIKKELGESPREK_CLIENT_ID": client_id,
    }
    out = tmp_path / "app.zip"
    result = CliRunner().invoke(main, ["package", "--out", str(out), "--version", "1.2.3"], env=env)
    assert result.exit_code == 0, result.output
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert manifest["version"] == "1.2.3"
    assert manifest["webApplicationInfo"]["id"] == client_id
    app_id = (tmp_path / "data" / "teams_app_id").read_text().strip()
    assert manifest["id"] == app_id and app_id in result.output
    assert "Integrated apps" in result.output  # one upload for Teams and Outlook

    again = CliRunner().invoke(main, ["package", "--out", str(out)], env=env)
    assert again.exit_code == 0 and app_id in again.output  # the same app id every time

    missing = CliRunner().invoke(
        main, ["package"], env={k: v for k, v in env.items() if "CLIENT" not in k}
    )
    assert missing.exit_code == 1
    assert "ONTWIKKELGESPREK_CLIENT_ID" in missing.output


def test_activity_texts_are_translated_with_the_same_parameters() -> None:
    """The feed sends one set of template parameters whatever the reader's language."""
    nl, en = read_language("nl.json"), read_language("en.json")
    for n in range(5):
        key = f"activities.activityTypes[{n}].templateText"
        assert nl[key] != en[key], key
        assert set(re.findall(r"\{(\w+)\}", nl[key])) == set(re.findall(r"\{(\w+)\}", en[key]))
        assert set(re.findall(r"\{(\w+)\}", nl[key])), key
