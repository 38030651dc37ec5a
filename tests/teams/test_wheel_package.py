"""The installed wheel, not the checkout: `ontwikkelgesprek package` finds the manifest template,
its localisation files and icons, and the app finds its templates, static files and
translations.

The wheel is built from this checkout and installed into a fresh virtual environment in
tmp_path, run from a working folder outside the checkout. Its dependencies are not downloaded
again (msgraph-sdk alone is 460 MB): the fresh environment sees this project's .venv
site-packages through a `.pth` line, after its own site-packages, so `plugin` comes from the
wheel. A plain path line does not run the `.pth` files in that folder, so the editable install's
hook that puts the checkout on `sys.path` stays out.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "manifest"
TRANSLATIONS = ROOT / "plugin" / "translations"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
CLIENT_ID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"

#: Run inside the fresh environment: where `plugin` comes from, and two pages as served.
RENDER = """
import json, sys
from pathlib import Path
import plugin
from plugin.bootstrap import build_services
from plugin.settings import Settings
from plugin.web.app import create_app

services, _ = build_services(Settings(_env_file=None), base_url="http://127.0.0.1:8470")
client = create_app(services).test_client()
pages = {url: client.get(url) for url in ("/about", "/about?lang=en", "/static/js/ui.js")}
print(json.dumps({
    "plugin": str(Path(plugin.__file__).resolve()),
    "sys_path": sys.path,
    "pages": {url: [r.status_code, r.get_data(as_text=True)] for url, r in pages.items()},
}))
"""


def run(command: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


def clean_env(**settings: str) -> dict[str, str]:
    """The environment without our settings or anything that steers Python's imports."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ONTWIKKELGESPREK_", "PYTHON", "VIRTUAL_ENV"))
    }
    return env | settings


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin folder."""
    base = tmp_path_factory.mktemp("wheel")
    # Without build isolation, so that hatchling comes from .venv and nothing is downloaded.
    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", base / "dist", ROOT])
    (wheel,) = (base / "dist").glob("ontwikkelgesprek-*.whl")
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    # .venv's pip installs into the fresh environment (`--python`); that environment does not
    # see .venv yet, so pip can neither find nor touch the editable install there.
    run(
        [*pip, "--python", python, "install", "-q", "--no-deps", "--no-index", wheel],
        env=clean_env(),
    )
    site = run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        env=clean_env(),
    ).stdout.strip()
    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "zz_dependencies_from_dotvenv.pth").write_text(
        "".join(f"{path}\n" for path in sorted(dependencies)), encoding="utf-8"
    )
    return venv / "bin"


def test_package_command_of_the_installed_wheel_writes_a_complete_package(installed, tmp_path):
    work = tmp_path / "elsewhere"  # outside the checkout, so no relative path can find it
    work.mkdir()
    env = clean_env(
        ONTWIKKELGESPREK_DATA_DIR=str(tmp_path / "data"),
        ONTWIKKELGESPREK_PUBLIC_URL="https://gesprek.contoso.nl",
        ONTWIKKELGESPREK_CLIENT_ID=CLIENT_ID,
    )
    out = work / "app.zip"
    result = run(
        [installed / "ontwikkelgesprek", "package", "--out", out, "--version", "1.2.3"],
        cwd=work,
        env=env,
    )
    assert "Wrote" in result.stdout

    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == sorted(
            ["manifest.json", "color.png", "outline.png", "nl.json", "en.json"]
        )
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["version"] == "1.2.3"
        assert manifest["webApplicationInfo"]["id"] == CLIENT_ID
        assert manifest["validDomains"] == ["gesprek.contoso.nl"]
        for name in ("color.png", "outline.png", "nl.json", "en.json"):
            assert archive.read(name) == (MANIFEST / name).read_bytes(), name
    assert (tmp_path / "data" / "teams_app_id").read_text().strip() == manifest["id"]


def test_installed_wheel_serves_translated_pages_and_static_files(installed, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = clean_env(ONTWIKKELGESPREK_DATA_DIR=str(tmp_path / "data"))
    result = run([installed / "python", "-c", RENDER], cwd=work, env=env)
    report = json.loads(result.stdout.strip().splitlines()[-1])

    # The code under test is the wheel's, and the checkout is not on the path.
    assert Path(report["plugin"]).is_relative_to(installed.parent), report["plugin"]
    assert str(ROOT) not in report["sys_path"]

    pages = report["pages"]
    dutch = Translations.load(str(TRANSLATIONS), ["nl"])
    title, version = "About Ontwikkelgesprek", "Version %(version)s"
    assert dutch.gettext(title) != title  # else the Dutch check below proves nothing
    for url, texts in (("/about", dutch), ("/about?lang=en", None)):
        status, html = pages[url]
        assert status == 200, url
        heading = re.search(r"<h1>\s*(.*?)\s*</h1>", html, re.S)
        assert heading is not None, url
        assert heading.group(1) == (texts.gettext(title) if texts else title), url
        shown = (texts.gettext(version) if texts else version) % {"version": VERSION}
        assert shown in html, url
    status, script = pages["/static/js/ui.js"]
    assert status == 200
    assert script == (ROOT / "plugin" / "static" / "js" / "ui.js").read_text(encoding="utf-8")
